// expect-error: mmiotree: two registers of a block overlap
// expect-error: registers_overlap<.*\{"load"\}, .*\{"count"\}, .*\{"0x14"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::registers_overlap<mmiotree::v0::fixed_string<4>\{"load"\}, mmiotree::v0::fixed_string<5>\{"count"\}, mmiotree::v0::fixed_string<4>\{"0x14"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::registers_overlap<fixed_string<5UL - 1>\{"load"\}, fixed_string<6UL - 1>\{"count"\}, fixed_string<5UL - 1>\{"0x14"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): registers of a block do not share bytes, so a guest access at an
// offset reaches one register. LOAD grew to 64 bits and now covers COUNT at 0x14.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::any,
    reg<"ctrl", 0x04, 32, 0x0, field<"enable", 0, 0, rw>>,
    reg<"load", 0x10, 64, 0x0, field<"value", 63, 0, rw>>,
#ifdef MMIOTREE_CF_POSITIVE
    reg<"count", 0x18, 32, 0x0, field<"value", 31, 0, ro>>>;
#else
    reg<"count", 0x14, 32, 0x0, field<"value", 31, 0, ro>>>;
#endif
// clang-format on

register_file<timer_block> regs;
