// tests/fuzz/fuzz_hdm.cpp: arbitrary guest programs for the CXL HDM decoder block
// (cxl::hdm_decoders) — bus accesses of any size at any offset of the block and around it,
// firmware commits and resets — each step checked against a model of the decoders and against
// the invariants of DESIGN §6.
//
// The model is written from the register map and commit protocol of reference cxl.md §2.4-2.5
// and §7 and the decisions docs/pci-cxl.md ("HDM decoders") records where the references leave
// a rule open; it shares nothing with the library (its own field positions, encoding tables,
// commit rules and DPA arithmetic, on 128-bit integers so that nothing wraps) and sees the block
// only through 4-byte bus accesses, `firmware_commit`, `reset` and `last_refusal`:
//   - capability (HwInit): decoder count encoding (1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32),
//     target count 7:4, A11to8 8, A14to12 9, poison 10, 3/6/12-way 11, 16-way 12;
//     global control: poison enable 0 (RW only if advertised), HDM Decoder Enable 1 (RW);
//     0x08/0x0C and each decoder's +0x1C read 0; base/size/DPA skip low words keep bits 31:28.
//   - The programming fields (base, size, IG, IW, Lock-On-Commit, Target Range Type, DPA skip or
//     target list) take writes only while the decoder is not committed; Commit takes writes
//     unless the decoder is committed with Lock-On-Commit. Committed and Error Not Committed are
//     read-only.
//   - Commit 0→1 (after the write's own field updates) commits if no rule is broken: non-zero
//     size; every lower decoder committed; base + size within 2^64; no overlap with another
//     committed decoder; IW an encoding of 1/2/4/8/16/3/6/12 ways, 3/6/12 and 16 only when
//     advertised; IG 0-6, and every HPA bit [IG+8, IG+8+log2(ways without factor 3)) in 11:8
//     with A11to8 or 14:12 with A14to12; size a multiple of ways × 256 MiB; for a device, the DPA
//     range (after the lower decoders' skip + size/ways, then its own skip; size/ways long) within
//     the device's memory. Else Error Not Committed. Commit 1→0 de-commits. Both clear Error Not
//     Committed; a write that leaves Commit as it was does neither.
//   - firmware_commit(n, base, size, lock): refused if n is past the count or the decoder is
//     committed with Lock-On-Commit; else de-commits a committed decoder, programs base and size
//     (low 28 bits dropped), one way, IG 0, Lock-On-Commit = lock, Commit, HDM Decoder Enable,
//     and commits by the guest's rules. reset(): everything to reset values, a de-commit event
//     for each committed decoder, highest first.
//   - The listener hears decoder_committed(window) on, and only on, a successful commit, and
//     decoder_decommitted(window) on a de-commit or reset of a committed decoder; the window is
//     the decoder's HPA range, DPA base and size (devices), ways, granularity, Lock-On-Commit.
//     A device decoder's DPA base is the one it committed with (the sum of the lower decoders'
//     skips and sizes / ways, and its own skip, at that moment), whatever the lower decoders
//     are reprogrammed to later (docs/pci-cxl.md).
// A refused commit is compared by rule: the refusal the library gives must be one of the rules
// the model finds broken (the references give no precedence among several).
//
// After every step: every dword the guest can read equals the model's; the events equal the
// model's; and, on what the guest reads alone (DESIGN §6, cxl.md §2.5): a committed decoder has a
// non-zero size, base and size multiples of 256 MiB, base + size within 2^64, and overlaps no
// other committed decoder; Committed implies Commit and not Error, Error implies Commit; a
// decoder that became committed has every lower decoder committed; a locked decoder's dwords
// never change until reset; the listener's mapped set is the committed decoders' windows.
// An access that is not 4 bytes, naturally aligned, inside the block (access::exactly<4>) is
// refused and changes nothing.
//
// Found with this target and fixed (tests in test_hdm_decoder.cpp): validate_state refused
// reachable states (a committed decoder above a de-committed one); a DPA range past 2^64
// wrapped to a small DPA. Known and not checked here: a committed decoder's DPA base follows
// the lower decoders' current registers (docs/pci-cxl.md) — the model computes it the same way.
//
// Three machines: 4 device decoders (A11to8, 3/6/12-way), 2 device decoders (A14to12 only,
// 16-way, poison capable), 6 port decoders (target lists; everything advertised).
//
// Input: one byte choosing the machine, then records (missing bytes read as zero):
//   op      low 4 bits: 0-9 a 4-byte write to a register (bits 4-6: which of the decoder's
//           eight dwords; bit 7: a global dword instead) with a value biased per register,
//           10-11 a raw write (any offset near the block, any size), 12-13 a raw read,
//           14 firmware_commit, 15 reset or (bit 4) a snapshot round trip of the register file
//           (save_state, validate_state must accept, reset, restore_state: nothing may differ)
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "input.hpp"

namespace {

using mmiotree::access_status;
using mmiotree::addr_t;
__extension__ typedef unsigned __int128 u128;

using fuzz_input::reader;

constexpr std::uint64_t gran = std::uint64_t{1} << 28;  // 256 MiB

// ---------------------------------------------------------------------------------------------
// The model.

/// What a machine advertises, typed a second time (the library gets it as hdm_capabilities).
struct caps_row {
  bool a11_8, a14_12, poison, ways3, ways16;
  unsigned targets;
};

/// The commit rules, as bits: a refused commit breaks at least one.
enum rule : unsigned {
  size_zero = 1U << 0,
  out_of_order = 1U << 1,
  overflow = 1U << 2,
  overlap = 1U << 3,
  bad_ways = 1U << 4,
  bad_granularity = 1U << 5,
  not_way_multiple = 1U << 6,
  dpa_exhausted = 1U << 7,
};

unsigned rule_of(mmiotree::cxl::commit_refusal r) {
  using R = mmiotree::cxl::commit_refusal;
  switch (r) {
    case R::none: return 0;
    case R::size_zero: return size_zero;
    case R::out_of_order: return out_of_order;
    case R::overlap: return overlap;
    case R::address_overflow: return overflow;
    case R::bad_ways: return bad_ways;
    case R::bad_granularity: return bad_granularity;
    case R::size_not_way_multiple: return not_way_multiple;
    case R::dpa_exhausted: return dpa_exhausted;
    case R::locked: return 1U << 8;
    case R::no_such_decoder: return 1U << 9;
  }
  return 1U << 10;
}

/// Ways of an IW encoding (cxl.md §2.4 Decoder Control), 0 if reserved.
unsigned ways(unsigned iw) {
  constexpr unsigned t[16] = {1, 2, 4, 8, 16, 0, 0, 0, 3, 6, 12, 0, 0, 0, 0, 0};
  return t[iw & 15];
}

struct event {
  bool up;  // committed, else de-committed
  std::size_t decoder;
  std::uint64_t hpa_base, hpa_size, dpa_base, dpa_size;
  unsigned ways;
  std::uint64_t granularity;
  bool locked;
  [[nodiscard]] bool operator==(const event&) const = default;
};

class hdm_model {
 public:
  struct decoder {
    std::uint64_t base = 0, size = 0, tail = 0;  // tail: DPA skip, or target list
    unsigned ig = 0, iw = 0;
    bool loc = false, commit = false, committed = false, error = false, trt = false;
    unsigned refused = 0;  // the rules the last refused commit broke
    u128 dpa = 0;          // device: the DPA base at its commit (the decode logic latches it)
  };

  hdm_model(unsigned count, bool device, caps_row caps, std::uint64_t capacity)
      : count_(count), device_(device), caps_(caps), capacity_(capacity), d_(count) {}

  [[nodiscard]] unsigned count() const { return count_; }
  [[nodiscard]] addr_t size() const { return 0x10 + 0x20 * count_; }
  [[nodiscard]] const decoder& at(unsigned n) const { return d_[n]; }
  std::vector<event> events;

  void reset() {
    for (unsigned n = count_; n-- > 0;)
      if (d_[n].committed) events.push_back(window(false, n));
    for (decoder& x : d_) x = decoder{};
    poison_ = enable_ = false;
  }

  [[nodiscard]] std::uint32_t read(addr_t off) const {
    if (off == 0) {
      constexpr unsigned counts[] = {1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32};
      unsigned enc = 0;
      while (counts[enc] != count_) ++enc;
      return enc | (caps_.targets & 0xF) << 4 | unsigned{caps_.a11_8} << 8 |
             unsigned{caps_.a14_12} << 9 | unsigned{caps_.poison} << 10 |
             unsigned{caps_.ways3} << 11 | unsigned{caps_.ways16} << 12;
    }
    if (off == 4) return unsigned{poison_} | unsigned{enable_} << 1;
    if (off < 0x10) return 0;
    const decoder& x = d_[(off - 0x10) / 0x20];
    const std::uint64_t lo_mask = device_ ? 0xF000'0000U : 0xFFFF'FFFFU;  // tail low word
    switch ((off - 0x10) % 0x20) {
      case 0x00: return static_cast<std::uint32_t>(x.base);
      case 0x04: return static_cast<std::uint32_t>(x.base >> 32);
      case 0x08: return static_cast<std::uint32_t>(x.size);
      case 0x0C: return static_cast<std::uint32_t>(x.size >> 32);
      case 0x10:
        return x.ig | x.iw << 4 | unsigned{x.loc} << 8 | unsigned{x.commit} << 9 |
               unsigned{x.committed} << 10 | unsigned{x.error} << 11 | unsigned{x.trt} << 12;
      case 0x14: return static_cast<std::uint32_t>(x.tail & lo_mask);
      case 0x18: return static_cast<std::uint32_t>(x.tail >> 32);
      default: return 0;
    }
  }

  void write(addr_t off, std::uint32_t v) {
    if (off == 4) {
      if (caps_.poison) poison_ = (v & 1) != 0;
      enable_ = (v & 2) != 0;
    }
    if (off < 0x10) return;
    const unsigned n = static_cast<unsigned>((off - 0x10) / 0x20);
    decoder& x = d_[n];
    const bool frozen = x.committed;                  // programming fields
    const bool commit_locked = x.committed && x.loc;  // Commit itself
    const auto low = [&](std::uint64_t& r, std::uint64_t mask) {
      if (!frozen) r = (r & ~std::uint64_t{0xFFFF'FFFF}) | (v & mask);
    };
    const auto high = [&](std::uint64_t& r) {
      if (!frozen) r = (r & 0xFFFF'FFFF) | std::uint64_t{v} << 32;
    };
    switch ((off - 0x10) % 0x20) {
      case 0x00: low(x.base, 0xF000'0000U); break;
      case 0x04: high(x.base); break;
      case 0x08: low(x.size, 0xF000'0000U); break;
      case 0x0C: high(x.size); break;
      case 0x14: low(x.tail, device_ ? 0xF000'0000U : 0xFFFF'FFFFU); break;
      case 0x18: high(x.tail); break;
      case 0x10: {
        if (!frozen) {
          x.ig = v & 0xF;
          x.iw = (v >> 4) & 0xF;
          x.loc = ((v >> 8) & 1) != 0;
          x.trt = ((v >> 12) & 1) != 0;
        }
        const bool c = commit_locked ? x.commit : ((v >> 9) & 1) != 0;
        if (c && !x.commit) {
          x.commit = true;
          attempt(n);
        } else if (!c && x.commit) {
          decommit(n);
        }
        break;
      }
      default: break;
    }
  }

  /// The rules decoder n breaks, with the others as they are.
  [[nodiscard]] unsigned broken(unsigned n) const {
    const decoder& x = d_[n];
    unsigned r = 0;
    if (x.size == 0) r |= size_zero;
    for (unsigned m = 0; m < n; ++m)
      if (!d_[m].committed) r |= out_of_order;
    const u128 end = u128{x.base} + x.size;
    if (end > u128{1} << 64) r |= overflow;
    for (unsigned m = 0; m < count_; ++m) {
      if (m == n || !d_[m].committed) continue;
      const u128 o_end = u128{d_[m].base} + d_[m].size;
      if (x.base < o_end && d_[m].base < end) r |= overlap;
    }
    const unsigned w = ways(x.iw);
    if (w == 0 || (w == 16 && !caps_.ways16) || (w % 3 == 0 && !caps_.ways3)) r |= bad_ways;
    if (x.ig > 6) {
      r |= bad_granularity;
    } else if (w > 1) {
      unsigned p2 = w % 3 == 0 ? w / 3 : w, bits = 0;
      while (p2 > 1) p2 /= 2, ++bits;
      for (unsigned b = 8 + x.ig; b < 8 + x.ig + bits; ++b)
        if (!((b <= 11 && caps_.a11_8) || (b >= 12 && b <= 14 && caps_.a14_12)))
          r |= bad_granularity;
    }
    if (w != 0 && x.size % (gran * w) != 0) r |= not_way_multiple;
    if (device_) {
      const u128 dpa = dpa_base(n);
      if (dpa + x.size / (w == 0 ? 1 : w) > capacity_) r |= dpa_exhausted;
    }
    return r;
  }

  /// After a snapshot restore: a refused commit's rules as the restored registers give them.
  void restored() {
    for (unsigned n = 0; n < count_; ++n) d_[n].refused = d_[n].error ? broken(n) : 0;
  }

  /// firmware_commit's result as rules (0: committed), or the refusal before any rule.
  unsigned firmware(unsigned n, std::uint64_t base, std::uint64_t size, bool lock) {
    if (n >= count_) return 1U << 9;  // no such decoder
    decoder& x = d_[n];
    if (x.committed && x.loc) return 1U << 8;  // locked
    if (x.committed) decommit(n);
    x.base = base & ~(gran - 1);
    x.size = size & ~(gran - 1);
    x.ig = x.iw = 0;
    x.loc = lock;
    x.commit = true;
    enable_ = true;
    attempt(n);
    return x.refused;
  }

 private:
  [[nodiscard]] u128 dpa_base(unsigned n) const {
    u128 dpa = 0;
    for (unsigned m = 0; m < n; ++m) {
      const unsigned w = ways(d_[m].iw);
      dpa += d_[m].tail + d_[m].size / (w == 0 ? 1 : w);
    }
    return dpa + d_[n].tail;
  }
  [[nodiscard]] event window(bool up, unsigned n) const {
    const decoder& x = d_[n];
    const unsigned w = ways(x.iw) == 0 ? 1 : ways(x.iw);
    event e{up, n, x.base, x.size, 0, 0, w, x.ig <= 6 ? std::uint64_t{256} << x.ig : 0, x.loc};
    if (device_) {
      // Within the device's memory (≤ 2^64) whenever it is reported: checked at commit.
      e.dpa_base = static_cast<std::uint64_t>(x.dpa);
      e.dpa_size = x.size / w;
    }
    return e;
  }
  void attempt(unsigned n) {
    decoder& x = d_[n];
    x.refused = broken(n);
    x.committed = x.refused == 0;
    x.error = x.refused != 0;
    if (x.committed) {
      x.dpa = dpa_base(n);
      events.push_back(window(true, n));
    }
  }
  void decommit(unsigned n) {
    decoder& x = d_[n];
    if (x.committed) events.push_back(window(false, n));
    x.commit = x.committed = x.error = false;
    x.dpa = 0;
    x.refused = 0;
  }

  unsigned count_;
  bool device_;
  caps_row caps_;
  std::uint64_t capacity_;
  std::vector<decoder> d_;
  bool poison_ = false, enable_ = false;
};

// ---------------------------------------------------------------------------------------------
// The library side.

struct recorder final : mmiotree::cxl::decoder_listener {
  std::vector<event> events;
  void decoder_committed(const mmiotree::cxl::hdm_window& w) override { add(true, w); }
  void decoder_decommitted(const mmiotree::cxl::hdm_window& w) override { add(false, w); }
  void add(bool up, const mmiotree::cxl::hdm_window& w) {
    events.push_back({up, w.decoder, w.hpa_base, w.hpa_size, w.dpa_base, w.dpa_size, w.ways,
                      w.granularity, w.locked});
  }
};

std::string hex(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

std::string text(const std::vector<event>& ev) {
  std::string s;
  for (const event& e : ev)
    s += std::string(e.up ? " up" : " down") + "(" + std::to_string(e.decoder) + ", hpa " +
         hex(e.hpa_base) + "+" + hex(e.hpa_size) + ", dpa " + hex(e.dpa_base) + "+" +
         hex(e.dpa_size) + ", ways " + std::to_string(e.ways) + ", gran " + hex(e.granularity) +
         ", locked " + std::to_string(e.locked) + ")";
  return s.empty() ? " none" : s;
}

constexpr addr_t block_at = 0x200;

/// What a step did, formatted only when a check fails.
struct step {
  const char* op;
  std::uint64_t a = 0, b = 0, c = 0;
  [[nodiscard]] std::string text() const {
    return std::string(op) + "(" + hex(a) + ", " + hex(b) + ", " + hex(c) + ")";
  }
};

struct target_base {
  virtual ~target_base() = default;
  virtual void run(reader& in) = 0;
};

template <std::size_t Count, mmiotree::cxl::decoder_kind Kind, mmiotree::cxl::hdm_capabilities Caps>
struct target final : target_base {
  using hdm_t = mmiotree::cxl::hdm_decoders<Count, Kind, Caps>;
  using tree =
      mmiotree::container<"cachemem", 0x1000, mmiotree::at<block_at, typename hdm_t::block>>;

  const char* name;
  std::uint64_t capacity;
  recorder events;
  hdm_t hdm{capacity, &events};
  mmiotree::address_space<tree> space;
  hdm_model m;
  // Invariant state: each locked decoder's dwords as first seen locked.
  std::array<bool, Count> was_locked{};
  std::array<std::array<std::uint32_t, 8>, Count> locked_regs{};
  std::array<bool, Count> was_committed{};

  target(const char* n, std::uint64_t cap, caps_row caps)
      : name(n), capacity(cap), m(Count, Kind == mmiotree::cxl::decoder_kind::device, caps, cap) {
    if (space.template bind<"hdm_decoders">(hdm.regs()) != mmiotree::bind_status::ok) {
      std::fprintf(stderr, "fuzz_hdm: machine %s: binding the decoder block failed\n", n);
      std::abort();
    }
  }

  [[noreturn]] void fail(const step& st, const std::string& what) {
    std::fprintf(stderr, "fuzz_hdm: machine %s: after %s: %s\n", name, st.text().c_str(),
                 what.c_str());
    std::abort();
  }

  std::uint32_t rd(addr_t off) {
    const mmiotree::read_result r = space.read(block_at + off, 4);
    if (r.status != access_status::ok)
      fail({"read"}, "a 4-byte read at block offset " + hex(off) + " refused");
    return static_cast<std::uint32_t>(r.value);
  }

  /// A value a guest would write to dword `r` of a decoder, and some it should not.
  std::uint32_t pick(reader& in, unsigned r) {
    const std::uint8_t s = in.byte();
    switch (r) {
      case 0:
      case 2:
      case 5:
        if (Kind == mmiotree::cxl::decoder_kind::port && r == 5)
          return static_cast<std::uint32_t>(in.word(4));
        return (std::uint32_t{s} & 0xF) << 28 |
               ((s & 0x10) != 0 ? static_cast<std::uint32_t>(in.word(4)) & 0x0FFF'FFFFU : 0);
      case 1:
      case 3:
      case 6:
        switch (s & 7) {
          case 4: return 0xFFFF'FFFFU;
          case 5: return 0x8000'0000U;
          case 6:
          case 7: return static_cast<std::uint32_t>(in.word(4));
          default: return s & 3;
        }
      case 4: {
        // Control: mostly IG 0-7 with an IW encoding from the spec's list (and 5), Commit
        // usually set; else two raw bytes, and the reserved upper half when bit 15 is set.
        const std::uint8_t t = in.byte();
        if ((s & 0x80) == 0) {
          constexpr std::uint32_t iws[8] = {0, 1, 2, 3, 4, 8, 9, 5};
          return (s & 7U) | iws[(s >> 3) & 7] << 4 | ((t & 1U) << 8) |
                 ((t & 2U) == 0 ? 1U << 9 : 0U) | ((t & 4U) << 10);
        }
        std::uint32_t v = s | std::uint32_t{t} << 8;
        if ((v & 0x8000) != 0) v |= static_cast<std::uint32_t>(in.word(2)) << 16;
        return v;
      }
      default: return static_cast<std::uint32_t>(in.word(4));
    }
  }

  /// A bus access of any size at any offset near the block: only 4-byte aligned accesses
  /// inside it are performed.
  void raw(reader& in, bool write, step& st) {
    constexpr unsigned sizes[8] = {4, 4, 1, 2, 8, 3, 0, 16};
    const std::uint8_t s = in.byte();
    const unsigned size = sizes[s & 7];
    const addr_t off = static_cast<addr_t>(in.word(2) % (m.size() + 32)) - 16;  // may wrap: below
    const std::uint64_t v = write ? in.word(8) : 0;
    st = {write ? "raw write(offset, size, value)" : "raw read(offset, size)", off, size, v};
    const bool performed = size == 4 && off % 4 == 0 && off < m.size();
    if (write) {
      const access_status status = space.write(block_at + off, size, v);
      if ((status == access_status::ok) != performed)
        fail(st, std::string("status ") + std::string(mmiotree::to_string(status)));
      if (performed) m.write(off, static_cast<std::uint32_t>(v));
    } else {
      const mmiotree::read_result r = space.read(block_at + off, size);
      if (r.ok() != performed)
        fail(st, std::string("status ") + std::string(mmiotree::to_string(r.status)));
      if (performed && r.value != m.read(off))
        fail(st, "read " + hex(r.value) + ", model " + hex(m.read(off)));
    }
  }

  void check(const step& st) {
    // The registers.
    for (addr_t off = 0; off < m.size(); off += 4) {
      const std::uint32_t got = rd(off), want = m.read(off);
      if (got != want)
        fail(st, "dword " + hex(off) + ": library " + hex(got) + ", model " + hex(want));
    }
    // The events.
    if (events.events != m.events)
      fail(st, "events: library" + text(events.events) + "; model" + text(m.events));
    events.events.clear();
    m.events.clear();
    // The refusals.
    for (unsigned n = 0; n < Count; ++n) {
      const unsigned lib = rule_of(hdm.last_refusal(n)), want = m.at(n).refused;
      if ((lib == 0) != (want == 0) || (lib & ~want) != 0)
        fail(st, "decoder " + std::to_string(n) + " last_refusal: library rule " + hex(lib) +
                     ", model rules " + hex(want));
    }
    // DESIGN §6 on what the guest reads.
    std::array<u128, Count> lo{}, hi{};
    std::array<bool, Count> committed{};
    for (unsigned n = 0; n < Count; ++n) {
      const addr_t d = 0x10 + 0x20 * n;
      const std::uint32_t ctl = rd(d + 0x10);
      const std::uint64_t base = std::uint64_t{rd(d + 4)} << 32 | rd(d);
      const std::uint64_t size = std::uint64_t{rd(d + 0xC)} << 32 | rd(d + 8);
      const bool commit = (ctl >> 9) & 1, is = (ctl >> 10) & 1, error = (ctl >> 11) & 1;
      committed[n] = is;
      if ((is && (!commit || error)) || (error && !commit))
        fail(st, "decoder " + std::to_string(n) + " control " + hex(ctl) +
                     ": Commit/Committed/Error combination the protocol does not produce");
      if (is) {
        lo[n] = base;
        hi[n] = u128{base} + size;
        if (size == 0 || base % gran != 0 || size % gran != 0 || hi[n] > u128{1} << 64)
          fail(st, "committed decoder " + std::to_string(n) + " at " + hex(base) + " size " +
                       hex(size));
        if (!was_committed[n])
          for (unsigned k = 0; k < n; ++k)
            if (((rd(0x10 + 0x20 * k + 0x10) >> 10) & 1) == 0)
              fail(st, "decoder " + std::to_string(n) + " committed before decoder " +
                           std::to_string(k));
      }
      std::array<std::uint32_t, 8> now{};
      for (unsigned r = 0; r < 8; ++r) now[r] = rd(d + 4 * r);
      if (was_locked[n] && now != locked_regs[n])
        fail(st, "locked decoder " + std::to_string(n) + " changed");
      const bool locked = is && ((ctl >> 8) & 1);
      if (locked && !was_locked[n]) locked_regs[n] = now;
      was_locked[n] = locked;
      was_committed[n] = is;
    }
    for (unsigned a = 0; a < Count; ++a)
      for (unsigned b = a + 1; b < Count; ++b)
        if (committed[a] && committed[b] && lo[a] < hi[b] && lo[b] < hi[a])
          fail(st, "committed decoders " + std::to_string(a) + " and " + std::to_string(b) +
                       " overlap");
  }

  void run(reader& in) override {
    hdm.reset();
    m.reset();
    events.events.clear();
    m.events.clear();
    was_locked = {};
    was_committed = {};
    check({"reset"});
    for (int records = 0; records < 96 && !in.done(); ++records) {
      const std::uint8_t op = in.byte();
      step st{"?"};
      switch (op & 15) {
        case 10:
        case 11: raw(in, true, st); break;
        case 12:
        case 13: raw(in, false, st); break;
        case 14: {
          const unsigned n = in.byte() % (Count + 1);
          const std::uint64_t base = in.word(3) << 28 | ((op & 0x10) != 0 ? in.word(4) : 0);
          const std::uint64_t size = (op & 0x20) != 0 ? in.word(8) : in.word(1) << 28;
          const bool lock = (op & 0x40) != 0;
          st = {"firmware_commit(n, base, size)", n, base, size};
          const unsigned lib = rule_of(hdm.firmware_commit(n, base, size, lock));
          const unsigned want = m.firmware(n, base, size, lock);
          if ((lib == 0) != (want == 0) || (lib & ~want) != 0)
            fail(st, "returns rule " + hex(lib) + ", model rules " + hex(want));
          break;
        }
        case 15: {
          if ((op & 0x10) != 0) {
            // A snapshot round trip of the register file: a state the guest reached is
            // accepted, and restoring it over a reset gives it back with no event.
            st = {"save_state, reset, restore_state"};
            auto& file = hdm.regs();
            std::vector<std::byte> blob(file.snapshot_size());
            file.save_state(blob);
            if (!file.validate_state(blob)) fail(st, "validate_state refuses a reachable state");
            file.reset();
            file.restore_state(blob);
            m.restored();
            break;
          }
          st = {"reset"};
          hdm.reset();
          m.reset();
          was_locked = {};
          break;
        }
        default: {
          const unsigned r = (op >> 4) & 7;
          const std::uint8_t which = in.byte();
          const addr_t off =
              (op & 0x80) != 0 ? 4 * (which & 3) : 0x10 + 0x20 * (which % Count) + 4 * r;
          const std::uint32_t v =
              (op & 0x80) != 0 ? static_cast<std::uint32_t>(in.word(4)) : pick(in, r);
          st = {"write(offset, value)", off, v};
          if (space.write(block_at + off, 4, v) != access_status::ok) fail(st, "refused");
          m.write(off, v);
          break;
        }
      }
      check(st);
    }
  }
};

std::vector<std::unique_ptr<target_base>> make_targets() {
  using mmiotree::cxl::decoder_kind;
  using mmiotree::cxl::hdm_capabilities;
  std::vector<std::unique_ptr<target_base>> t;
  constexpr hdm_capabilities c0{.interleave_11_8 = true,
                                .interleave_14_12 = false,
                                .poison_on_decode_error = false,
                                .ways_3_6_12 = true,
                                .ways_16 = false,
                                .target_count = 1};
  t.push_back(std::make_unique<target<4, decoder_kind::device, c0>>(
      "4 device decoders", 32 * gran, caps_row{true, false, false, true, false, 1}));
  constexpr hdm_capabilities c1{.interleave_11_8 = false,
                                .interleave_14_12 = true,
                                .poison_on_decode_error = true,
                                .ways_3_6_12 = false,
                                .ways_16 = true,
                                .target_count = 2};
  t.push_back(std::make_unique<target<2, decoder_kind::device, c1>>(
      "2 device decoders", 9 * gran, caps_row{false, true, true, false, true, 2}));
  constexpr hdm_capabilities c2{.interleave_11_8 = true,
                                .interleave_14_12 = true,
                                .poison_on_decode_error = false,
                                .ways_3_6_12 = true,
                                .ways_16 = true,
                                .target_count = 8};
  t.push_back(std::make_unique<target<6, decoder_kind::port, c2>>(
      "6 port decoders", ~std::uint64_t{0}, caps_row{true, true, false, true, true, 8}));
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::unique_ptr<target_base>> targets = make_targets();
  reader in(std::span<const std::uint8_t>(data, size));
  targets[in.byte() % targets.size()]->run(in);
  return 0;
}
