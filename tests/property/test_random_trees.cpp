// Property test: random trees through check_layout, flatten and project.
//
// Each tree is generated as the test's own description (model.hpp) and lowered field by field
// to the descriptor array the library takes (lower.hpp). check_layout's verdict is judged by a
// brute-force O(n^2) reading of the rules (DESIGN §2.2, docs/diagnostics.md) on the
// description: a rejected tree must really break the rule reported, and no rule checked before
// it; an accepted tree must break none. For accepted trees the flat view must equal the
// oracle's (oracle.hpp) range for range, and the projection for 4, 16 and 64 KiB pages the one
// the rule gives on the oracle's view (flat_checks.hpp). Trees have containers, passthrough
// (some keep_separate), io, register-block and stub leaves, aliases, and slots in windows.
//
// The seed is fixed and printed; MMIOTREE_PROPERTY_SEED overrides it and
// MMIOTREE_PROPERTY_TREES the number of trees, to replay or to run longer.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/layout/slots.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "flat_checks.hpp"
#include "lower.hpp"
#include "model.hpp"
#include "oracle.hpp"

namespace {

using model::addr;
using model::kind;
using model::none;
__extension__ typedef unsigned __int128 u128;  // exact sums of two 64-bit values
constexpr addr addr_max = ~addr{0};

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

/// What went wrong on purpose in a generated tree (most trees: nothing).
enum class injected {
  none,
  bad_policy,
  zero_size,
  offset_overflow,
  outside_parent,
  alias_not_found,
  alias_out_of_range,
  alias_cycle,
  duplicate_name,
  overlap,
  misaligned,
  nested_slot,
  bad_slot_alignment,
  windows_overlap,
  alias_shows_a_slot,
  unmapped_window,  // not a fault: slots seen only through aliases (or an unmapped_not_shown)
  unmapped_not_shown,
  count_
};

/// A generated tree: the description in pre-order plus the strings its views point into.
struct tree {
  std::vector<model::region> r;
  std::deque<std::string> strings;  // a deque: its elements never move
  injected fault = injected::none;

  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
};

/// The root-relative address of region i, counting a slot as placed at 0 (mod 2^64, like the
/// reported ranges); inside an unmapped region, the offset from that region.
addr abs_of(const std::vector<model::region>& t, std::size_t i) {
  addr a = 0;
  for (std::size_t x = i; x != none && t[x].parent != none && !t[x].unmapped; x = t[x].parent)
    a += t[x].slot ? 0 : t[x].offset;
  return a;
}
/// The slot region i is, or lies in; none for static regions.
std::size_t slot_of(const std::vector<model::region>& t, std::size_t i) {
  for (std::size_t x = i; x != none; x = t[x].parent)
    if (t[x].slot) return x;
  return none;
}
/// Whether region i has a slot among its children (is a window).
bool is_window(const std::vector<model::region>& t, std::size_t i) {
  for (const model::region& r : t)
    if (r.slot && r.parent == i) return true;
  return false;
}

class generator {
 public:
  /// With `ordered`, trees have the shape the one-pass check and flat view take: no aliases,
  /// no slots, and each container's children declared in (priority, offset) order (faults are
  /// still injected, and may break that order).
  explicit generator(std::uint64_t seed, bool ordered = false) : rng_(seed), ordered_(ordered) {}

  void build(tree& t) {
    t.r.clear();
    t.strings.clear();
    const bool huge = chance(1, 25);
    grain_ = std::array<addr, 5>{1, 0x10, 0x400, 0x1000, 0x4000}[pick(0, 4)];
    const addr root = huge ? addr_max : grain_ * pick(8, 256);
    t.r.push_back(model::build::container("root", root));
    // The fault first: those about slots need a tree with slots.
    t.fault =
        chance(1, 6) ? static_cast<injected>(pick(1, int(injected::count_) - 1)) : injected::none;
    const bool about_slots =
        t.fault == injected::unmapped_window || t.fault == injected::nested_slot ||
        t.fault == injected::bad_slot_alignment || t.fault == injected::windows_overlap ||
        t.fault == injected::alias_shows_a_slot;
    children(t, 0, 0);
    // Some trees show a slot window through an alias (few would by chance).
    const bool show = !ordered_ && t.fault == injected::none && chance(1, 4);
    if (!ordered_ && (chance(1, 3) || about_slots || show)) add_slots(t, show);
    assign_aliases(t);
    if (!ordered_) unmap_some(t);
    if (show) show_a_window(t);
    inject(t);
  }

 private:
  std::uint64_t pick(std::uint64_t lo, std::uint64_t hi) {  // inclusive
    if (lo == 0 && hi == addr_max) return rng_();
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool chance(int num, int den) { return static_cast<int>(pick(0, den - 1)) < num; }

  static model::policy sized(unsigned lo, unsigned hi) {
    model::policy p;
    p.sizes = 0;
    for (unsigned b = lo; b <= hi; b *= 2) p.sizes |= static_cast<std::uint8_t>(b);
    return p;
  }

  /// A policy for a leaf placed at `abs_pos`: its own alignment when the placement has it
  /// (half the time), else 1 (misaligned placements are injected on purpose).
  model::policy random_policy(addr abs_pos) {
    model::policy p;
    switch (pick(0, 9)) {  // aligned-only policies 1 in 5: each alias may misplace them
      case 0: p = model::build::exactly(4); break;
      case 1:
        p = {.impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4, .reject_straddle = true};
        break;
      case 2: p = sized(1, 4); break;
      case 3: p.impl_min = 2, p.impl_max = 4; break;
      default: break;
    }
    p.big_endian = chance(1, 8);
    // A policy that refuses unaligned accesses needs align >= impl_max (well_formed); relax
    // only the others, so misaligned placements still occur where the position is off.
    if (p.unaligned && (abs_pos % p.align != 0 || chance(1, 2))) p.align = 1;
    if (!p.unaligned && abs_pos % p.align != 0 && !chance(1, 8)) p = model::policy{};
    p.error_read = chance(1, 4) ? pick(0, addr_max) : ~std::uint64_t{0};
    return p;
  }

  /// A size of roughly 1/2^k of `room`, on the grain when the grain fits.
  addr random_size(addr room) {
    addr s = room >> pick(0, 4);
    if (s == 0) s = 1;
    s = pick(std::max<addr>(1, s / 4), s);
    if (s >= grain_ && chance(4, 5)) s -= s % grain_;
    return s;
  }

  /// A leaf or container region for a child of `parent` (not yet appended).
  model::region make(tree& t, std::size_t parent, std::uint32_t depth, addr size, addr off,
                     std::int32_t prio, kind k, addr abs_pos) {
    const std::string_view name = t.keep("n" + std::to_string(t.r.size()));
    model::region n = model::build::leaf(k, name, size, off, prio, parent);
    (void)depth;
    if (k == kind::passthrough || k == kind::io || k == kind::regs)
      n.policy = random_policy(abs_pos);
    if (k == kind::passthrough) n.keep_separate = chance(1, 4);
    if (k == kind::stub) {
      n.response = static_cast<model::answer>(pick(0, 2));
      if (chance(1, 3)) n.policy = random_policy(abs_pos);
    }
    return n;
  }

  kind random_kind(std::uint32_t depth) {
    const auto r = pick(0, 99);
    if (depth < 4 && r < 25) return kind::container;
    if (r < 45) return kind::passthrough;
    if (r < 60) return kind::io;
    if (r < 70) return kind::regs;
    if (r < 80 || ordered_) return kind::stub;
    return kind::alias;
  }

  void children(tree& t, std::size_t self, std::uint32_t depth) {
    const addr psize = t.r[self].size;
    const int count = depth == 0  ? static_cast<int>(pick(1, 6))
                      : depth < 4 ? static_cast<int>(pick(0, 4))
                                  : 0;
    struct spec {
      addr size, off;
      std::int32_t prio;
      kind k;
    };
    std::vector<spec> specs;
    for (int c = 0; c < count; ++c) {
      const addr size = random_size(psize);
      addr off = 0;
      switch (pick(0, 5)) {
        case 0: off = 0; break;
        case 1: off = psize - size; break;  // flush with the end (the top of 2^64 for huge)
        default:
          off = pick(0, psize - size);
          if (off >= grain_ && chance(4, 5)) off -= off % grain_;
      }
      auto prio = static_cast<std::int32_t>(pick(0, 4)) - 2;
      const kind k = random_kind(depth);
      // Now and then a container takes the priority of an earlier container whose range it
      // meets: the two tie only on bytes both claim, so the tree may pass (their leaves
      // interleave) or break the tie rule. Otherwise resolve equal-priority overlap with
      // earlier siblings by construction.
      bool shared = false;
      if (k == kind::container && chance(1, 3)) {
        for (const spec& o : specs)
          if (!shared && o.k == kind::container && off <= o.off + (o.size - 1) &&
              o.off <= off + (size - 1)) {
            prio = o.prio;
            shared = true;
          }
      }
      std::set<std::int32_t> taken;
      for (const spec& o : specs)
        if (!shared && off <= o.off + (o.size - 1) && o.off <= off + (size - 1))
          taken.insert(o.prio);
      if (taken.size() >= 9)
        prio = *taken.rbegin() + 1;
      else
        while (taken.count(prio) != 0) prio = static_cast<std::int32_t>(pick(0, 8)) - 4;
      specs.push_back({size, off, prio, k});
    }
    if (ordered_) {
      std::stable_sort(specs.begin(), specs.end(), [](const spec& a, const spec& b) {
        return a.prio != b.prio ? a.prio < b.prio : a.off < b.off;
      });
    }
    const addr base = abs_of(t.r, self);
    for (const spec& sp : specs) {
      const std::size_t idx = t.r.size();
      t.r.push_back(make(t, self, depth + 1, sp.size, sp.off, sp.prio, sp.k, base + sp.off));
      if (sp.k == kind::container) children(t, idx, depth + 1);
    }
  }

  /// Turns one to three containers into windows: each gets one to three slots (a leaf, or a
  /// small container of leaves) appended after its last descendant... which pre-order allows
  /// only at the end of the array, so windows are chosen among containers whose subtree ends
  /// the array (the root, and the last container of each level); with `below_root`, not the
  /// root if another container qualifies (an alias can show such a window).
  void add_slots(tree& t, bool below_root = false) {
    const int windows = static_cast<int>(pick(1, 2));
    for (int w = 0; w < windows; ++w) {
      // Containers whose subtree runs to the end of the array.
      std::vector<std::size_t> cand;
      for (std::size_t i = 0; i < t.r.size(); ++i) {
        if (t.r[i].kind != kind::container || slot_of(t.r, i) != none) continue;
        bool last = true;
        for (std::size_t j = i + 1; j < t.r.size() && last; ++j) {
          std::size_t x = j;
          while (x != none && x != i) x = t.r[x].parent;
          last = x == i;
        }
        if (last) cand.push_back(i);
      }
      if (below_root && cand.size() > 1 && cand.front() == 0) cand.erase(cand.begin());
      if (cand.empty()) return;
      const std::size_t win = cand[pick(0, cand.size() - 1)];
      const addr wsize = t.r[win].size;
      const int slots = static_cast<int>(pick(1, 3));
      for (int k = 0; k < slots; ++k) {
        addr size = random_size(wsize > 0x100000 ? 0x100000 : wsize);
        if (chance(1, 2)) size = std::bit_floor(size);
        const auto prio = static_cast<std::int32_t>(pick(0, 4)) - 2;
        const std::size_t idx = t.r.size();
        const kind k0 = chance(1, 3) ? kind::container : random_kind(4);
        model::region s = make(t, win, 0, size, 0, prio, k0 == kind::alias ? kind::io : k0, 0);
        s.slot = true;
        s.slot_align = chance(1, 2) ? 0 : std::bit_ceil(size) << pick(0, 2);
        s.tie_reject = chance(1, 2);
        if (s.kind != kind::container) s.policy = random_policy(0);
        t.r.push_back(s);
        if (s.kind == kind::container) {
          const int leaves = static_cast<int>(pick(1, 3));
          for (int l = 0; l < leaves; ++l) {
            const addr ls = random_size(size);
            addr off = pick(0, size - ls);
            if (off >= grain_ && chance(4, 5)) off -= off % grain_;
            const kind lk = random_kind(4) == kind::alias ? kind::passthrough : random_kind(4);
            // Distinct priorities: siblings inside the slot never tie.
            t.r.push_back(make(t, idx, 1, ls, off, l, lk, off));
          }
        }
      }
    }
  }

  /// Path of region i from the root (root excluded), built from names and parents.
  static std::string path(const tree& t, std::size_t i) { return oracle::path(t.r, i); }

  /// How alias `a` names region `tg`: from the root, or (half the time) relative to the alias's
  /// container — "./" and the names below it, or one ".." per level up to the nearest common
  /// ancestor, then the names down from there.
  std::string_view target_path(tree& t, std::size_t a, std::size_t tg) {
    if (chance(1, 2)) return t.keep(path(t, tg));
    std::vector<std::size_t> up;  // tg and its ancestors, tg first
    for (std::size_t x = tg; x != none; x = t.r[x].parent) up.push_back(x);
    std::string rel;
    std::size_t common = t.r[a].parent;
    while (std::find(up.begin(), up.end(), common) == up.end()) {
      rel += rel.empty() ? ".." : "/..";
      common = t.r[common].parent;
    }
    if (rel.empty()) rel = ".";
    for (auto it = std::find(up.begin(), up.end(), common); it != up.begin();)
      rel += "/" + std::string(t.r[*--it].name);
    return t.keep(rel);
  }

  /// Can `from` reach `to` through children and the alias targets chosen so far?
  static bool reaches(const tree& t, const std::vector<std::size_t>& target, std::size_t from,
                      std::size_t to) {
    std::vector<std::size_t> stack{from};
    std::vector<bool> seen(t.r.size(), false);
    while (!stack.empty()) {
      const std::size_t x = stack.back();
      stack.pop_back();
      if (x == to) return true;
      if (seen[x]) continue;
      seen[x] = true;
      if (t.r[x].kind == kind::alias) {
        if (target[x] != none) stack.push_back(target[x]);
      } else {
        for (std::size_t c = 0; c < t.r.size(); ++c)
          if (t.r[c].parent == x) stack.push_back(c);
      }
    }
    return false;
  }

  /// Whether region c is, is inside, or contains a slot.
  static bool touches_slot(const tree& t, std::size_t c) {
    if (slot_of(t.r, c) != none) return true;
    for (std::size_t j = 0; j < t.r.size(); ++j) {
      if (!t.r[j].slot) continue;
      for (std::size_t x = j; x != none; x = t.r[x].parent)
        if (x == c) return true;
    }
    return false;
  }

  /// Points each alias at a region that cannot reach it back (so no cycle arises) and is no
  /// slot nor lies in one, preferring containers and other aliases; an alias with no possible
  /// target becomes a passthrough.
  void assign_aliases(tree& t) {
    std::vector<std::size_t> aliases;
    for (std::size_t i = 0; i < t.r.size(); ++i)
      if (t.r[i].kind == kind::alias) aliases.push_back(i);
    std::shuffle(aliases.begin(), aliases.end(), rng_);
    std::vector<std::size_t> target(t.r.size(), none), used;
    for (const std::size_t a : aliases) {
      std::vector<std::size_t> forwarding, leaves;
      for (std::size_t c = 1; c < t.r.size(); ++c) {
        // Never a slot or a region in one (alias_shows_a_slot); often not a region holding a
        // slot window either, which the root then shows twice (and more often refuses).
        if (c == a || reaches(t, target, c, a) || slot_of(t.r, c) != none ||
            (touches_slot(t, c) && chance(1, 2)))
          continue;
        (model::is_leaf(t.r[c].kind) ? leaves : forwarding).push_back(c);
      }
      auto& from = !forwarding.empty() && (leaves.empty() || chance(3, 5)) ? forwarding : leaves;
      model::region& n = t.r[a];
      if (from.empty()) {
        n.kind = kind::passthrough;
        continue;
      }
      std::size_t tg = from[pick(0, from.size() - 1)];
      // Often reuse an earlier alias's target: two windows onto one region, side by side in
      // the flat view, are where offsets must not be merged across.
      if (!used.empty() && chance(1, 3)) {
        const std::size_t u = used[pick(0, used.size() - 1)];
        if (u != a && !reaches(t, target, u, a)) tg = u;
      }
      used.push_back(tg);
      target[a] = tg;
      const addr tsize = t.r[tg].size;
      if (n.size > tsize) n.size = tsize;  // shrinking never creates an overlap
      n.target_offset = pick(0, tsize - n.size);
      if (n.target_offset >= grain_ && chance(3, 4)) n.target_offset -= n.target_offset % grain_;
      n.target = target_path(t, a, tg);
    }
  }

  /// Makes regions that aliases show unmapped (`unmapped<R>`): for some aliases, the target or
  /// one of its ancestors below the root, if it holds no slot, lies in none, and does not hold
  /// the alias itself. Its parent then no longer shows it, and its offset is 0.
  void unmap_some(tree& t) {
    for (std::size_t a = 0; a < t.r.size(); ++a) {
      if (t.r[a].kind != kind::alias || !chance(1, 3)) continue;
      std::vector<std::size_t> cand;
      for (std::size_t x = oracle::target_of(t.r, a); x != none && t.r[x].parent != none;
           x = t.r[x].parent) {
        bool holds_alias = false;
        for (std::size_t y = a; y != none && !holds_alias; y = t.r[y].parent) holds_alias = y == x;
        if (!holds_alias && slot_of(t.r, x) == none) cand.push_back(x);
      }
      if (cand.empty()) continue;
      model::region& u = t.r[cand[pick(0, cand.size() - 1)]];
      u = model::build::unmapped(u);
    }
  }

  /// Points an alias (one outside region w, in no slot, that w cannot reach) at w, shrunk to
  /// fit it; with no such alias, makes such a leaf one. Few aliases chosen at random show a
  /// slot window; this makes trees that do.
  void aim_alias_at(tree& t, std::size_t w) {
    std::vector<std::size_t> target(t.r.size(), none), aliases, leaves;
    for (std::size_t x = 0; x < t.r.size(); ++x)
      if (t.r[x].kind == kind::alias) target[x] = oracle::target_of(t.r, x);
    for (std::size_t a = 1; a < t.r.size(); ++a) {
      const model::region& r = t.r[a];
      if (r.kind == kind::container || r.slot || slot_of(t.r, a) != none ||
          reaches(t, target, w, a))
        continue;
      bool inside = false;
      for (std::size_t y = a; y != none && !inside; y = t.r[y].parent) inside = y == w;
      if (!inside) (r.kind == kind::alias ? aliases : leaves).push_back(a);
    }
    const auto& from = aliases.empty() ? leaves : aliases;
    if (from.empty()) return;
    model::region& n = t.r[from[pick(0, from.size() - 1)]];
    if (n.kind != kind::alias) {
      const model::region leaf = n;
      n = model::build::alias(leaf.name, leaf.size, leaf.offset, leaf.priority, leaf.parent, {});
      n.unmapped = leaf.unmapped;
    }
    if (n.size > t.r[w].size) n.size = t.r[w].size;
    n.target_offset = pick(0, t.r[w].size - n.size);
    if (n.target_offset >= grain_ && chance(3, 4)) n.target_offset -= n.target_offset % grain_;
    n.target = target_path(t, static_cast<std::size_t>(&n - t.r.data()), w);
  }

  /// For some trees with slots: a slot window, or a container around it, shown through an
  /// alias as well as in place, or (half the time) only through it, made unmapped.
  void show_a_window(tree& t) {
    std::vector<std::size_t> up;
    for (std::size_t i = 0; i < t.r.size(); ++i) {
      if (!t.r[i].slot) continue;
      for (std::size_t x = t.r[i].parent; x != none && t.r[x].parent != none; x = t.r[x].parent)
        if (slot_of(t.r, x) == none) up.push_back(x);
    }
    if (up.empty()) return;
    const std::size_t w = up[pick(0, up.size() - 1)];
    if (chance(1, 2)) t.r[w] = model::build::unmapped(t.r[w]);
    aim_alias_at(t, w);
  }

  std::size_t random_region(const tree& t, bool include_root) {
    return static_cast<std::size_t>(pick(include_root ? 0 : 1, t.r.size() - 1));
  }

  /// Breaks one rule on purpose (if the tree allows it; otherwise leaves it valid).
  void inject(tree& t) {
    std::vector<std::size_t> aliases, slots, containers;
    for (std::size_t i = 0; i < t.r.size(); ++i) {
      if (t.r[i].kind == kind::alias) aliases.push_back(i);
      if (t.r[i].slot) slots.push_back(i);
      if (t.r[i].kind == kind::container && !t.r[i].slot) containers.push_back(i);
    }
    switch (t.fault) {
      case injected::none:
      case injected::count_: break;
      case injected::unmapped_window: {
        // The window of a slot, or a container around it, made unmapped: its slots are seen
        // where aliases show it (an error only if none does).
        if (slots.empty()) break;
        std::vector<std::size_t> up;
        for (std::size_t x = t.r[slots[pick(0, slots.size() - 1)]].parent;
             x != none && t.r[x].parent != none; x = t.r[x].parent)
          up.push_back(x);
        if (up.empty()) break;
        const std::size_t ui = up[pick(0, up.size() - 1)];
        t.r[ui] = model::build::unmapped(t.r[ui]);
        // Mostly seen through an alias: without one the tree is refused.
        if (chance(3, 4)) aim_alias_at(t, ui);
        break;
      }
      case injected::unmapped_not_shown: {
        // Any region below the root made unmapped: shown only if an alias happens to target it.
        if (t.r.size() < 2) break;
        model::region& u = t.r[random_region(t, false)];
        if (u.slot) break;
        u = model::build::unmapped(u);
        break;
      }
      case injected::bad_policy: {
        model::region& n = t.r[random_region(t, true)];
        switch (pick(0, 3)) {
          case 0: n.policy.impl_min = 3; break;
          case 1: n.policy.sizes = 0x10; break;
          case 2: n.policy.impl_min = 8, n.policy.impl_max = 4; break;
          default: n.policy.align = 12; break;
        }
        break;
      }
      case injected::zero_size: t.r[random_region(t, true)].size = 0; break;
      case injected::offset_overflow: {
        if (t.r.size() < 2) break;
        model::region& n = t.r[random_region(t, false)];
        if (n.slot) break;
        n.offset = addr_max - pick(0, n.size > 1 ? n.size - 2 : 0);
        break;
      }
      case injected::outside_parent: {
        if (t.r.size() < 2) break;
        model::region& n = t.r[random_region(t, false)];
        const addr psize = t.r[n.parent].size;
        if (!n.slot && n.size < psize && chance(1, 2))
          n.offset = psize - n.size + pick(1, std::min<addr>(n.size, psize - n.size + 1));
        else if (psize != addr_max)
          n.size = psize + 1;
        break;
      }
      case injected::alias_not_found:
        if (!aliases.empty()) t.r[aliases[pick(0, aliases.size() - 1)]].target = "nowhere";
        break;
      case injected::alias_out_of_range: {
        if (aliases.empty()) break;
        model::region& n = t.r[aliases[pick(0, aliases.size() - 1)]];
        const std::size_t tg = oracle::target_of(t.r, &n - t.r.data());
        if (tg != none && t.r[tg].size - n.size < addr_max - 1)
          n.target_offset = t.r[tg].size - n.size + 1;
        break;
      }
      case injected::alias_cycle: {
        if (aliases.empty()) break;
        // Point an alias at itself or at one of its ancestors (the root excepted: its path is
        // "" and a cycle through it is just as much a cycle).
        const std::size_t a = aliases[pick(0, aliases.size() - 1)];
        std::vector<std::size_t> up{a};
        for (std::size_t p = t.r[a].parent; p != none; p = t.r[p].parent) up.push_back(p);
        const std::size_t tg = up[pick(0, up.size() - 1)];
        model::region& n = t.r[a];
        n.target = target_path(t, a, tg);
        n.size = std::min(n.size, t.r[tg].size);
        n.target_offset = 0;
        break;
      }
      case injected::duplicate_name: {
        std::vector<std::pair<std::size_t, std::size_t>> pairs;
        for (std::size_t i = 1; i < t.r.size(); ++i)
          for (std::size_t j = i + 1; j < t.r.size(); ++j)
            if (t.r[i].parent == t.r[j].parent) pairs.push_back({i, j});
        if (pairs.empty()) break;
        const auto [i, j] = pairs[pick(0, pairs.size() - 1)];
        t.r[j].name = t.r[i].name;
        break;
      }
      case injected::overlap: {
        std::vector<std::pair<std::size_t, std::size_t>> pairs;
        for (std::size_t i = 1; i < t.r.size(); ++i)
          for (std::size_t j = i + 1; j < t.r.size(); ++j)
            if (t.r[i].parent == t.r[j].parent && !t.r[i].slot && !t.r[j].slot)
              pairs.push_back({i, j});
        if (pairs.empty()) break;
        const auto [i, j] = pairs[pick(0, pairs.size() - 1)];
        model::region& b = t.r[j];
        const model::region& a = t.r[i];
        b.priority = a.priority;
        // Move b so that it overlaps a by at least one byte, staying inside the parent; a third
        // of the time by exactly one where it can (b's last byte a's first, or b's first a's
        // last): the edge case of the by-start sweep.
        const addr psize = t.r[a.parent].size;
        const addr lo = a.offset >= b.size - 1 ? a.offset - (b.size - 1) : 0;
        const addr hi = std::min(a.offset + (a.size - 1), psize - b.size);
        if (lo <= hi) b.offset = chance(1, 3) ? (chance(1, 2) ? lo : hi) : pick(lo, hi);
        break;
      }
      case injected::misaligned: {
        std::vector<std::size_t> cand;
        for (std::size_t i = 1; i < t.r.size(); ++i) {
          const addr a = abs_of(t.r, i);
          if (a != 0 && std::countr_zero(a) < 63) cand.push_back(i);
        }
        if (cand.empty()) break;
        const std::size_t i = cand[pick(0, cand.size() - 1)];
        const auto bit = std::min<std::uint64_t>(std::countr_zero(abs_of(t.r, i)) + pick(1, 3), 63);
        t.r[i].policy.align = addr{1} << bit;
        break;
      }
      case injected::nested_slot: {
        // A slot container gets a slot child of its own (appended last only if it ends the
        // array; otherwise an existing leaf inside a slot becomes a slot).
        std::vector<std::size_t> inner;
        for (std::size_t i = 0; i < t.r.size(); ++i)
          if (!t.r[i].slot && slot_of(t.r, i) != none) inner.push_back(i);
        if (inner.empty()) break;
        t.r[inner[pick(0, inner.size() - 1)]].slot = true;
        break;
      }
      case injected::bad_slot_alignment:
        if (!slots.empty()) t.r[slots[pick(0, slots.size() - 1)]].slot_align = 3ULL << pick(0, 12);
        break;
      case injected::windows_overlap: {
        // A static container that overlaps (or holds) a window becomes a window too: its
        // first static child turns into a slot.
        std::vector<std::size_t> windows;
        for (const std::size_t c : containers)
          if (is_window(t.r, c)) windows.push_back(c);
        if (windows.empty()) break;
        const std::size_t w = windows[pick(0, windows.size() - 1)];
        std::vector<std::size_t> cand;
        const addr wlo = abs_of(t.r, w), wlast = wlo + (t.r[w].size - 1);
        for (const std::size_t c : containers) {
          if (c == w || is_window(t.r, c) || slot_of(t.r, c) != none) continue;
          const addr lo = abs_of(t.r, c), last = lo + (t.r[c].size - 1);
          if (lo > wlast || last < wlo) continue;
          for (std::size_t k = c + 1; k < t.r.size(); ++k)
            // (A child is placed by at, slot or unmapped: never two of them.)
            if (t.r[k].parent == c && model::is_leaf(t.r[k].kind) && !t.r[k].unmapped) {
              cand.push_back(k);
              break;
            }
        }
        if (cand.empty()) break;
        model::region& s = t.r[cand[pick(0, cand.size() - 1)]];
        s.slot = true;
        s.slot_align = 0;
        break;
      }
      case injected::alias_shows_a_slot: {
        if (aliases.empty()) break;
        std::vector<std::size_t> cand;
        for (std::size_t i = 1; i < t.r.size(); ++i)
          if (slot_of(t.r, i) != none) cand.push_back(i);
        if (cand.empty()) break;
        const std::size_t a = aliases[pick(0, aliases.size() - 1)];
        const std::size_t tg = cand[pick(0, cand.size() - 1)];
        if (tg == a) break;
        model::region& n = t.r[a];
        n.target = target_path(t, a, tg);
        n.size = std::min(n.size, t.r[tg].size);
        n.target_offset = 0;
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  bool ordered_ = false;
  addr grain_ = 1;
};

// ---- brute force: the rules, each read literally, O(n^2) -------------------------------

bool literal_well_formed(const model::policy& p) {
  auto one_of = [](std::uint64_t v) { return v == 1 || v == 2 || v == 4 || v == 8; };
  auto pow2 = [](std::uint64_t v) {
    for (int k = 0; k < 64; ++k)
      if (v == std::uint64_t{1} << k) return true;
    return false;
  };
  bool sizes_ok = p.sizes != 0;
  for (int bit = 0; bit < 8; ++bit)
    if ((p.sizes >> bit) & 1U) sizes_ok = sizes_ok && bit < 4;
  return sizes_ok && one_of(p.impl_min) && one_of(p.impl_max) && p.impl_min <= p.impl_max &&
         pow2(p.align) && (p.unaligned || p.align >= p.impl_max);
}

/// Is region `to` reachable from `from` through children and alias targets?
bool literal_reaches(const std::vector<model::region>& t, std::size_t from, std::size_t to) {
  std::vector<bool> seen(t.size(), false);
  std::vector<std::size_t> work{from};
  while (!work.empty()) {
    const std::size_t x = work.back();
    work.pop_back();
    if (seen[x]) continue;
    seen[x] = true;
    if (t[x].kind == kind::alias) {
      const std::size_t g = oracle::target_of(t, x);
      if (g == to) return true;
      if (g != none) work.push_back(g);
    } else {
      for (std::size_t c = 0; c < t.size(); ++c)
        if (t[c].parent == x && !t[c].unmapped) {  // a parent does not show unmapped children
          if (c == to) return true;
          work.push_back(c);
        }
    }
  }
  return false;
}

/// The tie rule read literally (docs/design.md "The tie rule"): does region x show a leaf at
/// its own byte `at`? A leaf claims all of itself; an alias what its target claims in its
/// window; a container what its mapped children (slots aside) claim, whatever their
/// priorities — and all of itself when it holds a slot, which a commit may place anywhere.
bool literal_claims(const std::vector<model::region>& t, std::size_t x, addr at) {
  if (model::is_leaf(t[x].kind)) return true;
  if (t[x].kind == kind::alias)
    return literal_claims(t, oracle::target_of(t, x), t[x].target_offset + at);
  for (std::size_t c = x + 1; c < t.size(); ++c)
    if (t[c].parent == x && t[c].slot) return true;
  for (std::size_t c = x + 1; c < t.size(); ++c) {
    const model::region& k = t[c];
    if (k.parent != x || k.unmapped || at < k.offset || at - k.offset >= k.size) continue;
    if (literal_claims(t, c, at - k.offset)) return true;
  }
  return false;
}
/// Every place where what region x claims may change, with x's byte 0 at `at` (mod 2^64):
/// the edges of every region x shows, through its children and through aliases.
void claim_edges(const std::vector<model::region>& t, std::size_t x, addr at,
                 std::vector<addr>& out) {
  out.push_back(at);
  out.push_back(at + t[x].size);
  if (t[x].kind == kind::alias) {
    claim_edges(t, oracle::target_of(t, x), at - t[x].target_offset, out);
    return;
  }
  for (std::size_t c = x + 1; c < t.size(); ++c)
    if (t[c].parent == x && !t[c].unmapped && !t[c].slot) claim_edges(t, c, at + t[c].offset, out);
}
/// The first run of bytes siblings i and j both claim, in their parent's coordinates
/// ([lo, last]), if any: cut at every edge either shows, a piece is contested when both claim
/// its first byte, and contested pieces that touch make one run.
std::optional<std::pair<addr, addr>> contested(const std::vector<model::region>& t, std::size_t i,
                                               std::size_t j) {
  const u128 lo = std::max(t[i].offset, t[j].offset);
  const u128 end = std::min(u128{t[i].offset} + t[i].size, u128{t[j].offset} + t[j].size);
  if (lo >= end) return std::nullopt;
  std::vector<addr> e;
  claim_edges(t, i, t[i].offset, e);
  claim_edges(t, j, t[j].offset, e);
  std::vector<u128> cuts{lo, end};
  for (const addr a : e)
    if (a > lo && a < end) cuts.push_back(a);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::optional<std::pair<addr, addr>> run;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const auto a = static_cast<addr>(cuts[k]);
    const bool both =
        literal_claims(t, i, a - t[i].offset) && literal_claims(t, j, a - t[j].offset);
    if (both && !run)
      run = {{a, static_cast<addr>(cuts[k + 1] - 1)}};
    else if (both)
      run->second = static_cast<addr>(cuts[k + 1] - 1);
    else if (run)
      break;
  }
  return run;
}

/// The rules in the order docs/diagnostics.md says they are checked; rules of one step share a
/// rank (the first region in pre-order decides between them).
int rank_of(mmiotree::layout_error e) {
  using mmiotree::layout_error;
  switch (e) {
    case layout_error::none: return 0;
    case layout_error::bad_access_policy: return 1;
    case layout_error::zero_size: return 2;
    case layout_error::offset_overflow: return 3;
    case layout_error::child_outside_parent: return 4;
    case layout_error::alias_target_not_found: return 5;
    case layout_error::alias_target_out_of_range: return 6;
    case layout_error::alias_cycle: return 7;
    case layout_error::duplicate_sibling_name: return 8;
    case layout_error::siblings_overlap: return 8;  // one pass over each container's children
    case layout_error::nested_slot: return 9;
    case layout_error::bad_slot_alignment: return 9;
    case layout_error::misaligned_placement: return 10;
    case layout_error::slot_windows_overlap: return 11;
    case layout_error::alias_shows_a_slot: return 12;
    case layout_error::unmapped_not_shown: return 13;
  }
  return 99;
}

/// Every rule broken, and whether the specific report of check_layout holds.
struct brute_result {
  std::set<mmiotree::layout_error> broken;
  bool claim_holds = false;
};

brute_result brute_force(const std::vector<model::region>& t, const mmiotree::layout_check& c) {
  using mmiotree::layout_error;
  brute_result r;
  const std::size_t n = t.size();
  auto report = [&](layout_error e, bool exact) {
    r.broken.insert(e);
    if (c.error == e && exact) r.claim_holds = true;
  };
  auto end128 = [](addr off, addr size) { return u128{off} + size; };
  auto off_of = [&](std::size_t i) { return t[i].slot || t[i].unmapped ? 0 : t[i].offset; };

  for (std::size_t i = 0; i < n; ++i) {
    if (!literal_well_formed(t[i].policy)) report(layout_error::bad_access_policy, c.a == i);
    if (t[i].size == 0) report(layout_error::zero_size, c.a == i);
  }
  const bool sizes_ok = r.broken.count(layout_error::zero_size) == 0;
  for (std::size_t i = 0; i < n && sizes_ok; ++i) {
    if (end128(off_of(i), t[i].size) > (u128{1} << 64))
      report(layout_error::offset_overflow, c.a == i);
    if (i != 0 && !t[i].unmapped && end128(off_of(i), t[i].size) > t[t[i].parent].size)
      report(layout_error::child_outside_parent, c.a == i && c.b == t[i].parent &&
                                                     c.lo == abs_of(t, i) &&
                                                     c.last == abs_of(t, i) + (t[i].size - 1));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (t[i].kind != kind::alias) continue;
    const std::size_t g = oracle::target_of(t, i);
    if (g == none) {
      report(layout_error::alias_target_not_found, c.a == i);
      continue;
    }
    if (end128(t[i].target_offset, t[i].size) > t[g].size)
      report(layout_error::alias_target_out_of_range,
             c.a == i && c.b == g && c.lo == t[i].target_offset &&
                 c.last == t[i].target_offset + (t[i].size - 1));
    if (g == i || literal_reaches(t, g, i)) report(layout_error::alias_cycle, c.a == i && c.b == g);
  }
  for (std::size_t i = 1; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const model::region &a = t[i], &b = t[j];
      if (a.parent != b.parent || t[a.parent].kind != kind::container) continue;
      if (a.name == b.name)
        report(layout_error::duplicate_sibling_name,
               c.a == i && c.b == j && c.lo == abs_of(t, j) && c.last == abs_of(t, j));
      if (a.priority != b.priority || !sizes_ok || a.slot || b.slot || a.unmapped || b.unmapped)
        continue;
      // Ties need the alias targets found and no cycle (earlier rules) to be judged.
      if (r.broken.count(layout_error::alias_target_not_found) != 0 ||
          r.broken.count(layout_error::alias_target_out_of_range) != 0 ||
          r.broken.count(layout_error::alias_cycle) != 0 ||
          r.broken.count(layout_error::child_outside_parent) != 0 ||
          r.broken.count(layout_error::offset_overflow) != 0)
        continue;
      if (const auto run = contested(t, i, j)) {
        const addr base = abs_of(t, a.parent);
        report(layout_error::siblings_overlap,
               c.a == i && c.b == j && c.lo == base + run->first && c.last == base + run->second);
      }
    }
  }
  // Slots: none inside another slot; each slot's alignment a power of two.
  for (std::size_t i = 1; i < n; ++i) {
    if (!t[i].slot) continue;
    const std::size_t up = slot_of(t, t[i].parent);
    if (up != none) report(layout_error::nested_slot, c.a == i && c.b == up);
    const addr al = lower::slot_align(t[i]);
    if (al == 0 || std::popcount(al) != 1)
      report(layout_error::bad_slot_alignment, c.a == i && c.lo == al);
  }
  // Every region as aligned as its policy needs, where it is seen: inside a slot, at every
  // base the slot may take (multiples of the slot's alignment).
  for (std::size_t i = 0; i < n; ++i) {
    const addr al = t[i].policy.align;
    if (al == 0) continue;
    const std::size_t s = slot_of(t, i);
    if (abs_of(t, i) % al != 0 || (s != none && lower::slot_align(t[s]) % al != 0))
      report(layout_error::misaligned_placement, c.a == i && c.lo == abs_of(t, i) && c.last == al);
  }
  // An alias moves what it shows by (its address - its target offset - the target's address):
  // that must keep every region it shows, through any chain of aliases, as aligned as its
  // policy needs — the content of the slots of a window it shows too, which moves with it.
  // (Aliases that show a slot or a region in one are a rule of their own, below.)
  for (std::size_t i = 0; i < n; ++i) {
    if (t[i].kind != kind::alias) continue;
    const std::size_t g = oracle::target_of(t, i);
    if (g == none) continue;
    const std::size_t si = slot_of(t, i);
    if (slot_of(t, g) != none) continue;
    const addr shift = abs_of(t, i) - t[i].target_offset - abs_of(t, g);
    addr need = t[g].policy.align;
    bool broken = shift % need != 0;
    for (std::size_t x = 0; x < n; ++x) {
      if (!literal_reaches(t, g, x)) continue;
      need = std::max(need, t[x].policy.align);
      broken = broken || shift % t[x].policy.align != 0;
    }
    // Inside a slot the alias's address moves by multiples of the slot's alignment.
    if (si != none && lower::slot_align(t[si]) % need != 0) broken = true;
    if (broken)
      report(layout_error::misaligned_placement,
             c.a == i && c.b == g && c.lo == abs_of(t, i) && c.last == need);
  }
  // Where the root shows windows (containers with slots) — at their own position, or
  // through an alias showing them or a region around them, clipped to what it shows — those
  // places may not meet (a window inside another meets it). Found by walking what the root
  // shows: a container shows its mapped children where they lie in what it shows, an alias
  // the bytes of its target it shows. Slots show nothing here (they are placed at run time).
  if (r.broken.empty()) {
    struct place {
      std::size_t w;
      addr lo, last;
    };
    std::vector<place> places;
    std::function<void(std::size_t, addr, addr, addr)> show = [&](std::size_t x, addr at, addr lo,
                                                                  addr last) {
      // Region x's bytes [lo, last] are shown at root address at + lo ... (mod 2^64).
      if (is_window(t, x)) places.push_back({x, at + lo, at + last});
      if (t[x].kind == kind::alias) {
        const std::size_t g = oracle::target_of(t, x);
        const addr off = t[x].target_offset;
        show(g, at - off, lo + off, last + off);
        return;
      }
      for (std::size_t ch = x + 1; ch < n; ++ch) {
        if (t[ch].parent != x || t[ch].slot || t[ch].unmapped) continue;
        const addr clo = t[ch].offset, clast = t[ch].offset + (t[ch].size - 1);
        if (clast < lo || clo > last) continue;
        show(ch, at + clo, std::max(lo, clo) - clo, std::min(last, clast) - clo);
      }
    };
    show(0, 0, 0, t[0].size - 1);
    for (std::size_t x = 0; x < places.size(); ++x)
      for (std::size_t y = x + 1; y < places.size(); ++y) {
        const place &a = places[x], &b = places[y];
        if (a.lo > b.last || b.lo > a.last) continue;
        report(layout_error::slot_windows_overlap,
               c.a == std::min(a.w, b.w) && c.b == std::max(a.w, b.w) &&
                   c.lo == std::max(a.lo, b.lo) && c.last == std::min(a.last, b.last));
      }
  }
  // No alias shows a slot: its target is a slot or lies inside one.
  for (std::size_t i = 0; i < n; ++i) {
    if (t[i].kind != kind::alias) continue;
    const std::size_t g = oracle::target_of(t, i);
    if (g == none) continue;
    if (slot_of(t, g) != none)
      report(layout_error::alias_shows_a_slot, c.a == i && c.b == slot_of(t, g));
  }
  // Every unmapped region is shown by an alias: one targets it, or a region inside it.
  for (std::size_t u = 0; u < n; ++u) {
    if (!t[u].unmapped) continue;
    bool shown = false;
    for (std::size_t i = 0; i < n && !shown; ++i) {
      if (t[i].kind != kind::alias) continue;
      for (std::size_t x = oracle::target_of(t, i); x != none && !shown; x = t[x].parent)
        shown = x == u;
    }
    if (!shown) report(layout_error::unmapped_not_shown, c.a == u);
  }
  return r;
}

std::string dump(const tree& t) {
  const std::vector<mmiotree::node> nodes = lower::nodes(t.r);
  std::string s = mmiotree::format_mtree(nodes);
  for (std::size_t i = 0; i < t.r.size(); ++i)
    if (t.r[i].slot)
      s += "slot " + std::to_string(i) + " align " + std::to_string(lower::slot_align(t.r[i])) +
           (t.r[i].tie_reject ? " reject\n" : " declaration_order\n");
  return s.size() > 6000 ? s.substr(0, 6000) + "…\n" : s;
}

/// The library's view, leaves named by description index (region i is node i: lower.hpp).
std::vector<checks::range> as_ranges(const std::vector<mmiotree::flat_range>& v) {
  std::vector<checks::range> out;
  for (const auto& f : v) out.push_back({f.lo, f.last, f.leaf, f.offset});
  return out;
}
std::vector<checks::range> as_ranges(const std::vector<mmiotree::span_desc>& v) {
  std::vector<checks::range> out;
  for (const auto& f : v)
    out.push_back({f.lo, f.last, f.leaf == mmiotree::npos ? none : f.leaf, f.offset});
  return out;
}

}  // namespace

TEST_CASE("random trees: check_layout, flatten and project agree with the rules", "[property]") {
  const std::uint64_t seed = env_or("MMIOTREE_PROPERTY_SEED", 0x6d6d696f74726565ULL);
  const std::uint64_t trees = env_or("MMIOTREE_PROPERTY_TREES", 1500);
  std::cout << "property seed: 0x" << std::hex << seed << std::dec << " (MMIOTREE_PROPERTY_SEED), "
            << trees << " trees (MMIOTREE_PROPERTY_TREES)\n";

  generator gen(seed);
  std::size_t accepted = 0, rejected = 0, ranges = 0, aliases = 0, huge = 0, slotted = 0,
              separate = 0, more_than_leaves = 0, unmapped = 0, shared_ranges = 0,
              through_aliases = 0;
  std::map<mmiotree::layout_error, std::size_t> by_rule;
  tree t;
  for (std::uint64_t k = 0; k < trees; ++k) {
    gen.build(t);
    const std::vector<mmiotree::node> nodes = lower::nodes(t.r);
    const mmiotree::layout_check c = mmiotree::check_layout(nodes);
    INFO("seed 0x" << std::hex << seed << std::dec << ", tree " << k << " (injected fault "
                   << static_cast<int>(t.fault) << "), check_layout: " << to_string(c.error)
                   << " a=" << c.a << " b=" << c.b << " lo=0x" << std::hex << c.lo << " last=0x"
                   << c.last << std::dec << "\n"
                   << dump(t));
    const brute_result b = brute_force(t.r, c);
    if (c.ok()) {
      REQUIRE(b.broken.empty());
    } else {
      ++rejected;
      ++by_rule[c.error];
      REQUIRE(b.claim_holds);
      // Nothing checked earlier may be broken.
      for (const mmiotree::layout_error e : b.broken) REQUIRE(rank_of(e) >= rank_of(c.error));
      continue;
    }
    ++accepted;
    for (const model::region& r : t.r) {
      aliases += r.kind == kind::alias ? 1 : 0;
      separate += r.keep_separate ? 1 : 0;
      unmapped += r.unmapped ? 1 : 0;
    }
    slotted += std::any_of(t.r.begin(), t.r.end(), [](const model::region& r) { return r.slot; });
    // Accepted trees where two static siblings of one priority meet (only in holes).
    bool meet = false;
    for (std::size_t i = 1; i < t.r.size() && !meet; ++i)
      for (std::size_t j = i + 1; j < t.r.size() && !meet; ++j) {
        const model::region &x = t.r[i], &y = t.r[j];
        meet = x.parent == y.parent && x.priority == y.priority && !x.slot && !y.slot &&
               !x.unmapped && !y.unmapped && x.offset <= y.offset + (y.size - 1) &&
               y.offset <= x.offset + (x.size - 1);
      }
    shared_ranges += meet ? 1 : 0;
    huge += t.r[0].size == addr_max ? 1 : 0;

    const oracle::tree model(t.r);
    const std::vector<checks::range> want = model.flat();
    const std::vector<mmiotree::flat_range> view = mmiotree::flatten(nodes);
    const std::string f = checks::same_view(as_ranges(view), want);
    INFO(f);
    REQUIRE(f.empty());
    ranges += want.size();
    // The slot tables' sizes pass never counts fewer than the full pass gives: at compile time
    // the tables are built in a buffer it sizes (layout/slots.hpp), then trimmed.
    const mmiotree::slot_tables full = mmiotree::compute_slots(nodes);
    const mmiotree::slot_tables sized = mmiotree::detail::compute_slot_tables(nodes, false);
    REQUIRE(sized.slots.size() == full.slots.size());
    REQUIRE(sized.windows.size() == full.windows.size());
    REQUIRE(sized.appearances.size() == full.appearances.size());
    REQUIRE(sized.levels.size() == full.levels.size());
    REQUIRE(sized.statics.size() == full.statics.size());
    // Accepted trees where an alias shows a slot window (its slots seen through it).
    through_aliases += std::any_of(full.appearances.begin(), full.appearances.end(),
                                   [](const mmiotree::window_appearance& a) { return !a.direct; });
    REQUIRE(sized.ties.size() == full.ties.size());
    for (std::size_t s = 0; s < full.slots.size(); ++s) {
      REQUIRE(full.slots[s].range_count <= sized.slots[s].range_count);
      // More ranges than leaf occurrences (m = (bound - 1) / 2): a bound of m would be short.
      more_than_leaves += full.slots[s].range_count > (sized.slots[s].range_count - 1) / 2 ? 1 : 0;
    }
    for (const addr page : {addr{4096}, addr{16384}, addr{65536}}) {
      for (const bool partial : {false, true}) {
        const auto r = mmiotree::project(
            nodes, view, page,
            partial ? mmiotree::page_policy::trap_partial_pages : mmiotree::page_policy::error);
        const checks::projection got{r.ok, as_ranges({r.offending})[0], as_ranges(r.passthrough),
                                     as_ranges(r.trapped)};
        const std::string p = checks::same_projection(
            got, checks::expected_projection(model, want, page, partial), page);
        INFO(p);
        REQUIRE(p.empty());
      }
    }
  }
  std::cout << "  " << accepted << " accepted (" << huge << " with a 2^64-1 root, " << slotted
            << " with slots, " << aliases << " aliases, " << unmapped << " unmapped regions, "
            << separate << " keep_separate leaves, " << shared_ranges
            << " with equal-priority siblings meeting in holes, " << through_aliases
            << " with slot windows shown through aliases), " << rejected << " rejected:";
  for (const auto& [e, n] : by_rule) std::cout << " " << to_string(e) << "=" << n;
  std::cout << "; " << ranges << " flat ranges compared; " << more_than_leaves
            << " slots with more ranges than leaf occurrences\n";
  // The generator's reach, so that a change to it cannot quietly stop exercising the rules:
  // most trees are valid, and the injected faults reach every rule.
  CHECK(accepted >= trees * 2 / 3);
  CHECK(by_rule.size() == 15);
  CHECK(more_than_leaves > 0);
  CHECK(through_aliases > 0);
  CHECK(unmapped > 0);
  CHECK(shared_ranges > 0);
}

// The one-pass shortcuts (layout/check.hpp, layout/flatten.hpp) against the full algorithms they
// stand in for, on trees of the shape they take: the check may accept a tree only if the full
// check does, and the one-pass flat view must equal the ranked sweep's — and both the oracle's.
TEST_CASE("random ordered trees: the one-pass check and flat view agree with the full ones",
          "[property]") {
  const std::uint64_t seed = env_or("MMIOTREE_PROPERTY_SEED", 0x6f6e6570617373ULL);
  const std::uint64_t trees = env_or("MMIOTREE_PROPERTY_TREES", 1500);
  generator gen(seed, /*ordered=*/true);
  std::size_t one_pass_checks = 0, full_accepts = 0, one_pass_views = 0, ranked_views = 0;
  tree t;
  for (std::uint64_t k = 0; k < trees; ++k) {
    gen.build(t);
    const std::vector<mmiotree::node> nodes = lower::nodes(t.r);
    INFO("seed 0x" << std::hex << seed << std::dec << ", ordered tree " << k << "\n" << dump(t));
    const bool one_pass = mmiotree::detail::passes_in_one_pass(nodes);
    const mmiotree::layout_check full = mmiotree::detail::check_layout_in_full(nodes);
    if (one_pass) {
      ++one_pass_checks;
      REQUIRE(full.ok());
    }
    REQUIRE(mmiotree::check_layout(nodes) == full);
    if (!full.ok()) continue;
    ++full_accepts;

    std::vector<mmiotree::flat_range> fast, ranked;
    auto into_fast = [&](const mmiotree::flat_range& r) { fast.push_back(r); };
    auto into_ranked = [&](const mmiotree::flat_range& r) { ranked.push_back(r); };
    mmiotree::detail::rank_and_sweep(nodes, into_ranked, 0);
    const std::string f = checks::same_view(as_ranges(ranked), oracle::tree(t.r).flat());
    INFO(f);
    REQUIRE(f.empty());
    if (mmiotree::detail::flat_in_one_pass(nodes, into_fast, 0)) {
      ++one_pass_views;
      REQUIRE(fast == ranked);
    } else {
      ++ranked_views;
      REQUIRE(fast.empty());  // nothing emitted when the shortcut declines
    }
  }
  std::cout << "  ordered trees: " << one_pass_checks << " of " << full_accepts
            << " valid trees accepted in one pass; flat views: " << one_pass_views
            << " in one pass, " << ranked_views << " ranked\n";
  // Both ways are exercised: the shortcuts on most valid trees, the full algorithms on the rest.
  CHECK(one_pass_checks >= full_accepts / 2);
  CHECK(one_pass_views >= trees / 10);
  CHECK(ranked_views >= trees / 10);
}
