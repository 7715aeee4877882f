// The HDM decoder block through an address space, as a guest drives it: Linux's programming
// sequence (reference cxl.md §4.2) step by step with the values a guest reads back, each way a
// commit fails, Lock-On-Commit, the firmware-committed flow (RFC patch 7), reset, and the
// events the VMM hears. Expected values are written out from the register map (cxl.md §2.4),
// not computed with the library's tables.
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

// The decoder block where QEMU puts it: CXL.cachemem + 0x128 (cxl.md §2.3), in a 4 KiB range.
inline constexpr addr_t hdm_at = 0x128;
using hdm2 = cxl::hdm_decoders<2>;
using machine = container<"cachemem", 4_KiB, at<hdm_at, hdm2::block>>;

// Register offsets of decoder n, relative to the block (cxl.md §2.4).
constexpr addr_t cap = 0x0, global = 0x4;
constexpr addr_t base_lo(unsigned n) { return 0x10 + 0x20 * n; }
constexpr addr_t base_hi(unsigned n) { return 0x14 + 0x20 * n; }
constexpr addr_t size_lo(unsigned n) { return 0x18 + 0x20 * n; }
constexpr addr_t size_hi(unsigned n) { return 0x1C + 0x20 * n; }
constexpr addr_t ctrl(unsigned n) { return 0x20 + 0x20 * n; }
constexpr addr_t skip_lo(unsigned n) { return 0x24 + 0x20 * n; }
constexpr addr_t skip_hi(unsigned n) { return 0x28 + 0x20 * n; }

// CTRL bits.
constexpr std::uint32_t lock_on_commit = 1U << 8, commit = 1U << 9, committed = 1U << 10,
                        error = 1U << 11;

struct recorder final : cxl::decoder_listener {
  std::vector<cxl::hdm_window> up, down;
  void decoder_committed(const cxl::hdm_window& w) override { up.push_back(w); }
  void decoder_decommitted(const cxl::hdm_window& w) override { down.push_back(w); }
};

struct rig {
  recorder events;
  hdm2 hdm{4_GiB, &events};  // 4 GiB of device memory
  address_space<machine> space;
  rig() { REQUIRE(space.bind<"hdm_decoders">(hdm.regs()) == bind_status::ok); }

  std::uint32_t rd(addr_t off) {
    const read_result r = space.read(hdm_at + off, 4);
    REQUIRE(r.status == access_status::ok);
    return static_cast<std::uint32_t>(r.value);
  }
  void wr(addr_t off, std::uint32_t v) {
    REQUIRE(space.write(hdm_at + off, 4, v) == access_status::ok);
  }
  // Linux `cxl_decoder_commit` for an endpoint decoder (cxl.md §2.5 steps 3-5): high halves
  // first, DPA skip, then CTRL with Commit last.
  void program(unsigned n, std::uint64_t base, std::uint64_t size, std::uint32_t ctrl_bits,
               std::uint64_t skip = 0) {
    wr(base_hi(n), static_cast<std::uint32_t>(base >> 32));
    wr(base_lo(n), static_cast<std::uint32_t>(base));
    wr(size_hi(n), static_cast<std::uint32_t>(size >> 32));
    wr(size_lo(n), static_cast<std::uint32_t>(size));
    wr(skip_hi(n), static_cast<std::uint32_t>(skip >> 32));
    wr(skip_lo(n), static_cast<std::uint32_t>(skip));
    wr(ctrl(n), ctrl_bits | commit);
  }
};

}  // namespace

TEST_CASE("capability register: count encoding, target count, interleave bits", "[cxl][hdm]") {
  rig r;
  // Count 2 -> encoding 1; target count 1 (bits 7:4); A11to8 (bit 8) by default.
  CHECK(r.rd(cap) == 0x0000'0111);
  CHECK(r.rd(global) == 0);
  // Nothing is writable in it.
  r.wr(cap, 0xFFFF'FFFF);
  CHECK(r.rd(cap) == 0x0000'0111);
  // The spec's table, not Linux's `2 * field` (which is wrong above 16).
  STATIC_REQUIRE(cxl::decoder_count_encoding(1) == 0);
  STATIC_REQUIRE(cxl::decoder_count_encoding(10) == 5);
  STATIC_REQUIRE(cxl::decoder_count_encoding(20) == 9);
  STATIC_REQUIRE(cxl::decoder_count_encoding(32) == 0xC);
  STATIC_REQUIRE(cxl::decoder_count_encoding(3) == 0xFF);
  STATIC_REQUIRE(cxl::decoder_count_of(0xB) == 28);
  STATIC_REQUIRE(cxl::decoder_count_of(0xD) == 0);
  using port32 = cxl::hdm_decoders<
      32, cxl::decoder_kind::port,
      cxl::hdm_capabilities{
          .interleave_14_12 = true, .ways_3_6_12 = true, .ways_16 = true, .target_count = 8}>;
  register_state<port32::block> s;
  CHECK(s.get<"capability">().raw == 0x0000'1B8C);  // 0xC | 8 << 4 | bits 8, 9, 11, 12
  STATIC_REQUIRE(port32::block::size == 0x10 + 0x20 * 32);
}

TEST_CASE("Linux's commit sequence, read back step by step", "[cxl][hdm]") {
  rig r;
  // Global Control: Linux sets HDM Decoder Enable (bit 1); bits 31:2 are RsvdP, bit 0 RO here.
  r.wr(global, 0xFFFF'FFFF);
  CHECK(r.rd(global) == 0x2);

  const std::uint64_t base = 0x1'2000'0000;  // 4.5 GiB: a 256 MiB multiple
  r.wr(base_hi(0), 0x1);
  CHECK(r.rd(base_hi(0)) == 0x1);
  r.wr(base_lo(0), 0x2000'0000);
  CHECK(r.rd(base_lo(0)) == 0x2000'0000);
  r.wr(size_hi(0), 0x0);
  r.wr(size_lo(0), 0x4000'0000);  // 1 GiB
  CHECK(r.rd(size_lo(0)) == 0x4000'0000);
  r.wr(skip_hi(0), 0);
  r.wr(skip_lo(0), 0);
  CHECK(r.rd(ctrl(0)) == 0);
  CHECK(r.events.up.empty());
  // CTRL last: IG 0, IW 0, Target Range Type 0 (device coherent), Commit.
  r.wr(ctrl(0), commit);
  // The first poll already sees Committed (the emulation commits synchronously).
  CHECK(r.rd(ctrl(0)) == (commit | committed));
  REQUIRE(r.events.up.size() == 1);
  const cxl::hdm_window w = r.events.up[0];
  CHECK(w.decoder == 0);
  CHECK(w.hpa_base == base);
  CHECK(w.hpa_size == 1_GiB);
  CHECK(w.dpa_base == 0);
  CHECK(w.dpa_size == 1_GiB);
  CHECK(w.ways == 1);
  CHECK_FALSE(w.locked);
  CHECK(r.hdm.window(0) == w);
  CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::none);

  // While committed, the programming fields are read-only; only Commit is honoured.
  r.wr(base_lo(0), 0x7000'0000);
  r.wr(size_hi(0), 0x5);
  r.wr(ctrl(0), commit | 0x13);  // IG 3, IW 1
  CHECK(r.rd(base_lo(0)) == 0x2000'0000);
  CHECK(r.rd(size_hi(0)) == 0);
  CHECK(r.rd(ctrl(0)) == (commit | committed));
  CHECK(r.events.up.size() == 1);

  // Linux `cxl_decoder_reset`: clear Commit, then zero the size and base.
  r.wr(ctrl(0), 0);
  CHECK(r.rd(ctrl(0)) == 0);
  REQUIRE(r.events.down.size() == 1);
  CHECK(r.events.down[0] == w);
  for (const addr_t off : {size_hi(0), size_lo(0), base_hi(0), base_lo(0)}) r.wr(off, 0);
  CHECK(r.rd(base_lo(0)) == 0);
  CHECK_FALSE(r.hdm.window(0).has_value());
}

TEST_CASE("the low 28 bits of base and size are RsvdP and read back as zero", "[cxl][hdm]") {
  rig r;
  r.wr(base_lo(0), 0x1234'5678);
  r.wr(size_lo(0), 0xFFFF'FFFF);
  r.wr(skip_lo(0), 0x0FFF'FFFF);
  CHECK(r.rd(base_lo(0)) == 0x1000'0000);
  CHECK(r.rd(size_lo(0)) == 0xF000'0000);
  CHECK(r.rd(skip_lo(0)) == 0);
  // Reserved CTRL bits (13, 14, 15, 16-31) and the RO status bits do not take writes.
  r.wr(ctrl(0), 0xFFFF'FC00);
  CHECK(r.rd(ctrl(0)) == (1U << 12));  // Target Range Type only
}

TEST_CASE("each refused commit sets Error Not Committed and maps nothing", "[cxl][hdm]") {
  struct refused {
    const char* what;
    cxl::commit_refusal why;
  };
  SECTION("zero size") {
    rig r;
    r.program(0, 4_GiB, 0, 0);
    CHECK(r.rd(ctrl(0)) == (commit | error));
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::size_zero);
    CHECK(r.events.up.empty());
    // Linux then clears Commit: Error Not Committed goes too.
    r.wr(ctrl(0), 0);
    CHECK(r.rd(ctrl(0)) == 0);
    CHECK(r.events.down.empty());  // nothing was committed, nothing to drop
    // A retry with a size commits.
    r.program(0, 4_GiB, 256_MiB, 0);
    CHECK(r.rd(ctrl(0)) == (commit | committed));
  }
  SECTION("out of order: decoder 1 before decoder 0") {
    rig r;
    r.program(1, 8_GiB, 256_MiB, 0);
    CHECK(r.rd(ctrl(1)) == (commit | error));
    CHECK(r.hdm.last_refusal(1) == cxl::commit_refusal::out_of_order);
    r.program(0, 4_GiB, 256_MiB, 0);
    CHECK(r.rd(ctrl(0)) == (commit | committed));
    r.wr(ctrl(1), 0);  // clear, then commit again now that decoder 0 is committed
    r.wr(ctrl(1), commit);
    CHECK(r.rd(ctrl(1)) == (commit | committed));
    CHECK(r.events.up.size() == 2);
  }
  SECTION("overlap with a committed decoder") {
    rig r;
    r.program(0, 4_GiB, 512_MiB, 0);
    r.program(1, 4_GiB + 256_MiB, 256_MiB, 0);
    CHECK(r.rd(ctrl(1)) == (commit | error));
    CHECK(r.hdm.last_refusal(1) == cxl::commit_refusal::overlap);
    // Adjacent is fine.
    r.wr(ctrl(1), 0);
    r.program(1, 4_GiB + 512_MiB, 256_MiB, 0);
    CHECK(r.rd(ctrl(1)) == (commit | committed));
  }
  SECTION("base + size past 2^64") {
    rig r;
    r.program(0, 0xFFFF'FFFF'F000'0000, 512_MiB, 0);
    CHECK(r.rd(ctrl(0)) == (commit | error));
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::address_overflow);
  }
  SECTION("interleave ways: reserved, not advertised, size not a multiple") {
    rig r;
    r.program(0, 4_GiB, 1_GiB, 0x50);  // IW 5: reserved
    CHECK(r.rd(ctrl(0)) == (commit | error | 0x50));
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::bad_ways);
    r.wr(ctrl(0), 0x80);
    r.wr(ctrl(0), 0x80 | commit);  // IW 8: 3 ways, not advertised
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::bad_ways);
    r.wr(ctrl(0), 0x40);
    r.wr(ctrl(0), 0x40 | commit);  // IW 4: 16 ways, not advertised
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::bad_ways);
    r.wr(ctrl(0), 0);
    r.program(0, 4_GiB, 256_MiB, 0x10);  // 2 ways: 256 MiB is not a multiple of 2 x 256 MiB
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::size_not_way_multiple);
    r.wr(ctrl(0), 0);
    r.program(0, 4_GiB, 512_MiB, 0x10);
    CHECK(r.rd(ctrl(0)) == (commit | committed | 0x10));
    REQUIRE(r.events.up.size() == 1);
    CHECK(r.events.up[0].ways == 2);
    CHECK(r.events.up[0].dpa_size == 256_MiB);  // this device holds every other granule
  }
  SECTION("interleave granularity: reserved, or its address bits not capable") {
    rig r;
    r.program(0, 4_GiB, 512_MiB, 0x17);  // IG 7: reserved
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::bad_granularity);
    r.wr(ctrl(0), 0);
    // 2 ways at 4 KiB selects on HPA bit 12: this block advertises A11to8 only.
    r.program(0, 4_GiB, 512_MiB, 0x14);
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::bad_granularity);
    r.wr(ctrl(0), 0);
    // 2 ways at 2 KiB selects on bit 11: capable.
    r.program(0, 4_GiB, 512_MiB, 0x13);
    CHECK(r.rd(ctrl(0)) == (commit | committed | 0x13));
    CHECK(r.events.up.at(0).granularity == 2_KiB);
  }
  SECTION("DPA past the device's memory") {
    rig r;                                    // 4 GiB of device memory
    r.program(0, 16_GiB, 4_GiB, 0, 256_MiB);  // skip 256 MiB + 4 GiB > 4 GiB
    CHECK(r.hdm.last_refusal(0) == cxl::commit_refusal::dpa_exhausted);
    r.wr(ctrl(0), 0);
    r.program(0, 16_GiB, 3_GiB + 768_MiB, 0, 256_MiB);  // exactly fits
    CHECK(r.rd(ctrl(0)) == (commit | committed));
  }
}

TEST_CASE("DPA ranges follow the lower decoders and each skip", "[cxl][hdm]") {
  rig r;
  r.program(0, 4_GiB, 512_MiB, 0, 256_MiB);
  r.program(1, 8_GiB, 1_GiB, 0, 512_MiB);
  REQUIRE(r.events.up.size() == 2);
  CHECK(r.events.up[0].dpa_base == 256_MiB);
  CHECK(r.events.up[0].dpa_size == 512_MiB);
  CHECK(r.events.up[1].dpa_base == 256_MiB + 512_MiB + 512_MiB);
  CHECK(r.events.up[1].dpa_size == 1_GiB);
}

TEST_CASE("Lock-On-Commit: every RWL field, Commit included, is read-only until reset",
          "[cxl][hdm]") {
  rig r;
  r.program(0, 4_GiB, 256_MiB, lock_on_commit);
  CHECK(r.rd(ctrl(0)) == (lock_on_commit | commit | committed));
  REQUIRE(r.events.up.size() == 1);
  CHECK(r.events.up[0].locked);
  // De-commit, clear the lock, move: all ignored (the v2 rule that let a guest clear Lock is gone).
  r.wr(ctrl(0), 0);
  r.wr(ctrl(0), commit);
  r.wr(base_lo(0), 0x3000'0000);
  r.wr(base_hi(0), 0x2);
  r.wr(size_lo(0), 0x2000'0000);
  r.wr(skip_lo(0), 0x1000'0000);
  CHECK(r.rd(ctrl(0)) == (lock_on_commit | commit | committed));
  CHECK(r.rd(base_lo(0)) == 0);
  CHECK(r.rd(base_hi(0)) == 1);
  CHECK(r.rd(size_lo(0)) == 0x1000'0000);
  CHECK(r.rd(skip_lo(0)) == 0);
  CHECK(r.events.down.empty());
  // Decoder 1 is not locked by decoder 0's lock.
  r.program(1, 8_GiB, 256_MiB, 0);
  CHECK(r.rd(ctrl(1)) == (commit | committed));
  r.wr(ctrl(1), 0);
  CHECK(r.rd(ctrl(1)) == 0);
  // Reset: back to reset values, de-commits reported (highest decoder first), unlocked.
  r.events.down.clear();
  r.hdm.reset();
  CHECK(r.rd(ctrl(0)) == 0);
  CHECK(r.rd(base_hi(0)) == 0);
  REQUIRE(r.events.down.size() == 1);
  CHECK(r.events.down[0].decoder == 0);
  CHECK(r.events.down[0].hpa_base == 4_GiB);
  r.program(0, 8_GiB, 256_MiB, 0);
  CHECK(r.rd(ctrl(0)) == (commit | committed));
}

TEST_CASE("a failed commit with Lock-On-Commit locks nothing", "[cxl][hdm]") {
  rig r;
  r.program(0, 4_GiB, 0, lock_on_commit);
  CHECK(r.rd(ctrl(0)) == (lock_on_commit | commit | error));
  r.wr(size_lo(0), 0x1000'0000);
  r.wr(ctrl(0), lock_on_commit);
  r.wr(ctrl(0), lock_on_commit | commit);
  CHECK(r.rd(ctrl(0)) == (lock_on_commit | commit | committed));
}

TEST_CASE("firmware-committed decoder 0 (RFC patch 7), and reset", "[cxl][hdm]") {
  rig r;
  const addr_t cfmws = 0x100'0000'0000;  // the demo's CFMWS base
  CHECK(r.hdm.firmware_commit(0, cfmws, 1_GiB) == cxl::commit_refusal::none);
  REQUIRE(r.events.up.size() == 1);
  CHECK(r.events.up[0].hpa_base == cfmws);
  CHECK(r.events.up[0].locked);
  // What the guest's enumeration reads (cxl.md §4.1): committed, locked, HDM Decoder Enable set.
  CHECK(r.rd(global) == 0x2);
  CHECK(r.rd(ctrl(0)) == (lock_on_commit | commit | committed));
  CHECK(r.rd(base_lo(0)) == 0);
  CHECK(r.rd(base_hi(0)) == 0x100);
  CHECK(r.rd(size_lo(0)) == 0x4000'0000);
  CHECK(r.rd(size_hi(0)) == 0);
  // The guest cannot move or de-commit it.
  r.wr(base_hi(0), 0x200);
  r.wr(ctrl(0), 0);
  CHECK(r.rd(base_hi(0)) == 0x100);
  CHECK(r.rd(ctrl(0)) == (lock_on_commit | commit | committed));
  // Nor can the VMM commit it again.
  CHECK(r.hdm.firmware_commit(0, 2 * cfmws, 1_GiB) == cxl::commit_refusal::locked);
  CHECK(r.events.up.size() == 1);
  // Reset unlocks; the VMM may program it again.
  r.hdm.reset();
  CHECK(r.events.down.size() == 1);
  CHECK(r.rd(ctrl(0)) == 0);
  CHECK(r.rd(global) == 0);
  CHECK(r.hdm.firmware_commit(0, cfmws, 512_MiB) == cxl::commit_refusal::none);
  CHECK(r.events.up.size() == 2);
  CHECK(r.hdm.firmware_commit(2, cfmws, 512_MiB) == cxl::commit_refusal::no_such_decoder);
}

TEST_CASE("decoder registers take 4-byte accesses only", "[cxl][hdm]") {
  rig r;
  r.wr(base_hi(0), 0x1);
  for (const unsigned size : {1U, 2U, 8U}) {
    INFO("size " << size);
    CHECK(r.space.write(hdm_at + base_hi(0), size, 0xFF) == access_status::access_error);
    CHECK(r.space.write(hdm_at + ctrl(0), size, commit) == access_status::access_error);
    CHECK(r.space.read(hdm_at + base_hi(0), size).status == access_status::access_error);
  }
  // Misaligned 4-byte accesses too.
  CHECK(r.space.write(hdm_at + base_hi(0) + 2, 4, 0xFF) == access_status::access_error);
  CHECK(r.rd(base_hi(0)) == 0x1);
  CHECK(r.rd(ctrl(0)) == 0);
  CHECK(r.events.up.empty());
}

TEST_CASE("de-commit order is free, commit order is not", "[cxl][hdm]") {
  rig r;
  r.program(0, 4_GiB, 256_MiB, 0);
  r.program(1, 8_GiB, 256_MiB, 0);
  r.wr(ctrl(0), 0);  // decoder 0 first: allowed (the rule covers commit only)
  CHECK(r.rd(ctrl(0)) == 0);
  CHECK(r.rd(ctrl(1)) == (commit | committed));
  REQUIRE(r.events.down.size() == 1);
  CHECK(r.events.down[0].decoder == 0);
  // Re-committing decoder 0 is in order (nothing below it).
  r.wr(ctrl(0), commit);
  CHECK(r.rd(ctrl(0)) == (commit | committed));
}

// Found by tests/fuzz/fuzz_hdm.cpp: the snapshot check re-ran the commit rules on every committed
// decoder, commit order included, so this reachable state was refused as a whole.
TEST_CASE("a state reached by an out-of-order de-commit survives a snapshot", "[cxl][hdm]") {
  rig r;
  r.program(0, 4_GiB, 256_MiB, 0);
  r.program(1, 8_GiB, 256_MiB, 0);
  r.wr(ctrl(0), 0);  // decoder 1 stays committed above a de-committed decoder 0
  r.wr(size_lo(0), static_cast<std::uint32_t>(512_MiB));  // and decoder 0 is reprogrammed
  auto& file = r.hdm.regs();
  std::vector<std::byte> blob(file.snapshot_size());
  file.save_state(blob);
  REQUIRE(file.validate_state(blob));
  file.reset();
  file.restore_state(blob);
  CHECK(r.rd(ctrl(0)) == 0);
  CHECK(r.rd(ctrl(1)) == (commit | committed));
  CHECK(r.rd(size_lo(0)) == static_cast<std::uint32_t>(512_MiB));
  // What the check still refuses: a committed decoder the guest could never have committed —
  // decoder 0 committed over decoder 1's range (written into the state directly, past the
  // protocol).
  auto& st = file.state();
  st.set_field<"decoder/base_hi", "base">(2, 0);  // 8 GiB
  st.set<"decoder/ctrl">(0, val<"commit", 1>{}, val<"committed", 1>{});
  std::vector<std::byte> over(file.snapshot_size());
  file.save_state(over);
  CHECK_FALSE(file.validate_state(over));
}

// Found by reviewing fuzz_hdm's 128-bit model: a device decoder's DPA was summed in 64 bits, so
// a skip reaching past 2^64 wrapped to a small DPA and committed over decoder 0's memory.
TEST_CASE("a DPA range past 2^64 is past the device's memory, not wrapped", "[cxl][hdm]") {
  recorder events;
  hdm2 hdm{~addr_t{0}, &events};  // as much device memory as a DPA can say
  address_space<machine> space;
  REQUIRE(space.bind<"hdm_decoders">(hdm.regs()) == bind_status::ok);
  auto wr = [&](addr_t off, std::uint64_t v) {
    REQUIRE(space.write(hdm_at + off, 4, v & 0xFFFF'FFFF) == access_status::ok);
  };
  wr(size_lo(0), 256_MiB);
  wr(ctrl(0), commit);
  REQUIRE(hdm.last_refusal(0) == cxl::commit_refusal::none);
  const addr_t skip = ~addr_t{0} - 256_MiB + 1;  // 2^64 - 256 MiB: decoder 1's DPA at 2^64
  wr(base_lo(1), 256_MiB);
  wr(size_lo(1), 256_MiB);
  wr(skip_lo(1), skip);
  wr(skip_hi(1), skip >> 32);
  wr(ctrl(1), commit);
  CHECK(hdm.last_refusal(1) == cxl::commit_refusal::dpa_exhausted);
  CHECK(events.up.size() == 1);  // decoder 0's only
}

// Found by fuzz_hdm's long run (2026-12-04): a committed decoder's DPA was recomputed from the
// lower decoders' current registers, so reprogramming a de-committed decoder 0 moved the
// committed decoder 1's DPA — in its de-commit event, in window(), past 2^64 even.
TEST_CASE("a committed decoder keeps the DPA it committed with", "[cxl][hdm]") {
  rig r;
  r.program(0, 4_GiB, 256_MiB, 0);
  r.program(1, 8_GiB, 512_MiB, 0, 256_MiB);  // DPA 256 MiB + 256 MiB skip
  REQUIRE(r.hdm.window(1));
  CHECK(r.hdm.window(1)->dpa_base == 512_MiB);
  r.wr(ctrl(0), 0);
  r.wr(size_lo(0), static_cast<std::uint32_t>(768_MiB));  // decoder 0 reprogrammed: 1 GiB
  r.wr(size_hi(0), 0x10);                                 // + 64 GiB
  r.wr(skip_hi(0), 0xFFFF'FFFF);                          // and a skip near 2^64
  CHECK(r.hdm.window(1)->dpa_base == 512_MiB);
  CHECK(r.hdm.window(1)->dpa_size == 512_MiB);
  SECTION("its de-commit names the DPA it committed with") {
    r.wr(ctrl(1), 0);
    REQUIRE(r.events.down.size() == 2);
    CHECK(r.events.down[1].decoder == 1);
    CHECK(r.events.down[1].dpa_base == 512_MiB);
    CHECK_FALSE(r.hdm.window(1));
  }
  SECTION("a snapshot carries it, and refuses a latch past the device's memory") {
    auto& file = r.hdm.regs();
    std::vector<std::byte> blob(file.snapshot_size());
    file.save_state(blob);
    REQUIRE(file.validate_state(blob));
    std::optional<cxl::hdm_window> in_blob = r.hdm.committed_in(blob, 1);
    REQUIRE(in_blob);
    CHECK(in_blob->dpa_base == 512_MiB);
    r.hdm.reset();
    file.restore_state(blob);
    REQUIRE(r.hdm.window(1));
    CHECK(r.hdm.window(1)->dpa_base == 512_MiB);
    // Decoder 1's latch (8 bytes after the registers) moved to 3.75 GiB: its 512 MiB end past
    // the 4 GiB of device memory.
    const std::size_t at = file.snapshot_size() - 2 * 8 + 8;
    std::vector<std::byte> past = blob;
    const addr_t moved = 3_GiB + 768_MiB;
    for (std::size_t i = 0; i < 8; ++i) past[at + i] = static_cast<std::byte>(moved >> (8 * i));
    CHECK_FALSE(file.validate_state(past));
    // A latch on a decoder that is not committed (decoder 2 of 2: none; decoder 0 here).
    std::vector<std::byte> stray = blob;
    stray[file.snapshot_size() - 2 * 8] = std::byte{1};
    CHECK_FALSE(file.validate_state(stray));
  }
}
