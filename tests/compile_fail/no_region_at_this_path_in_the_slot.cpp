// expect-error: mmiotree: a slot handle binds by paths inside the slot.s region
// expect-error: no_region_at_this_path_in_the_slot<.*\{"pci/nic_bar0/regs"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::no_region_at_this_path_in_the_slot<mmiotree::v0::fixed_string<17>\{"pci/nic_bar0/regs"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::no_region_at_this_path_in_the_slot<fixed_string<18UL - 1>\{"pci/nic_bar0/regs"\}>
// max-lines-gnu: 11
// max-lines-clang: 18
//
// Rule (runtime/slot_handle.hpp): a device binds the leaves of its slot by paths inside the
// slot's own region, never by the machine's paths, so that the device type works in any
// machine. Here the device names its registers by their path in the machine.
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

class nic {
 public:
  explicit nic(slot_ref<nic_bar0> bar) : bar_(bar) {
#ifdef MMIOTREE_CF_POSITIVE
    (void)bar_.bind<"regs">(regs_);
#else
    (void)bar_.bind<"pci/nic_bar0/regs">(regs_);
#endif
  }

 private:
  slot_ref<nic_bar0> bar_;
  nic_regs regs_;
};

void wire(address_space<machine>& as) { nic n(as.slot<nic_bar0, "pci/nic_bar0">()); }
