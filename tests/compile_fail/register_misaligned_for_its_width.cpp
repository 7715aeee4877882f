// expect-error: mmiotree: a register.s offset must be a multiple of its width in bytes
// expect-error: register_misaligned_for_its_width<.*\{"count"\}, 0, .*\{"0xe"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::register_misaligned_for_its_width<mmiotree::v0::fixed_string<5>\{"count"\}, 0, mmiotree::v0::fixed_string<3>\{"0xe"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::register_misaligned_for_its_width<fixed_string<6UL - 1>\{"count"\}, 0, fixed_string<3>\{"0xe"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): a register of N bytes sits at a multiple of N in its block (natural
// alignment, as PCIe and CXL registers do). COUNT at 0x0E straddles two 4-byte words.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::any,
    reg<"load", 0x08, 32, 0x0, field<"value", 31, 0, rw>>,
#ifdef MMIOTREE_CF_POSITIVE
    reg<"count", 0x0C, 32, 0x0, field<"value", 31, 0, ro>>>;
#else
    reg<"count", 0x0E, 32, 0x0, field<"value", 31, 0, ro>>>;
#endif
// clang-format on

register_file<timer_block> regs;
