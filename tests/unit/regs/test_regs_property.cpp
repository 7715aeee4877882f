// Random guest access sequences against a deliberately simple bit-by-bit model of the field
// kinds; after every access the register file's state must equal the model's, and the
// invariants of DESIGN §6 are checked directly: RO/HwInit/RsvdP bits never change by a write,
// a locked RWL field never changes, RW1C clears only bits written as 1, RWO takes only the
// first write.
#include <mmiotree/regs/register_file.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {
// clang-format off
using blk = register_block<"p", 0x20, access::any,
    reg<"a", 0x0, 32, 0x8421'F0F0,
        field<"ro", 3, 0, ro>, field<"hw", 7, 4, hwinit>, field<"rw", 11, 8, rw>,
        field<"rwl", 15, 12, rwl, lock<"l">>, field<"rwo", 19, 16, rwo>,
        field<"w1c", 23, 20, rw1c>, field<"w1s", 27, 24, rw1s>, field<"rsvdp", 31, 28, rsvdp>>,
    reg<"b", 0x4, 32, 0x0000'0F0F,
        field<"rc", 7, 0, rc>, field<"rsvdz", 11, 8, rsvdz>, field<"wo", 15, 12, wo>,
        field<"lock", 16, 16, rw1s>, field<"rwl2", 23, 20, rwl, lock<"l">>>,
    reg<"q", 0x8, 64, 0x1234'5678'9ABC'DEF0, field<"x", 63, 0, rw>>,
    reg<"c", 0x10, 16, 0xFFFF, field<"c1", 7, 0, rw1c>, field<"c2", 15, 8, ro>>,
    reg<"d", 0x12, 8, 0x00, field<"d", 7, 0, rwo>>,
    lock_if<"l", "b", "lock">>;
// clang-format on

struct reg_model {
  addr_t offset;
  unsigned bytes;
  std::array<field_access, 64> kind;  // per bit
  std::array<bool, 64> covered;
  std::uint64_t value;
  std::uint64_t written_once = 0;
};

/// The model, built from the same declarations but executing them bit by bit.
struct model {
  std::array<reg_model, 5> regs{};
  model() {
    constexpr auto& t = block_tables_v<blk>;
    for (std::size_t r = 0; r < t.regs.size(); ++r) {
      reg_model& m = regs[r];
      m.offset = t.regs[r].offset;
      m.bytes = t.regs[r].bytes();
      m.covered = {};
      for (std::uint32_t k = 0; k < t.regs[r].field_count; ++k) {
        const field_desc& f = t.fields[t.regs[r].first_field + k];
        for (unsigned bit = f.lo; bit <= f.hi; ++bit) {
          m.kind[bit] = f.access;
          m.covered[bit] = true;
        }
      }
      m.value = 0;
      for (unsigned bit = 0; bit < 8 * m.bytes; ++bit)
        if (m.covered[bit] && m.kind[bit] != field_access::rsvdz)
          m.value |= t.regs[r].reset & (std::uint64_t{1} << bit);
    }
  }
  bool locked() const { return ((regs[1].value >> 16) & 1U) != 0; }

  void write(addr_t off, unsigned size, std::uint64_t v) {
    const bool lk = locked();
    for (reg_model& m : regs) {
      for (unsigned bit = 0; bit < 8 * m.bytes; ++bit) {
        const addr_t byte = m.offset + bit / 8;
        if (byte < off || byte >= off + size) continue;
        const bool w = ((v >> (8 * (byte - off) + bit % 8)) & 1U) != 0;
        const std::uint64_t b = std::uint64_t{1} << bit;
        if (!m.covered[bit]) continue;
        switch (m.kind[bit]) {
          case field_access::rw:
          case field_access::wo: m.value = w ? m.value | b : m.value & ~b; break;
          case field_access::rwl:
            if (!lk) m.value = w ? m.value | b : m.value & ~b;
            break;
          case field_access::rwo:
            if (!(m.written_once & b)) m.value = w ? m.value | b : m.value & ~b;
            m.written_once |= b;
            break;
          case field_access::rw1c:
            if (w) m.value &= ~b;
            break;
          case field_access::rw1s:
            if (w) m.value |= b;
            break;
          default: break;  // ro, hwinit, rc, rsvdp keep; rsvdz stays 0
        }
      }
    }
  }
  std::uint64_t read(addr_t off, unsigned size) {
    std::uint64_t out = 0;
    for (reg_model& m : regs) {
      for (unsigned bit = 0; bit < 8 * m.bytes; ++bit) {
        const addr_t byte = m.offset + bit / 8;
        if (byte < off || byte >= off + size) continue;
        const std::uint64_t b = std::uint64_t{1} << bit;
        const bool zero = !m.covered[bit] || m.kind[bit] == field_access::rsvdz ||
                          m.kind[bit] == field_access::wo;
        if (!zero && (m.value & b)) out |= std::uint64_t{1} << (8 * (byte - off) + bit % 8);
        if (m.covered[bit] && m.kind[bit] == field_access::rc) m.value &= ~b;
      }
    }
    return out;
  }
};

std::uint64_t seed() {
  if (const char* s = std::getenv("MMIOTREE_SEED")) return std::strtoull(s, nullptr, 0);
  return 0x5EED'2026;
}
}  // namespace

TEST_CASE("register file == bit-by-bit model over random access sequences", "[regs][property]") {
  const std::uint64_t s = seed();
  INFO("seed " << s << " (set MMIOTREE_SEED to replay)");
  std::mt19937_64 rng(s);
  constexpr auto& t = block_tables_v<blk>;
  std::size_t accesses = 0;
  for (int run = 0; run < 300; ++run) {
    register_file<blk> rf;
    model m;
    for (int step = 0; step < 200; ++step) {
      const unsigned size = 1U << (rng() % 4);
      const addr_t off = rng() % (0x20 - size + 1);
      // Bias values towards all-ones and all-zeros so the W1C/W1S/lock paths fire often.
      const std::uint64_t pick = rng() % 4;
      const std::uint64_t v = pick == 0 ? ~0ULL : pick == 1 ? 0 : rng();
      const register_state<blk> before = rf.state();
      const bool was_locked = rf.state().locked<"l">();
      ++accesses;
      if (rng() % 3 == 0) {
        REQUIRE(rf.read(off, size) == m.read(off, size));
      } else {
        rf.write(off, size, v);
        m.write(off, size, v);
        // Direct invariants on register a (bits 0..31) for this write.
        const std::uint64_t a0 = before.value[0], a1 = rf.state().value[0];
        CHECK((a0 & 0xF000'00FF) == (a1 & 0xF000'00FF));  // RO, HwInit, RsvdP
        if (was_locked) CHECK((a0 & 0xF000) == (a1 & 0xF000));
        CHECK((~a0 & a1 & 0x00F0'0000) == 0);  // W1C never sets
      }
      for (std::size_t r = 0; r < t.regs.size(); ++r) {
        INFO("step " << step << " register " << t.regs[r].name << " off " << off << " size "
                     << size);
        REQUIRE(rf.state().value[t.regs[r].slot] == m.regs[r].value);
      }
    }
  }
  CHECK(accesses == 60'000);
}
