// Slots: two PCI devices whose BARs the guest programs at run time. The shape of each BAR is
// a type; only its placement in the PCI MMIO window changes, committed in transactions that
// tell a backend (here a printout standing in for KVM memslots) exactly what changed.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

// A NIC's BAR 0: registers that trap, and an MSI-X table that traps too.
using nic_bar0 =
    container<"nic_bar0", 16_KiB, at<0, io<"regs", 4_KiB>>, at<8_KiB, io<"msix", 4_KiB>>>;
// A GPU's BAR 2: device memory, mmapped from VFIO.
using gpu_bar2 = passthrough<"gpu_bar2", 1_MiB>;

// The machine: RAM, and a 256 MiB PCI MMIO window holding the two BARs as slots. Two BARs at
// the same address would tie at priority 0: tie_policy::reject refuses such a commit.
using machine =
    container<"machine", 4_GiB, at<0, passthrough<"ram", 64_MiB>>,
              at<3_GiB, container<"pci_mmio", 256_MiB, slot<nic_bar0>, slot<gpu_bar2>>>>;

namespace {
struct regs_dev {
  std::uint64_t read(addr_t off, unsigned) { return 0xC0DE'0000 | off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
/// Stands in for a KVM memslot / Unicorn mapping backend.
struct printing_backend {
  void region_del(const map_event& e) {
    fmt::print("  region_del {:#x}-{:#x} {}\n", e.lo, e.last, to_string(e.kind));
  }
  void region_add(const map_event& e) {
    fmt::print("  region_add {:#x}-{:#x} {}{}\n", e.lo, e.last, to_string(e.kind),
               e.host ? " (mmap: no exits)" : " (traps)");
  }
};
}  // namespace

int main() {
  std::vector<std::byte> ram(64_MiB), vram(1_MiB);
  regs_dev regs, msix;
  address_space<machine> as;
  if (as.bind<"ram">(ram) != bind_status::ok) return 1;
  if (as.bind<"pci_mmio/gpu_bar2">(vram, {.vfio_owned = true}) != bind_status::ok) return 1;
  as.bind<"pci_mmio/nic_bar0/regs">(regs);
  as.bind<"pci_mmio/nic_bar0/msix">(msix);
  printing_backend kvm;

  fmt::print("guest assigns the BARs:\n");
  auto c =
      as.begin().place<"pci_mmio/nic_bar0">(0x0).place<"pci_mmio/gpu_bar2">(0x100000).commit(kvm);
  if (!c.ok()) return 1;
  const addr_t win = 3_GiB;
  fmt::print("read NIC reg 0x10: {:#x}\n", as.read(win + 0x10, 4).value);

  fmt::print("guest moves the NIC BAR:\n");
  if (!as.begin().place<"pci_mmio/nic_bar0">(0x4000).commit(kvm).ok()) return 1;
  fmt::print("old address now: {}\n", to_string(as.read(win + 0x10, 4).status));

  fmt::print("guest programs both BARs to one address (a guest bug):\n");
  c = as.begin().place<"pci_mmio/nic_bar0">(0x100000).commit(kvm);
  fmt::print("  refused: {}, nothing changed; NIC still at {:#x}\n", to_string(c.error),
             as.placement<"pci_mmio/nic_bar0">().base);
  return c.error == commit_error::ambiguous_overlap ? 0 : 1;
}
