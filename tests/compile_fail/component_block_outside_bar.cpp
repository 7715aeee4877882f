// expect-error: mmiotree: a CXL component register block lies inside its BAR
// expect-error-gnu: In instantiation of .struct mmiotree::v0::cxl::diag::component_block_outside_bar<mmiotree::v0::fixed_string<8>\{"0x400000"\}, mmiotree::v0::fixed_string<8>\{"0x400000"\}>
// expect-error-clang: in instantiation of template class .mmiotree::cxl::diag::component_block_outside_bar<fixed_string<9UL - 1>\{"0x400000"\}, fixed_string<9UL - 1>\{"0x400000"\}>
// max-lines-gnu: 13
// max-lines-clang: 35
//
// Rule (cxl/type2_bar.hpp): the 64 KiB component block lies inside the BAR; at 4 MiB it starts
// where a 4 MiB BAR ends.
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
constexpr addr_t comp = 4_MiB - 64_KiB;
#else
constexpr addr_t comp = 4_MiB;
#endif
using bar = cxl::type2_component_bar<4_MiB, comp, component, cxl::kernel_geometry::v2, 4_KiB,
                                     cxl::accel_window<"accel", 0, 1_MiB>>;
inline constexpr std::size_t ranges = flat_view_v<bar>.size();
