// layout/slots.hpp: the compile-time side of slots — each slot's own flat view, and for each
// window (a container with slots) what a slot placed there competes with, wherever it is seen.
//
// A slot is a child of its window with a priority. The root may show a window in several places
// — its own position, and each alias that shows it or a region around it, clipped to what the
// alias shows (QEMU's `pci-hole` onto the PCI address space) — or in none: each place is an
// *appearance*. Where an appearance is visible, a slot range wins over the window's static
// children whose priority is lower, and over anything outside that the window's branch beats
// there (QEMU's rule, applied to a child whose offset changes). So for each byte of an
// appearance one number decides everything a commit needs: the *level* there —
//   - `level_nothing`: the window shows no static content here; any slot wins;
//   - `level_hidden`: something outside, of higher rank, covers it; no slot shows;
//   - otherwise the highest priority among the window's static children with content here.
// The level maps are computed once, at compile time, from the same render as the flat view
// (tree/render.hpp logs each rendering of a window). The window itself keeps its static
// intervals: what its static children claim, window-relative, visible or not — what ties are
// judged against. Moving a slot then never re-flattens anything: it compares the slot's priority
// with the levels under its new extent in each appearance (runtime/slot_map.hpp).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

inline constexpr std::int64_t level_nothing = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t level_hidden = std::numeric_limits<std::int64_t>::max();

/// A slot as a value.
struct slot_desc {
  node_index node = npos;    ///< the slot's region
  node_index window = npos;  ///< its parent container
  std::uint32_t window_index = 0;
  addr_t size = 0;
  addr_t align = 1;
  std::int32_t priority = 0;
  tie_policy tie = tie_policy::reject;
  std::uint32_t first_range = 0;  ///< into the slot ranges: its flat view, slot-relative
  std::uint32_t range_count = 0;
};

/// A window: a container with slots. Its slots are placed relative to its byte 0; where the
/// root shows it is listed in its appearances.
struct window_desc {
  node_index node = npos;
  addr_t size = 0;
  /// The address of its byte 0 at the interface: where the root has it, or for a window in
  /// an unmapped region its offset from that region (an address space of its own, as QEMU's
  /// PCI address space: its addresses are bus addresses). `absolute_offsets`' value.
  addr_t home = 0;
  /// Into the static intervals, which tile the window's bytes [0, size - 1] (window-relative):
  /// what its static children claim there, wherever — and whether — the root shows it.
  std::uint32_t first_static = 0;
  std::uint32_t static_count = 0;
  std::uint32_t first_appearance = 0;  ///< into the appearances, in render order
  std::uint32_t appearance_count = 0;
};

/// One place where the root shows a window: its own position (`direct`), or through an alias
/// that shows the window or a region containing it, clipped to what the alias shows.
struct window_appearance {
  std::uint32_t window = 0;       ///< into the windows
  addr_t lo = 0;                  ///< root bytes [lo, last] show the window's bytes
  addr_t last = 0;                ///< [lo - base, last - base]
  addr_t base = 0;                ///< the root address of the window's byte 0 (mod 2^64)
  bool direct = false;            ///< through no alias: the window's own position, shown whole
  std::uint32_t first_level = 0;  ///< into the level intervals, which tile [lo, last]
  std::uint32_t level_count = 0;
};

/// What a slot competes with over [lo, last]: in an appearance (root-relative), see the header;
/// in a window's static intervals (window-relative), the highest priority among its static
/// children there (level_nothing: none). `by` is the leaf that sets the level (npos for
/// level_nothing), for error messages. In a static interval `[first_tie, first_tie +
/// tie_count)` lists, in the tables' `ties` by ascending priority, every priority the window's
/// static children have content at there — the highest is `level`, the others are hidden by a
/// higher sibling — because a slot ties with a static sibling of its own priority wherever both
/// claim bytes, visible or not (as two static siblings would: check_layout refuses those
/// whatever covers them). An appearance's levels have no ties.
struct level_interval {
  addr_t lo = 0;
  addr_t last = 0;
  std::int64_t level = level_nothing;
  node_index by = npos;
  std::uint32_t first_tie = 0;
  std::uint32_t tie_count = 0;
  [[nodiscard]] constexpr bool operator==(const level_interval&) const = default;
};

/// A priority some static child of a window has content at, over a static interval; `by` is
/// a leaf of that child there (for error messages).
struct tie_level {
  std::int32_t priority = 0;
  node_index by = npos;
  [[nodiscard]] constexpr bool operator==(const tie_level&) const = default;
};

struct slot_tables {
  std::vector<slot_desc> slots;
  std::vector<flat_range> ranges;
  std::vector<window_desc> windows;
  std::vector<window_appearance> appearances;
  std::vector<level_interval> levels;   ///< the appearances'
  std::vector<level_interval> statics;  ///< the windows'
  std::vector<tie_level> ties;
};

namespace detail {
/// Content over [lo, last] that sets a level: the priority of a static child of a window (or
/// level_hidden), its leaf, and the rank that orders contents of one level (the highest wins).
struct level_item {
  addr_t lo, last;
  std::int64_t level;
  node_index by;
  std::uint32_t rank;
};

/// Tiles [lo0, last0] with the intervals `items` (clipped to it) make: at each byte the item of
/// the highest (level, rank), or level_nothing; with `ties`, the distinct levels there too (the
/// lowest-ranked item of each). Adjacent intervals alike are merged. Items per window are few;
/// a sweep would do for many.
constexpr void tile_levels(const std::vector<level_item>& items, addr_t lo0, addr_t last0,
                           std::vector<level_interval>& out, std::vector<tie_level>* ties) {
  const std::size_t first = out.size();
  std::vector<addr_t> cuts{lo0};
  for (const level_item& x : items) {
    cuts.push_back(x.lo);
    if (x.last != last0) cuts.push_back(x.last + 1);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    const addr_t lo = cuts[k];
    const addr_t last = k + 1 < cuts.size() ? cuts[k + 1] - 1 : last0;
    level_interval li{lo, last, level_nothing, npos};
    const level_item* best = nullptr;
    std::vector<std::pair<std::int64_t, const level_item*>> here;  // level, lowest-ranked item
    for (const level_item& x : items) {
      if (x.lo > lo || x.last < lo) continue;
      if (!best || x.level > best->level || (x.level == best->level && x.rank > best->rank))
        best = &x;
      if (ties == nullptr) continue;
      bool seen = false;
      for (auto& [lv, it] : here)
        if (lv == x.level) {
          seen = true;
          if (x.rank < it->rank) it = &x;
        }
      if (!seen) here.emplace_back(x.level, &x);
    }
    if (best) {
      li.level = best->level;
      li.by = best->by;
    }
    std::sort(here.begin(), here.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    level_interval* prev = out.size() > first ? &out.back() : nullptr;
    bool same_ties = prev && prev->tie_count == here.size();
    for (std::uint32_t j = 0; same_ties && j < here.size(); ++j)
      same_ties = (*ties)[prev->first_tie + j].priority == here[j].first &&
                  (*ties)[prev->first_tie + j].by == here[j].second->by;
    if (prev && prev->level == li.level && prev->by == li.by && same_ties) {
      prev->last = last;
      continue;
    }
    if (ties) {
      li.first_tie = static_cast<std::uint32_t>(ties->size());
      li.tie_count = static_cast<std::uint32_t>(here.size());
      for (const auto& [lv, it] : here) ties->push_back({static_cast<std::int32_t>(lv), it->by});
    }
    out.push_back(li);
  }
}

/// `compute_slots`, or with `ranges` false its sizes only: the slots' own flat views are not
/// computed (the costly part with many slots), `ranges` stays empty and each slot's
/// `range_count` is an upper bound instead, 2m + 1 for m leaf occurrences in its subtree (as
/// `flat_buffer_v` bounds a whole tree's); everything else is as `compute_slots` gives it.
constexpr slot_tables compute_slot_tables(std::span<const node> nodes, bool ranges) {
  slot_tables t;
  const node* const nd = nodes.data();

  std::vector<addr_t> abs(nodes.size(), 0);
  detail::absolute_offsets(nodes, abs.data());
  // Windows in pre-order, then their slots in declaration order.
  for (node_index w = 0; w < nodes.size(); ++w) {
    if (!detail::is_window(nodes, w)) continue;
    for (node_index c = w + 1; c < nd[w].end; c = nd[c].end) {
      if (!nd[c].dynamic) continue;
      slot_desc s{c,
                  w,
                  static_cast<std::uint32_t>(t.windows.size()),
                  nd[c].size,
                  nd[c].slot_align,
                  nd[c].priority,
                  nd[c].tie};
      s.first_range = static_cast<std::uint32_t>(t.ranges.size());
      if (ranges) {
        detail::sweep(
            nodes, [&](const flat_range& r) { t.ranges.push_back(r); }, c);
        s.range_count = static_cast<std::uint32_t>(t.ranges.size() - s.first_range);
      } else {
        s.range_count = static_cast<std::uint32_t>(2 * detail::occurrence_bound(nodes, c) + 1);
      }
      t.slots.push_back(s);
    }
    t.windows.push_back({w, nd[w].size, abs[w]});
  }
  if (t.windows.empty()) return t;

  // Each window's static intervals: its static children rendered one by one where they lie in
  // it (every child lies inside its parent), each occurrence at the child's priority.
  for (window_desc& w : t.windows) {
    std::vector<level_item> items;
    for (node_index c = w.node + 1; c < nd[w.node].end; c = nd[c].end) {
      if (nd[c].dynamic || nd[c].unmapped) continue;
      render_state count{nodes, nullptr};
      detail::render(count, c, nd[c].offset, 0, nd[c].size - 1);
      std::vector<occurrence> occ(count.count, occurrence{});
      render_state st{nodes, occ.data()};
      detail::render(st, c, nd[c].offset, 0, nd[c].size - 1);
      for (const occurrence& o : occ)
        items.push_back({o.lo, o.last, nd[c].priority, o.leaf, o.rank});
    }
    w.first_static = static_cast<std::uint32_t>(t.statics.size());
    tile_levels(items, 0, w.size - 1, t.statics, &t.ties);
    w.static_count = static_cast<std::uint32_t>(t.statics.size() - w.first_static);
  }

  // One render of the whole tree, logging each rendering of a window: its appearances.
  std::vector<detail::occurrence> occ(detail::occurrence_count(nodes), detail::occurrence{});
  const std::vector<detail::window_render> shown = detail::window_renders(nodes, occ.data());

  for (std::uint32_t wi = 0; wi < t.windows.size(); ++wi) {
    window_desc& w = t.windows[wi];
    w.first_appearance = static_cast<std::uint32_t>(t.appearances.size());
    for (const detail::window_render& r : shown) {
      if (r.node != w.node) continue;
      window_appearance a{wi, r.lo, r.last, r.base, r.direct};
      a.first_level = static_cast<std::uint32_t>(t.levels.size());
      // The window's own content, where this appearance shows it; above it, what outside
      // content of a higher rank hides (lower-ranked content outside loses to any slot).
      std::vector<level_item> items;
      const addr_t wlo = r.lo - r.base, wlast = r.last - r.base;
      for (std::uint32_t k = w.first_static; k < w.first_static + w.static_count; ++k) {
        const level_interval& s = t.statics[k];
        if (s.level == level_nothing || s.last < wlo || s.lo > wlast) continue;
        items.push_back(
            {r.base + std::max(s.lo, wlo), r.base + std::min(s.last, wlast), s.level, s.by, 0});
      }
      for (const detail::occurrence& o : occ) {
        if (o.rank < r.rank_hi || o.last < r.lo || o.lo > r.last) continue;
        items.push_back(
            {std::max(o.lo, r.lo), std::min(o.last, r.last), level_hidden, o.leaf, o.rank});
      }
      tile_levels(items, r.lo, r.last, t.levels, nullptr);
      a.level_count = static_cast<std::uint32_t>(t.levels.size() - a.first_level);
      t.appearances.push_back(a);
    }
    w.appearance_count = static_cast<std::uint32_t>(t.appearances.size() - w.first_appearance);
  }
  return t;
}
}  // namespace detail

/// Computes the slot tables of a checked descriptor array, at run time or compile time.
constexpr slot_tables compute_slots(std::span<const node> nodes) {
  return detail::compute_slot_tables(nodes, true);
}

namespace detail {
template <std::size_t S, std::size_t R, std::size_t W, std::size_t A, std::size_t L, std::size_t V,
          std::size_t T>
struct slot_arrays {
  std::array<slot_desc, S> slots{};
  std::array<flat_range, R> ranges{};
  std::array<window_desc, W> windows{};
  std::array<window_appearance, A> appearances{};
  std::array<level_interval, L> levels{};
  std::array<level_interval, V> statics{};
  std::array<tie_level, T> ties{};
};

/// The sizes of a tree's slot tables, the ranges' an upper bound.
struct slot_counts {
  std::size_t slots = 0, ranges = 0, windows = 0, appearances = 0, levels = 0, statics = 0,
              ties = 0;
};
constexpr slot_counts count_slot_tables(std::span<const node> nodes) {
  const slot_tables t = compute_slot_tables(nodes, false);
  slot_counts c{
      t.slots.size(), 0, t.windows.size(), t.appearances.size(), t.levels.size(), t.statics.size(),
      t.ties.size()};
  for (const slot_desc& s : t.slots) c.ranges += s.range_count;
  return c;
}

template <std::size_t R, slot_counts C>
using slot_arrays_for =
    slot_arrays<C.slots, R, C.windows, C.appearances, C.levels, C.statics, C.ties>;

/// The slot tables with room for `C.ranges` ranges, and how many there are: computed once.
template <slot_counts C>
struct slot_buffer {
  slot_arrays_for<C.ranges, C> a{};
  std::size_t ranges = 0;
};
template <slot_counts C>
constexpr slot_buffer<C> make_slot_buffer(std::span<const node> nodes) {
  slot_buffer<C> b{};
  const slot_tables t = compute_slots(nodes);
  std::copy(t.slots.begin(), t.slots.end(), b.a.slots.begin());
  std::copy(t.ranges.begin(), t.ranges.end(), b.a.ranges.begin());
  std::copy(t.windows.begin(), t.windows.end(), b.a.windows.begin());
  std::copy(t.appearances.begin(), t.appearances.end(), b.a.appearances.begin());
  std::copy(t.levels.begin(), t.levels.end(), b.a.levels.begin());
  std::copy(t.statics.begin(), t.statics.end(), b.a.statics.begin());
  std::copy(t.ties.begin(), t.ties.end(), b.a.ties.begin());
  b.ranges = t.ranges.size();
  return b;
}

/// The buffer's tables with exactly `R` ranges.
template <std::size_t R, slot_counts C>
constexpr slot_arrays_for<R, C> trim_ranges(const slot_buffer<C>& b) {
  slot_arrays_for<R, C> a{};
  a.slots = b.a.slots;
  std::copy_n(b.a.ranges.begin(), R, a.ranges.begin());
  a.windows = b.a.windows;
  a.appearances = b.a.appearances;
  a.levels = b.a.levels;
  a.statics = b.a.statics;
  a.ties = b.a.ties;
  return a;
}

/// Tree's slot tables before trimming: an internal constant (tree/descriptor.hpp), computed
/// once by plain functions keyed on the sizes, never on the tree. Only trimmed into
/// `slot_tables_v`; not emitted when optimising (g++ -O0 writes it out, as `flat_buffer_v`).
/// Empty for a tree that breaks a layout rule (as `flat_view_v` is: one mistake, one error —
/// a tree whose alias names no region could not even be rendered).
template <region Tree>
constexpr std::span<const node> checked_nodes_v = verdict_of<Tree>::value
                                                      ? std::span<const node>(tree_nodes_v<Tree>)
                                                      : std::span<const node>();
template <region Tree>
constexpr auto slot_buffer_v =
    make_slot_buffer<count_slot_tables(checked_nodes_v<Tree>)>(checked_nodes_v<Tree>);
}  // namespace detail

/// The slot tables of Tree as `std::array`s in read-only data (empty for a tree without slots).
template <region Tree>
inline constexpr auto slot_tables_v =
    detail::trim_ranges<detail::slot_buffer_v<Tree>.ranges>(detail::slot_buffer_v<Tree>);

MMIOTREE_END_NAMESPACE
