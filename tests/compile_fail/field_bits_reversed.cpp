// expect-error: mmiotree: a field is declared field<Name, Hi, Lo, ...> with Hi >= Lo
// expect-error: field_bits_reversed<.*\{"ctrl"\}, .*\{"mode"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::field_bits_reversed<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<4>\{"mode"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::field_bits_reversed<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<5UL - 1>\{"mode"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): fields are declared high bit first, field<Name, Hi, Lo, ...>, as
// SystemRDL and the specifications write [Hi:Lo]. MODE was written low bit first.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0,
        field<"enable", 0, 0, rw>,
#ifdef MMIOTREE_CF_POSITIVE
        field<"mode", 2, 1, rw>>>;
#else
        field<"mode", 1, 2, rw>>>;
#endif
// clang-format on

register_file<timer_block> regs;
