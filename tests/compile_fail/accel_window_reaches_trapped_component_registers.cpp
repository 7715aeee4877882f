// expect-error: mmiotree: an accelerator window never reaches what the kernel keeps trapped
// expect-error-gnu: In instantiation of .struct mmiotree::v0::cxl::diag::accel_window_reaches_trapped_component_registers<mmiotree::v0::fixed_string<6>\{"accel0"\}, mmiotree::v0::fixed_string<15>\{"\[0x0, 0x10ffff\]"\}, mmiotree::v0::fixed_string<20>\{"\[0x100000, 0x10ffff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::cxl::diag::accel_window_reaches_trapped_component_registers<fixed_string<7UL - 1>\{"accel0"\}, fixed_string<16UL - 1>\{"\[0x0, 0x10ffff\]"\}, fixed_string<20>\{"\[0x100000, 0x10ffff\]"\}>
// max-lines-gnu: 14
// max-lines-clang: 38
//
// Rule (cxl/type2_bar.hpp): with the v2 kernel geometry the whole 64 KiB component block is
// left out of the mmaps; a window running over it would mmap the decoder registers.
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
constexpr addr_t accel0_size = 1_MiB + 64_KiB;
#endif
using bar = cxl::type2_component_bar<4_MiB, 1_MiB, component, cxl::kernel_geometry::v2, 4_KiB,
                                     cxl::accel_window<"accel0", 0, accel0_size>>;
inline constexpr std::size_t ranges = flat_view_v<bar>.size();
