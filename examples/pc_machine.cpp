// A PC's memory map as QEMU builds it (hw/i386/pc.c, docs/devel/memory.rst), as types: the RAM
// and the PCI address space are regions of the tree that are mapped nowhere (`unmapped<R>`);
// system memory sees them only through aliases — low and high RAM around the PCI hole, the
// legacy VGA window over the RAM, the 32-bit and 64-bit PCI holes. The aliases name their
// targets relative to themselves, so the PCI space below is a type of its own that could be
// checked and reused alone. Two BARs are slots of the PCI space: the guest places and moves them
// at bus addresses, and system memory sees them wherever a hole shows that address — hidden
// under the BIOS, refused where they would tie with the VGA memory. The program dispatches a
// few guest accesses and prints the tree and the flat view, as `info mtree` and `info mtree -f`
// would.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

// The PCI address space: VGA's legacy window (two aliases onto the frame buffer), the frame
// buffer itself (mmapped from the device) and the card's registers, at fixed addresses here; a
// NIC's and an NVMe drive's BAR 0, slots the guest places (a slot's address in its window is a
// bus address). Larger than the whole machine, as in QEMU: an unmapped region has no parent
// range to fit.
struct pci_space
    : container<"pci", 1_TiB,
                at<0xA'0000, container<"vga-lowmem", 0x2'0000,  //
                                       at<0, alias<"lo", 0x8000, "../vram", 0x1'0000>>,
                                       at<0x8000, alias<"hi", 0x8000, "../vram", 0x2'0000>>>>,
                at<0xE100'0000, passthrough<"vram", 16_MiB>>,
                at<0xF100'0000, io<"vga-mmio", 64_KiB, access::exactly<4>>>,
                slot<io<"nic-bar0", 128_KiB, access::exactly<4>>>,
                slot<io<"nvme-bar0", 16_KiB, access::exactly<4>>>> {};

inline constexpr addr_t ram_size = 4_GiB + 512_MiB, below_4g = 3_GiB + 512_MiB;

// Declared as a struct, not with `using`: diagnostics and symbols then name `pc`, not every
// region of it (docs/diagnostics.md).
struct pc : container<"system", 64_GiB,  //
                      unmapped<passthrough<"ram", ram_size>>, unmapped<pci_space>,
                      at<0, alias<"ram-below-4g", below_4g, "./ram">>,
                      at<4_GiB, alias<"ram-above-4g", ram_size - below_4g, "./ram", below_4g>>,
                      at<0xA'0000, alias<"vga-window", 0x2'0000, "./pci", 0xA'0000>, 1>,
                      at<below_4g, alias<"pci-hole", 4_GiB - below_4g, "./pci", below_4g>>,
                      at<32_GiB, alias<"pci-hole64", 32_GiB, "./pci", 32_GiB>>,
                      at<4_GiB - 256_KiB, stub<"bios", 256_KiB, stub_response::read_as_zero>, 1>,
                      at<0, unassigned<"unassigned", 64_GiB>, -1>> {};

namespace {
struct counter_regs {
  std::uint32_t last = 0;
  std::uint64_t read(addr_t off, unsigned) { return 0x5150'0000u | off; }
  void write(addr_t, unsigned, std::uint64_t v) { last = static_cast<std::uint32_t>(v); }
};
}  // namespace

int main() {
  std::vector<std::byte> vram(16_MiB);
  counter_regs vga, nic, nvme;
  address_space<pc> as;
  // Host memory must hold a whole region: a VMM binds "ram" to its guest-RAM mapping. Here the
  // RAM stays unbound (4.5 GiB), and its accesses say so.
  if (as.bind<"pci/vram">(vram) != bind_status::ok ||
      as.bind<"pci/vga-mmio">(vga) != bind_status::ok ||
      as.bind<"pci/nic-bar0">(nic) != bind_status::ok ||
      as.bind<"pci/nvme-bar0">(nvme) != bind_status::ok)
    return 1;

  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    fmt::print("{} {}\n", ok ? "ok  " : "FAIL", what);
    failures += ok ? 0 : 1;
  };
  // The VGA window shows the frame buffer at 64 KiB (lo) and 128 KiB (hi) into it.
  vram[0x1'0000] = std::byte{0x42};
  vram[0x2'0000] = std::byte{0x43};
  expect(as.read(0xA'0000, 1).value == 0x42, "0xa0000 reads vram+0x10000 (vga-window -> lo)");
  expect(as.read(0xA'8000, 1).value == 0x43, "0xa8000 reads vram+0x20000 (vga-window -> hi)");
  expect(as.read(0xF100'0010, 4).value == 0x5150'0010, "the VGA registers in the PCI hole");

  // The firmware assigns the BARs: bus addresses, which the holes show one to one.
  commit_result c = as.transaction()
                        .place_in_window<"pci/nic-bar0">(0xFEB8'0000)
                        .place_in_window<"pci/nvme-bar0">(0x8'0010'0000)
                        .commit();
  expect(c.ok(), "both BARs placed in one transaction");
  expect(as.read(0xFEB8'0010, 4).value == 0x5150'0010, "the NIC BAR through pci-hole");
  expect(as.write(0x8'0010'0008, 4, 7) == access_status::ok && nvme.last == 7,
         "the NVMe BAR through pci-hole64");
  // The guest moves the NIC's BAR: one commit places its precomputed ranges; nothing else of
  // the map is computed again.
  c = as.transaction().place_in_window<"pci/nic-bar0">(0xFEA0'0000).commit();
  expect(c.ok() && as.read(0xFEA0'0010, 4).value == 0x5150'0010, "the NIC BAR moved");
  expect(as.read(0xFEB8'0010, 4).status == access_status::decode_error,
         "its old address: a hole of the PCI space (unassigned)");
  // Under the BIOS (priority 1 in system memory) a BAR is placed but hidden, as in QEMU.
  c = as.transaction().place_in_window<"pci/nic-bar0">(0xFFFE'0000).commit();
  expect(c.ok() && as.leaf_at(0xFFFE'0010) == node_index_v<pc, "bios">,
         "a BAR under the BIOS: placed, and hidden by it");
  // In the VGA window the BAR would tie with the legacy VGA memory (both priority 0 in the PCI
  // space): the commit is refused and nothing changes.
  c = as.transaction().place_in_window<"pci/nic-bar0">(0xA'0000).commit();
  expect(c.error == commit_error::ambiguous_overlap && as.read(0xA'0000, 1).value == 0x42,
         "a BAR over the VGA memory: refused as ambiguous");
  c = as.transaction().place_in_window<"pci/nic-bar0">(0xFEA0'0000).commit();
  expect(c.ok(), "the NIC BAR back in the hole");

  // Holes of the PCI space fall through to `unassigned` (reads as a decode error).
  expect(as.read(0xE000'0000, 4).status == access_status::decode_error,
         "a hole of the PCI hole: nothing there");
  // RAM below and above 4 GiB: one region, two aliases (unbound here: no 4.5 GiB buffer).
  expect(as.read(0x1000, 4).status == access_status::unbound, "low RAM is the unbound ram");
  expect(as.leaf_at(4_GiB) == as.leaf_at(0x1000), "high RAM is the same leaf");
  expect(as.leaf_at(1_TiB - 1) == npos, "past the machine: nothing");

  fmt::print("{}{}", mtree_text(as), flat_view_text(as));
  return failures == 0 ? 0 : 1;
}
