// Snapshot and restore: identity, and every corruption refused with nothing changed.
// Also the per-leaf access counters.
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "snapshot_rig.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace mmiotree::field_kinds;
using namespace snapshot_rig;

TEST_CASE("snapshot -> restore -> snapshot is the identity", "[snapshot]") {
  rig<tree> r;
  REQUIRE(r.as.transaction()
              .place_in_window<"pci/bar">(0x30000)
              .place_in_window<"pci/mmio">(0x1000)
              .commit()
              .ok());
  r.as.write(0, 4, 0x1234);
  r.rf.state().set_lock<"m">(true);
  const std::vector<std::byte> blob = r.as.save();
  CHECK(blob.size() == r.as.snapshot_size());
  // Change everything, then restore.
  r.as.write(0, 4, 0x77);
  r.rf.state().set_lock<"m">(false);
  REQUIRE(
      r.as.transaction().place_in_window<"pci/bar">(0x50000).disable<"pci/mmio">().commit().ok());
  REQUIRE(r.as.restore(blob) == restore_status::ok);
  CHECK(r.as.save() == blob);
  CHECK(r.as.read(0, 4).value == 0x1234);
  CHECK(r.as.placement<"pci/bar">() == slot_placement{pci + 0x30000, true, true});
  CHECK(r.as.placement<"pci/mmio">() == slot_placement{pci + 0x1000, true, true});
  CHECK(r.rf.state().locked<"m">());
  // The write-once field stays spent after restore.
  r.as.write(0, 4, 0xFF00);
  CHECK(r.as.read(0, 4).value == 0x1200);  // f takes 0x00; "once" keeps 0x12
}

TEST_CASE("every corruption is refused and changes nothing", "[snapshot]") {
  rig<tree> r;
  REQUIRE(r.as.transaction().place_in_window<"pci/bar">(0x30000).commit().ok());
  r.as.write(0, 4, 0x42);
  const std::vector<std::byte> good = r.as.save();
  REQUIRE(r.as.transaction().place_in_window<"pci/bar">(0x40000).commit().ok());
  r.as.write(0, 4, 0x43);
  const std::vector<std::byte> now = r.as.save();
  const int events = r.l.events;
  auto unchanged = [&] {
    CHECK(r.as.save() == now);
    CHECK(r.l.events == events);
  };
  SECTION("truncated at every length") {
    for (std::size_t n = 0; n < good.size(); ++n) {
      CHECK(r.as.restore(std::span(good).first(n)) != restore_status::ok);
    }
    unchanged();
  }
  SECTION("one flipped bit anywhere") {
    for (std::size_t i = 0; i < good.size(); ++i)
      for (int bit = 0; bit < 8; ++bit) {
        std::vector<std::byte> b = good;
        b[i] ^= std::byte(1U << bit);
        CHECK(r.as.restore(b) != restore_status::ok);
      }
    unchanged();
  }
  SECTION("another layout") {
    rig<other> o;
    CHECK(o.as.fingerprint != r.as.fingerprint);
    const auto theirs = o.as.save();
    CHECK(r.as.restore(theirs) == restore_status::wrong_layout);
    unchanged();
  }
  SECTION("another version, bad magic, trailing bytes") {
    std::vector<std::byte> b = good;
    for (const std::byte v : {std::byte{1}, std::byte{3}}) {  // the version before, and after
      b[8] = v;
      CHECK(r.as.restore(b) == restore_status::unsupported_version);
    }
    b = good;
    b[0] = std::byte{'X'};
    CHECK(r.as.restore(b) == restore_status::bad_magic);
    b = good;
    b.push_back(std::byte{0});
    CHECK(r.as.restore(b) == restore_status::truncated);
    unchanged();
  }
}

TEST_CASE("well-sealed but invalid contents are refused", "[snapshot]") {
  rig<tree> r;
  REQUIRE(r.as.transaction().place_in_window<"pci/bar">(0x30000).commit().ok());
  r.as.write(0, 4, 0x42);
  const std::vector<std::byte> now = r.as.save();
  const int events = r.l.events;
  auto unchanged = [&] {
    CHECK(r.as.save() == now);
    CHECK(r.l.events == events);
    check_map(r, {0x30000, true, true}, {0, false, false});
  };
  SECTION("a misaligned slot") {
    std::vector<std::byte> b = now;
    put_u64(b, bar_at, 0x30010);
    reseal(b);
    CHECK(r.as.restore(b) == restore_status::bad_slot);
    unchanged();
  }
  SECTION("a slot outside its window") {
    std::vector<std::byte> b = now;
    put_u64(b, bar_at, 64_MiB);
    reseal(b);
    CHECK(r.as.restore(b) == restore_status::bad_slot);
    unchanged();
  }
  SECTION("a slot tying with static content of its priority under tie_policy::reject") {
    std::vector<std::byte> b = now;
    put_u64(b, mmio_at, 0x100000);  // over "fixed", priority 1 like "mmio"
    put_u64(b, mmio_at + 8, 3);     // placed and enabled
    reseal(b);
    CHECK(r.as.restore(b) == restore_status::bad_slot);
    unchanged();
    // As a transaction refuses the same placement.
    CHECK(r.as.transaction().place_in_window<"pci/mmio">(0x100000).commit().error ==
          commit_error::ambiguous_overlap);
    unchanged();
  }
  SECTION("slots overlapping at different priorities: no tie, restored") {
    std::vector<std::byte> b = now;
    put_u64(b, bar_at, 0x100000);   // under "fixed" (priority 1 over bar's 0)
    put_u64(b, mmio_at, 0x110000);  // over bar: priority 1 over 0
    put_u64(b, mmio_at + 8, 3);
    reseal(b);
    CHECK(r.as.restore(b) == restore_status::ok);
    CHECK(r.as.save() == b);
    check_map(r, {0x100000, true, true}, {0x110000, true, true});
  }
  SECTION("a slot's flags word other than 0 (never placed), 2 (placed, disabled) or 3") {
    for (const std::uint64_t flags : {1U, 4U, 5U}) {  // enabled and never placed; unknown bits
      std::vector<std::byte> b = now;
      put_u64(b, bar_at + 8, flags);
      reseal(b);
      CHECK(r.as.restore(b) == restore_status::bad_slot);
    }
    unchanged();
  }
  SECTION("register bits the block cannot hold") {
    std::vector<std::byte> b = now;
    b[64 + 8 + 3] = std::byte{0xFF};  // register a, bits 31:24: no field there
    reseal(b);
    CHECK(r.as.restore(b) == restore_status::state_rejected);
    unchanged();
  }
  SECTION("a section for a leaf that has no state") {
    std::vector<std::byte> b = now;
    b[64] = std::byte{1};  // leaf 1 is "ram"
    reseal(b);
    CHECK(r.as.restore(b) == restore_status::bad_section);
    unchanged();
  }
  SECTION("a stateful leaf without its section") {
    r.as.unbind<"ctl">();
    const auto without = r.as.save();
    REQUIRE(r.as.bind<"ctl">(r.rf) == bind_status::ok);
    CHECK(r.as.restore(without) == restore_status::missing_section);
    unchanged();
  }
}

TEST_CASE("a slot placed and disabled, or never placed, is restored as such", "[snapshot]") {
  rig<tree> r;
  REQUIRE(r.as.transaction().place_in_window<"pci/bar">(0x30000).commit().ok());
  std::vector<std::byte> b = r.as.save();
  check_map(r, {0x30000, true, true}, {0, false, false});
  put_u64(b, bar_at + 8, 2);
  reseal(b);
  CHECK(r.as.restore(b) == restore_status::ok);
  check_map(r, {0x30000, false, true}, {0, false, false});
  put_u64(b, bar_at + 8, 0);
  reseal(b);
  CHECK(r.as.restore(b) == restore_status::ok);
  check_map(r, {0x30000, false, false}, {0, false, false});
  CHECK(r.as.save() == b);
  // Enabling it again makes it placed, where it was.
  REQUIRE(r.as.transaction().enable<"pci/bar">().commit().ok());
  check_map(r, {0x30000, true, true}, {0, false, false});
}

// Behind a valid checksum, a flipped bit is either something restore must refuse — then
// nothing changed: state, placements, map, listeners — or a blob it may accept — then it is
// restored exactly: saving gives the blob back, and the map is the one its placements say.
TEST_CASE("any bit flipped behind a valid checksum: refused with nothing changed, or exact",
          "[snapshot]") {
  std::vector<std::byte> good;
  {
    rig<tree> a;
    REQUIRE(a.as.transaction()
                .place_in_window<"pci/bar">(0x30000)
                .place_in_window<"pci/mmio">(0x101000)
                .commit()
                .ok());
    a.as.write(0, 4, 0x1234);
    a.rf.state().set_lock<"m">(true);
    good = a.as.save();
  }
  for (std::size_t i = 0; i < good.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<std::byte> b = good;
      b[i] ^= std::byte(1U << bit);
      reseal(b);
      rig<tree> r;  // another state: bar elsewhere, mmio disabled, other register values
      REQUIRE(r.as.transaction().place_in_window<"pci/bar">(0x40000).commit().ok());
      r.as.write(0, 4, 0x43);
      const std::vector<std::byte> now = r.as.save();
      const int events = r.l.events;
      const restore_status st = r.as.restore(b);
      INFO("byte " << i << " bit " << bit << ": " << to_string(st));
      if (st != restore_status::ok) {
        CHECK(r.as.save() == now);
        CHECK(r.l.events == events);
        check_map(r, {0x40000, true, true}, {0, false, false});
      } else {
        CHECK(r.as.save() == b);
        check_map(
            r, {get_u64(b, bar_at), get_u64(b, bar_at + 8) == 3, get_u64(b, bar_at + 8) != 0},
            {get_u64(b, mmio_at), get_u64(b, mmio_at + 8) == 3, get_u64(b, mmio_at + 8) != 0});
      }
    }
}

TEST_CASE("access counters per leaf, off by default", "[stats]") {
  using small = container<"s", 64_KiB, at<0, passthrough<"ram", 4_KiB>>,
                          at<8_KiB, io<"dev", 4_KiB, access::exactly<4>>>>;
  std::vector<std::byte> ram(4_KiB);
  nop_io dev;
  address_space<small, space_options{.stats = true}> as;
  REQUIRE(as.bind<"ram">(ram) == bind_status::ok);
  REQUIRE(as.bind<"dev">(dev) == bind_status::ok);
  (void)as.read(0, 8);
  as.write(16, 4, 1);
  as.write(17, 4, 1);  // fine: RAM takes unaligned accesses
  (void)as.read(8_KiB, 4);
  (void)as.read(8_KiB, 2);   // refused: access error
  (void)as.read(32_KiB, 4);  // a hole
  CHECK(as.counters<"ram">() == access_counters{1, 2, 0});
  CHECK(as.counters<"dev">() == access_counters{2, 0, 1});
  CHECK(as.counters_of(npos) == access_counters{1, 0, 1});
  address_space<small> plain;
  (void)plain.read(0, 4);
  CHECK(plain.counters<"ram">() == access_counters{});
  STATIC_REQUIRE(sizeof(address_space<small>) <
                 sizeof(address_space<small, space_options{.stats = true}>));
}
