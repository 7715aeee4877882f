// expect-error: mmiotree: two registers of one block have the same name
// expect-error: duplicate_register_name<.*\{"count"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::duplicate_register_name<mmiotree::v0::fixed_string<5>\{"count"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::duplicate_register_name<fixed_string<6UL - 1>\{"count"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): register names are unique in a block (in a reg_array, in the array),
// so that typed access by name reaches one register. The second COUNT was meant to be CAPTURE.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"count", 0x10, 32, 0x0, field<"value", 31, 0, ro>>,
#ifdef MMIOTREE_CF_POSITIVE
    reg<"capture", 0x14, 32, 0x0, field<"value", 31, 0, ro>>>;
#else
    reg<"count", 0x14, 32, 0x0, field<"value", 31, 0, ro>>>;  // copy-pasted
#endif
// clang-format on

register_file<timer_block> regs;
