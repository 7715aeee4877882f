// expect-error: mmiotree: two fields of one register have the same name
// expect-error: duplicate_field_name<.*\{"ctrl"\}, .*\{"mode"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::duplicate_field_name<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<4>\{"mode"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::duplicate_field_name<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<5UL - 1>\{"mode"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): field names are unique in a register, so that get<"ctrl", "mode">
// reaches one field.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0,
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rw>,
#ifdef MMIOTREE_CF_POSITIVE
        field<"irq_mode", 4, 3, rw>>>;
#else
        field<"mode", 4, 3, rw>>>;  // copy-pasted
#endif
// clang-format on

register_file<timer_block> regs;
