// expect-error: mmiotree: a register is 8, 16, 32 or 64 bits wide
// expect-error: register_width_must_be_8_16_32_or_64<.*\{"level"\}, 24>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::register_width_must_be_8_16_32_or_64<mmiotree::v0::fixed_string<5>\{"level"\}, 24>
// expect-error-clang: in instantiation of template class .mmiotree::diag::register_width_must_be_8_16_32_or_64<fixed_string<6UL - 1>\{"level"\}, 24>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): registers are 8, 16, 32 or 64 bits wide, the sizes of a guest
// access. A 24-bit FIFO level is a 32-bit register with a 24-bit field.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using uart_block = register_block<"uart", 0x20, access::any,
    reg<"data", 0x00, 8, 0x0, field<"byte", 7, 0, rw>>,
#ifdef MMIOTREE_CF_POSITIVE
    reg<"level", 0x04, 32, 0x0, field<"count", 23, 0, ro>>>;
#else
    reg<"level", 0x04, 24, 0x0, field<"count", 23, 0, ro>>>;
#endif
// clang-format on

register_file<uart_block> regs;
