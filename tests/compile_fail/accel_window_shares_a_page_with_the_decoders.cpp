// expect-error: mmiotree: an accelerator window never reaches what the kernel keeps trapped
// expect-error-gnu: In instantiation of .struct mmiotree::v0::cxl::diag::accel_window_reaches_trapped_component_registers<mmiotree::v0::fixed_string<6>\{"accel0"\}, mmiotree::v0::fixed_string<15>\{"\[0x0, 0x100fff\]"\}, mmiotree::v0::fixed_string<20>\{"\[0x100000, 0x10ffff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::cxl::diag::accel_window_reaches_trapped_component_registers<fixed_string<7UL - 1>\{"accel0"\}, fixed_string<16UL - 1>\{"\[0x0, 0x100fff\]"\}, fixed_string<20>\{"\[0x100000, 0x10ffff\]"\}>
// max-lines-gnu: 14
// max-lines-clang: 38
//
// Rule (cxl/type2_bar.hpp): with the v4 geometry the host page holding the HDM decoders traps.
// With 64 KiB host pages that page is the whole component block at 1 MiB, so a window ending
// at 1 MiB + 4 KiB (right for 4 KiB pages) shares the decoders' page.
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
constexpr addr_t accel0_size = 1_MiB;
#else
constexpr addr_t accel0_size = 1_MiB + 4_KiB;
#endif
using bar = cxl::type2_component_bar<4_MiB, 1_MiB, component, cxl::kernel_geometry::v4, 64_KiB,
                                     cxl::accel_window<"accel0", 0, accel0_size>>;
inline constexpr std::size_t ranges = flat_view_v<bar>.size();
