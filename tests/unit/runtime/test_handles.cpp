// Slot handles, listeners owned by the space, guest-physical placement, and page-granular
// events (issue 9, points 1-3).
//
// The page-granular listener is checked against the rule applied, page by page, to the map an
// exact listener of the same space holds: each page is mapped when all its bytes lie in one
// range of a bound passthrough leaf whose host offset there is page-aligned, trapped when it
// holds any other leaf byte, absent when it holds none; consecutive trapped pages are one span
// when one range carries trapped bytes across their common boundary.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/slot_handle.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

// A device's BAR: registers, and device memory behind them at an offset that is page-aligned
// for 4 KiB pages but not for 64 KiB ones.
using dev_bar =
    container<"bar", 64_KiB, at<0, io<"regs", 4_KiB>>, at<4_KiB, passthrough<"mem", 32_KiB>>>;
// Another shape (for the run-time shape check): same size, other content.
using other_bar = container<"bar", 64_KiB, at<0, io<"regs", 8_KiB>>>;

/// A device written once: it knows its BAR's layout, never the machine.
class device {
 public:
  explicit device(slot_ref<dev_bar> bar) : bar_(bar) {
    REQUIRE(bar_.bind<"regs">(regs_) == bind_status::ok);
    REQUIRE(bar_.bind<"mem">(mem_) == bind_status::ok);
  }
  commit_result bar_written(addr_t gpa) { return bar_.place(gpa); }
  commit_result decode(bool on) { return bar_.enable(on); }
  [[nodiscard]] const slot_ref<dev_bar>& bar() const { return bar_; }
  std::vector<std::byte> mem_ = std::vector<std::byte>(32_KiB, std::byte{0x5A});

 private:
  struct regs {
    std::uint64_t read(addr_t off, unsigned) { return 0xD0D0'0000 | off; }
    void write(addr_t, unsigned, std::uint64_t) {}
  };
  slot_ref<dev_bar> bar_;
  regs regs_;
};

// Two machines holding the same device type under different paths, windows and neighbours.
// Machine A holds two devices of the kind, named apart.
using machine_a =
    container<"a", 4_GiB, at<0, passthrough<"ram", 1_MiB>>,
              at<3_GiB, container<"pci", 256_MiB, slot<named<dev_bar, "bar0">>,
                                  slot<named<dev_bar, "bar1">>, slot<io<"tiny", 256>>>>>;
using machine_b = container<
    "b", 1_TiB,
    at<0x80'0000'0000, container<"hi", 16_GiB, slot<named<other_bar, "other">>, slot<dev_bar>>>>;

/// Mirrors the map from events and checks them as it goes.
struct mirror final : map_listener {
  std::map<addr_t, map_event> ranges;
  int begins = 0, ends = 0, events = 0;
  bool broken = false;
  void changes_begin() override { ++begins; }
  void changes_end() override { ++ends; }
  void region_del(const map_event& e) override {
    ++events;
    auto it = ranges.find(e.lo);
    if (it == ranges.end() || !(it->second == e))
      broken = true;
    else
      ranges.erase(it);
  }
  void region_add(const map_event& e) override {
    ++events;
    auto it = ranges.lower_bound(e.lo);
    if (it != ranges.end() && it->first <= e.last) broken = true;
    if (it != ranges.begin() && std::prev(it)->second.last >= e.lo) broken = true;
    ranges[e.lo] = e;
  }
};

}  // namespace

TEST_CASE("one device type works unchanged in two machines", "[handles]") {
  address_space<machine_a> a;
  address_space<machine_b> b;
  device da(a.slot<dev_bar, "pci/bar0">());
  device db(b.slot<dev_bar, "hi/bar">());
  REQUIRE(da.bar_written(3_GiB + 128_KiB).ok());
  REQUIRE(db.bar_written(0x80'0000'0000 + 1_GiB).ok());
  CHECK(a.read(3_GiB + 128_KiB + 0x10, 4).value == 0xD0D0'0010);
  CHECK(b.read(0x80'0000'0000 + 1_GiB + 0x10, 4).value == 0xD0D0'0010);
  // Device memory through the BAR: the device's own host memory.
  CHECK(a.read(3_GiB + 128_KiB + 4_KiB, 1).value == 0x5A);
  CHECK(a.write(3_GiB + 128_KiB + 4_KiB + 7, 1, 0x11) == access_status::ok);
  CHECK(da.mem_[7] == std::byte{0x11});
  CHECK(db.mem_[7] == std::byte{0x5A});
  // Where the handle says it is, guest-physical.
  CHECK(da.bar().placement() == slot_placement{3_GiB + 128_KiB, true, true});
  CHECK(da.bar().window() == window_extent{3_GiB, 3_GiB + 256_MiB - 1});
  REQUIRE(da.decode(false).ok());
  CHECK(a.read(3_GiB + 128_KiB + 0x10, 4).status == access_status::decode_error);
  CHECK(da.bar().placement() == slot_placement{3_GiB + 128_KiB, false, true});  // keeps its base
}

TEST_CASE("handles made at run time check the slot's shape", "[handles]") {
  address_space<machine_b> b;
  CHECK(b.slot_count() == 2);
  const auto bad = slot_ref<dev_bar>::of(b, slot_id{0});  // slot 0 is "other", an other_bar
  CHECK_FALSE(bad);
  const auto good = slot_ref<dev_bar>::of(b, slot_id{1});
  REQUIRE(good);
  CHECK(good.id() == address_space<machine_b>::slot_of<"hi/bar">());
  CHECK_FALSE(slot_ref<dev_bar>::of(b, slot_id{2}));  // no such slot
  CHECK(slot_ref<other_bar>::of(b, slot_id{0}));
  // A handle on a slot id the space lacks is empty and refuses to commit.
  const slot_handle none(b, slot_id{7});
  CHECK_FALSE(none);
  CHECK(none.place(0).error == commit_error::no_such_slot);
}

TEST_CASE(
    "a bind says what it did: an empty handle binds nothing, a leaf id of another kind is "
    "refused",
    "[handles]") {
  address_space<machine_b> b;
  struct counting {
    int calls = 0;
    std::uint64_t read(addr_t, unsigned) { return static_cast<std::uint64_t>(++calls); }
    void write(addr_t, unsigned, std::uint64_t) { ++calls; }
  } h;
  std::vector<std::byte> mem(32_KiB);
  // The ref found no slot of its shape: both kinds of bind say so and change nothing.
  const auto empty = slot_ref<dev_bar>::of(b, slot_id{0});
  REQUIRE_FALSE(empty);
  CHECK(empty.bind<"regs">(h) == bind_status::no_slot);
  CHECK(empty.bind<"mem">(mem) == bind_status::no_slot);
  const auto bar = b.slot<dev_bar, "hi/bar">();
  REQUIRE(bar.place(0x80'0000'0000).ok());
  CHECK(b.read(0x80'0000'0000, 4).status == access_status::unbound);
  CHECK(h.calls == 0);
  // A held slot binds, and the handler answers.
  CHECK(bar.bind<"regs">(h) == bind_status::ok);
  CHECK(b.read(0x80'0000'0000, 4) == read_result{1, access_status::ok});
  // By leaf id (dynamic_space): a handler for a passthrough leaf, memory for an io leaf, or a
  // leaf the space lacks is refused, and the binding in place stays.
  dynamic_space& dyn = b;
  const auto regs_leaf =
      static_cast<leaf_id>(nodes_v<machine_b>[node_index_v<machine_b, "hi/bar/regs">].leaf);
  const auto mem_leaf =
      static_cast<leaf_id>(nodes_v<machine_b>[node_index_v<machine_b, "hi/bar/mem">].leaf);
  counting other;
  CHECK(dyn.bind_handler(mem_leaf, detail::handler_binding<access::any>(other), {}) ==
        bind_status::not_a_handler_leaf);
  CHECK(dyn.bind_handler(static_cast<leaf_id>(leaf_count_v<machine_b>),
                         detail::handler_binding<access::any>(other),
                         {}) == bind_status::not_a_handler_leaf);
  CHECK(dyn.bind_memory(regs_leaf, mem, {}) == bind_status::not_a_slot_leaf);
  CHECK(b.read(0x80'0000'0000, 4) == read_result{2, access_status::ok});
  CHECK(other.calls == 0);
  CHECK(dyn.bind_handler(regs_leaf, detail::handler_binding<access::any>(other), {}) ==
        bind_status::ok);
  CHECK(b.read(0x80'0000'0000, 4) == read_result{1, access_status::ok});
  CHECK(other.calls == 1);
}

TEST_CASE("transactions take several slots, by id, handle or path", "[handles]") {
  address_space<machine_a> a;
  mirror m;
  REQUIRE(a.add_listener(m).ok());
  device d0(a.slot<dev_bar, "pci/bar0">());
  const slot_handle tiny = a.slot<"pci/tiny">();
  const int changes = m.begins;
  // All in one commit: one changes_begin/end pair.
  REQUIRE(a.transaction()
              .place(d0.bar(), 3_GiB)
              .place<"pci/tiny">(3_GiB + 64_KiB)
              .place_in_window(tiny, 128_KiB)  // a later op on the same slot wins
              .commit()
              .ok());
  CHECK(m.begins == changes + 1);
  CHECK(m.ends == m.begins);
  CHECK(a.placement<"pci/tiny">() == slot_placement{3_GiB + 128_KiB, true, true});
  CHECK_FALSE(m.broken);
  SECTION("too many changes") {
    mmiotree::transaction tx(a);
    for (std::size_t k = 0; k <= mmiotree::transaction::capacity; ++k) tx.enable(tiny);
    CHECK(tx.commit().error == commit_error::too_many_changes);
    CHECK(a.placement<"pci/tiny">() == slot_placement{3_GiB + 128_KiB, true, true});
  }
  SECTION("a handle of another space") {
    address_space<machine_b> b;
    CHECK(a.transaction().place(b.slot<"hi/bar">(), 3_GiB).commit().error ==
          commit_error::no_such_slot);
  }
  SECTION("an id the space lacks") {
    CHECK(a.transaction().enable(slot_id{3}).commit().error == commit_error::no_such_slot);
  }
}

TEST_CASE("placement is guest-physical, refusals name guest-physical addresses", "[handles]") {
  address_space<machine_a> a;
  const auto bar = a.slot<dev_bar, "pci/bar0">();
  const node_index node = a.slot_node(bar.id());
  CHECK(bar.place(3_GiB - 64_KiB) == commit_result{commit_error::slot_outside_window, node, npos,
                                                   3_GiB - 64_KiB, 3_GiB - 1});  // below the window
  CHECK(bar.place(3_GiB + 256_MiB) == commit_result{commit_error::slot_outside_window, node, npos,
                                                    3_GiB + 256_MiB,
                                                    3_GiB + 256_MiB + 64_KiB - 1});  // above it
  CHECK(bar.place(3_GiB + 4_KiB) ==
        commit_result{commit_error::slot_misaligned, node, npos, 3_GiB + 4_KiB, 64_KiB});
  CHECK(bar.place_in_window(64_KiB).ok());
  CHECK(bar.placement() == slot_placement{3_GiB + 64_KiB, true, true});
}

TEST_CASE("listeners: registered once, told the map at once, hear every change", "[handles]") {
  address_space<machine_a> a;
  std::vector<std::byte> ram(1_MiB);
  mirror early;
  REQUIRE(a.add_listener(early).ok());
  REQUIRE(early.ranges.size() == 1);  // nothing placed; "ram" shows, unbound
  CHECK(early.ranges.at(0).host == nullptr);
  device d(a.slot<dev_bar, "pci/bar0">());
  REQUIRE(d.bar_written(3_GiB).ok());
  // Binding RAM after registration: the listener hears its host pointer appear.
  REQUIRE(a.bind<"ram">(ram) == bind_status::ok);
  REQUIRE(early.ranges.contains(0));
  CHECK(early.ranges.at(0).host == ram.data());
  mirror late;
  REQUIRE(a.add_listener(late).ok());
  CHECK(late.ranges == early.ranges);
  CHECK(late.begins == 1);
  // Unbinding the device's memory while placed: both hear the host pointer go.
  d.bar().unbind<"mem">();
  CHECK(early.ranges.at(3_GiB + 4_KiB).host == nullptr);
  CHECK(late.ranges == early.ranges);
  CHECK_FALSE(early.broken);
  CHECK_FALSE(late.broken);
  SECTION("removed: hears nothing more") {
    const listener_registration r = a.add_listener(late);  // a second registration
    REQUIRE(r.ok());
    a.remove_listener(r.id);
  }
  SECTION("capacity and page sizes") {
    std::vector<mirror> many(address_space<machine_a>::max_listeners);
    std::size_t ok = 0;
    for (mirror& x : many) ok += a.add_listener(x).ok() ? 1 : 0;
    CHECK(ok == address_space<machine_a>::max_listeners - 2);  // early and late hold two
    mirror more;
    CHECK(a.add_listener(more).status == listener_status::full);
    CHECK(a.add_listener(more, {.page_size = 3000}).status == listener_status::bad_page_size);
  }
}

namespace {
/// The rule, page by page, on an exact map: the page spans it gives.
std::map<addr_t, map_event> pages_by_rule(const std::map<addr_t, map_event>& exact, addr_t page,
                                          addr_t top) {
  // Each page's state: 0 absent, 1 mapped (with its event), 2 trapped.
  auto range_at = [&](addr_t x) -> const map_event* {
    auto it = exact.upper_bound(x);
    if (it == exact.begin()) return nullptr;
    --it;
    return it->second.last >= x ? &it->second : nullptr;
  };
  auto mapped = [&](addr_t p) -> const map_event* {
    const map_event* e = range_at(p);
    if (e == nullptr || e->kind != region_kind::passthrough || e->host == nullptr) return nullptr;
    if (e->last - p < page - 1) return nullptr;                 // the page ends past the range
    if ((e->offset + (p - e->lo)) % page != 0) return nullptr;  // host offset not page-aligned
    return e;
  };
  auto has_leaf_byte = [&](addr_t p) {
    auto it = exact.lower_bound(p);
    if (it != exact.end() && it->first <= p + (page - 1)) return true;
    return range_at(p) != nullptr;
  };
  // A trapped byte: a leaf byte that is not in a mapped page.
  auto trap_byte = [&](addr_t x) { return range_at(x) != nullptr && !mapped(x - x % page); };
  std::map<addr_t, map_event> out;
  bool open = false;
  map_event cur{};
  for (addr_t p = 0;; p += page) {
    const addr_t last = top - p < page - 1 ? top : p + (page - 1);
    if (const map_event* e = mapped(p)) {
      open = false;
      map_event x{p,
                  last,
                  e->leaf,
                  region_kind::passthrough,
                  e->offset + (p - e->lo),
                  e->host + (p - e->lo),
                  e->attrs};
      auto prev = out.empty() ? out.end() : std::prev(out.end());
      if (prev != out.end() && prev->second.kind == region_kind::passthrough &&
          prev->second.last + 1 == p && range_at(p - 1) == e)
        prev->second.last = last;  // the next page of the same range
      else
        out[p] = x;
    } else if (has_leaf_byte(p)) {
      const bool joined =
          open && p != 0 && trap_byte(p - 1) && trap_byte(p) && range_at(p - 1) == range_at(p);
      if (joined) {
        out.at(cur.lo).last = last;
      } else {
        cur = {p, last, npos, region_kind::io, 0, nullptr, {}};
        out[p] = cur;
      }
      open = true;
    } else {
      open = false;
    }
    if (last == top) break;
  }
  return out;
}
}  // namespace

TEST_CASE("page-granular listeners follow the rule through random commits", "[handles][pages]") {
  // A smaller machine, so that the rule can walk it page by page: BARs of a few sizes, one
  // with memory at a 4 KiB offset, one smaller than a page; RAM with a trapped register in it,
  // and seen again through an alias whose host offsets are off the page grid.
  using bar_s = passthrough<"small", 2_KiB>;
  using m = container<
      "m", 64_MiB, at<0, passthrough<"ram", 8_MiB>>, at<1_MiB + 512, io<"reg", 256>, 1>,
      at<40_MiB, alias<"ramview", 64_KiB, "ram", 2_KiB>>,  // host offsets 2 KiB off the pages
      at<16_MiB, container<"pci", 16_MiB, slot<named<dev_bar, "bar0">>,
                           slot<named<dev_bar, "bar1">>, slot<bar_s>, slot<io<"mmio", 128_KiB>>>>>;
  address_space<m> as;
  std::vector<std::byte> ram(8_MiB), small(2_KiB);
  REQUIRE(as.bind<"ram">(ram) == bind_status::ok);
  REQUIRE(as.bind<"pci/small">(small) == bind_status::ok);
  struct nop {
    std::uint64_t read(addr_t, unsigned) { return 0; }
    void write(addr_t, unsigned, std::uint64_t) {}
  } reg, mmio;
  REQUIRE(as.bind<"reg">(reg) == bind_status::ok);
  REQUIRE(as.bind<"pci/mmio">(mmio) == bind_status::ok);
  device d0(as.slot<dev_bar, "pci/bar0">());
  device d1(as.slot<dev_bar, "pci/bar1">());
  mirror exact, p4k, p64k;
  REQUIRE(as.add_listener(exact).ok());
  REQUIRE(as.add_listener(p4k, {.page_size = 4_KiB}).ok());
  REQUIRE(as.add_listener(p64k, {.page_size = 64_KiB}).ok());
  const addr_t top = 64_MiB - 1;
  auto check = [&](const char* when) {
    INFO(when);
    REQUIRE_FALSE(exact.broken);
    REQUIRE_FALSE(p4k.broken);
    REQUIRE_FALSE(p64k.broken);
    REQUIRE(p4k.ranges == pages_by_rule(exact.ranges, 4_KiB, top));
    REQUIRE(p64k.ranges == pages_by_rule(exact.ranges, 64_KiB, top));
  };
  check("at registration");
  const char* env = std::getenv("MMIOTREE_SEED");
  std::mt19937_64 rng(env ? std::strtoull(env, nullptr, 0) : 0x9A6E5);
  const slot_id ids[] = {
      address_space<m>::slot_of<"pci/bar0">(), address_space<m>::slot_of<"pci/bar1">(),
      address_space<m>::slot_of<"pci/small">(), address_space<m>::slot_of<"pci/mmio">()};
  for (int step = 0; step < 400; ++step) {
    auto tx = as.transaction();
    for (int k = 0; k < 1 + static_cast<int>(rng() % 2); ++k) {
      const slot_id s = ids[rng() % 4];
      if (rng() % 4 == 0)
        tx.disable(s);
      else
        tx.place_in_window(s, (rng() % 64) * 64_KiB + (rng() % 2) * 2_KiB * (s == ids[2]));
    }
    (void)tx.commit();  // refused commits are fine: nothing changes
    check("after a commit");
    if (step % 50 == 0) {
      d0.bar().unbind<"mem">();
      check("after an unbind");
      REQUIRE(d0.bar().bind<"mem">(d0.mem_) == bind_status::ok);
      check("after a bind");
    }
  }
  mirror fresh;
  REQUIRE(as.add_listener(fresh, {.page_size = 4_KiB}).ok());
  CHECK(fresh.ranges == p4k.ranges);
}

namespace {
// Random moves of BARs of four sizes in a 1 GiB window (cells of 4 KiB, four to a chunk: both
// levels of the cell index are used), against the test's own record of where each BAR is.
// Each BAR has two registers with a hole between them; static registers lie under the window.
using small_bar = container<"sb", 4_KiB, at<0, io<"lo", 1_KiB>>, at<2_KiB, io<"hi", 2_KiB>>>;
using mid_bar = container<"mb", 64_KiB, at<0, io<"lo", 4_KiB>>, at<32_KiB, io<"hi", 32_KiB>>>;
using big_bar = container<"bb", 4_MiB, at<0, io<"lo", 64_KiB>>, at<2_MiB, io<"hi", 2_MiB>>>;
// clang-format off
using fast_machine = container<"f", 4_GiB,
    at<1_GiB, container<"pci", 1_GiB,
        at<0, io<"under", 1_GiB>, -1>,  // what shows where no BAR is
        slot<named<small_bar, "s0">>, slot<named<small_bar, "s1">>, slot<named<small_bar, "s2">>,
        slot<named<mid_bar, "m0">>, slot<named<mid_bar, "m1">>,
        slot<named<big_bar, "b0">>>>>;
// clang-format on

/// Answers (tag << 32) | offset.
struct tag_handler {
  std::uint64_t tag;
  std::uint64_t read(addr_t off, unsigned) const { return (tag << 32) | off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

/// One BAR as the test describes it: size, and its registers (offset, size) in order.
struct bar_model {
  addr_t size;
  std::vector<std::pair<addr_t, addr_t>> regs;
};
}  // namespace

TEST_CASE("dispatch inside slots follows random moves, through both index levels",
          "[handles][fast]") {
  address_space<fast_machine> as;
  const std::vector<bar_model> bars = {
      {4_KiB, {{0, 1_KiB}, {2_KiB, 2_KiB}}},    {4_KiB, {{0, 1_KiB}, {2_KiB, 2_KiB}}},
      {4_KiB, {{0, 1_KiB}, {2_KiB, 2_KiB}}},    {64_KiB, {{0, 4_KiB}, {32_KiB, 32_KiB}}},
      {64_KiB, {{0, 4_KiB}, {32_KiB, 32_KiB}}}, {4_MiB, {{0, 64_KiB}, {2_MiB, 2_MiB}}}};
  // Handlers: BAR k register j has tag 16 k + j + 1; "under" has tag 999.
  std::vector<tag_handler> regs;
  for (std::uint64_t k = 0; k < bars.size(); ++k)
    for (std::uint64_t j = 0; j < 2; ++j) regs.push_back({16 * k + j + 1});
  tag_handler under{999};
  REQUIRE(as.bind<"pci/under">(under) == bind_status::ok);
  {
    auto bind2 = [&]<class R>(slot_ref<R> h, std::size_t k) {
      REQUIRE(h.template bind<"lo">(regs[2 * k]) == bind_status::ok);
      REQUIRE(h.template bind<"hi">(regs[2 * k + 1]) == bind_status::ok);
    };
    bind2(as.slot<small_bar, "pci/s0">(), 0);
    bind2(as.slot<small_bar, "pci/s1">(), 1);
    bind2(as.slot<small_bar, "pci/s2">(), 2);
    bind2(as.slot<mid_bar, "pci/m0">(), 3);
    bind2(as.slot<mid_bar, "pci/m1">(), 4);
    bind2(as.slot<big_bar, "pci/b0">(), 5);
  }
  const addr_t win = 1_GiB;
  std::vector<addr_t> at(bars.size(), 1_GiB);
  std::vector<bool> on(bars.size(), false);
  std::mt19937_64 rng(0xFA57);
  route_cache cache;
  auto expect = [&](addr_t a) -> std::uint64_t {
    for (std::size_t k = 0; k < bars.size(); ++k) {
      if (!on[k] || a < at[k] || a - at[k] >= bars[k].size) continue;
      for (std::size_t j = 0; j < 2; ++j) {
        const auto [off, size] = bars[k].regs[j];
        if (a - at[k] >= off && a - at[k] - off < size)
          return (regs[2 * k + j].tag << 32) | (a - at[k] - off);
      }
      return ~std::uint64_t{0};  // a hole in the BAR
    }
    return (999ULL << 32) | (a - win);
  };
  for (int step = 0; step < 1000; ++step) {
    // Move one BAR, aligned to its size, into a small area (so that small BARs share chunks
    // and BARs meet); refused commits (overlaps: ties at equal priority) change nothing.
    const std::size_t k = rng() % bars.size();
    const addr_t align = bars[k].size;
    // Half the time anywhere in 64 MiB: many distinct chunks, so tables come and go.
    const addr_t area = rng() % 2        ? 64_MiB
                        : align < 64_KiB ? 64_KiB
                        : align < 4_MiB  ? 1_MiB
                                         : 64_MiB;
    const addr_t to = win + (rng() % (area / align)) * align;
    const bool off = rng() % 8 == 0;
    const slot_id id{static_cast<std::uint32_t>(k)};
    // The route cache's last route is BAR k's first register, where it is before the move; the
    // first probe after the move reads there again through the cache.
    const addr_t before = at[k] + bars[k].regs[0].first;
    if (on[k]) (void)as.read(before, 8, cache);
    const commit_result c =
        off ? as.transaction().disable(id).commit() : as.transaction().place(id, to).commit();
    if (c.ok()) {
      on[k] = !off;
      if (!off) at[k] = to;
    }
    // Probe every BAR's registers' edges and a few random addresses.
    std::vector<addr_t> probes{before};
    for (std::size_t b = 0; b < bars.size(); ++b)
      for (const auto& [o, sz] : on[b] ? bars[b].regs : decltype(bars[b].regs){})
        for (const addr_t p : {at[b] + o, at[b] + o + sz - 8, at[b] + o + 8}) probes.push_back(p);
    for (int r = 0; r < 8; ++r) probes.push_back(win + (rng() % (64_MiB / 8)) * 8);
    for (const addr_t p : probes) {
      const std::uint64_t want = expect(p);
      INFO("step " << step << " at 0x" << std::hex << p);
      // Each probe twice: through the ordinary dispatch, then through the route cache.
      for (const read_result got : {as.read(p, 8), as.read(p, 8, cache)}) {
        if (want == ~std::uint64_t{0}) {
          // A hole inside a placed BAR: "under" (priority -1) shows through it.
          REQUIRE(got.value == ((999ULL << 32) | (p - win)));
        } else {
          REQUIRE(got.ok());
          REQUIRE(got.value == want);
        }
      }
    }
  }
}

TEST_CASE("a route cache never serves a route the map or the bindings have changed",
          "[handles][route]") {
  using dev = container<"dev", 8_KiB, at<0, io<"any", 4_KiB>>,
                        at<4_KiB, io<"strict", 4_KiB, access::exactly<4>>>>;
  using m = container<"m", 1_GiB, at<0, io<"uart", 4_KiB>>,
                      at<64_MiB, container<"pci", 64_MiB, slot<dev>>>>;
  struct tagged {
    std::uint64_t tag;
    std::vector<std::pair<addr_t, unsigned>> calls{};
    std::uint64_t read(addr_t off, unsigned size) {
      calls.emplace_back(off, size);
      return tag << 24 | off;  // 4-byte reads see all of it
    }
    void write(addr_t off, unsigned size, std::uint64_t) { calls.emplace_back(off, size); }
  };
  address_space<m> as;
  tagged uart{1}, any{2}, strict{3}, other{4};
  REQUIRE(as.bind<"uart">(uart) == bind_status::ok);
  REQUIRE(as.bind<"pci/dev/any">(any) == bind_status::ok);
  REQUIRE(as.bind<"pci/dev/strict">(strict) == bind_status::ok);
  constexpr addr_t bar = 64_MiB + 64_KiB;
  REQUIRE(as.transaction().place<"pci/dev">(bar).commit().ok());
  route_cache cache;

  SECTION("a static leaf, then a slot's leaf, each through the same cache") {
    CHECK(as.read(0x10, 4, cache) == read_result{1ULL << 24 | 0x10, access_status::ok});
    CHECK(as.read(0x18, 4, cache) == read_result{1ULL << 24 | 0x18, access_status::ok});
    CHECK(as.read(bar + 0x20, 4, cache) == read_result{2ULL << 24 | 0x20, access_status::ok});
    CHECK(as.read(bar + 4_KiB + 8, 4, cache) == read_result{3ULL << 24 | 8, access_status::ok});
    CHECK(as.read(0x10, 4, cache) == read_result{1ULL << 24 | 0x10, access_status::ok});
  }
  SECTION("the cached leaf's policy still refuses what it does not take") {
    REQUIRE(as.read(bar + 4_KiB + 8, 4, cache).ok());
    CHECK(as.read(bar + 4_KiB + 8, 2, cache).status == access_status::access_error);
    CHECK(as.read(bar + 4_KiB + 10, 4, cache).status == access_status::access_error);
    CHECK(as.write(bar + 4_KiB + 8, 8, 0, cache) == access_status::access_error);
    // The last 4 bytes of the leaf are taken; 4 bytes from 2 before its end straddle.
    CHECK(as.read(bar + 8_KiB - 4, 4, cache).ok());
    CHECK(as.read(bar + 8_KiB - 2, 4, cache).status != access_status::ok);
    CHECK(strict.calls == std::vector<std::pair<addr_t, unsigned>>{{8, 4}, {4_KiB - 4, 4}});
    // The cache holds "any"'s range: an access from its last 2 bytes into "strict" is not in
    // it, and "strict" refuses its 2-byte piece, so no handler runs.
    REQUIRE(as.read(bar + 4_KiB - 4, 4, cache).ok());
    CHECK(as.read(bar + 4_KiB - 2, 4, cache).status == access_status::access_error);
    CHECK(any.calls == std::vector<std::pair<addr_t, unsigned>>{{4_KiB - 4, 4}});
  }
  SECTION("a moved slot: the old address no longer reaches it") {
    REQUIRE(as.read(bar + 0x20, 4, cache).ok());
    REQUIRE(as.transaction().place<"pci/dev">(bar + 1_MiB).commit().ok());
    CHECK(as.read(bar + 0x20, 4, cache).status == access_status::decode_error);
    CHECK(as.read(bar + 1_MiB + 0x20, 4, cache) ==
          read_result{2ULL << 24 | 0x20, access_status::ok});
    REQUIRE(as.transaction().disable<"pci/dev">().commit().ok());
    CHECK(as.read(bar + 1_MiB + 0x20, 4, cache).status == access_status::decode_error);
  }
  SECTION("unbound and rebound: the cached binding is not used") {
    REQUIRE(as.read(0x10, 4, cache).ok());
    as.unbind<"uart">();
    CHECK(as.read(0x10, 4, cache).status == access_status::unbound);
    REQUIRE(as.bind<"uart">(other) == bind_status::ok);
    CHECK(as.read(0x10, 4, cache) == read_result{4ULL << 24 | 0x10, access_status::ok});
    CHECK(uart.calls.size() == 1);
  }
  SECTION("a handler that moves its own slot: the next access goes to the new place") {
    struct mover {
      address_space<m>* as;
      addr_t to;
      std::uint64_t read(addr_t off, unsigned) { return off; }
      void write(addr_t, unsigned, std::uint64_t) {
        (void)as->transaction().place<"pci/dev">(to).commit();
      }
    } mv{&as, bar + 2_MiB};
    REQUIRE(as.bind<"pci/dev/any">(mv) == bind_status::ok);
    CHECK(as.write(bar + 0x40, 4, 1, cache) == access_status::ok);
    CHECK(as.read(bar + 0x40, 4, cache).status == access_status::decode_error);
    CHECK(as.read(bar + 2_MiB + 0x40, 4, cache) == read_result{0x40, access_status::ok});
  }
  SECTION("a cache filled in one space never hits in another") {
    // Two spaces with the same history of writes (one bind each): the same sequence number.
    address_space<m> a1, a2;
    REQUIRE(a1.bind<"uart">(uart) == bind_status::ok);
    REQUIRE(a2.bind<"uart">(other) == bind_status::ok);
    REQUIRE(a1.read(0x10, 4, cache).ok());
    CHECK(a2.read(0x10, 4, cache) == read_result{4ULL << 24 | 0x10, access_status::ok});
    CHECK(a1.read(0x10, 4, cache) == read_result{1ULL << 24 | 0x10, access_status::ok});
    cache.clear();
    CHECK(a1.read(0x14, 4, cache) == read_result{1ULL << 24 | 0x14, access_status::ok});
  }
}

TEST_CASE("the fast path inside a slot applies the policy of the leaf it hits", "[handles]") {
  // A permissive leaf first and a strict one after it: the policy checked must be the strict
  // leaf's where the access lands there, byte for byte as through the general path.
  using dev = container<"dev", 8_KiB, at<0, io<"any", 4_KiB>>,
                        at<4_KiB, io<"strict", 4_KiB, access::exactly<4>>>>;
  using m = container<"m", 1_GiB, at<0, container<"pci", 64_MiB, slot<dev>>>>;
  address_space<m> as;
  struct logger {
    std::vector<std::pair<addr_t, unsigned>> reads;
    std::uint64_t read(addr_t off, unsigned size) {
      reads.emplace_back(off, size);
      return 0x11223344;
    }
    void write(addr_t, unsigned, std::uint64_t) {}
  } any, strict;
  REQUIRE(as.bind<"pci/dev/any">(any) == bind_status::ok);
  REQUIRE(as.bind<"pci/dev/strict">(strict) == bind_status::ok);
  REQUIRE(as.transaction().place<"pci/dev">(64_KiB).commit().ok());
  CHECK(as.read(64_KiB + 1, 1).status == access_status::ok);
  CHECK(as.read(64_KiB + 4_KiB, 1).status == access_status::access_error);
  CHECK(as.read(64_KiB + 4_KiB + 2, 2).status == access_status::access_error);
  CHECK(as.read(64_KiB + 4_KiB + 8, 4) == read_result{0x11223344, access_status::ok});
  CHECK(any.reads == std::vector<std::pair<addr_t, unsigned>>{{1, 1}});
  CHECK(strict.reads == std::vector<std::pair<addr_t, unsigned>>{{8, 4}});
}
