// tests/unit/runtime/slot_commits.hpp: a machine with slots of every kind (`sys`), a listener
// that mirrors the map from events and checks them, and the random-commit property test's
// literal oracle (namespace prop). Used by tests/unit/runtime/test_slots.cpp (Catch2) and by
// the fuzz target tests/fuzz/fuzz_slots.cpp: the includer provides REQUIRE, REQUIRE_FALSE,
// CHECK, INFO and FAIL (Catch2's, or tests/fuzz/checks.hpp's).
#pragma once

#include <mmiotree/runtime/address_space.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

namespace slot_commits {

using namespace mmiotree;
using namespace mmiotree::literals;

using bar_a =
    container<"bar_a", 16_KiB, at<0, io<"regs", 4_KiB>>, at<8_KiB, passthrough<"mem", 4_KiB>>>;
using bar_b = container<"bar_b", 16_KiB, at<0, io<"regs", 4_KiB>>, at<4_KiB, io<"msix", 4_KiB>>>;
// clang-format off
using sys = container<"sys", 1_GiB,
    at<0, passthrough<"ram", 1_MiB>>,
    at<256_MiB, container<"pci", 64_MiB,
        at<0, io<"cfg", 4_KiB>, 1>,           // beats priority-0 slots, ties with "tiny", "byte"
        at<16_MiB, io<"sta", 64_KiB>>,        // priority 0, declared before every slot
        at<32_MiB, io<"low", 1_MiB>, -1>,     // loses to every slot but "odd" and "rom" (ties)
        slot<bar_a, 0, 0, tie_policy::reject>,
        slot<bar_b, 0, 4_KiB, tie_policy::declaration_order>,  // meets bar_a in its holes
        slot<passthrough<"big", 1_MiB>, 2, 0, tie_policy::declaration_order>,
        slot<io<"tiny", 4_KiB>, 1, 0, tie_policy::declaration_order>,
        slot<io<"odd", 12_KiB>, -1, 4_KiB>,                          // declared alignment
        slot<stub<"rom", 24_KiB, stub_response::read_as_zero>, -1>,  // natural: 32 KiB
        slot<io<"byte", 8>, 1, 1, tie_policy::declaration_order>,    // at any byte
        at<48_MiB, io<"late", 1_MiB>>>>,      // priority 0, declared after every slot
    at<256_MiB + 60_MiB, io<"hider", 1_MiB>, 1>,  // hides the top of the window
    at<512_MiB, container<"cxl", 256_MiB, slot<passthrough<"dpa", 256_MiB>>>>,
    // The window seen a second time, in part: pci bytes [15 MiB, 23 MiB) ("sta" among them).
    at<800_MiB, alias<"pci-mirror", 8_MiB, "pci", 15_MiB>>,
    // A window mapped nowhere (QEMU's PCI address space), seen through two holes, one of them
    // partly hidden; its slots are placed at bus addresses (offsets into it).
    unmapped<container<"bus", 64_MiB,
        at<8_MiB, io<"bsta", 64_KiB>>,        // priority 0: ties with "dev"
        slot<io<"dev", 64_KiB>, 0, 0, tie_policy::reject>,
        slot<passthrough<"dmem", 1_MiB>, 1, 0, tie_policy::declaration_order>>>,
    // Edges a slot can lie across (not on a multiple of any slot's alignment).
    at<832_MiB, alias<"bus-hole", 32_MiB - 32_KiB, "bus">>,
    at<880_MiB, alias<"bus-hole-hi", 16_MiB, "bus", 48_MiB - 32_KiB>>,
    at<840_MiB, io<"bus-hider", 1_MiB>, 1>>;  // hides bus bytes [8 MiB, 9 MiB) ("bsta")
// clang-format on
constexpr addr_t pci = 256_MiB;

/// A backend that mirrors the map from events, and checks them as it goes: a del names
/// exactly a range it has, an add lands on free space.
struct model_backend final : map_listener {
  std::map<addr_t, map_event> ranges;
  std::size_t events = 0;
  std::size_t changes = 0;  // changes_begin calls
  bool adding = false;
  bool broken = false;
  void changes_begin() override {
    adding = false;
    ++changes;
  }
  void region_del(const map_event& e) override {
    ++events;
    if (adding) broken = true;  // a del after an add
    auto it = ranges.find(e.lo);
    if (it == ranges.end() || !(it->second == e))
      broken = true;
    else
      ranges.erase(it);
  }
  void region_add(const map_event& e) override {
    ++events;
    adding = true;
    auto it = ranges.lower_bound(e.lo);
    if (it != ranges.end() && it->first <= e.last) broken = true;
    if (it != ranges.begin() && std::prev(it)->second.last >= e.lo) broken = true;
    ranges[e.lo] = e;
  }
  /// The range holding `a`, or null.
  const map_event* find(addr_t a) const {
    auto it = ranges.upper_bound(a);
    if (it == ranges.begin()) return nullptr;
    --it;
    return it->second.last < a ? nullptr : &it->second;
  }
};

// ---- The property test --------------------------------------------------------------------
//
// Its oracle reads nothing of the library's tables. It keeps
//   - its own description of `sys`: `sys_desc` below, written by hand from the declaration above
//     in declaration order, so that a region's index there is its node index (nodes are
//     numbered in pre-order) — the number a commit_result, a map_event and leaf_at report;
//   - its own record of the placements it commanded (a transaction is applied to it only when
//     the oracle itself judges that the commit must be accepted);
//   - DESIGN §2.2 read literally. The region visible at an address: scan the children in
//     descending priority, equal priorities in declaration order; a leaf ends the search, a
//     container recurses and a hole falls through; an enabled slot is an ordinary child at its
//     base, a disabled one is absent. A commit must be refused if a slot it enables is
//     misaligned (its declared alignment, or its size rounded up to a power of two) or does
//     not lie inside its window, or if two siblings of equal priority, one of them a slot, both
//     claim a byte (holes do not tie) and a slot of the two says tie_policy::reject. Other ties
//     are resolved by the scan order: the region declared first wins.
// When several rules are broken at once, the result must name one of them (a tie: one of the
// tying pairs, over a run of bytes both claim); the library promises no order.
//
// `sys` lets slots meet where one has holes: bar_a (content at 0 and 8 KiB of its 16) and
// bar_b (4 KiB aligned) at equal priority, bar_a refusing ties — placed 4 KiB apart they tie,
// 12 KiB apart they only meet in bar_a's hole. No slot of `sys` can tie with static content
// that something of higher priority hides (test_slots.cpp pins that case down on its own).
namespace prop {

enum class kind : std::uint8_t { container, io, mem, zero, alias };  // zero: a read-as-zero stub

struct region_desc {
  std::string_view path;
  kind k;
  int parent;     // -1 for the root
  addr_t offset;  // in the parent; a slot's is its placed base instead
  addr_t size;
  std::int32_t priority;
  bool slot = false;
  addr_t align = 0;       // a slot's declared alignment; 0: natural
  bool reject = true;     // a slot's tie policy is tie_policy::reject
  int target = -1;        // an alias's target
  addr_t toff = 0;        // an alias's offset into its target
  bool unmapped = false;  // its parent does not show it (offset unused: it is at 0)
};

// clang-format off
const std::vector<region_desc> sys_desc = {
  //      path              kind             parent offset    size     prio slot  align   reject
  /*  0*/ {"",              kind::container, -1,    0,        1_GiB,   0},
  /*  1*/ {"ram",           kind::mem,        0,    0,        1_MiB,   0},
  /*  2*/ {"pci",           kind::container,  0,    256_MiB,  64_MiB,  0},
  /*  3*/ {"pci/cfg",       kind::io,         2,    0,        4_KiB,   1},
  /*  4*/ {"pci/sta",       kind::io,         2,    16_MiB,   64_KiB,  0},
  /*  5*/ {"pci/low",       kind::io,         2,    32_MiB,   1_MiB,  -1},
  /*  6*/ {"pci/bar_a",     kind::container,  2,    0,        16_KiB,  0,   true, 0,      true},
  /*  7*/ {"pci/bar_a/regs",kind::io,         6,    0,        4_KiB,   0},
  /*  8*/ {"pci/bar_a/mem", kind::mem,        6,    8_KiB,    4_KiB,   0},
  /*  9*/ {"pci/bar_b",     kind::container,  2,    0,        16_KiB,  0,   true, 4_KiB,  false},
  /* 10*/ {"pci/bar_b/regs",kind::io,         9,    0,        4_KiB,   0},
  /* 11*/ {"pci/bar_b/msix",kind::io,         9,    4_KiB,    4_KiB,   0},
  /* 12*/ {"pci/big",       kind::mem,        2,    0,        1_MiB,   2,   true, 0,      false},
  /* 13*/ {"pci/tiny",      kind::io,         2,    0,        4_KiB,   1,   true, 0,      false},
  /* 14*/ {"pci/odd",       kind::io,         2,    0,        12_KiB, -1,   true, 4_KiB,  true},
  /* 15*/ {"pci/rom",       kind::zero,       2,    0,        24_KiB, -1,   true, 0,      true},
  /* 16*/ {"pci/byte",      kind::io,         2,    0,        8,       1,   true, 1,      false},
  /* 17*/ {"pci/late",      kind::io,         2,    48_MiB,   1_MiB,   0},
  /* 18*/ {"hider",         kind::io,         0,    316_MiB,  1_MiB,   1},
  /* 19*/ {"cxl",           kind::container,  0,    512_MiB,  256_MiB, 0},
  /* 20*/ {"cxl/dpa",       kind::mem,       19,    0,        256_MiB, 0,   true, 0,      true},
  /* 21*/ {"pci-mirror",    kind::alias,      0,    800_MiB,  8_MiB,   0,  false, 0,      true, 2, 15_MiB},
  /* 22*/ {"bus",           kind::container,  0,    0,        64_MiB,  0,  false, 0,      true, -1, 0, true},
  /* 23*/ {"bus/bsta",      kind::io,        22,    8_MiB,    64_KiB,  0},
  /* 24*/ {"bus/dev",       kind::io,        22,    0,        64_KiB,  0,   true, 0,      true},
  /* 25*/ {"bus/dmem",      kind::mem,       22,    0,        1_MiB,   1,   true, 0,      false},
  /* 26*/ {"bus-hole",      kind::alias,      0,    832_MiB,  32_MiB - 32_KiB, 0, false, 0, true, 22, 0},
  /* 27*/ {"bus-hole-hi",   kind::alias,      0,    880_MiB,  16_MiB,  0,  false, 0,      true, 22, 48_MiB - 32_KiB},
  /* 28*/ {"bus-hider",     kind::io,         0,    840_MiB,  1_MiB,   1},
};
// clang-format on

/// Calls `f.template operator()<P>()` with P the typed path spelled `path` (a slot of `sys`).
template <class F>
void on_slot(std::string_view path, F&& f) {
  bool done = false;
  auto one = [&]<fixed_string P>() {
    if (!done && P.view() == path) {
      f.template operator()<P>();
      done = true;
    }
  };
  one.template operator()<"pci/bar_a">();
  one.template operator()<"pci/bar_b">();
  one.template operator()<"pci/big">();
  one.template operator()<"pci/tiny">();
  one.template operator()<"pci/odd">();
  one.template operator()<"pci/rom">();
  one.template operator()<"pci/byte">();
  one.template operator()<"cxl/dpa">();
  one.template operator()<"bus/dev">();
  one.template operator()<"bus/dmem">();
  REQUIRE(done);
}

struct placed {
  addr_t base = 0;
  bool on = false;
  bool ever = false;  // given a place (place or enable) at least once
};
using change = std::pair<int, placed>;
/// What is visible at an address: a leaf and the offset into it, or nothing (leaf -1).
struct hit {
  int leaf = -1;
  addr_t off = 0;
};
struct range {
  addr_t lo, last;  // inclusive
};

/// The oracle's judgement of a commit.
struct verdict {
  bool accept = true;
  struct broken {  // a slot the transaction enables misaligned or outside its window
    commit_error error;
    int slot;
    addr_t lo, last;  // what the result must carry
  };
  std::vector<broken> own;
  struct tie {
    int x, y;
    std::vector<range> both;  // the runs of bytes both regions claim, root-relative, in order
  };
  std::vector<tie> ties;  // every pair that ties under tie_policy::reject
};

class model {
 public:
  explicit model(const std::vector<region_desc>& d)
      : d_(d), place_(d.size()), kids_(d.size()), order_(d.size()) {
    for (int i = 1; i < count(); ++i) kids_[static_cast<std::size_t>(d[i].parent)].push_back(i);
    refresh();
  }

  [[nodiscard]] int count() const { return static_cast<int>(d_.size()); }
  [[nodiscard]] const region_desc& operator[](int i) const { return d_[idx(i)]; }
  [[nodiscard]] const placed& placement(int s) const { return place_[idx(s)]; }
  [[nodiscard]] int index_of(std::string_view path) const {
    for (int i = 0; i < count(); ++i)
      if (d_[idx(i)].path == path) return i;
    FAIL("no region " << path << " in the description");
    return -1;
  }
  [[nodiscard]] std::vector<int> slots() const {
    std::vector<int> v;
    for (int i = 0; i < count(); ++i)
      if ((*this)[i].slot) v.push_back(i);
    return v;
  }

  /// A slot's alignment: declared, or its size rounded up to a power of two.
  [[nodiscard]] addr_t align(int s) const {
    if ((*this)[s].align != 0) return (*this)[s].align;
    addr_t a = 1;
    while (a < (*this)[s].size) a *= 2;
    return a;
  }
  [[nodiscard]] addr_t window_size(int s) const { return (*this)[(*this)[s].parent].size; }
  /// Root-relative position of region i's byte 0 under placements `pl`.
  [[nodiscard]] addr_t abs(int i, const std::vector<placed>& pl) const {
    return i == 0 ? 0 : abs((*this)[i].parent, pl) + offset(i, pl);
  }
  [[nodiscard]] addr_t abs(int i) const { return abs(i, place_); }

  /// DESIGN §2.2 at root-relative address x.
  [[nodiscard]] hit visible(addr_t x) const { return x < d_[0].size ? visible(0, x) : hit{}; }

  /// Every rule the commit of `changes` would break (none: it must be accepted).
  verdict judge(const std::vector<change>& changes) const {
    verdict v;
    std::vector<placed> next = place_;
    for (const auto& [s, p] : changes) {
      next[idx(s)] = p;
      if (!p.on) continue;
      const addr_t size = (*this)[s].size, a = align(s), w = window_size(s);
      // Errors name addresses at the window's interface (guest-physical, or offsets into a
      // window mapped nowhere), mod 2^64.
      const addr_t wlo = abs((*this)[s].parent);
      const bool misaligned = (wlo + p.base) % a != 0;
      if (misaligned) v.own.push_back({commit_error::slot_misaligned, s, wlo + p.base, a});
      const bool wraps = p.base > ~addr_t{0} - (size - 1);
      const bool outside = wraps || p.base + (size - 1) > w - 1;
      if (outside)
        v.own.push_back(
            {commit_error::slot_outside_window, s, wlo + p.base, wlo + p.base + (size - 1)});
      if (misaligned || outside) next[idx(s)].on = false;  // it has no place to tie at
    }
    for (int w = 0; w < count(); ++w) {
      const std::vector<int>& kids = kids_[idx(w)];
      for (std::size_t i = 0; i < kids.size(); ++i)
        for (std::size_t j = i + 1; j < kids.size(); ++j) {
          const int x = kids[i], y = kids[j];
          const region_desc &dx = (*this)[x], &dy = (*this)[y];
          if (!present(x, next) || !present(y, next) || dx.priority != dy.priority) continue;
          if (!dx.slot && !dy.slot) continue;  // static siblings: checked at compile time
          if (!(dx.slot && dx.reject) && !(dy.slot && dy.reject)) continue;  // resolved
          const addr_t xl = abs(x, next), yl = abs(y, next);
          std::vector<range> cx, cy;
          claims(x, xl, cx);
          claims(y, yl, cy);
          std::vector<range> both;  // every byte both claim, as runs
          for (const range& a : cx)
            for (const range& b : cy)
              if (a.lo <= b.last && b.lo <= a.last)
                both.push_back({std::max(a.lo, b.lo), std::min(a.last, b.last)});
          std::sort(both.begin(), both.end(),
                    [](const range& p, const range& q) { return p.lo < q.lo; });
          std::vector<range> runs;
          for (const range& r : both)
            if (!runs.empty() && r.lo <= runs.back().last + 1)
              runs.back().last = std::max(runs.back().last, r.last);
            else
              runs.push_back(r);
          if (!runs.empty()) v.ties.push_back({x, y, runs});
        }
    }
    v.accept = v.own.empty() && v.ties.empty();
    return v;
  }

  void apply(const std::vector<change>& changes) {
    for (const auto& [s, p] : changes) place_[idx(s)] = p;
    refresh();
  }

  /// Every edge (first byte, one past the last) of every region, slots at their bases whether
  /// enabled or not, root-relative, sorted: the oracle's map is the same leaf at offsets that
  /// grow one by one between two neighbouring edges.
  [[nodiscard]] std::vector<addr_t> edges() const {
    std::vector<addr_t> v;
    edges(0, 0, v);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  void edges(int i, addr_t at, std::vector<addr_t>& out) const {
    out.push_back(at);
    out.push_back(at + (*this)[i].size);  // wraps for some refused bases: still a fine probe
    // An alias shows its target's edges (those outside it are probes too); a parent does not
    // show its unmapped children.
    if ((*this)[i].k == kind::alias) edges((*this)[i].target, at - (*this)[i].toff, out);
    for (int c : kids_[idx(i)])
      if (!(*this)[c].unmapped) edges(c, at + offset(c, place_), out);
  }

 private:
  static std::size_t idx(int i) { return static_cast<std::size_t>(i); }
  [[nodiscard]] bool present(int i, const std::vector<placed>& pl) const {
    return !(*this)[i].unmapped && (!(*this)[i].slot || pl[idx(i)].on);
  }
  /// In its parent; an unmapped region's is 0 (its subtree counts from it: the window's
  /// interface addresses, which errors name, are offsets into it).
  [[nodiscard]] addr_t offset(int i, const std::vector<placed>& pl) const {
    if ((*this)[i].unmapped) return 0;
    return (*this)[i].slot ? pl[idx(i)].base : (*this)[i].offset;
  }

  /// Each container's children present now, in scan order: descending priority, equal
  /// priorities in declaration order.
  void refresh() {
    for (int i = 0; i < count(); ++i) {
      std::vector<int>& o = order_[idx(i)];
      o.clear();
      for (int c : kids_[idx(i)])
        if (present(c, place_)) o.push_back(c);
      std::stable_sort(o.begin(), o.end(),
                       [&](int a, int b) { return (*this)[a].priority > (*this)[b].priority; });
    }
  }

  [[nodiscard]] hit visible(int i, addr_t x) const {  // x inside region i
    if ((*this)[i].k == kind::alias) return visible((*this)[i].target, x + (*this)[i].toff);
    if ((*this)[i].k != kind::container) return {i, x};
    for (int c : order_[idx(i)]) {
      const addr_t o = offset(c, place_);
      if (x < o || x - o >= (*this)[c].size) continue;
      if (const hit h = visible(c, x - o); h.leaf >= 0) return h;
    }
    return {};
  }

  /// The bytes region i claims (its leaves' extents) with its byte 0 at `at`. (No window here
  /// holds an alias or an unmapped region.)
  void claims(int i, addr_t at, std::vector<range>& out) const {
    REQUIRE((*this)[i].k != kind::alias);
    if ((*this)[i].k != kind::container) {
      out.push_back({at, at + ((*this)[i].size - 1)});
      return;
    }
    for (int c : kids_[idx(i)]) claims(c, at + (*this)[c].offset, out);  // no slot in a slot
  }

  std::vector<region_desc> d_;
  std::vector<placed> place_;
  std::vector<std::vector<int>> kids_;
  std::vector<std::vector<int>> order_;
};

[[nodiscard]] inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dULL;
  return x ^ (x >> 33);
}
/// Byte `off` of the host memory bound to passthrough leaf `leaf`.
[[nodiscard]] inline std::byte host_byte(int leaf, addr_t off) {
  return static_cast<std::byte>(mix((static_cast<std::uint64_t>(leaf) << 40) ^ off) & 0xFF);
}
/// What the handler bound to io leaf `leaf` answers at `off` (before the access width cuts it).
[[nodiscard]] inline std::uint64_t io_value(int leaf, addr_t off) {
  return (static_cast<std::uint64_t>(leaf) << 48) | off;
}

struct call {
  int leaf;
  addr_t off;
  unsigned size;
  bool write;
  bool operator==(const call&) const = default;
};
struct logging_io {
  int leaf;
  std::vector<call>* log;
  std::uint64_t read(addr_t off, unsigned size) {
    log->push_back({leaf, off, size, false});
    return io_value(leaf, off);
  }
  void write(addr_t off, unsigned size, std::uint64_t) { log->push_back({leaf, off, size, true}); }
};

/// Host memory for passthrough leaf `i`: byte o is host_byte(i, o). Made once per leaf and
/// shared by every rig (the fuzz target builds one per input); nothing writes to it.
inline std::vector<std::byte>& pattern(int i, addr_t size) {
  static std::map<std::pair<int, addr_t>, std::vector<std::byte>> made;
  auto [it, fresh] = made.try_emplace({i, size});
  if (fresh) {
    it->second.resize(size);
    for (addr_t o = 0; o < size; ++o) it->second[o] = host_byte(i, o);
  }
  return it->second;
}

/// `sys` with every io leaf bound to a logging handler and every passthrough leaf but "dpa"
/// (256 MiB) to patterned host memory; "big" is VFIO-owned.
struct traced_rig {
  const model& m;
  std::vector<call> log;
  std::map<int, logging_io> io;
  std::map<int, std::span<std::byte>> mem;  ///< pattern(leaf, size)
  std::set<int> vfio;
  address_space<sys> as;
  model_backend backend;
  /// Probes (see compare) where a slot's leaf is seen through an alias (pci-mirror, the bus
  /// holes): the reach of the random test into slots seen through aliases.
  std::size_t through_aliases = 0;

  explicit traced_rig(const model& md) : m(md) {
    auto bind_io = [&]<fixed_string P>() {
      const int i = m.index_of(P.view());
      REQUIRE(m[i].k == kind::io);
      REQUIRE(as.template bind<P>(io.emplace(i, logging_io{i, &log}).first->second) ==
              bind_status::ok);
    };
    bind_io.template operator()<"pci/cfg">();
    bind_io.template operator()<"pci/sta">();
    bind_io.template operator()<"pci/low">();
    bind_io.template operator()<"pci/bar_a/regs">();
    bind_io.template operator()<"pci/bar_b/regs">();
    bind_io.template operator()<"pci/bar_b/msix">();
    bind_io.template operator()<"pci/tiny">();
    bind_io.template operator()<"pci/odd">();
    bind_io.template operator()<"pci/byte">();
    bind_io.template operator()<"pci/late">();
    bind_io.template operator()<"hider">();
    bind_io.template operator()<"bus/bsta">();
    bind_io.template operator()<"bus/dev">();
    bind_io.template operator()<"bus-hider">();
    auto bind_mem = [&]<fixed_string P>(bool vfio_owned) {
      const int i = m.index_of(P.view());
      REQUIRE(m[i].k == kind::mem);
      const std::span<std::byte> b = mem[i] = pattern(i, m[i].size);
      REQUIRE(as.template bind<P>(b, {.vfio_owned = vfio_owned}) == bind_status::ok);
      if (vfio_owned) vfio.insert(i);
    };
    bind_mem.template operator()<"ram">(false);
    bind_mem.template operator()<"pci/bar_a/mem">(false);
    bind_mem.template operator()<"pci/big">(true);
    bind_mem.template operator()<"bus/dmem">(false);
    // The description and the bindings above agree: every io leaf has a handler, every
    // passthrough leaf but dpa host memory.
    for (int i = 0; i < m.count(); ++i) {
      INFO(m[i].path);
      CHECK(io.contains(i) == (m[i].k == kind::io));
      CHECK(mem.contains(i) == (m[i].k == kind::mem && m[i].path != "cxl/dpa"));
    }
    REQUIRE(as.add_listener(backend).ok());
  }

  /// Slot s's placement, its base made window-relative as the model keeps it.
  [[nodiscard]] slot_placement placement(int s) {
    slot_placement p{};
    on_slot(m[s].path, [&]<fixed_string P>() {
      p = as.template placement<P>();
      p.base -= as.window(address_space<sys>::slot_of<P>()).lo;
    });
    return p;
  }

  /// What a read of `size` bytes at a place where `h` is visible must return and log.
  [[nodiscard]] std::pair<read_result, std::vector<call>> expected(hit h, unsigned size) const {
    const std::uint64_t mask = size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
    if (h.leaf < 0) return {{mask, access_status::decode_error}, {}};
    switch (m[h.leaf].k) {
      case kind::io:
        return {{io_value(h.leaf, h.off) & mask, access_status::ok},
                {{h.leaf, h.off, size, false}}};
      case kind::zero: return {{0, access_status::ok}, {}};
      case kind::mem: {
        if (!mem.contains(h.leaf)) return {{mask, access_status::unbound}, {}};
        std::uint64_t v = 0;
        for (unsigned k = 0; k < size; ++k)
          v |= std::uint64_t{std::to_integer<std::uint8_t>(host_byte(h.leaf, h.off + k))}
               << (8 * k);
        return {{v, access_status::ok}, {}};
      }
      case kind::container:
      case kind::alias: break;
    }
    FAIL("a container or an alias is never visible");
    return {};
  }
};

[[nodiscard]] inline region_kind kind_of(kind k) {
  switch (k) {
    case kind::io: return region_kind::io;
    case kind::mem: return region_kind::passthrough;
    case kind::zero: return region_kind::stub;
    case kind::alias: return region_kind::alias;
    case kind::container: break;
  }
  return region_kind::container;
}

/// A base for slot s: on or just past the window's last bytes, far outside, misaligned by a
/// little, anywhere, on or near another slot of the window, or on a few crowded spots where
/// slots meet each other and the static content ("sta", "low", "late", "cfg", the hidden top).
template <class Rng>
addr_t pick_base(const model& m, int s, Rng& rng) {
  const addr_t size = m[s].size, a = m.align(s), w = m.window_size(s);
  const addr_t step = std::max<addr_t>(a, 4_KiB);
  auto down = [&](addr_t x) { return x - x % a; };
  // In "bus": 8 MiB holds "bsta" (and is hidden through bus-hole), 32 MiB - 32 KiB ends
  // bus-hole and starts bus-hole-hi; in "pci" 15 and 23 MiB bound what pci-mirror shows.
  constexpr addr_t hot[] = {0,
                            8_MiB - 32_KiB,
                            15_MiB - 32_KiB,
                            16_MiB - 32_KiB,
                            23_MiB - 32_KiB,
                            32_MiB - 32_KiB,
                            48_MiB - 32_KiB,
                            60_MiB - 32_KiB,
                            64_MiB - 128_KiB};
  const addr_t spot = hot[rng() % std::size(hot)];
  switch (rng() % 16) {
    case 0: return w - size;      // the last byte on the window's last byte
    case 1: return w - size + a;  // a bytes past it: one byte for "byte"
    case 2: return w - size + 1;  // one byte past, misaligned unless the alignment is 1
    case 3: {
      const addr_t far[] = {w, w + step, ~addr_t{0} - (size - 2), down(~addr_t{0}),
                            addr_t{1} << 63};  // the third and fourth wrap past 2^64
      return far[rng() % std::size(far)];
    }
    case 4: {
      const addr_t off[] = {1, 2, 3, 4, 8, a / 2, step - 1};
      return down(spot) + off[rng() % std::size(off)];
    }
    case 5: return down(rng() % w);
    case 6:
    case 7:
    case 8: {
      std::vector<int> near;  // the other slots of the window
      for (int t = 0; t < m.count(); ++t)
        if (m[t].slot && t != s && m[t].parent == m[s].parent) near.push_back(t);
      if (near.empty()) break;
      const int t = near[rng() % near.size()];
      return down(m.placement(t).base + (rng() % 4) * 4_KiB);
    }
    default: break;
  }
  return down(spot + (rng() % 12) * step);
}

/// The library's result against the oracle's judgement. A refusal must name one of the
/// broken rules, with the slot(s) and range it concerns; which one, when several are broken,
/// is not a documented promise. (Today: the changes in the order the transaction first named
/// their slots, each checked for alignment and then for its window; then ties.)
inline void check_verdict(const model& m, const commit_result& c, const verdict& v) {
  std::ostringstream broken;
  for (const auto& b : v.own) broken << " " << to_string(b.error) << " of " << m[b.slot].path;
  for (const auto& t : v.ties) broken << " tie of " << m[t.x].path << " and " << m[t.y].path;
  INFO("the oracle: " << (v.accept ? "accept" : "refuse:") << broken.str());
  if (v.accept) {
    REQUIRE(c.ok());
  } else if (c.error != commit_error::ambiguous_overlap) {
    REQUIRE(std::any_of(v.own.begin(), v.own.end(), [&](const verdict::broken& b) {
      return c == commit_result{b.error, static_cast<node_index>(b.slot), npos, b.lo, b.last};
    }));
  } else {
    const auto t = std::find_if(v.ties.begin(), v.ties.end(), [&](const verdict::tie& t) {
      const auto x = static_cast<node_index>(t.x), y = static_cast<node_index>(t.y);
      return (c.a == x && c.b == y) || (c.a == y && c.b == x);
    });
    REQUIRE(t != v.ties.end());
    // The range named is bytes both claim (one run of them), not merely where extents meet.
    REQUIRE(c.lo <= c.last);
    REQUIRE(std::any_of(t->both.begin(), t->both.end(),
                        [&](const range& r) { return r.lo <= c.lo && c.last <= r.last; }));
  }
}

/// Everything the library shows against the oracle: each slot's placement; the backend's map
/// (followed from events) against a fresh replay and, like the dispatcher (leaf_at and reads
/// through the bound handlers and host memory), against the oracle at every edge of both maps,
/// the old and proposed placements of this step, and a few random addresses.
template <class Rng>
void compare(traced_rig& r, const model& m, const std::vector<change>& proposed, Rng& rng) {
  for (const int s : m.slots()) {
    INFO("placement of " << m[s].path);
    const slot_placement got = r.placement(s);
    REQUIRE(got.base == m.placement(s).base);
    REQUIRE(got.enabled == m.placement(s).on);
    REQUIRE(got.placed == m.placement(s).ever);
  }
  model_backend fresh;
  const listener_registration reg = r.as.add_listener(fresh);
  REQUIRE(reg.ok());
  r.as.remove_listener(reg.id);
  REQUIRE_FALSE(fresh.broken);
  REQUIRE(fresh.ranges == r.backend.ranges);
  const map_event* prev = nullptr;
  for (const auto& [lo, e] : r.backend.ranges) {  // merged wherever one leaf continues
    INFO("ranges at " << std::hex << lo);
    if (prev != nullptr)
      REQUIRE_FALSE((prev->last + 1 == e.lo && prev->leaf == e.leaf &&
                     prev->offset + prev->size() == e.offset));
    prev = &e;
  }

  const std::vector<addr_t> edges = m.edges();
  std::vector<addr_t> probes;
  auto around = [&](addr_t a) {
    probes.push_back(a);
    probes.push_back(a - 1);
  };
  for (const addr_t a : edges) around(a);
  for (const auto& [s, p] : proposed) {
    const addr_t at = m.abs(m[s].parent) + p.base;
    around(at);
    around(at + m[s].size);
  }
  for (const auto& [lo, e] : r.backend.ranges) {
    around(lo);
    around(e.last + 1);
  }
  for (int k = 0; k < 8; ++k) probes.push_back(256_MiB + rng() % 64_MiB);
  for (int k = 0; k < 2; ++k) probes.push_back(512_MiB + rng() % 256_MiB);
  for (int k = 0; k < 4; ++k) probes.push_back(800_MiB + rng() % 96_MiB);  // the aliases
  probes.push_back(rng() % 1_GiB);
  std::sort(probes.begin(), probes.end());
  probes.erase(std::unique(probes.begin(), probes.end()), probes.end());

  for (const addr_t p : probes) {
    const hit h = m.visible(p);
    if (h.leaf >= 0 && p >= 800_MiB && (m[h.leaf].slot || m[m[h.leaf].parent].slot))
      ++r.through_aliases;
    INFO("at " << std::hex << p << " the oracle sees " << (h.leaf < 0 ? "nothing" : m[h.leaf].path)
               << " @" << h.off);
    const map_event* e = r.backend.find(p);
    if (h.leaf < 0) {
      REQUIRE(e == nullptr);
    } else {
      REQUIRE(e != nullptr);
      REQUIRE(e->leaf == static_cast<node_index>(h.leaf));
      REQUIRE(e->offset + (p - e->lo) == h.off);
      REQUIRE(e->kind == kind_of(m[h.leaf].k));
      const auto b = r.mem.find(h.leaf);
      REQUIRE(e->host == (b == r.mem.end() ? nullptr : b->second.data() + e->offset));
      REQUIRE(e->attrs.vfio_owned == r.vfio.contains(h.leaf));
    }
    REQUIRE(r.as.leaf_at(p) == (h.leaf < 0 ? npos : static_cast<node_index>(h.leaf)));
    // One byte; and eight where the oracle has one leaf for all of them (no edge in between).
    const auto next = std::upper_bound(edges.begin(), edges.end(), p);
    const bool eight = h.leaf >= 0 && next != edges.end() && *next - p >= 8;
    for (const unsigned size : {1U, 8U}) {
      if (size == 8 && !eight) continue;
      INFO("read of " << size);
      const auto [want, want_log] = r.expected(h, size);
      r.log.clear();
      const read_result got = r.as.read(p, size);
      REQUIRE(got.status == want.status);
      REQUIRE(got.value == want.value);
      REQUIRE(r.log == want_log);
    }
  }
}

/// One random transaction of one to three changes (place, disable, enable), judged by the
/// oracle, committed, and everything the library shows compared with the oracle after it.
/// `rng()` gives the choices: std::mt19937_64 in the unit test, the input in the fuzz target.
template <class Rng>
void random_commit(traced_rig& r, model& m, Rng& rng, int step) {
  const std::vector<int> slots = m.slots();
  auto tx = r.as.transaction();
  std::vector<change> pending;  // in the order the transaction first names each slot
  std::ostringstream what;
  const int ops = 1 + static_cast<int>(rng() % 3);
  for (int k = 0; k < ops; ++k) {
    const int s = slots[rng() % slots.size()];
    auto it =
        std::find_if(pending.begin(), pending.end(), [&](const change& c) { return c.first == s; });
    if (it == pending.end()) it = pending.insert(pending.end(), {s, m.placement(s)});
    placed& p = it->second;
    const unsigned op = rng() % 10;
    if (op < 7) {
      const addr_t base = pick_base(m, s, rng);
      on_slot(m[s].path, [&]<fixed_string P>() { tx.template place_in_window<P>(base); });
      p = {base, true, true};
      what << " place " << m[s].path << " 0x" << std::hex << base << std::dec;
    } else if (op < 9) {
      on_slot(m[s].path, [&]<fixed_string P>() { tx.template disable<P>(); });
      p.on = false;
      what << " disable " << m[s].path;
    } else {
      on_slot(m[s].path, [&]<fixed_string P>() { tx.template enable<P>(); });
      p.on = true;
      p.ever = true;
      what << " enable " << m[s].path;
    }
  }
  const verdict v = m.judge(pending);
  const std::size_t events = r.backend.events;
  const commit_result c = tx.commit();
  INFO("step " << step << ":" << what.str() << " -> " << to_string(c.error) << " a " << c.a << " b "
               << c.b << " [0x" << std::hex << c.lo << ", 0x" << c.last << "]");
  REQUIRE_FALSE(r.backend.broken);
  check_verdict(m, c, v);
  if (v.accept)
    m.apply(pending);
  else
    REQUIRE(r.backend.events == events);  // a refused commit tells no listener
  compare(r, m, pending, rng);
}

}  // namespace prop

}  // namespace slot_commits
