// Random guest programs against the HDM decoder block, compared after every step with a model
// written from the register map and the commit rules of reference cxl.md §2.4-2.5 and §7. The
// model shares nothing with the implementation: its own field positions, its own encodings
// tables, its own commit checks; it sees the block only through 4-byte bus accesses, reset and
// firmware_commit. After each step the invariants of DESIGN §6 are checked on what the guest
// reads: a committed decoder has a non-zero size, does not overlap another, and a locked one
// never changes; the listener's set of mapped windows equals the committed decoders.
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

using namespace mmiotree;

namespace {

constexpr unsigned decoders = 4;
constexpr std::uint64_t gran = std::uint64_t{1} << 28;  // 256 MiB
constexpr std::uint64_t capacity = 8 * gran * 4;        // 8 GiB of device memory
// A11to8 and 3/6/12-way capable; not A14to12, not 16-way.
constexpr cxl::hdm_capabilities caps{
    .interleave_11_8 = true, .interleave_14_12 = false, .ways_3_6_12 = true, .ways_16 = false};
using hdm = cxl::hdm_decoders<decoders, cxl::decoder_kind::device, caps>;
using tree = container<"cachemem", 0x1000, at<0x200, hdm::block>>;
constexpr addr_t block_at = 0x200;
__extension__ typedef unsigned __int128 u128;

/// The spec, as a model.
struct model {
  struct decoder {
    std::uint64_t base = 0, size = 0, skip = 0;
    unsigned ig = 0, iw = 0;
    bool lock_on_commit = false, commit = false, committed = false, error = false, type = false;
  };
  std::array<decoder, decoders> d{};
  bool enable = false;

  static unsigned ways(unsigned iw) {
    static const std::map<unsigned, unsigned> t{{0, 1},  {1, 2}, {2, 4}, {3, 8},
                                                {4, 16}, {8, 3}, {9, 6}, {0xA, 12}};
    const auto it = t.find(iw);
    return it == t.end() ? 0 : it->second;
  }
  bool valid(unsigned n) const {
    const decoder& x = d[n];
    if (x.size == 0) return false;
    for (unsigned m = 0; m < n; ++m)
      if (!d[m].committed) return false;
    const u128 end = u128{x.base} + x.size;  // exact: no wrap
    if (end > (u128{1} << 64)) return false;
    for (unsigned m = 0; m < decoders; ++m) {
      if (m == n || !d[m].committed) continue;
      const u128 o_end = u128{d[m].base} + d[m].size;
      if (end > d[m].base && o_end > x.base) return false;
    }
    const unsigned w = ways(x.iw);
    if (w == 0 || w == 16) return false;  // reserved, or 16-way (not advertised)
    if (x.ig > 6) return false;
    // The ways' power-of-two part selects on HPA bits from IG + 8 up; only 11:8 are capable.
    unsigned p2 = w % 3 == 0 ? w / 3 : w, bits = 0;
    while (p2 > 1) p2 /= 2, ++bits;
    if (bits != 0 && x.ig + 8 + bits - 1 > 11) return false;
    if (x.size % (gran * w) != 0) return false;
    std::uint64_t dpa = 0;
    for (unsigned m = 0; m < n; ++m) dpa += d[m].skip + d[m].size / ways(d[m].iw);
    dpa += x.skip;
    return dpa <= capacity && capacity - dpa >= x.size / w;
  }

  std::uint32_t read(unsigned off) const {
    // Decoder Count 4 (encoding 2), Target Count 1, A11to8, 3/6/12-way.
    if (off == 0) return 2 | 1U << 4 | 1U << 8 | 1U << 11;
    if (off == 4) return enable ? 2 : 0;
    if (off < 0x10) return 0;
    const unsigned n = (off - 0x10) / 0x20, r = (off - 0x10) % 0x20;
    const decoder& x = d[n];
    switch (r) {
      case 0x0: return static_cast<std::uint32_t>(x.base) & 0xF000'0000U;
      case 0x4: return static_cast<std::uint32_t>(x.base >> 32);
      case 0x8: return static_cast<std::uint32_t>(x.size) & 0xF000'0000U;
      case 0xC: return static_cast<std::uint32_t>(x.size >> 32);
      case 0x10:
        return x.ig | x.iw << 4 | unsigned{x.lock_on_commit} << 8 | unsigned{x.commit} << 9 |
               unsigned{x.committed} << 10 | unsigned{x.error} << 11 | unsigned{x.type} << 12;
      case 0x14: return static_cast<std::uint32_t>(x.skip) & 0xF000'0000U;
      case 0x18: return static_cast<std::uint32_t>(x.skip >> 32);
      default: return 0;
    }
  }

  void write(unsigned off, std::uint32_t v) {
    if (off == 4) enable = (v & 2) != 0;
    if (off < 0x10) return;
    const unsigned n = (off - 0x10) / 0x20, r = (off - 0x10) % 0x20;
    decoder& x = d[n];
    const std::uint64_t lo = v & 0xF000'0000U, hi = std::uint64_t{v} << 32;
    const bool frozen = x.committed;  // programming fields while committed
    switch (r) {
      case 0x0:
        if (!frozen) x.base = (x.base & ~std::uint64_t{0xFFFF'FFFF}) | lo;
        break;
      case 0x4:
        if (!frozen) x.base = (x.base & 0xFFFF'FFFF) | hi;
        break;
      case 0x8:
        if (!frozen) x.size = (x.size & ~std::uint64_t{0xFFFF'FFFF}) | lo;
        break;
      case 0xC:
        if (!frozen) x.size = (x.size & 0xFFFF'FFFF) | hi;
        break;
      case 0x14:
        if (!frozen) x.skip = (x.skip & ~std::uint64_t{0xFFFF'FFFF}) | lo;
        break;
      case 0x18:
        if (!frozen) x.skip = (x.skip & 0xFFFF'FFFF) | hi;
        break;
      case 0x10: {
        if (x.committed && x.lock_on_commit) break;  // locked until reset
        if (!frozen) {
          x.ig = v & 0xF;
          x.iw = (v >> 4) & 0xF;
          x.lock_on_commit = (v >> 8) & 1;
          x.type = (v >> 12) & 1;
        }
        const bool c = (v >> 9) & 1;
        if (c == x.commit) break;
        x.commit = c;
        x.error = false;
        if (!c) {
          x.committed = false;
        } else if (valid(n)) {
          x.committed = true;
        } else {
          x.error = true;
        }
        break;
      }
      default: break;
    }
  }

  void reset() { *this = model{}; }

  bool firmware(unsigned n, std::uint64_t base, std::uint64_t size, bool lock) {
    decoder& x = d[n];
    if (x.committed && x.lock_on_commit) return false;
    x.committed = false;
    x.base = base & ~(gran - 1);
    x.size = size & ~(gran - 1);
    x.ig = x.iw = 0;
    x.lock_on_commit = lock;
    x.commit = true;
    x.error = false;
    enable = true;
    if (valid(n))
      x.committed = true;
    else
      x.error = true;
    return x.committed;
  }
};

struct mapped final : cxl::decoder_listener {
  std::map<std::size_t, std::pair<std::uint64_t, std::uint64_t>> windows;  // decoder -> hpa
  bool bad = false;
  void decoder_committed(const cxl::hdm_window& w) override {
    bad = bad || windows.count(w.decoder) != 0;
    windows[w.decoder] = {w.hpa_base, w.hpa_size};
  }
  void decoder_decommitted(const cxl::hdm_window& w) override {
    bad = bad || windows.erase(w.decoder) != 1;
  }
};

// Values a guest program would write, and some it should not.
std::uint32_t pick_value(std::mt19937_64& g, unsigned reg) {
  std::uniform_int_distribution<unsigned> u(0, 99);
  const unsigned k = u(g);
  if (k < 5) return static_cast<std::uint32_t>(g());  // anything
  switch (reg) {
    case 0x0:
    case 0x8:
    case 0x14: return (k % 4) << 28 | (k < 10 ? 0x0123'4567U : 0);
    case 0x4:
    case 0xC: return k < 80 ? k % 3 : (k < 95 ? 0xFFFF'FFFFU : 0x8000'0000U);
    case 0x18: return k < 90 ? 0 : 1;
    case 0x10: {
      static const std::array<unsigned, 10> iws{0, 0, 0, 1, 2, 3, 4, 5, 8, 9};
      const unsigned ig = k < 70 ? 0 : k % 8;
      const unsigned iw = iws[k % iws.size()];
      const unsigned loc = k % 5 == 0 ? 1 : 0;
      const unsigned c = k % 3 != 0 ? 1 : 0;
      return ig | iw << 4 | loc << 8 | c << 9 | (k % 7 == 0 ? 1U << 12 : 0);
    }
    default: return static_cast<std::uint32_t>(g());
  }
}

}  // namespace

TEST_CASE("HDM decoders against the spec model", "[cxl][hdm][property]") {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    std::mt19937_64 g(seed);
    mapped events;
    hdm dev{capacity, &events};
    address_space<tree> space;
    REQUIRE(space.bind<"hdm_decoders">(dev.regs()) == bind_status::ok);
    model m;
    std::array<std::array<std::uint32_t, 8>, decoders> locked_regs{};
    std::array<bool, decoders> was_locked{};
    for (int step = 0; step < 300; ++step) {
      INFO("seed " << seed << " step " << step);
      const unsigned k = static_cast<unsigned>(g() % 1000);
      if (k < 4) {
        dev.reset();
        m.reset();
        was_locked = {};
      } else if (k < 12) {
        const unsigned n = static_cast<unsigned>(g() % decoders);
        const std::uint64_t base = (g() % 64) * gran, size = (g() % 5) * gran;
        const bool lock = g() % 2 == 0;
        const bool ok = dev.firmware_commit(n, base, size, lock) == cxl::commit_refusal::none;
        REQUIRE(ok == m.firmware(n, base, size, lock));
      } else {
        const unsigned n = static_cast<unsigned>(g() % decoders);
        static const std::array<unsigned, 10> regs{0x0,  0x4,  0x8,  0xC,  0x10,
                                                   0x10, 0x10, 0x14, 0x18, 0x1C};
        const unsigned r = regs[g() % regs.size()];
        const unsigned off =
            g() % 50 == 0 ? static_cast<unsigned>(g() % 4) * 4 : 0x10 + 0x20 * n + r;
        const std::uint32_t v = pick_value(g, r);
        REQUIRE(space.write(block_at + off, 4, v) == access_status::ok);
        m.write(off, v);
      }
      // Every register the guest can read equals the model's.
      for (unsigned off = 0; off < 0x10 + 0x20 * decoders; off += 4) {
        const read_result got = space.read(block_at + off, 4);
        REQUIRE(got.status == access_status::ok);
        INFO("offset " << std::hex << off);
        REQUIRE(got.value == m.read(off));
      }
      // DESIGN §6 on what the guest reads: committed decoders are non-empty, in order and
      // disjoint; a locked decoder never changes until reset; the VMM's map is the committed set.
      std::map<std::size_t, std::pair<std::uint64_t, std::uint64_t>> expect;
      for (unsigned n = 0; n < decoders; ++n) {
        const auto rd = [&](unsigned r) {
          return space.read(block_at + 0x10 + 0x20 * n + r, 4).value;
        };
        const std::uint64_t ctl = rd(0x10);
        const std::uint64_t base = rd(0x4) << 32 | rd(0x0), size = rd(0xC) << 32 | rd(0x8);
        const bool committed = (ctl >> 10) & 1, locked = committed && ((ctl >> 8) & 1);
        if (committed) {
          REQUIRE(size != 0);
          REQUIRE(base % gran == 0);
          expect[n] = {base, size};
        }
        std::array<std::uint32_t, 8> now{};
        for (unsigned r = 0; r < 8; ++r) now[r] = static_cast<std::uint32_t>(rd(4 * r));
        if (was_locked[n]) REQUIRE(now == locked_regs[n]);
        if (locked) locked_regs[n] = now;
        was_locked[n] = locked;
      }
      for (const auto& [a, ra] : expect)
        for (const auto& [b, rb] : expect)
          if (a != b)
            REQUIRE(
                (u128{ra.first} + ra.second <= rb.first || u128{rb.first} + rb.second <= ra.first));
      REQUIRE_FALSE(events.bad);
      REQUIRE(events.windows == expect);
    }
  }
}
