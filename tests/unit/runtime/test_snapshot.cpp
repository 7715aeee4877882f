// Snapshot and restore: identity, and every corruption refused with nothing changed.
// Also the per-leaf access counters.
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace mmiotree::field_kinds;

namespace {
using blk = register_block<"ctl", 0x10, access::exactly<4>,
                           reg<"a", 0x0, 32, 0x1, field<"f", 7, 0, rw>, field<"once", 15, 8, rwo>>,
                           reg<"b", 0x4, 32, 0x0, field<"g", 3, 0, rw, lock<"m">>>>;
using tree = container<"sys", 1_GiB, at<0, blk>, at<4_KiB, passthrough<"ram", 4_KiB>>,
                       at<256_MiB, container<"pci", 64_MiB, slot<passthrough<"bar", 64_KiB>>,
                                             slot<io<"mmio", 4_KiB>, 1>>>>;
using other = container<"sys", 1_GiB, at<0, blk>, at<4_KiB, passthrough<"ram", 8_KiB>>,
                        at<256_MiB, container<"pci", 64_MiB, slot<passthrough<"bar", 64_KiB>>,
                                              slot<io<"mmio", 4_KiB>, 1>>>>;

struct nop_io {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
struct counting_listener {
  int events = 0;
  void region_add(const map_event&) { ++events; }
  void region_del(const map_event&) { ++events; }
};

template <class T>
struct rig {
  register_file<blk> rf;
  std::vector<std::byte> ram = std::vector<std::byte>(8_KiB), bar = std::vector<std::byte>(64_KiB);
  nop_io mmio;
  address_space<T> as;
  counting_listener l;
  rig() {
    as.template bind<"ctl">(rf);
    REQUIRE(as.template bind<"ram">(ram) == bind_status::ok);
    REQUIRE(as.template bind<"pci/bar">(bar) == bind_status::ok);
    as.template bind<"pci/mmio">(mmio);
  }
};
}  // namespace

TEST_CASE("snapshot -> restore -> snapshot is the identity", "[snapshot]") {
  rig<tree> r;
  REQUIRE(r.as.begin().place<"pci/bar">(0x30000).place<"pci/mmio">(0x1000).commit(r.l).ok());
  r.as.write(0, 4, 0x1234);
  r.rf.state().set_lock<"m">(true);
  const std::vector<std::byte> blob = r.as.save();
  CHECK(blob.size() == r.as.snapshot_size());
  // Change everything, then restore.
  r.as.write(0, 4, 0x77);
  r.rf.state().set_lock<"m">(false);
  REQUIRE(r.as.begin().place<"pci/bar">(0x50000).disable<"pci/mmio">().commit(r.l).ok());
  REQUIRE(r.as.restore(blob, r.l) == restore_status::ok);
  CHECK(r.as.save() == blob);
  CHECK(r.as.read(0, 4).value == 0x1234);
  CHECK(r.as.placement<"pci/bar">() == slot_placement{0x30000, true});
  CHECK(r.as.placement<"pci/mmio">() == slot_placement{0x1000, true});
  CHECK(r.rf.state().locked<"m">());
  // The write-once field stays spent after restore.
  r.as.write(0, 4, 0xFF00);
  CHECK(r.as.read(0, 4).value == 0x1200);  // f takes 0x00; "once" keeps 0x12
}

TEST_CASE("every corruption is refused and changes nothing", "[snapshot]") {
  rig<tree> r;
  REQUIRE(r.as.begin().place<"pci/bar">(0x30000).commit(r.l).ok());
  r.as.write(0, 4, 0x42);
  const std::vector<std::byte> good = r.as.save();
  REQUIRE(r.as.begin().place<"pci/bar">(0x40000).commit(r.l).ok());
  r.as.write(0, 4, 0x43);
  const std::vector<std::byte> now = r.as.save();
  const int events = r.l.events;
  auto unchanged = [&] {
    CHECK(r.as.save() == now);
    CHECK(r.l.events == events);
  };
  SECTION("truncated at every length") {
    for (std::size_t n = 0; n < good.size(); ++n) {
      CHECK(r.as.restore(std::span(good).first(n), r.l) != restore_status::ok);
    }
    unchanged();
  }
  SECTION("one flipped bit anywhere") {
    for (std::size_t i = 0; i < good.size(); ++i)
      for (int bit = 0; bit < 8; ++bit) {
        std::vector<std::byte> b = good;
        b[i] ^= std::byte(1U << bit);
        CHECK(r.as.restore(b, r.l) != restore_status::ok);
      }
    unchanged();
  }
  SECTION("another layout") {
    rig<other> o;
    CHECK(o.as.fingerprint != r.as.fingerprint);
    const auto theirs = o.as.save();
    CHECK(r.as.restore(theirs, r.l) == restore_status::wrong_layout);
    unchanged();
  }
  SECTION("another version, bad magic, trailing bytes") {
    std::vector<std::byte> b = good;
    b[8] = std::byte{2};
    CHECK(r.as.restore(b, r.l) == restore_status::unsupported_version);
    b = good;
    b[0] = std::byte{'X'};
    CHECK(r.as.restore(b, r.l) == restore_status::bad_magic);
    b = good;
    b.push_back(std::byte{0});
    CHECK(r.as.restore(b, r.l) == restore_status::truncated);
    unchanged();
  }
}

namespace {
/// Re-seals a blob whose body was edited on purpose (recomputes the trailing checksum), so
/// the semantic validation behind the checksum is what refuses it.
void reseal(std::vector<std::byte>& b) {
  detail::fnv1a f;
  for (std::size_t i = 0; i + 8 < b.size(); ++i) f.byte(std::to_integer<std::uint8_t>(b[i]));
  for (unsigned k = 0; k < 8; ++k) b[b.size() - 8 + k] = std::byte(f.h >> (8 * k));
}
}  // namespace

TEST_CASE("well-sealed but invalid contents are refused", "[snapshot]") {
  rig<tree> r;
  const std::vector<std::byte> good = r.as.save();
  const std::vector<std::byte> now = good;
  // Layout: 32-byte header, 2 slots × 16 bytes, then the register file's section.
  SECTION("a misaligned slot") {
    std::vector<std::byte> b = good;
    b[32] = std::byte{0x10};  // bar base 0x10
    b[40] = std::byte{1};     // enabled
    reseal(b);
    CHECK(r.as.restore(b, r.l) == restore_status::bad_slot);
  }
  SECTION("two slots tying") {
    std::vector<std::byte> b = good;
    b[40] = std::byte{1};  // bar at 0, enabled
    b[56] = std::byte{1};  // mmio at 0, enabled: priority 1 over bar's 0, no tie -> ok
    reseal(b);
    CHECK(r.as.restore(b, r.l) == restore_status::ok);
    CHECK(r.as.placement<"pci/mmio">().enabled);
  }
  SECTION("an enable flag that is not 0 or 1") {
    std::vector<std::byte> b = good;
    b[40] = std::byte{2};
    reseal(b);
    CHECK(r.as.restore(b, r.l) == restore_status::bad_slot);
  }
  SECTION("register bits the block cannot hold") {
    std::vector<std::byte> b = good;
    b[64 + 8 + 3] = std::byte{0xFF};  // register a, bits 31:24: no field there
    reseal(b);
    CHECK(r.as.restore(b, r.l) == restore_status::state_rejected);
    CHECK(r.as.save() == now);
  }
  SECTION("a section for a leaf that has no state") {
    std::vector<std::byte> b = good;
    b[64] = std::byte{1};  // leaf 1 is "ram"
    reseal(b);
    CHECK(r.as.restore(b, r.l) == restore_status::bad_section);
  }
  SECTION("a stateful leaf without its section") {
    r.as.unbind<"ctl">();
    const auto without = r.as.save();
    r.as.bind<"ctl">(r.rf);
    CHECK(r.as.restore(without, r.l) == restore_status::missing_section);
  }
}

TEST_CASE("access counters per leaf, off by default", "[stats]") {
  using small = container<"s", 64_KiB, at<0, passthrough<"ram", 4_KiB>>,
                          at<8_KiB, io<"dev", 4_KiB, access::exactly<4>>>>;
  std::vector<std::byte> ram(4_KiB);
  nop_io dev;
  address_space<small, space_options{.stats = true}> as;
  REQUIRE(as.bind<"ram">(ram) == bind_status::ok);
  as.bind<"dev">(dev);
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
