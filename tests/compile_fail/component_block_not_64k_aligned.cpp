// expect-error: mmiotree: a CXL component register block sits at a 64 KiB multiple of its BAR
// expect-error-gnu: In instantiation of .struct mmiotree::v0::cxl::diag::component_block_not_64k_aligned<mmiotree::v0::fixed_string<8>\{"0x101000"\}>
// expect-error-clang: in instantiation of template class .mmiotree::cxl::diag::component_block_not_64k_aligned<fixed_string<9UL - 1>\{"0x101000"\}>
// max-lines-gnu: 13
// max-lines-clang: 35
//
// Rule (cxl/type2_bar.hpp): the Register Locator DVSEC places a component block in 64 KiB units,
// so a block at 1 MiB + 4 KiB cannot be described to the guest.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/layout/flat_view.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;
using hdm = cxl::hdm_decoders<2>;
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;

#ifdef MMIOTREE_CF_POSITIVE
constexpr addr_t comp = 1_MiB;
#else
constexpr addr_t comp = 1_MiB + 4_KiB;
#endif
using bar = cxl::type2_component_bar<4_MiB, comp, component, cxl::kernel_geometry::v2, 4_KiB,
                                     cxl::accel_window<"accel", 0, 1_MiB>>;
inline constexpr std::size_t ranges = flat_view_v<bar>.size();
