// expect-error: mmiotree: a reset value may set only bits that a field declares
// expect-error: reset_value_has_bits_outside_every_field<.*\{"ctrl"\}, .*\{"0x80000001"\}, .*\{"0x80000000"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::reset_value_has_bits_outside_every_field<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<10>\{"0x80000001"\}, mmiotree::v0::fixed_string<10>\{"0x80000000"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::reset_value_has_bits_outside_every_field<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<10>\{"0x80000001"\}, fixed_string<10>\{"0x80000000"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): a reset value sets only bits some field declares; bits outside every
// field read 0, so a reset value with such bits is a typo or a missing field. Bit 31 here.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
#ifdef MMIOTREE_CF_POSITIVE
    reg<"ctrl", 0x04, 32, 0x0000'0001,
#else
    reg<"ctrl", 0x04, 32, 0x8000'0001,
#endif
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rw>>>;
// clang-format on

register_file<timer_block> regs;
