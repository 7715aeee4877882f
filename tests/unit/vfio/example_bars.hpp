// The component-register BAR of the CXL example (examples/cxl_type2_device.cpp), for the VFIO
// tests: 4 MiB, the component block at 1 MiB with RAS at 0x80 and two HDM decoders at 0x128 of
// its CXL.cache/mem range, in the geometry of the v2 kernel (the whole 64 KiB block trapped) and
// of the v4 kernel (only the decoders' 4 KiB page trapped).
#pragma once

#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/tree/region.hpp>

namespace example_bars {
using namespace mmiotree;
using namespace mmiotree::literals;

using hdm = cxl::hdm_decoders<2>;
using component = cxl::component_block<
    cxl::capability<cxl::cap_id::ras, 2, 0x80, stub<"ras", 0x58, stub_response::read_as_zero>>,
    cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
inline constexpr addr_t bar_size = 4_MiB, comp_at = 1_MiB;
using bar2_v2 = cxl::type2_component_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v2, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at>,
    cxl::accel_window<"accel_hi", comp_at + 64_KiB, bar_size - comp_at - 64_KiB>>;
using bar2_v4 = cxl::type2_component_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v4, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>,
    cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>>;
/// BAR offset of the decoder block: component + 0x1000 (CXL.cache/mem) + 0x128.
inline constexpr addr_t hdm_at = comp_at + 0x1000 + 0x128;
}  // namespace example_bars
