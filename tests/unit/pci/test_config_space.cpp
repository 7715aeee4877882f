// The type-0 configuration space as a guest sees it through 1-, 2- and 4-byte configuration
// accesses: the header, the BAR sizing protocol of every BAR kind, Command and Status, and the
// capability lists the compiler laid out. Expected values are written from the PCI and PCIe
// specifications' register maps, not read from the library's tables.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/regs/register_file.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

// A Type-2 accelerator's function: BAR0 a 64-bit prefetchable 16 MiB window, BAR2 a 32-bit
// 64 KiB register BAR, BAR3 a 32-byte I/O BAR, BAR4 an 8 GiB 64-bit BAR (two registers, the
// upper one with a read-only low bit).
using accel = pci::function<pci::ids{.vendor = 0x10DE,
                                     .device = 0x2342,
                                     .revision = 0xA1,
                                     .class_code = 0x12'00'00,  // processing accelerator
                                     .subsystem_vendor = 0x10DE,
                                     .subsystem = 0x16EB,
                                     .interrupt_pin = 1},
                            pci::bars<pci::mem64<0, 16_MiB>, pci::mem32<2, 64_KiB>,
                                      pci::io_bar<3, 32>, pci::mem64<4, 8_GiB, false>>,
                            pci::caps<pci::express_capability<>>,
                            pci::ext_caps<pci::dvsec<"cxl_device", 0x1E98, 2, 0, 0x3C>,
                                          pci::dvsec<"register_locator", 0x1E98, 0, 8, 0x14>>>;

struct cfg {
  register_file<accel::config> f;
  std::uint32_t r32(addr_t o) { return static_cast<std::uint32_t>(f.read(o, 4)); }
  std::uint32_t r16(addr_t o) { return static_cast<std::uint32_t>(f.read(o, 2)); }
  std::uint32_t r8(addr_t o) { return static_cast<std::uint32_t>(f.read(o, 1)); }
  void w32(addr_t o, std::uint32_t v) { f.write(o, 4, v); }
  void w16(addr_t o, std::uint32_t v) { f.write(o, 2, v); }
};

}  // namespace

TEST_CASE("header: IDs, class, header type, subsystem, interrupt pin", "[pci][config]") {
  cfg c;
  CHECK(c.r32(0x00) == 0x2342'10DE);
  CHECK(c.r16(0x00) == 0x10DE);
  CHECK(c.r16(0x02) == 0x2342);
  CHECK(c.r32(0x08) == 0x1200'00A1);  // class 12h, subclass 0, prog-if 0, revision A1
  CHECK(c.r8(0x0E) == 0x00);          // type 0, single function
  CHECK(c.r32(0x2C) == 0x16EB'10DE);
  CHECK(c.r8(0x3D) == 1);
  // Read-only: writes change nothing.
  c.w32(0x00, 0);
  c.w32(0x08, 0);
  c.w32(0x2C, 0);
  CHECK(c.r32(0x00) == 0x2342'10DE);
  CHECK(c.r32(0x08) == 0x1200'00A1);
  CHECK(c.r32(0x2C) == 0x16EB'10DE);
  // Interrupt line is the OS's scratch byte.
  c.f.write(0x3C, 1, 0x2B);
  CHECK(c.r8(0x3C) == 0x2B);
  CHECK(c.r32(0x30) == 0);  // no expansion ROM
}

TEST_CASE("BAR sizing: all-ones reads back the size mask with the type bits", "[pci][bar]") {
  cfg c;
  // Reset values: the type bits alone.
  CHECK(c.r32(0x10) == 0xC);  // 64-bit (10b), prefetchable
  CHECK(c.r32(0x14) == 0);
  CHECK(c.r32(0x18) == 0x0);  // 32-bit, not prefetchable
  CHECK(c.r32(0x1C) == 0x1);  // I/O
  CHECK(c.r32(0x20) == 0x4);  // 64-bit, not prefetchable
  CHECK(c.r32(0x24) == 0);
  for (addr_t bar = 0x10; bar <= 0x24; bar += 4) c.w32(bar, 0xFFFF'FFFF);
  CHECK(c.r32(0x10) == 0xFF00'000C);  // 16 MiB
  CHECK(c.r32(0x14) == 0xFFFF'FFFF);
  CHECK(c.r32(0x18) == 0xFFFF'0000);  // 64 KiB
  CHECK(c.r32(0x1C) == 0xFFFF'FFE1);  // 32 bytes of I/O
  CHECK(c.r32(0x20) == 0x0000'0004);  // 8 GiB: no address bit in the low dword
  CHECK(c.r32(0x24) == 0xFFFF'FFFE);  // bit 32 read-only too
  // The size the OS computes from them: ~(mask) + 1 over the 64 bits.
  const std::uint64_t m0 = (std::uint64_t{c.r32(0x14)} << 32) | (c.r32(0x10) & ~0xFU);
  CHECK(~m0 + 1 == 16_MiB);
  const std::uint64_t m4 = (std::uint64_t{c.r32(0x24)} << 32) | (c.r32(0x20) & ~0xFU);
  CHECK(~m4 + 1 == 8_GiB);
  // Programming addresses: the low bits below the size stay zero.
  c.w32(0x10, 0x1234'5678);
  c.w32(0x14, 0x0000'0080);
  CHECK(c.r32(0x10) == 0x1200'000C);
  CHECK(c.r32(0x14) == 0x80);
  c.w32(0x1C, 0x0000'C0FF);
  CHECK(c.r32(0x1C) == 0x0000'C0E1);
  // Partial writes touch only their bytes (the upper half of BAR2).
  c.w32(0x18, 0);
  c.w16(0x1A, 0xE000);
  CHECK(c.r32(0x18) == 0xE000'0000);
  // Unused BAR registers read 0 whatever is written.
  using one = pci::function<pci::ids{}, pci::bars<pci::mem32<1, 4_KiB>>>;
  register_file<one::config> o;
  o.write(0x10, 4, 0xFFFF'FFFF);
  CHECK(o.read(0x10, 4) == 0);
  o.write(0x14, 4, 0xFFFF'FFFF);
  CHECK(o.read(0x14, 4) == 0xFFFF'F000);
}

TEST_CASE("Command and Status", "[pci][config]") {
  cfg c;
  CHECK(c.r16(0x04) == 0);
  c.w16(0x04, 0xFFFF);
  // I/O space (there is an I/O BAR), memory space, bus master, parity response, SERR#,
  // interrupt disable.
  CHECK(c.r16(0x04) == 0x0547);
  using no_io = pci::function<pci::ids{}, pci::bars<pci::mem32<0, 4_KiB>>>;
  register_file<no_io::config> n;
  n.write(0x04, 2, 0xFFFF);
  CHECK(n.read(0x04, 2) == 0x0546);  // I/O space enable hardwired to 0
  // Status: Capabilities List set; the error bits are RW1C.
  CHECK(c.r16(0x06) == 0x0010);
  c.f.state().set<"status">(val<"received_master_abort", 1>{}, val<"detected_parity_error", 1>{});
  CHECK(c.r16(0x06) == 0xA010);
  c.w16(0x06, 0x2000);  // clear received master abort only
  CHECK(c.r16(0x06) == 0x8010);
  c.w16(0x06, 0x0010);  // Capabilities List is not writable
  CHECK(c.r16(0x06) == 0x8010);
  CHECK(n.read(0x06, 2) == 0);  // no capabilities
  CHECK(n.read(0x34, 1) == 0);
}

TEST_CASE("capability lists: offsets and next pointers laid out by the compiler", "[pci][caps]") {
  cfg c;
  // Standard list: the PCI Express capability at 0x40, last.
  CHECK(c.r8(0x34) == 0x40);
  CHECK(c.r16(0x40) == 0x0010);  // ID 10h, next 0
  CHECK(c.r16(0x42) == 0x0002);  // version 2, endpoint
  CHECK(c.r32(0x44) == 1U << 28);
  // Device Control: RW, Initiate FLR reads 0.
  c.w16(0x48, 0x8000 | 0x2810 | 0x1);
  CHECK(c.r16(0x48) == 0x2811);
  // Extended list: the first at 0x100, the next dword-aligned after it.
  const std::uint32_t h0 = c.r32(0x100);
  CHECK((h0 & 0xFFFF) == 0x23);
  CHECK(((h0 >> 16) & 0xF) == 1);
  CHECK((h0 >> 20) == 0x13C);  // 0x100 + 0x3C
  CHECK(c.r32(0x104) == (0x1E98U | 2U << 16 | 0x3CU << 20));
  CHECK(c.r16(0x108) == 0);  // DVSEC ID 0: CXL Device
  const std::uint32_t h1 = c.r32(0x13C);
  CHECK(h1 == (0x23U | 1U << 16));  // last: next 0
  CHECK(c.r32(0x140) == (0x1E98U | 0x14U << 20));
  CHECK(c.r16(0x144) == 8);  // Register Locator
  // Walk the standard list the way an OS does.
  unsigned found = 0;
  for (std::uint32_t p = c.r8(0x34); p != 0; p = c.r8(p + 1)) ++found;
  CHECK(found == 1);
  unsigned ext = 0;
  for (std::uint32_t p = 0x100; p != 0; p = c.r32(p) >> 20) ++ext;
  CHECK(ext == 2);
  // Configuration space past the capabilities reads 0.
  CHECK(c.r32(0x200) == 0);
}

TEST_CASE("declared capability offsets", "[pci][caps]") {
  using f =
      pci::function<pci::ids{}, pci::bars<>,
                    pci::caps<pci::at_offset<0x60, pci::express_capability<>>>,
                    pci::ext_caps<pci::dvsec<"a", 0x1E98, 0, 8, 0x14>,
                                  pci::at_offset<0x180, pci::dvsec<"b", 0x1E98, 0, 9, 0x10>>>>;
  register_file<f::config> r;
  CHECK(r.read(0x34, 1) == 0x60);
  CHECK(r.read(0x60, 1) == 0x10);
  CHECK(r.read(0x100, 4) >> 20 == 0x180);
  CHECK(r.read(0x188, 2) == 9);
}
