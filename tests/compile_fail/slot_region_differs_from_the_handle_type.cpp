// expect-error: mmiotree: slot<Region, Path>\(\) makes a handle of type slot_ref<Region>
// expect-error: slot_region_differs_from_the_handle_type<.*\{"pci/nic_bar0"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_region_differs_from_the_handle_type<mmiotree::v0::fixed_string<12>\{"pci/nic_bar0"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_region_differs_from_the_handle_type<fixed_string<13UL - 1>\{"pci/nic_bar0"\}>
// max-lines-gnu: 9
// max-lines-clang: 14
//
// Rule (runtime/address_space.hpp): a typed handle slot_ref<Region> is made only for a slot
// whose region has Region's shape, or the device would bind its leaves by the wrong layout.
// Here the machine's NIC BAR is asked for as the next revision's BAR, whose MSI-X table moved.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/slot_handle.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

// A NIC's BAR: registers, and an MSI-X table page.
using nic_bar0 =
    container<"nic_bar0", 16_KiB, at<0, io<"regs", 4_KiB>>, at<8_KiB, passthrough<"msix", 4_KiB>>>;
using machine = container<"machine", 4_GiB, at<3_GiB, container<"pci", 256_MiB, slot<nic_bar0>>>>;

struct nic_regs {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

using nic_bar0_rev2 =
    container<"nic_bar0", 16_KiB, at<0, io<"regs", 4_KiB>>, at<12_KiB, passthrough<"msix", 4_KiB>>>;

#ifdef MMIOTREE_CF_POSITIVE
slot_ref<nic_bar0> bar(address_space<machine>& as) { return as.slot<nic_bar0, "pci/nic_bar0">(); }
#else
slot_ref<nic_bar0_rev2> bar(address_space<machine>& as) {
  return as.slot<nic_bar0_rev2, "pci/nic_bar0">();
}
#endif
