// expect-error: mmiotree: the region's offset \+ size passes 2\^64; it cannot be placed there
// expect-error: region_end_overflows_64_bits<.*\{"top"\}, .*\{"0xffffffffffff0000"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::region_end_overflows_64_bits<mmiotree::v0::fixed_string<3>\{"top"\}, mmiotree::v0::fixed_string<18>\{"0xffffffffffff0000"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::region_end_overflows_64_bits<fixed_string<4UL - 1>\{"top"\}, fixed_string<18>\{"0xffffffffffff0000"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule: a region's last byte is addressable, i.e. offset + size <= 2^64. A 128 KiB region
// 64 KiB below the top of a 64-bit address space would wrap around to 0.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

inline constexpr addr_t top = 0xFFFF'FFFF'FFFF'0000;  // 64 KiB below 2^64

using system_bus = container<"system", ~addr_t{0},  //
                             at<0, passthrough<"ram", 1_GiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                             at<top, io<"top", 32_KiB>>>;
#else
                             at<top, io<"top", 128_KiB>>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<system_bus>;
