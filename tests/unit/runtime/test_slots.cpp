// Slots: placement by transactions, tie policies, refused commits, listener events, and a
// property test replaying random commits onto a model backend against a literal oracle.
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using bar_a =
    container<"bar_a", 16_KiB, at<0, io<"regs", 4_KiB>>, at<8_KiB, passthrough<"mem", 4_KiB>>>;
using bar_b = container<"bar_b", 16_KiB, at<0, io<"regs", 4_KiB>>, at<4_KiB, io<"msix", 4_KiB>>>;
// clang-format off
using sys = container<"sys", 1_GiB,
    at<0, passthrough<"ram", 1_MiB>>,
    at<256_MiB, container<"pci", 64_MiB,
        at<0, io<"cfg", 4_KiB>, 1>,           // beats priority-0 slots, ties with "tiny"
        at<32_MiB, io<"low", 1_MiB>, -1>,     // loses to every slot
        slot<bar_a, 0, 0, tie_policy::reject>,
        slot<bar_b, 0, 0, tie_policy::declaration_order>,
        slot<passthrough<"big", 1_MiB>, 2, 0, tie_policy::declaration_order>,
        slot<io<"tiny", 4_KiB>, 1, 0, tie_policy::declaration_order>>>,
    at<256_MiB + 60_MiB, io<"hider", 1_MiB>, 1>,  // hides the top of the window
    at<512_MiB, container<"cxl", 256_MiB, slot<passthrough<"dpa", 256_MiB>>>>>;
// clang-format on
constexpr addr_t pci = 256_MiB;

/// A handler that answers its own identity.
struct tag_io {
  std::uint64_t id;
  std::uint64_t read(addr_t off, unsigned) const { return (id << 24) | off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

/// A backend that mirrors the map from events, and checks them as it goes: a del names
/// exactly a range it has, an add lands on free space.
struct model_backend {
  std::map<addr_t, map_event> ranges;
  std::size_t events = 0;
  bool adding = false;
  bool broken = false;
  void region_del(const map_event& e) {
    ++events;
    if (adding) broken = true;  // a del after an add
    auto it = ranges.find(e.lo);
    if (it == ranges.end() || !(it->second == e))
      broken = true;
    else
      ranges.erase(it);
  }
  void region_add(const map_event& e) {
    ++events;
    adding = true;
    auto it = ranges.lower_bound(e.lo);
    if (it != ranges.end() && it->first <= e.last) broken = true;
    if (it != ranges.begin() && std::prev(it)->second.last >= e.lo) broken = true;
    ranges[e.lo] = e;
  }
  void end_commit() { adding = false; }
  /// The leaf and offset at `a`, or npos.
  std::pair<node_index, addr_t> at(addr_t a) const {
    auto it = ranges.upper_bound(a);
    if (it == ranges.begin()) return {npos, 0};
    --it;
    if (it->second.last < a) return {npos, 0};
    return {it->second.leaf, it->second.offset + (a - it->second.lo)};
  }
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
    as.bind<"pci/bar_a/regs">(regs_a);
    as.bind<"pci/bar_b/regs">(regs_b);
    as.bind<"pci/bar_b/msix">(msix);
    as.bind<"pci/cfg">(cfg);
    as.bind<"pci/low">(low);
    as.bind<"hider">(hider);
    as.bind<"pci/tiny">(tiny);
    as.replay(backend);
    backend.end_commit();
  }
};
}  // namespace

TEST_CASE("a slot answers where it is placed, and only there", "[slots]") {
  rig r;
  CHECK(r.as.read(pci + 0x10000, 4).status == access_status::decode_error);
  REQUIRE(r.as.begin().place<"pci/bar_a">(0x10000).commit(r.backend).ok());
  CHECK(r.as.read(pci + 0x10000 + 8, 4).value == ((1ULL << 24) | 8));
  CHECK(r.as.placement<"pci/bar_a">() == slot_placement{0x10000, true});
  r.backend.end_commit();
  REQUIRE(r.as.begin().place<"pci/bar_a">(0x40000).commit(r.backend).ok());
  CHECK(r.as.read(pci + 0x10000 + 8, 4).status == access_status::decode_error);
  CHECK(r.as.read(pci + 0x40000 + 8, 4).value == ((1ULL << 24) | 8));
  // Passthrough inside a slot: host memory at the slot's offset.
  CHECK(r.as.write(pci + 0x40000 + 8_KiB + 3, 1, 0x5A) == access_status::ok);
  CHECK(r.mem[3] == std::byte{0x5A});
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("enable and disable keep the base", "[slots]") {
  rig r;
  REQUIRE(r.as.begin().place<"pci/bar_b">(0x8000).commit(r.backend).ok());
  r.backend.end_commit();
  REQUIRE(r.as.begin().disable<"pci/bar_b">().commit(r.backend).ok());
  CHECK(r.as.read(pci + 0x8000, 4).status == access_status::decode_error);
  CHECK(r.as.placement<"pci/bar_b">() == slot_placement{0x8000, false});
  r.backend.end_commit();
  REQUIRE(r.as.begin().enable<"pci/bar_b">().commit(r.backend).ok());
  CHECK(r.as.read(pci + 0x8000 + 4_KiB, 4).value == (3ULL << 24));
}

TEST_CASE("refused commits change nothing and tell no listener", "[slots]") {
  rig r;
  REQUIRE(r.as.begin().place<"pci/bar_a">(0x10000).commit(r.backend).ok());
  r.backend.end_commit();
  const auto before = r.backend.ranges;
  const std::size_t events = r.backend.events;
  auto refused = [&](commit_result c, commit_error e) {
    CHECK(c.error == e);
    CHECK(r.backend.events == events);
    CHECK(r.backend.ranges == before);
    CHECK(r.as.placement<"pci/bar_a">() == slot_placement{0x10000, true});
    CHECK(r.as.read(pci + 0x10000, 4).ok());
  };
  SECTION("misaligned") {
    const auto c =
        r.as.begin().place<"pci/bar_a">(0x2000).place<"pci/bar_b">(0x20000).commit(r.backend);
    refused(c, commit_error::slot_misaligned);
    CHECK(c.a == detail::find_path(nodes_v<sys>, "pci/bar_a"));  // names the slot
    CHECK(c.last == 16_KiB);
    CHECK_FALSE(r.as.placement<"pci/bar_b">().enabled);  // the valid half did not apply
  }
  SECTION("outside the window") {
    refused(r.as.begin().place<"pci/bar_a">(64_MiB).commit(r.backend),
            commit_error::slot_outside_window);
    refused(r.as.begin().place<"pci/bar_a">(~addr_t{0} & ~(16_KiB - 1)).commit(r.backend),
            commit_error::slot_outside_window);
  }
  SECTION("a tie under tie_policy::reject names both regions") {
    const auto c = r.as.begin().place<"pci/bar_b">(0x10000).commit(r.backend);
    refused(c, commit_error::ambiguous_overlap);
    CHECK(c.a == detail::find_path(nodes_v<sys>, "pci/bar_a"));
    CHECK(c.b == detail::find_path(nodes_v<sys>, "pci/bar_b"));
    CHECK(c.lo == pci + 0x10000);
  }
}

TEST_CASE("priorities between slots, and ties by declaration order", "[slots]") {
  rig r;
  // bar_b (declaration_order) and big (priority 2) overlap: big wins where it is.
  REQUIRE(
      r.as.begin().place<"pci/bar_b">(0x100000).place<"pci/big">(0x100000).commit(r.backend).ok());
  CHECK(r.as.leaf_at(pci + 0x100000) == detail::find_path(nodes_v<sys>, "pci/big"));
  r.backend.end_commit();
  // big elsewhere: bar_b shows again.
  REQUIRE(r.as.begin().place<"pci/big">(0x200000).commit(r.backend).ok());
  CHECK(r.as.read(pci + 0x100000, 4).value == (2ULL << 24));
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("a slot against its window's static content", "[slots]") {
  rig r;
  SECTION("higher static priority hides the slot; lower shows around it") {
    REQUIRE(r.as.begin().place<"pci/bar_b">(0).commit(r.backend).ok());
    CHECK(r.as.read(pci + 0, 4).value == (4ULL << 24));      // cfg, priority 1
    CHECK(r.as.read(pci + 4_KiB, 4).value == (3ULL << 24));  // msix of bar_b
    r.backend.end_commit();
    REQUIRE(r.as.begin().place<"pci/bar_b">(32_MiB).commit(r.backend).ok());
    CHECK(r.as.read(pci + 32_MiB, 4).value == (2ULL << 24));  // bar_b over "low"
    CHECK(r.as.read(pci + 32_MiB + 16_KiB, 4).value == ((5ULL << 24) | 16_KiB));  // low again
  }
  SECTION("hidden by a region outside the window") {
    REQUIRE(r.as.begin().place<"pci/big">(60_MiB).commit(r.backend).ok());
    CHECK(r.as.read(pci + 60_MiB, 4).value == (6ULL << 24));  // hider wins
  }
  SECTION("equal priority with static content: declaration order (cfg was declared first)") {
    REQUIRE(r.as.begin().place<"pci/tiny">(0).commit(r.backend).ok());
    CHECK(r.as.read(pci + 0, 4).value == (4ULL << 24));
  }
  CHECK_FALSE(r.backend.broken);
}

TEST_CASE("events: minimal, dels before adds, host pointers and attributes", "[slots]") {
  struct recorder {
    std::vector<std::pair<bool, map_event>> log;
    void region_del(const map_event& e) { log.push_back({false, e}); }
    void region_add(const map_event& e) { log.push_back({true, e}); }
  } rec;
  rig r;
  REQUIRE(r.as.begin().place<"pci/big">(0x100000).commit(rec).ok());
  REQUIRE(rec.log.size() == 1);
  CHECK(rec.log[0].first);
  CHECK(rec.log[0].second.lo == pci + 0x100000);
  CHECK(rec.log[0].second.size() == 1_MiB);
  CHECK(rec.log[0].second.host == r.big.data());
  CHECK(rec.log[0].second.attrs.vfio_owned);
  CHECK(rec.log[0].second.kind == region_kind::passthrough);
  rec.log.clear();
  // Re-placing at the same base changes nothing: no event.
  REQUIRE(r.as.begin().place<"pci/big">(0x100000).commit(rec).ok());
  CHECK(rec.log.empty());
  // "tiny" (priority 1) over "low" (priority -1): low's range is split; dels come first.
  rec.log.clear();
  REQUIRE(r.as.begin().place<"pci/tiny">(32_MiB + 64_KiB).commit(rec).ok());
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
  const auto c = r.as.begin()
                     .place<"pci/bar_a">(0x10000)
                     .place<"pci/bar_b">(0x20000)
                     .place<"cxl/dpa">(0)
                     .commit(r.backend);
  REQUIRE(c.ok());
  CHECK(r.as.read(pci + 0x10000, 4).ok());
  CHECK(r.as.read(pci + 0x20000, 4).ok());
  CHECK(r.as.read(512_MiB, 4).status == access_status::unbound);  // dpa placed, not bound
  CHECK_FALSE(r.backend.broken);
}

namespace {
/// The oracle: the rule of DESIGN §2.2 read literally on a copy of the descriptors in which
/// every enabled slot is an ordinary child at its base and every disabled slot is absent.
/// Ties between siblings of equal priority go to the one declared first.
struct oracle {
  std::vector<node> n;
  std::pair<node_index, addr_t> visible(node_index i, addr_t x) const {
    const node& v = n[i];
    if (is_leaf(v.kind)) return {i, x};
    if (v.kind == region_kind::alias) return visible(v.alias_target, x + v.alias_offset);
    std::vector<node_index> c;
    for (node_index k = i + 1; k < v.end; k = n[k].end)
      if (!n[k].dynamic) c.push_back(k);
    std::stable_sort(c.begin(), c.end(),
                     [&](node_index a, node_index b) { return n[a].priority > n[b].priority; });
    for (node_index k : c) {
      if (x < n[k].offset || x - n[k].offset >= n[k].size) continue;
      const auto r = visible(k, x - n[k].offset);
      if (r.first != npos) return r;
    }
    return {npos, 0};
  }
};
}  // namespace

TEST_CASE("random commits replayed onto a backend reproduce the oracle's map",
          "[slots][property]") {
  const char* env = std::getenv("MMIOTREE_SEED");
  const std::uint64_t seed = env ? std::strtoull(env, nullptr, 0) : 0xC0FFEE;
  INFO("seed " << seed << " (set MMIOTREE_SEED to replay)");
  std::mt19937_64 rng(seed);
  rig r;
  constexpr auto& tables = slot_tables_v<sys>;
  std::size_t ok = 0, refused = 0, checks = 0;
  for (int step = 0; step < 1500; ++step) {
    auto tx = r.as.begin();
    const int n = 1 + static_cast<int>(rng() % 2);
    for (int k = 0; k < n; ++k) {
      const std::uint64_t base_pick = rng() % 8;
      // Mostly aligned bases in a small area so slots meet each other and the static content.
      const addr_t base = base_pick == 0
                              ? rng() % (64_MiB)
                              : (rng() % 48) * 16_KiB + (base_pick == 1 ? 32_MiB - 64_KiB : 0);
      const bool on = rng() % 5 != 0;
      switch (rng() % 5) {
        case 0: on ? (void)tx.place<"pci/bar_a">(base) : (void)tx.disable<"pci/bar_a">(); break;
        case 1: on ? (void)tx.place<"pci/bar_b">(base) : (void)tx.disable<"pci/bar_b">(); break;
        case 2:
          on ? (void)tx.place<"pci/big">(base & ~(1_MiB - 1)) : (void)tx.disable<"pci/big">();
          break;
        case 3:
          on ? (void)tx.place<"pci/tiny">(base & ~(4_KiB - 1)) : (void)tx.disable<"pci/tiny">();
          break;
        default: on ? (void)tx.place<"cxl/dpa">(0) : (void)tx.disable<"cxl/dpa">(); break;
      }
    }
    const auto before = r.backend.ranges;
    const commit_result c = tx.commit(r.backend);
    r.backend.end_commit();
    REQUIRE_FALSE(r.backend.broken);
    if (!c.ok()) {
      ++refused;
      REQUIRE(r.backend.ranges == before);
      continue;
    }
    ++ok;
    // Build the oracle's tree from the placements.
    oracle o{std::vector<node>(nodes_v<sys>.begin(), nodes_v<sys>.end())};
    std::vector<addr_t> probes;
    for (std::uint32_t s = 0; s < tables.slots.size(); ++s) {
      const slot_desc& d = tables.slots[s];
      const slot_placement p = r.as.placement_of_slot(s);
      if (!p.enabled) continue;
      o.n[d.node].dynamic = false;
      o.n[d.node].offset = p.base;
      const addr_t lo = tables.windows[d.window_index].lo + p.base;
      for (addr_t q :
           {lo, lo + d.size - 1, lo + d.size, lo - 1, lo + 4_KiB, lo + 8_KiB, lo + 12_KiB})
        probes.push_back(q);
    }
    for (const auto& [lo, e] : r.backend.ranges) {
      probes.push_back(lo);
      probes.push_back(e.last);
      probes.push_back(e.last + 1);
    }
    for (addr_t p : probes) {
      if (p >= 1_GiB) continue;
      const auto want = o.visible(0, p);
      const auto got = r.backend.at(p);
      INFO("step " << step << " address " << std::hex << p);
      REQUIRE(got == want);
      REQUIRE(r.as.leaf_at(p) == want.first);
      ++checks;
    }
  }
  CHECK(ok > 500);
  CHECK(refused > 50);
  CHECK(checks > 10000);
}
