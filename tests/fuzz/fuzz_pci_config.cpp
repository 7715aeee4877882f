// tests/fuzz/fuzz_pci_config.cpp: arbitrary configuration accesses (1, 2 or 4 bytes, naturally
// aligned, as ECAM delivers them — any offset of the 4 KiB space, any value) and resets of a PCI
// function whose BARs drive slots of an address space (pci::function_device + pci::bar_slots),
// each step checked against a model of the configuration space and against the BAR invariants.
//
// The model is written from the type-0 header's register map (PCI Local Bus 3.0 §6.2, PCIe r6
// §7.5.1, as pci/config_space.hpp's header comment and docs/pci-cxl.md summarise them), the
// BAR encoding (memory: bit 0 0, bits 2:1 type, bit 3 prefetchable, address bits below log2(size)
// read 0; I/O: bit 0 1, bit 1 reserved; the upper dword of a 64-bit BAR holds address bits
// 63:32), and the CXL Device DVSEC's layout (cxl/dvsec.hpp's header: QEMU cxl_pci.h, Linux
// cxlpci.h) with CONFIG_LOCK (RWO) locking its RWL fields. It shares nothing with the library:
// its own table of the function's registers and field kinds (the function's declaration typed a
// second time, bit by bit), its own state (one bool per bit) and the field rules of
// register_file applied bit by bit (as in fuzz_regs.cpp). The PCI Express capability
// (0x40-0x7B) is not modelled: writes there reach the library alone and reads there are not
// compared.
//
// After every step:
//   - every register the model knows reads (peek) as the model says, and a read returns it;
//   - a 4-byte all-ones write to a BAR reads back its size mask with its type bits (the sizing
//     protocol: 0xFFF0000C for the 1 MiB 64-bit prefetchable BAR0, all ones for its upper
//     dword, 0xFFFF0000 for the 64 KiB BAR2, 0xFFFFFFE1 for the 32-byte I/O BAR3, 0x4 and
//     0xFFFFFFFE for the 8 GiB 64-bit BAR4 and its upper dword);
//   - the function's decode (dev.decode()) is what the model's registers say: a memory BAR
//     enabled exactly while Memory Space Enable is set, an I/O BAR while I/O Space Enable is set,
//     at the base its registers hold;
//   - slots (DESIGN §2.6, docs/pci-cxl.md "BARs drive slots"): a BAR's slot is placed only while
//     the BAR decodes, only at its base, and only wholly inside its window; it is disabled while
//     decoding is off; a decoding BAR wholly inside its window whose content (its first 4 KiB,
//     the one leaf of each BAR here) meets no other decoding BAR's content is placed; placed
//     slots never share a byte of content (the tie rule: a BAR's holes claim nothing, so BARs
//     may be programmed over each other's holes); `unmapped(i)` is exactly "decodes but its slot
//     is not placed"; a read at a placed BAR reaches that BAR's handler.
//
// Input: records (missing bytes read as zero):
//   op      bits 0-1: size 1, 2, 4, 4; bits 2-4: 0-3 write, 4-5 read, 6 peek, 7 reset;
//           bits 5-7 where: 0-3 the header (0x00-0x3F), 4 a BAR, 5 the Command register,
//           6 the DVSEC (0x100-0x13F), 7 anywhere (16 bits)
//   where   1 byte (2 for anywhere), aligned down to the size
//   value   for writes: a byte choosing all-ones, zero, an address in the 32-bit window (in its
//           first 8 MiB, where the BARs meet, or anywhere at 64 KiB steps), an upper dword in
//           the 64-bit window, Command's enable bits, or 4 raw bytes
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "input.hpp"

namespace {

using mmiotree::addr_t;
using namespace mmiotree::literals;

using fuzz_input::reader;

// ---------------------------------------------------------------------------------------------
// The function and the machine.

using fn = mmiotree::pci::function<
    mmiotree::pci::ids{.vendor = 0x10DE,
                       .device = 0x2342,
                       .revision = 0xA1,
                       .class_code = 0x12'00'00,
                       .subsystem_vendor = 0x10DE,
                       .subsystem = 0x16EB,
                       .interrupt_pin = 1},
    mmiotree::pci::bars<mmiotree::pci::mem64<0, 1_MiB>, mmiotree::pci::mem32<2, 64_KiB>,
                        mmiotree::pci::io_bar<3, 32>, mmiotree::pci::mem64<4, 8_GiB, false>>,
    mmiotree::pci::caps<mmiotree::pci::express_capability<>>,
    mmiotree::pci::ext_caps<mmiotree::cxl::device_dvsec<1_GiB>>>;

using bar0_t = mmiotree::container<"bar0", 1_MiB, mmiotree::at<0, mmiotree::io<"regs", 4_KiB>>>;
using bar2_t =
    mmiotree::container<"bar2", 64_KiB, mmiotree::at<0, mmiotree::io<"doorbell", 4_KiB>>>;
using bar4_t = mmiotree::container<"bar4", 8_GiB, mmiotree::at<0, mmiotree::io<"mem", 4_KiB>>>;
constexpr addr_t win32 = 0xC000'0000, win32_size = 256_MiB;
constexpr addr_t win64 = 0x80'0000'0000, win64_size = 64_GiB;
using machine = mmiotree::container<
    "machine", 1_TiB,
    mmiotree::at<win32, mmiotree::container<"pci32", win32_size, mmiotree::slot<bar0_t>,
                                            mmiotree::slot<bar2_t>>>,
    mmiotree::at<win64, mmiotree::container<"pci64", win64_size, mmiotree::slot<bar4_t>>>>;

struct tag_handler {
  std::uint32_t tag;
  std::uint64_t read(addr_t off, unsigned) { return tag + off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

// ---------------------------------------------------------------------------------------------
// The model: registers, fields and kinds, bit by bit.
namespace model {

enum class kind : std::uint8_t { none, ro, rw, rwl, rwo, w1c, rsvdp, rsvdz };

bool readable(kind k) { return k != kind::none && k != kind::rsvdz; }
bool stores(kind k) { return k != kind::none && k != kind::rsvdz; }

struct field_row {
  unsigned hi, lo;
  kind k;
};
struct reg_row {
  addr_t offset;
  unsigned width;
  std::uint64_t reset;
  std::vector<field_row> fields;
};
struct bit {
  kind k = kind::none;
  bool value = false;
  bool used = false;  // RWO: written since reset
};
struct instance {
  addr_t offset;
  unsigned bytes;
  std::uint64_t reset;
  std::array<bit, 64> bits{};
};

using k = kind;
// The header (offsets and kinds: PCI 3.0 §6.2; Command's I/O Space Enable is RW because the
// function has an I/O BAR; Status has Capabilities List set, its error bits RW1C).
const std::vector<reg_row>& table() {
  static const std::vector<reg_row> t = {
      {0x00, 16, 0x10DE, {{15, 0, k::ro}}},
      {0x02, 16, 0x2342, {{15, 0, k::ro}}},
      {0x04,
       16,
       0,
       {{0, 0, k::rw},
        {1, 1, k::rw},
        {2, 2, k::rw},
        {5, 3, k::ro},
        {6, 6, k::rw},
        {7, 7, k::rsvdp},
        {8, 8, k::rw},
        {9, 9, k::ro},
        {10, 10, k::rw},
        {15, 11, k::rsvdp}}},
      {0x06,
       16,
       0x10,
       {{2, 0, k::rsvdz},
        {5, 3, k::ro},
        {6, 6, k::rsvdz},
        {7, 7, k::ro},
        {8, 8, k::w1c},
        {10, 9, k::ro},
        {15, 11, k::w1c}}},
      {0x08, 8, 0xA1, {{7, 0, k::ro}}},
      {0x09, 8, 0x00, {{7, 0, k::ro}}},
      {0x0A, 8, 0x00, {{7, 0, k::ro}}},
      {0x0B, 8, 0x12, {{7, 0, k::ro}}},
      {0x0C, 8, 0, {{7, 0, k::rw}}},
      {0x0D, 8, 0, {{7, 0, k::ro}}},
      {0x0E, 8, 0, {{7, 0, k::ro}}},
      {0x0F, 8, 0, {{7, 0, k::ro}}},
      // BAR0: 64-bit (2:1 = 10b) prefetchable (3), 1 MiB: address bits 31:20.
      {0x10, 32, 0xC, {{3, 0, k::ro}, {19, 4, k::ro}, {31, 20, k::rw}}},
      {0x14, 32, 0, {{31, 0, k::rw}}},  // BAR0 upper: address 63:32
      // BAR2: 32-bit, not prefetchable, 64 KiB: address bits 31:16.
      {0x18, 32, 0x0, {{3, 0, k::ro}, {15, 4, k::ro}, {31, 16, k::rw}}},
      // BAR3: I/O (bit 0 set, bit 1 reserved), 32 bytes: address bits 31:5.
      {0x1C, 32, 0x1, {{0, 0, k::ro}, {1, 1, k::rsvdz}, {4, 2, k::ro}, {31, 5, k::rw}}},
      // BAR4: 64-bit, not prefetchable, 8 GiB: no address bit in the low dword, bit 32 read-only.
      {0x20, 32, 0x4, {{3, 0, k::ro}, {31, 4, k::ro}}},
      {0x24, 32, 0, {{0, 0, k::ro}, {31, 1, k::rw}}},
      {0x28, 32, 0, {{31, 0, k::ro}}},
      {0x2C, 16, 0x10DE, {{15, 0, k::ro}}},
      {0x2E, 16, 0x16EB, {{15, 0, k::ro}}},
      {0x30, 32, 0, {{31, 0, k::ro}}},
      {0x34, 8, 0x40, {{7, 2, k::ro}, {1, 0, k::rsvdp}}},  // capabilities at 0x40
      {0x3C, 8, 0, {{7, 0, k::rw}}},
      {0x3D, 8, 1, {{7, 0, k::ro}}},
      {0x3E, 8, 0, {{7, 0, k::ro}}},
      {0x3F, 8, 0, {{7, 0, k::ro}}},
      // The CXL Device DVSEC at 0x100, the only extended capability (next 0).
      {0x100, 32, 0x23 | 1U << 16, {{31, 0, k::ro}}},
      {0x104, 32, 0x1E98 | 3U << 16 | 0x3CU << 20, {{31, 0, k::ro}}},
      {0x108, 16, 0, {{15, 0, k::ro}}},
      {0x10A, 16, 0x17, {{5, 0, k::ro}, {15, 6, k::rsvdp}}},  // Cache, IO, Mem capable, 1 HDM
      // control: Cache_Enable and Mem_Enable RWL under CONFIG_LOCK, IO_Enable RO 1.
      {0x10C, 16, 0x2, {{0, 0, k::rwl}, {1, 1, k::ro}, {2, 2, k::rwl}, {15, 3, k::rsvdp}}},
      {0x10E, 16, 0, {{13, 0, k::rsvdz}, {14, 14, k::w1c}, {15, 15, k::rsvdz}}},
      {0x110, 16, 0, {{15, 0, k::rsvdp}}},
      {0x112, 16, 0, {{15, 0, k::rsvdz}}},
      {0x114, 16, 0, {{0, 0, k::rwo}, {15, 1, k::rsvdp}}},  // CONFIG_LOCK
      {0x116, 16, 0, {{15, 0, k::ro}}},
      {0x118, 32, 0, {{31, 0, k::ro}}},
      {0x11C, 32, 0x4000'0003, {{15, 0, k::ro}, {27, 16, k::rsvdp}, {31, 28, k::ro}}},
      {0x120, 32, 0, {{31, 0, k::rwl}}},
      {0x124, 32, 0, {{27, 0, k::rsvdp}, {31, 28, k::rwl}}},
      {0x128, 32, 0, {{31, 0, k::ro}}},
      {0x12C, 32, 0, {{31, 0, k::ro}}},
      {0x130, 32, 0, {{31, 0, k::rwl}}},
      {0x134, 32, 0, {{27, 0, k::rsvdp}, {31, 28, k::rwl}}},
      {0x138, 16, 0, {{15, 0, k::ro}}},
  };
  return t;
}
constexpr addr_t config_lock_reg = 0x114;

/// Not modelled: the PCI Express capability.
bool unmodelled(addr_t off) { return off >= 0x40 && off < 0x100; }

class config {
 public:
  config() {
    for (const reg_row& r : table()) {
      instance in{r.offset, r.width / 8, r.reset};
      for (const field_row& f : r.fields)
        for (unsigned i = f.lo; i <= f.hi; ++i) in.bits[i].k = f.k;
      inst_.push_back(in);
    }
    reset();
  }

  void reset() {
    for (instance& in : inst_)
      for (unsigned i = 0; i < 64; ++i) {
        in.bits[i].value = stores(in.bits[i].k) && ((in.reset >> i) & 1U) != 0;
        in.bits[i].used = false;
      }
  }

  /// The register's stored value (0 for none at `off`).
  [[nodiscard]] std::uint64_t value(addr_t off) const {
    for (const instance& in : inst_)
      if (in.offset == off) {
        std::uint64_t v = 0;
        for (unsigned i = 8 * in.bytes; i-- > 0;) v = (v << 1) | (in.bits[i].value ? 1U : 0U);
        return v;
      }
    return 0;
  }

  std::uint64_t access(bool write, addr_t off, unsigned size, std::uint64_t v) {
    // CONFIG_LOCK, decided before the write (the DVSEC's registers are written one by one, and
    // the lock register lies above every register it guards).
    const bool locked = (value(config_lock_reg) & 1) != 0;
    std::uint64_t out = 0;
    for (instance& in : inst_) {
      if (in.offset + in.bytes <= off || in.offset >= off + size) continue;
      for (unsigned byte = 0; byte < in.bytes; ++byte) {
        const addr_t a = in.offset + byte;
        if (a < off || a >= off + size) continue;
        const unsigned at = static_cast<unsigned>(8 * (a - off));
        for (unsigned i = 0; i < 8; ++i) {
          bit& b = in.bits[8 * byte + i];
          if (!write) {
            if (readable(b.k) && b.value) out |= std::uint64_t{1} << (at + i);
            continue;
          }
          const bool w = ((v >> (at + i)) & 1U) != 0;
          switch (b.k) {
            case kind::rw: b.value = w; break;
            case kind::rwl:
              if (!locked) b.value = w;
              break;
            case kind::rwo:
              if (!b.used) b.value = w;
              b.used = true;
              break;
            case kind::w1c:
              if (w) b.value = false;
              break;
            case kind::none:
            case kind::ro:
            case kind::rsvdp:
            case kind::rsvdz: break;
          }
        }
      }
    }
    return out;
  }

 private:
  std::vector<instance> inst_;
};

/// One BAR's decode as the spec reads the registers.
struct bar {
  bool present = false, io = false, enabled = false;
  addr_t base = 0, size = 0;
};
std::array<bar, 6> decode(const config& c) {
  std::array<bar, 6> d{};
  const std::uint64_t cmd = c.value(0x04);
  const auto mem = [&](std::size_t i, addr_t size, bool is64) {
    d[i] = {true, false, (cmd & 2) != 0,
            (c.value(0x10 + 4 * i) & ~addr_t{0xF}) | (is64 ? c.value(0x14 + 4 * i) << 32 : 0),
            size};
  };
  mem(0, 1_MiB, true);
  mem(2, 64_KiB, false);
  d[3] = {true, true, (cmd & 1) != 0, c.value(0x1C) & ~addr_t{0x3}, 32};
  mem(4, 8_GiB, true);
  return d;
}

}  // namespace model

// ---------------------------------------------------------------------------------------------

std::string hex(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

struct step {
  const char* op;
  std::uint64_t a = 0, b = 0, c = 0;
  [[nodiscard]] std::string text() const {
    return std::string(op) + "(" + hex(a) + ", " + hex(b) + ", " + hex(c) + ")";
  }
};

[[noreturn]] void fail(const step& st, const std::string& what) {
  std::fprintf(stderr, "fuzz_pci_config: after %s: %s\n", st.text().c_str(), what.c_str());
  std::abort();
}

struct rig {
  mmiotree::address_space<machine> space;
  tag_handler regs{0x1000'0000}, doorbell{0x2000'0000}, mem{0x3000'0000};
  mmiotree::pci::function_device<fn> dev;
  mmiotree::pci::bar_slots bars{dev,
                                {space.slot<"pci32/bar0">(),
                                 {},
                                 space.slot<"pci32/bar2">(),
                                 {},
                                 space.slot<"pci64/bar4">(),
                                 {}}};
  model::config m;

  rig() {
    if (space.slot<bar0_t, "pci32/bar0">().bind<"regs">(regs) != mmiotree::bind_status::ok ||
        space.slot<bar2_t, "pci32/bar2">().bind<"doorbell">(doorbell) !=
            mmiotree::bind_status::ok ||
        space.slot<bar4_t, "pci64/bar4">().bind<"mem">(mem) != mmiotree::bind_status::ok) {
      std::fprintf(stderr, "fuzz_pci_config: binding the BARs' regions failed\n");
      std::abort();
    }
  }

  void check(const step& st) {
    auto& cfg = dev.config();
    // Registers (peek of every modelled register, and of every dword the model covers).
    for (addr_t off = 0; off < 0x1000; off += 4) {
      if (model::unmodelled(off)) continue;
      const std::uint64_t lib = cfg.peek(off, 4), want = m.access(false, off, 4, 0);
      if (lib != want)
        fail(st, "dword " + hex(off) + ": library " + hex(lib) + ", model " + hex(want));
      if (off == 0x13C) off = 0xFFC;  // nothing past the DVSEC but the last dword
    }
    // Decode.
    const auto want = model::decode(m);
    const auto lib = dev.decode();
    for (std::size_t i = 0; i < 6; ++i) {
      const auto& l = lib[i];
      const auto& w = want[i];
      if (l.present != w.present ||
          (w.present && (l.enabled != w.enabled || l.base != w.base || l.size != w.size ||
                         (l.kind == mmiotree::pci::bar_kind::io) != w.io)))
        fail(st, "BAR" + std::to_string(i) + " decode: library enabled " +
                     std::to_string(l.enabled) + " base " + hex(l.base) + " size " + hex(l.size) +
                     ", model enabled " + std::to_string(w.enabled) + " base " + hex(w.base) +
                     " size " + hex(w.size));
    }
    // Slots.
    struct slot_view {
      std::size_t bar;
      mmiotree::slot_placement p;
      addr_t win, win_size;
      std::uint32_t tag;
    };
    const std::array<slot_view, 3> s{
        slot_view{0, space.slot<"pci32/bar0">().placement(), win32, win32_size, regs.tag},
        slot_view{2, space.slot<"pci32/bar2">().placement(), win32, win32_size, doorbell.tag},
        slot_view{4, space.slot<"pci64/bar4">().placement(), win64, win64_size, mem.tag}};
    // What each BAR's slot claims: its one 4 KiB leaf at offset 0 (bar0_t, bar2_t, bar4_t).
    constexpr addr_t content = 4_KiB;
    const auto inside = [](const model::bar& b, addr_t win, addr_t size) {
      return b.base >= win && b.base - win <= size - b.size;
    };
    for (const slot_view& v : s) {
      const model::bar& b = want[v.bar];
      const std::string name = "BAR" + std::to_string(v.bar);
      if (v.p.enabled) {
        if (!b.enabled) fail(st, name + "'s slot placed while decoding is off");
        if (v.p.base != b.base)
          fail(st, name + "'s slot at " + hex(v.p.base) + ", the BAR at " + hex(b.base));
        if (!inside(b, v.win, v.win_size)) fail(st, name + "'s slot placed outside its window");
        const mmiotree::read_result r = space.read(v.p.base + 8, 4);
        if (!r.ok() || r.value != v.tag + 8)
          fail(st, "a read at " + name + " + 8 gives " + hex(r.value) + " status " +
                       std::string(mmiotree::to_string(r.status)));
      } else if (b.enabled && inside(b, v.win, v.win_size)) {
        bool blocked = false;
        for (const slot_view& o : s)
          if (&o != &v && o.win == v.win && want[o.bar].enabled &&
              want[o.bar].base < b.base + content && b.base < want[o.bar].base + content)
            blocked = true;
        if (!blocked) fail(st, name + " decodes inside its window, alone, and is not placed");
      }
      if (bars.unmapped(v.bar) != (b.enabled && !v.p.enabled))
        fail(st, name + ": unmapped() says " + std::to_string(bars.unmapped(v.bar)));
      for (const slot_view& o : s)
        if (&o != &v && v.p.enabled && o.p.enabled && o.win == v.win &&
            o.p.base < v.p.base + content && v.p.base < o.p.base + content)
          fail(st, name + "'s slot shares content bytes with BAR" + std::to_string(o.bar) + "'s");
    }
  }

  void run(reader& in) {
    dev.reset();
    m.reset();
    check({"reset"});
    constexpr unsigned sizes[4] = {1, 2, 4, 4};
    for (int records = 0; records < 96 && !in.done(); ++records) {
      const std::uint8_t op = in.byte();
      const unsigned size = sizes[op & 3];
      const unsigned what = (op >> 2) & 7;
      if (what == 7) {
        dev.reset();
        m.reset();
        check({"reset"});
        continue;
      }
      addr_t off = 0;
      switch (op >> 5) {
        case 4: off = 0x10 + 4 * (in.byte() % 6); break;
        case 5: off = 0x04; break;
        case 6: {
          // The DVSEC: its control, CONFIG_LOCK and range bases half the time.
          constexpr addr_t hot[6] = {0x10C, 0x114, 0x120, 0x124, 0x130, 0x134};
          const std::uint8_t b = in.byte();
          off = (b & 0x80) != 0 ? hot[b % 6] : 0x100 + b % 0x40;
          break;
        }
        case 7: off = in.word(2) % 0x1000; break;
        default: off = in.byte() % 0x40; break;
      }
      off -= off % size;
      auto& cfg = dev.config();
      if (what <= 3) {
        std::uint64_t v = 0;
        const std::uint8_t s = in.byte();
        switch (s & 7) {
          case 0: v = 0xFFFF'FFFF; break;
          case 1: v = 0; break;
          case 2: v = win32 + (std::uint64_t{in.byte() & 7U} << 20); break;  // BARs meet
          case 5: v = win32 + (std::uint64_t{in.byte()} << 16); break;
          case 3: v = (win64 >> 32) + (in.byte() & 0x1F); break;
          case 4: v = in.byte() & 7; break;  // Command: I/O, memory, bus master
          default: v = in.word(4); break;
        }
        v &= size == 4 ? 0xFFFF'FFFFU : (std::uint64_t{1} << (8 * size)) - 1;
        const step st{"write(offset, size, value)", off, size, v};
        cfg.write(off, size, v);
        if (!model::unmodelled(off)) m.access(true, off, size, v);
        if (size == 4 && v == 0xFFFF'FFFF && off >= 0x10 && off <= 0x24) {
          constexpr std::uint32_t sizing[6] = {0xFFF0'000C, 0xFFFF'FFFF, 0xFFFF'0000,
                                               0xFFFF'FFE1, 0x0000'0004, 0xFFFF'FFFE};
          const std::uint64_t got = cfg.peek(off, 4);
          if (got != sizing[(off - 0x10) / 4])
            fail(st,
                 "BAR sizing reads back " + hex(got) + ", not " + hex(sizing[(off - 0x10) / 4]));
        }
        check(st);
      } else {
        const step st{what == 6 ? "peek(offset, size)" : "read(offset, size)", off, size};
        const std::uint64_t lib = what == 6 ? cfg.peek(off, size) : cfg.read(off, size);
        if (!model::unmodelled(off)) {
          const std::uint64_t want = m.access(false, off, size, 0);
          if (lib != want) fail(st, "library " + hex(lib) + ", model " + hex(want));
        }
        check(st);
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static rig r;
  reader in(std::span<const std::uint8_t>(data, size));
  r.run(in);
  return 0;
}
