// expect-error: mmiotree: a register must lie inside its block
// expect-error: register_past_block_end<.*\{"channel/addr"\}, 3, .*\{"0x40"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::register_past_block_end<mmiotree::v0::fixed_string<12>\{"channel/addr"\}, 3, mmiotree::v0::fixed_string<4>\{"0x40"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::register_past_block_end<fixed_string<12>\{"channel/addr"\}, 3, fixed_string<5UL - 1>\{"0x40"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): every register, every element of a reg_array included, lies inside
// its block. Four channels of 0x10 bytes from 0x10 need 0x50 bytes; the block has 0x40.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
#ifdef MMIOTREE_CF_POSITIVE
using dma_block = register_block<"dma", 0x50, access::exactly<4>,
#else
using dma_block = register_block<"dma", 0x40, access::exactly<4>,
#endif
    reg<"id", 0x00, 32, 0x1, field<"version", 31, 0, hwinit>>,
    reg_array<"channel", 0x10, 4, 0x10,
        reg<"addr", 0x0, 32, 0x0, field<"value", 31, 0, rw>>,
        reg<"len", 0x4, 32, 0x0, field<"value", 31, 0, rw>>>>;
// clang-format on

register_file<dma_block> regs;
