// tests/unit/runtime/snapshot_rig.hpp: a machine with a register block, host memory and two
// slots (`tree`, and `other`, the same with one region of another size), bound and listened
// to, the blob layout save() writes for it, and check_map: the map a pair of placements must
// give, read through the dispatcher at every edge of it, and the listener's map against a
// fresh replay. Used by tests/unit/runtime/test_snapshot.cpp (Catch2) and the fuzz target
// tests/fuzz/fuzz_snapshot.cpp: the includer provides REQUIRE, CHECK, CHECK_FALSE and INFO
// (Catch2's, or tests/fuzz/checks.hpp's).
#pragma once

#include <mmiotree/core/hash.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace snapshot_rig {

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace mmiotree::field_kinds;

using blk = register_block<"ctl", 0x10, access::exactly<4>,
                           reg<"a", 0x0, 32, 0x1, field<"f", 7, 0, rw>, field<"once", 15, 8, rwo>>,
                           reg<"b", 0x4, 32, 0x0, field<"g", 3, 0, rw, lock<"m">>>>;
// "fixed" gives "mmio" (priority 1, tie_policy::reject) static content to tie with.
using tree =
    container<"sys", 1_GiB, at<0, blk>, at<4_KiB, passthrough<"ram", 4_KiB>>,
              at<256_MiB, container<"pci", 64_MiB, at<0x100000, io<"fixed", 4_KiB>, 1>,
                                    slot<passthrough<"bar", 64_KiB>>, slot<io<"mmio", 4_KiB>, 1>>>>;
using other =
    container<"sys", 1_GiB, at<0, blk>, at<4_KiB, passthrough<"ram", 8_KiB>>,
              at<256_MiB, container<"pci", 64_MiB, at<0x100000, io<"fixed", 4_KiB>, 1>,
                                    slot<passthrough<"bar", 64_KiB>>, slot<io<"mmio", 4_KiB>, 1>>>>;
constexpr addr_t pci = 256_MiB;

struct nop_io {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
/// Answers 0xC0DE0000 | offset: told apart from "bar", whose bytes are all below 0x80.
struct tag_io {
  std::uint64_t read(addr_t off, unsigned) { return 0xC0DE0000U | off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
/// A backend that mirrors the map from the events it is told (see test_slots.cpp).
struct counting_listener final : map_listener {
  int events = 0;
  bool broken = false;  // a del of a range it does not hold, or an add over one
  std::map<addr_t, map_event> ranges;
  void region_add(const map_event& e) override {
    ++events;
    broken = broken || ranges.contains(e.lo);
    ranges[e.lo] = e;
  }
  void region_del(const map_event& e) override {
    ++events;
    const auto it = ranges.find(e.lo);
    broken = broken || it == ranges.end() || !(it->second == e);
    if (it != ranges.end()) ranges.erase(it);
  }
};

template <class T>
struct rig {
  register_file<blk> rf;
  std::vector<std::byte> ram = std::vector<std::byte>(8_KiB), bar = std::vector<std::byte>(64_KiB);
  tag_io mmio;
  address_space<T> as;
  counting_listener l;
  rig() {
    for (std::size_t i = 0; i < bar.size(); ++i) bar[i] = std::byte((i * 13 + 1) & 0x7F);
    REQUIRE(as.template bind<"ctl">(rf) == bind_status::ok);
    REQUIRE(as.template bind<"ram">(ram) == bind_status::ok);
    REQUIRE(as.template bind<"pci/bar">(bar) == bind_status::ok);
    REQUIRE(as.template bind<"pci/mmio">(mmio) == bind_status::ok);
    REQUIRE(as.add_listener(l).ok());
  }
};

inline std::uint64_t get_u64(const std::vector<std::byte>& b, std::size_t at) {
  std::uint64_t v = 0;
  for (unsigned k = 0; k < 8; ++k)
    v |= std::uint64_t{std::to_integer<std::uint8_t>(b[at + k])} << (8 * k);
  return v;
}
inline void put_u64(std::vector<std::byte>& b, std::size_t at, std::uint64_t v) {
  for (unsigned k = 0; k < 8; ++k) b[at + k] = std::byte((v >> (8 * k)) & 0xFF);
}

/// Re-seals a blob whose body was edited on purpose (recomputes the trailing checksum), so
/// the semantic validation behind the checksum is what refuses it.
inline void reseal(std::vector<std::byte>& b) {
  detail::fnv1a f;
  for (std::size_t i = 0; i + 8 < b.size(); ++i) f.byte(std::to_integer<std::uint8_t>(b[i]));
  for (unsigned k = 0; k < 8; ++k) b[b.size() - 8 + k] = std::byte(f.h >> (8 * k));
}

// The blob of `tree`, as save() writes it: a 32-byte header, then each slot's base and
// enable word (8 bytes each, little-endian) in declaration order — "bar" at 32, "mmio" at 48 —
// then the register file's section (a 4-byte leaf number, a 4-byte length, the state), then
// the checksum.
constexpr std::size_t bar_at = 32, mmio_at = 48;

/// The map that placements `bar` and `mmio` (window-relative, as in a blob) must give, read
/// through the dispatcher at every edge of it: "mmio" (priority 1) where it is enabled, then
/// "fixed" (priority 1, static, unbound: the two never overlap, that would be a tie), then
/// "bar" (priority 0), else nothing. Also what each slot's placement() says, and that the
/// listener, which followed every event, holds what a fresh replay gives.
template <class T>
void check_map(rig<T>& r, slot_placement bar, slot_placement mmio) {
  // placement() speaks guest-physical addresses; a blob, window-relative ones.
  CHECK(r.as.template placement<"pci/bar">() ==
        slot_placement{pci + bar.base, bar.enabled, bar.placed});
  CHECK(r.as.template placement<"pci/mmio">() ==
        slot_placement{pci + mmio.base, mmio.enabled, mmio.placed});
  counting_listener fresh;
  const listener_registration reg = r.as.add_listener(fresh);
  REQUIRE(reg.ok());
  r.as.remove_listener(reg.id);
  CHECK_FALSE(r.l.broken);
  CHECK(fresh.ranges == r.l.ranges);
  auto in = [](slot_placement p, addr_t size, addr_t x) {
    return p.enabled && x >= p.base && x - p.base < size;
  };
  // 4-byte probes at multiples of 4: every edge of the map is one (the slots are placed at
  // multiples of their alignment, the rest is static), so no probe straddles two regions. The
  // base of a slot that is not placed may be anything a blob says; probes near it are rounded
  // down (a probe 2 bytes before the end of "bar" once read past the test's own copy of it).
  std::vector<addr_t> probes{0x100000 - 4, 0x100000, 0x101000 - 4, 0x101000};
  for (const slot_placement& p : {bar, mmio})
    for (const addr_t d :
         {addr_t{0}, addr_t{8}, addr_t{4_KiB - 4}, addr_t{4_KiB}, 64_KiB - 4, 64_KiB})
      probes.push_back((p.base + d) & ~addr_t{3}), probes.push_back((p.base - 4) & ~addr_t{3});
  for (const addr_t x : probes) {
    if (x >= 64_MiB) continue;
    INFO("pci + 0x" << std::hex << x);
    const read_result got = r.as.read(pci + x, 4);
    if (in(mmio, 4_KiB, x)) {
      CHECK(got == read_result{0xC0DE0000U | (x - mmio.base), access_status::ok});
    } else if (x >= 0x100000 && x < 0x101000) {
      CHECK(got.status == access_status::unbound);
    } else if (in(bar, 64_KiB, x)) {
      std::uint64_t v = 0;
      for (unsigned k = 0; k < 4; ++k)
        v |= std::uint64_t{std::to_integer<std::uint8_t>(r.bar[x - bar.base + k])} << (8 * k);
      CHECK(got == read_result{v, access_status::ok});
    } else {
      CHECK(got.status == access_status::decode_error);
    }
  }
}

}  // namespace snapshot_rig
