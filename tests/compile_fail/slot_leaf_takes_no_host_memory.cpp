// expect-error: mmiotree: host memory binds only to a passthrough region
// expect-error: slot_leaf_takes_no_host_memory<.*\{"regs"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_leaf_takes_no_host_memory<mmiotree::v0::fixed_string<4>\{"regs"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_leaf_takes_no_host_memory<fixed_string<5UL - 1>\{"regs"\}>
// max-lines-gnu: 10
// max-lines-clang: 15
//
// Rule (runtime/slot_handle.hpp): through a slot handle, as through the space, host memory
// binds only to a passthrough region; an io region traps to a handler. Here the device maps
// its MSI-X table's memory onto its registers.
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
    (void)bar_.bind<"msix">(msix_);
#else
    (void)bar_.bind<"regs">(msix_);
#endif
  }

 private:
  slot_ref<nic_bar0> bar_;
  std::vector<std::byte> msix_ = std::vector<std::byte>(4_KiB);
};

void wire(address_space<machine>& as) { nic n(as.slot<nic_bar0, "pci/nic_bar0">()); }
