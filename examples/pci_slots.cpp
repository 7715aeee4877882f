// Slots: a PCI device whose BAR the guest programs at run time, written once and used unchanged
// in two different machines. The device holds a handle on its own slot — it never names the
// machine — binds its registers by paths inside its BAR, and moves the BAR when the guest
// writes the BAR register. A backend (here a printout standing in for KVM memslots) registers
// once with the address space and hears every change, whoever makes it.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/slot_handle.hpp>
#include <mmiotree/tree/region.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

// A NIC's BAR 0: registers that trap, and an MSI-X table that traps too. The device's own type.
using nic_bar0 =
    container<"nic_bar0", 16_KiB, at<0, io<"regs", 4_KiB>>, at<8_KiB, io<"msix", 4_KiB>>>;

/// The NIC: knows its BAR's layout, not the machine.
class nic {
 public:
  explicit nic(slot_ref<nic_bar0> bar) : bar_(bar) {
    // Paths inside the BAR, checked at compile time; an empty ref (`slot_ref::of` found no
    // slot of this shape) says `no_slot`.
    if (bar_.bind<"regs">(regs_) != bind_status::ok || bar_.bind<"msix">(msix_) != bind_status::ok)
      throw std::invalid_argument("nic: the slot handle holds no slot");
  }
  /// The guest wrote the BAR register (memory decoding on): the BAR moves there.
  commit_result bar_written(addr_t gpa) { return bar_.place(gpa); }
  [[nodiscard]] slot_placement where() const { return bar_.placement(); }

 private:
  struct regs {
    std::uint64_t read(addr_t off, unsigned) { return 0xC0DE'0000 | off; }
    void write(addr_t, unsigned, std::uint64_t) {}
  };
  slot_ref<nic_bar0> bar_;
  regs regs_, msix_;
};

// Machine A: RAM, and a 256 MiB PCI MMIO window at 3 GiB with the NIC and a GPU's BAR 2 (device
// memory, mmapped from VFIO). Two BARs at one address would tie at priority 0: tie_policy::reject
// refuses such a commit.
using gpu_bar2 = passthrough<"gpu_bar2", 1_MiB>;
// (Roots declared as structs: diagnostics and symbols name `machine_a`, not every region.)
struct machine_a
    : container<"machine", 4_GiB, at<0, passthrough<"ram", 64_MiB>>,
                at<3_GiB, container<"pci_mmio", 256_MiB, slot<nic_bar0>, slot<gpu_bar2>>>> {};
// Machine B: the same NIC behind another path, in a 64-bit window far up.
struct machine_b : container<"m", 1_TiB, at<512_GiB, container<"pci64", 4_GiB, slot<nic_bar0>>>> {};

namespace {
/// Stands in for a KVM memslot / Unicorn mapping backend.
struct printing_backend final : map_listener {
  void region_del(const map_event& e) override {
    fmt::print("  region_del {:#x}-{:#x} {}\n", e.lo, e.last, to_string(e.kind));
  }
  void region_add(const map_event& e) override {
    fmt::print("  region_add {:#x}-{:#x} {}{}\n", e.lo, e.last, to_string(e.kind),
               e.host ? " (mmap: no exits)" : " (traps)");
  }
};
}  // namespace

int main() {
  std::vector<std::byte> ram(64_MiB), vram(1_MiB);
  address_space<machine_a> as;
  if (as.bind<"ram">(ram) != bind_status::ok) return 1;
  if (as.bind<"pci_mmio/gpu_bar2">(vram, {.vfio_owned = true}) != bind_status::ok) return 1;
  printing_backend kvm;
  fmt::print("the backend registers and is told the map:\n");
  if (!as.add_listener(kvm).ok()) return 1;

  nic eth0(as.slot<nic_bar0, "pci_mmio/nic_bar0">());
  const slot_handle gpu = as.slot<"pci_mmio/gpu_bar2">();

  fmt::print("guest assigns the BARs (one transaction):\n");
  auto c =
      as.transaction().place<"pci_mmio/nic_bar0">(3_GiB).place(gpu.id(), 3_GiB + 1_MiB).commit();
  if (!c.ok()) return 1;
  fmt::print("read NIC reg 0x10: {:#x}\n", as.read(3_GiB + 0x10, 4).value);

  fmt::print("guest moves the NIC BAR:\n");
  if (!eth0.bar_written(3_GiB + 0x4000).ok()) return 1;
  fmt::print("old address now: {}\n", to_string(as.read(3_GiB + 0x10, 4).status));

  fmt::print("guest programs the NIC's BAR onto the GPU's (a guest bug):\n");
  c = eth0.bar_written(3_GiB + 1_MiB);
  fmt::print("  refused: {}, nothing changed; NIC still at {:#x}\n", to_string(c.error),
             eth0.where().base);
  if (c.error != commit_error::ambiguous_overlap) return 1;

  fmt::print("machine A as it is now (info mtree, info mtree -f):\n{}{}", mtree_text(as),
             flat_view_text(as));

  // The same device type in another machine: nothing of it changes.
  address_space<machine_b> other;
  nic eth1(other.slot<nic_bar0, "pci64/nic_bar0">());
  if (!eth1.bar_written(512_GiB + 64_KiB).ok()) return 1;
  fmt::print("in machine B the NIC answers at {:#x}: {:#x}\n", eth1.where().base,
             other.read(512_GiB + 64_KiB + 0x10, 4).value);
  return other.read(512_GiB + 64_KiB + 0x10, 4).value == 0xC0DE'0010 ? 0 : 1;
}
