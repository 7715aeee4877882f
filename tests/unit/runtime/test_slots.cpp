// Slots: placement by transactions, tie policies, refused commits, listener events, and a
// property test that judges random commits with a literal oracle and replays them onto a model
// backend.
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "slot_commits.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace slot_commits;

namespace {
/// A handler that answers its own identity.
struct tag_io {
  std::uint64_t id;
  std::uint64_t read(addr_t off, unsigned) const { return (id << 24) | off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

struct rig {
  std::vector<std::byte> ram = std::vector<std::byte>(1_MiB), mem = std::vector<std::byte>(4_KiB),
                         big = std::vector<std::byte>(1_MiB),
                         dpa = std::vector<std::byte>(256_MiB / 4096);
  tag_io regs_a{1}, regs_b{2}, msix{3}, cfg{4}, low{5}, hider{6}, tiny{7};
  address_space<sys> as;
  model_backend backend;
  rig() {
    REQUIRE(as.bind<"ram">(ram) == bind_status::ok);
    REQUIRE(as.bind<"pci/bar_a/mem">(mem) == bind_status::ok);
    REQUIRE(as.bind<"pci/big">(big, {.vfio_owned = true}) == bind_status::ok);
    REQUIRE(as.bind<"pci/bar_a/regs">(regs_a) == bind_status::ok);
    REQUIRE(as.bind<"pci/bar_b/regs">(regs_b) == bind_status::ok);
    REQUIRE(as.bind<"pci/bar_b/msix">(msix) == bind_status::ok);
    REQUIRE(as.bind<"pci/cfg">(cfg) == bind_status::ok);
    REQUIRE(as.bind<"pci/low">(low) == bind_status::ok);
    REQUIRE(as.bind<"hider">(hider) == bind_status::ok);
    REQUIRE(as.bind<"pci/tiny">(tiny) == bind_status::ok);
    REQUIRE(as.add_listener(backend).ok());
  }
};
}  // namespace

TEST_CASE("a slot answers where it is placed, and only there", "[slots]") {
  rig r;
  CHECK(r.as.read(pci + 0x10000, 4).status == access_status::decode_error);
  REQUIRE(r.as.transaction().place_in_window<"pci/bar_a">(0x10000).commit().ok());
  CHECK(r.as.read(pci + 0x10000 + 8, 4).value == ((1ULL << 24) | 8));
  CHECK(r.as.placement<"pci/bar_a">() == slot_placement{pci + 0x10000, true, true});
  REQUIRE(r.as.transaction().place_in_window<"pci/bar_a">(0x40000).commit().ok());
  CHECK(r.as.read(pci + 0x10000 + 8, 4).status == access_status::decode_error);
  CHECK(r.as.read(pci + 0x40000 + 8, 4).value == ((1ULL << 24) | 8));
  // Passthrough inside a slot: host memory at the slot's offset.
  CHECK(r.as.write(pci + 0x40000 + 8_KiB + 3, 1, 0x5A) == access_status::ok);
  CHECK(r.mem[3] == std::byte{0x5A});
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("enable and disable keep the base", "[slots]") {
  rig r;
  REQUIRE(r.as.transaction().place_in_window<"pci/bar_b">(0x8000).commit().ok());
  REQUIRE(r.as.transaction().disable<"pci/bar_b">().commit().ok());
  CHECK(r.as.read(pci + 0x8000, 4).status == access_status::decode_error);
  CHECK(r.as.placement<"pci/bar_b">() == slot_placement{pci + 0x8000, false, true});
  REQUIRE(r.as.transaction().enable<"pci/bar_b">().commit().ok());
  CHECK(r.as.read(pci + 0x8000 + 4_KiB, 4).value == (3ULL << 24));
}

TEST_CASE("refused commits change nothing and tell no listener", "[slots]") {
  rig r;
  REQUIRE(r.as.transaction().place_in_window<"pci/bar_a">(0x10000).commit().ok());
  const auto before = r.backend.ranges;
  const std::size_t events = r.backend.events;
  auto refused = [&](commit_result c, commit_error e) {
    CHECK(c.error == e);
    CHECK(r.backend.events == events);
    CHECK(r.backend.ranges == before);
    CHECK(r.as.placement<"pci/bar_a">() == slot_placement{pci + 0x10000, true, true});
    CHECK(r.as.read(pci + 0x10000, 4).ok());
  };
  SECTION("misaligned") {
    const auto c = r.as.transaction()
                       .place_in_window<"pci/bar_a">(0x2000)
                       .place_in_window<"pci/bar_b">(0x20000)
                       .commit();
    refused(c, commit_error::slot_misaligned);
    CHECK(c.a == detail::find_path(nodes_v<sys>, "pci/bar_a"));  // names the slot
    CHECK(c.last == 16_KiB);
    CHECK_FALSE(r.as.placement<"pci/bar_b">().enabled);  // the valid half did not apply
  }
  SECTION("outside the window") {
    refused(r.as.transaction().place_in_window<"pci/bar_a">(64_MiB).commit(),
            commit_error::slot_outside_window);
    refused(r.as.transaction().place_in_window<"pci/bar_a">(~addr_t{0} & ~(16_KiB - 1)).commit(),
            commit_error::slot_outside_window);
  }
  SECTION("a tie under tie_policy::reject names both regions") {
    const auto c = r.as.transaction().place_in_window<"pci/bar_b">(0x10000).commit();
    refused(c, commit_error::ambiguous_overlap);
    CHECK(c.a == detail::find_path(nodes_v<sys>, "pci/bar_a"));
    CHECK(c.b == detail::find_path(nodes_v<sys>, "pci/bar_b"));
    CHECK(c.lo == pci + 0x10000);
  }
}

TEST_CASE("priorities between slots, and ties by declaration order", "[slots]") {
  rig r;
  // bar_b (declaration_order) and big (priority 2) overlap: big wins where it is.
  REQUIRE(r.as.transaction()
              .place_in_window<"pci/bar_b">(0x100000)
              .place_in_window<"pci/big">(0x100000)
              .commit()
              .ok());
  CHECK(r.as.leaf_at(pci + 0x100000) == detail::find_path(nodes_v<sys>, "pci/big"));
  // big elsewhere: bar_b shows again.
  REQUIRE(r.as.transaction().place_in_window<"pci/big">(0x200000).commit().ok());
  CHECK(r.as.read(pci + 0x100000, 4).value == (2ULL << 24));
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("a slot against its window's static content", "[slots]") {
  rig r;
  SECTION("higher static priority hides the slot; lower shows around it") {
    REQUIRE(r.as.transaction().place_in_window<"pci/bar_b">(0).commit().ok());
    CHECK(r.as.read(pci + 0, 4).value == (4ULL << 24));      // cfg, priority 1
    CHECK(r.as.read(pci + 4_KiB, 4).value == (3ULL << 24));  // msix of bar_b
    REQUIRE(r.as.transaction().place_in_window<"pci/bar_b">(32_MiB).commit().ok());
    CHECK(r.as.read(pci + 32_MiB, 4).value == (2ULL << 24));  // bar_b over "low"
    CHECK(r.as.read(pci + 32_MiB + 16_KiB, 4).value == ((5ULL << 24) | 16_KiB));  // low again
  }
  SECTION("hidden by a region outside the window") {
    REQUIRE(r.as.transaction().place_in_window<"pci/big">(60_MiB).commit().ok());
    CHECK(r.as.read(pci + 60_MiB, 4).value == (6ULL << 24));  // hider wins
  }
  SECTION("equal priority with static content: declaration order (cfg was declared first)") {
    REQUIRE(r.as.transaction().place_in_window<"pci/tiny">(0).commit().ok());
    CHECK(r.as.read(pci + 0, 4).value == (4ULL << 24));
  }
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("events: minimal, dels before adds, host pointers and attributes", "[slots]") {
  struct recorder final : map_listener {
    std::vector<std::pair<bool, map_event>> log;
    void region_del(const map_event& e) override { log.push_back({false, e}); }
    void region_add(const map_event& e) override { log.push_back({true, e}); }
  } rec;
  rig r;
  REQUIRE(r.as.add_listener(rec).ok());
  CHECK(rec.log.size() == r.backend.ranges.size());  // told the current map at once
  rec.log.clear();
  REQUIRE(r.as.transaction().place_in_window<"pci/big">(0x100000).commit().ok());
  REQUIRE(rec.log.size() == 1);
  CHECK(rec.log[0].first);
  CHECK(rec.log[0].second.lo == pci + 0x100000);
  CHECK(rec.log[0].second.size() == 1_MiB);
  CHECK(rec.log[0].second.host == r.big.data());
  CHECK(rec.log[0].second.attrs.vfio_owned);
  CHECK(rec.log[0].second.kind == region_kind::passthrough);
  rec.log.clear();
  // Re-placing at the same base changes nothing: no event.
  REQUIRE(r.as.transaction().place_in_window<"pci/big">(0x100000).commit().ok());
  CHECK(rec.log.empty());
  // "tiny" (priority 1) over "low" (priority -1): low's range is split; dels come first.
  rec.log.clear();
  REQUIRE(r.as.transaction().place_in_window<"pci/tiny">(32_MiB + 64_KiB).commit().ok());
  REQUIRE(rec.log.size() == 4);
  CHECK_FALSE(rec.log[0].first);
  CHECK(rec.log[0].second.lo == pci + 32_MiB);
  CHECK(rec.log[0].second.size() == 1_MiB);
  CHECK(rec.log[1].first);
  CHECK(rec.log[1].second.size() == 64_KiB);
  CHECK(rec.log[2].first);
  CHECK(rec.log[2].second.leaf == detail::find_path(nodes_v<sys>, "pci/tiny"));
  CHECK(rec.log[3].first);
  CHECK(rec.log[3].second.lo == pci + 32_MiB + 68_KiB);
  CHECK(rec.log[3].second.offset == 68_KiB);
}

TEST_CASE("a multi-slot transaction is one commit", "[slots]") {
  rig r;
  const auto c = r.as.transaction()
                     .place_in_window<"pci/bar_a">(0x10000)
                     .place_in_window<"pci/bar_b">(0x20000)
                     .place_in_window<"cxl/dpa">(0)
                     .commit();
  REQUIRE(c.ok());
  CHECK(r.as.read(pci + 0x10000, 4).ok());
  CHECK(r.as.read(pci + 0x20000, 4).ok());
  CHECK(r.as.read(512_MiB, 4).status == access_status::unbound);  // dpa placed, not bound
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("random commits: judged by a literal oracle, replayed onto a backend",
          "[slots][property]") {
  using namespace prop;
  const char* env = std::getenv("MMIOTREE_SEED");
  const std::uint64_t seed = env ? std::strtoull(env, nullptr, 0) : 0xC0FFEE;
  INFO("seed " << seed << " (set MMIOTREE_SEED to replay)");
  std::mt19937_64 rng(seed);
  model m(sys_desc);
  traced_rig r(m);
  compare(r, m, {}, rng);
  for (int step = 0; step < 3000; ++step) random_commit(r, m, rng, step);
  std::cout << "random commits: " << r.through_aliases << " probes saw a slot through an alias\n";
  CHECK(r.through_aliases > 0);
}

// ---- Ties under a cover, and ties only on bytes both claim (DESIGN §2.2) -------------------
namespace {
// clang-format off
using ties_tree = container<"h", 1_GiB,
    at<0, container<"win", 64_MiB,
        at<0, io<"a", 64_KiB>>,                                // priority 0
        at<0, io<"over", 16_KiB>, 2>,                           // covers the first 16 KiB of "a"
        at<32_MiB, io<"b", 64_KiB>>,                            // priority 0, under "outside"
        at<40_MiB + 8_KiB, io<"c", 4_KiB>>,                     // priority 0, in the open
        slot<io<"s", 4_KiB>>,                                   // priority 0, tie_policy::reject
        slot<container<"dev", 16_KiB, at<0, io<"r", 4_KiB>>>>>>,  // a hole from 4 KiB on
    at<32_MiB, io<"outside", 1_MiB>, 1>>;
// clang-format on
}  // namespace

// A slot and static content of its window at equal priority are siblings that tie, even where
// something of higher priority hides both — a static sibling above them, or a region outside
// the window above the window — just as two slots tie under the same cover (that commit is
// refused), and as two static siblings would (check_layout refuses them whatever covers them).
// Until 2026-12 the library accepted these: a window's level map (layout/slots.hpp) kept one
// number per byte, the highest priority there or "hidden", so the equal priority below was not
// seen; each level interval now lists every priority its static content has.
TEST_CASE("a tie with static content under a higher sibling is refused", "[slots]") {
  address_space<ties_tree> as;
  const commit_result c = as.transaction().place_in_window<"win/s">(4_KiB).commit();
  CHECK(c.error == commit_error::ambiguous_overlap);
  CHECK(c.a == detail::find_path(nodes_v<ties_tree>, "win/s"));  // names the slot...
  CHECK(c.b == detail::find_path(nodes_v<ties_tree>, "win/a"));  // ...and what it ties with
  CHECK(c.lo == 4_KiB);
  CHECK(c.last == 8_KiB - 1);
  CHECK_FALSE(as.placement<"win/s">().enabled);
}

TEST_CASE("a tie with static content hidden from outside the window is refused", "[slots]") {
  address_space<ties_tree> as;
  const commit_result c = as.transaction().place_in_window<"win/s">(32_MiB).commit();
  CHECK(c.error == commit_error::ambiguous_overlap);
  CHECK(c.b == detail::find_path(nodes_v<ties_tree>, "win/b"));
  // Placed clear of "b" it is fine, under the same cover.
  CHECK(as.transaction().place_in_window<"win/s">(32_MiB + 64_KiB).commit().ok());
}

// Ties are judged by the bytes both regions claim (docs/design.md "The tie rule"), at commit
// as at compile time: slots whose extents meet only where one has a hole do not tie, nor does
// a slot placed in a hole of the window's static content of its priority.
TEST_CASE("slots that meet only in a hole do not tie", "[slots]") {
  address_space<ties_tree> as;
  // "dev" has content only in its first 4 KiB; "s" at 8 KiB into it meets only its hole.
  REQUIRE(as.transaction()
              .place_in_window<"win/dev">(1_MiB)
              .place_in_window<"win/s">(1_MiB + 8_KiB)
              .commit()
              .ok());
  CHECK(as.leaf_at(1_MiB) == detail::find_path(nodes_v<ties_tree>, "win/dev/r"));
  CHECK(as.leaf_at(1_MiB + 8_KiB) == detail::find_path(nodes_v<ties_tree>, "win/s"));
  CHECK(as.leaf_at(1_MiB + 4_KiB) == npos);  // the hole, "dev"'s and the window's
  // Moved onto "dev"'s content, "s" ties over exactly the bytes both claim.
  const commit_result c = as.transaction().place_in_window<"win/s">(1_MiB).commit();
  CHECK(c.error == commit_error::ambiguous_overlap);
  CHECK(c.lo == 1_MiB);
  CHECK(c.last == 1_MiB + 4_KiB - 1);
  CHECK(as.placement<"win/s">().base == 1_MiB + 8_KiB);  // refused: nothing changed
}

TEST_CASE("a slot with a hole over static content of its priority ties only on its bytes",
          "[slots]") {
  address_space<ties_tree> as;
  // "dev" (16 KiB, content in its first 4) at 40 MiB meets "c" ([40 MiB + 8, + 12) KiB,
  // priority 0) only in its hole: accepted, and each answers for its own bytes.
  REQUIRE(as.transaction().place_in_window<"win/dev">(40_MiB).commit().ok());
  CHECK(as.leaf_at(40_MiB) == detail::find_path(nodes_v<ties_tree>, "win/dev/r"));
  CHECK(as.leaf_at(40_MiB + 8_KiB) == detail::find_path(nodes_v<ties_tree>, "win/c"));
  CHECK(as.leaf_at(40_MiB + 4_KiB) == npos);
  // Over "a" ([0, 64) KiB, priority 0) at 48 KiB its content ties — over those 4 KiB only.
  const commit_result c = as.transaction().place_in_window<"win/dev">(48_KiB).commit();
  CHECK(c.error == commit_error::ambiguous_overlap);
  CHECK(c.a == detail::find_path(nodes_v<ties_tree>, "win/dev"));
  CHECK(c.b == detail::find_path(nodes_v<ties_tree>, "win/a"));
  CHECK(c.lo == 48_KiB);
  CHECK(c.last == 52_KiB - 1);
  CHECK(as.placement<"win/dev">().base == 40_MiB);  // refused: nothing changed
}

// A keep_separate passthrough in a slot stays one range per occurrence in the live map, even
// where a lower-priority slot under it cuts its extent. Until 2026-12 the window's overlay
// emitted it in three ranges (cut at the hidden slot's edges): a backend would have made three
// mappings of one region, and unmapped them one by one.
namespace {
// clang-format off
using separate = container<"m", 1_GiB,
    at<0, container<"win", 16_MiB,
        slot<passthrough<"mem", 64_KiB, access::any, merge_policy::keep_separate>, 1>,
        slot<io<"under", 4_KiB>>>>>;
// clang-format on
}  // namespace

TEST_CASE("a keep_separate leaf in a slot stays one range over a hidden slot", "[slots]") {
  struct recorder final : map_listener {
    std::vector<map_event> adds;
    void region_del(const map_event&) override {}
    void region_add(const map_event& e) override { adds.push_back(e); }
  } rec;
  std::vector<std::byte> mem(64_KiB);
  address_space<separate> as;
  REQUIRE(as.bind<"win/mem">(mem) == bind_status::ok);
  REQUIRE(as.add_listener(rec).ok());
  REQUIRE(rec.adds.empty());  // nothing placed yet
  REQUIRE(as.transaction()
              .place_in_window<"win/mem">(1_MiB)
              .place_in_window<"win/under">(1_MiB + 16_KiB)
              .commit()
              .ok());
  REQUIRE(rec.adds.size() == 1);  // "under" is hidden whole
  CHECK(rec.adds[0].lo == 1_MiB);
  CHECK(rec.adds[0].size() == 64_KiB);
  CHECK(rec.adds[0].host == mem.data());
  recorder replayed;
  REQUIRE(as.add_listener(replayed).ok());
  REQUIRE(replayed.adds.size() == 1);
  CHECK(replayed.adds[0].size() == 64_KiB);
}

namespace {
// A slot whose own content splits a leaf: "big" is cut in two by "mid" (priority 1), so the
// slot's flat view has three ranges from two leaves — more ranges than leaves, which the
// compile-time tables must hold (they are sized by a bound, 2m + 1, then trimmed).
using split_dev =
    container<"dev", 64_KiB, at<0, io<"big", 64_KiB>>, at<16_KiB, io<"mid", 4_KiB>, 1>>;
using split_sys = container<"m", 1_GiB, at<0, container<"win", 1_MiB, slot<split_dev>>>>;
}  // namespace

TEST_CASE("a slot's own flat view may have more ranges than leaves", "[slots]") {
  // Written from the layout: big [0, 16 KiB), mid [16 KiB, 20 KiB), big again from 20 KiB
  // (offset 20 KiB into it) to the end.
  constexpr auto& t = slot_tables_v<split_sys>;
  STATIC_REQUIRE(t.slots.size() == 1);
  STATIC_REQUIRE(t.ranges.size() == 3);
  STATIC_REQUIRE(t.slots[0].range_count == 3);
  constexpr node_index big = 3, mid = 4;  // pre-order: m, win, dev, big, mid
  CHECK(t.ranges[0] == flat_range{0, 16_KiB - 1, big, 0});
  CHECK(t.ranges[1] == flat_range{16_KiB, 20_KiB - 1, mid, 0});
  CHECK(t.ranges[2] == flat_range{20_KiB, 64_KiB - 1, big, 20_KiB});
  // And the dispatcher follows them where the slot is placed.
  tag_io hb{1}, hm{2};
  address_space<split_sys> as;
  REQUIRE(as.bind<"win/dev/big">(hb) == bind_status::ok);
  REQUIRE(as.bind<"win/dev/mid">(hm) == bind_status::ok);
  REQUIRE(as.transaction().place_in_window<"win/dev">(128_KiB).commit().ok());
  CHECK(as.read(128_KiB + 8, 4).value == ((1ULL << 24) | 8));
  CHECK(as.read(128_KiB + 16_KiB + 8, 4).value == ((2ULL << 24) | 8));
  CHECK(as.read(128_KiB + 24_KiB, 4).value == ((1ULL << 24) | 24_KiB));
}

// Compile time and commit time apply one tie rule (docs/design.md "The tie rule"): a slot placed
// at p ties with the window's static content exactly when check_layout refuses the same tree
// with that slot declared statically at p (`at<p>`, same priority) — at every 4 KiB-aligned
// place in the window, over a static sibling with holes, a higher and a lower one.
namespace {
// clang-format off
using agree = container<"m", 1_MiB,
    at<0, container<"win", 256_KiB,
        at<0x00000, container<"st", 64_KiB,                       // priority 0, with holes
            at<0, io<"r0", 4_KiB>>, at<16_KiB, io<"r1", 8_KiB>>, at<40_KiB, io<"r2", 4_KiB>>>>,
        at<0x10000, io<"hi", 4_KiB>, 1>,
        at<0x20000, io<"lo", 16_KiB>, -1>,
        slot<container<"s", 16_KiB, at<0, io<"a", 4_KiB>>, at<8_KiB, io<"b", 2_KiB>>>, 0,
             4_KiB>>>>;
// clang-format on
}  // namespace

TEST_CASE("a slot's ties at commit are the ties check_layout finds with the slot made static",
          "[slots]") {
  const node_index s = detail::find_path(nodes_v<agree>, "win/s");
  std::size_t ties = 0, clear = 0;
  for (addr_t p = 0; p + 16_KiB <= 256_KiB; p += 4_KiB) {
    INFO("the slot at 0x" << std::hex << p);
    address_space<agree> as;
    const commit_result c = as.transaction().place_in_window<"win/s">(p).commit();
    std::vector<node> fixed(nodes_v<agree>.begin(), nodes_v<agree>.end());
    fixed[s].dynamic = false;
    fixed[s].offset = p;
    const layout_check k = check_layout(fixed);
    if (k.ok()) {
      CHECK(c.ok());
      ++clear;
      continue;
    }
    ++ties;
    REQUIRE(k.error == layout_error::siblings_overlap);
    REQUIRE(c.error == commit_error::ambiguous_overlap);
    CHECK((k.a == s || k.b == s));
    CHECK(c.a == s);
    // Commit names a leaf of the sibling it ties with; check_layout the sibling itself.
    const node_index other = k.a == s ? k.b : k.a;
    CHECK(c.b >= other);
    CHECK(c.b < fixed[other].end);
    // The same first contested byte; commit's run lies inside check_layout's.
    CHECK(c.lo == k.lo);
    CHECK(c.last <= k.last);
  }
  // Both outcomes occur, including placements that meet "st" only in holes.
  CHECK(ties > 0);
  CHECK(clear > 16);
}
