// expect-error: mmiotree: a configuration-space overlay lies inside the 4 KiB configuration space
// expect-error-gnu: In instantiation of .struct mmiotree::v0::vfio::diag::overlay_outside_configuration_space<mmiotree::v0::fixed_string<11>\{"vendor_regs"\}, mmiotree::v0::fixed_string<5>\{"0xff0"\}, mmiotree::v0::fixed_string<4>\{"0x20"\}>
// expect-error-clang: in instantiation of template class .mmiotree::vfio::diag::overlay_outside_configuration_space<fixed_string<12UL - 1>\{"vendor_regs"\}, fixed_string<6UL - 1>\{"0xff0"\}, fixed_string<5UL - 1>\{"0x20"\}>
// max-lines-gnu: 14
// max-lines-clang: 38
//
// Rule (vfio/config_passthrough.hpp): a passed-through function's configuration space is 4 KiB;
// a region the VMM emulates over it lies inside, or guest accesses could never reach its end.
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/vfio/config_passthrough.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;
using fn =
    pci::function<pci::ids{.vendor = 0x1234, .device = 0x5678}, pci::bars<pci::mem64<0, 1_MiB>>>;

#ifdef MMIOTREE_CF_POSITIVE
constexpr addr_t vendor_at = 0xFE0;
#else
constexpr addr_t vendor_at = 0xFF0;
#endif
using tree =
    vfio::passthrough_tree<fn, vfio::overlays<vfio::virtualise<"bar0">,
                                              vfio::emulate<vendor_at, io<"vendor_regs", 0x20>>>>;
inline constexpr std::size_t ranges = flat_view_v<tree>.size();
