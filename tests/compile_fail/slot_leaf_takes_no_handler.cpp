// expect-error: mmiotree: a handler binds only to an io region, or a register_file
// expect-error: slot_leaf_takes_no_handler<.*\{"msix"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_leaf_takes_no_handler<mmiotree::v0::fixed_string<4>\{"msix"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_leaf_takes_no_handler<fixed_string<5UL - 1>\{"msix"\}>
// max-lines-gnu: 10
// max-lines-clang: 15
//
// Rule (runtime/slot_handle.hpp): through a slot handle, as through the space, a handler binds
// only to an io region (or a register_file to its register block); a passthrough region is
// host memory the guest reaches without exits. Here the device gives its MSI-X page a handler.
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
    (void)bar_.bind<"msix">(regs_);
#endif
  }

 private:
  slot_ref<nic_bar0> bar_;
  nic_regs regs_;
};

void wire(address_space<machine>& as) { nic n(as.slot<nic_bar0, "pci/nic_bar0">()); }
