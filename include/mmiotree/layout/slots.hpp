// layout/slots.hpp: the compile-time side of slots — each slot's own flat view, and for each
// window (a container with slots) a map of what a slot placed there competes with.
//
// A slot is a child of its window with a priority. Where the window's branch is visible, a
// slot range wins over the window's static children whose priority is lower, and over
// anything outside the window that the window's branch beats (QEMU's rule, applied to a child
// whose offset changes). So for each byte of a window one number decides everything a commit
// needs: the *level* there —
//   - `level_nothing`: the window shows no static content here; any slot wins;
//   - `level_hidden`: something outside the window, of higher rank, covers it; no slot shows;
//   - otherwise the highest priority among the window's static children with content here.
// The window's level map is computed once, at compile time, from the same render as the flat
// view. Moving a slot then never re-flattens anything: it compares the slot's priority with
// the levels under its new extent (runtime/address_space.hpp).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
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

/// A window: a container with slots, at a static position of the root.
struct window_desc {
  node_index node = npos;
  addr_t lo = 0;  ///< root-relative
  addr_t last = 0;
  std::uint32_t first_level = 0;  ///< into the level intervals, which tile [lo, last]
  std::uint32_t level_count = 0;
};

/// What a slot competes with over [lo, last] of a window (root-relative): see the header.
/// `by` is the leaf that sets the level (npos for level_nothing), for error messages.
/// `[first_tie, first_tie + tie_count)` lists, in the tables' `ties`, every priority the
/// window's static children have content at there — the highest is `level` unless something
/// outside hides the window, the others are hidden by a higher sibling — because a slot ties
/// with a static sibling of its own priority wherever both claim bytes, visible or not (as two
/// static siblings would: check_layout refuses those whatever covers them).
struct level_interval {
  addr_t lo = 0;
  addr_t last = 0;
  std::int64_t level = level_nothing;
  node_index by = npos;
  std::uint32_t first_tie = 0;
  std::uint32_t tie_count = 0;
  [[nodiscard]] constexpr bool operator==(const level_interval&) const = default;
};

/// A priority some static child of a window has content at, over a level interval; `by` is
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
  std::vector<level_interval> levels;
  std::vector<tie_level> ties;
};

namespace detail {
/// `compute_slots`, or with `ranges` false its sizes only: the slots' own flat views are not
/// computed (the costly part with many slots), `ranges` stays empty and each slot's
/// `range_count` is an upper bound instead, 2m + 1 for m leaf occurrences in its subtree (as
/// `flat_buffer_v` bounds a whole tree's); everything else is as `compute_slots` gives it.
constexpr slot_tables compute_slot_tables(std::span<const node> nodes, bool ranges) {
  slot_tables t;
  // Absolute offsets of static nodes.
  std::vector<addr_t> abs(nodes.size(), 0);
  detail::absolute_offsets(nodes, abs.data());

  // Windows in pre-order, then their slots in declaration order.
  for (node_index w = 0; w < nodes.size(); ++w) {
    if (!detail::is_window(nodes, w)) continue;
    window_desc wd{w, abs[w], abs[w] + (nodes[w].size - 1)};
    for (node_index c = w + 1; c < nodes[w].end; c = nodes[c].end) {
      if (!nodes[c].dynamic) continue;
      slot_desc s{c,
                  w,
                  static_cast<std::uint32_t>(t.windows.size()),
                  nodes[c].size,
                  nodes[c].slot_align,
                  nodes[c].priority,
                  nodes[c].tie};
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
    t.windows.push_back(wd);
  }
  if (t.windows.empty()) return t;

  // One render of the whole tree, logging each node's rank span.
  std::vector<detail::occurrence> occ(detail::occurrence_count(nodes), detail::occurrence{});
  std::vector<std::uint32_t> rlo(nodes.size(), 0), rhi(nodes.size(), 0);
  detail::render_state st{nodes, occ.data()};
  st.rank_lo = rlo.data();
  st.rank_hi = rhi.data();
  detail::render(st, 0, 0, 0, nodes[0].size - 1);

  for (window_desc& w : t.windows) {
    w.first_level = static_cast<std::uint32_t>(t.levels.size());
    struct item {
      addr_t lo, last;
      std::int64_t level;
      node_index by;
      bool child;  ///< content of one of the window's static children (level: its priority)
    };
    std::vector<item> items;
    for (const detail::occurrence& o : occ) {
      if (o.last < w.lo || o.lo > w.last) continue;
      std::int64_t level;
      bool child = false;
      if (o.rank >= rlo[w.node] && o.rank < rhi[w.node]) {
        level = level_nothing;  // inside the window: the priority of the child holding it
        for (node_index c = w.node + 1; c < nodes[w.node].end; c = nodes[c].end)
          if (!nodes[c].dynamic && o.rank >= rlo[c] && o.rank < rhi[c]) {
            level = nodes[c].priority;
            child = true;
          }
      } else if (o.rank >= rhi[w.node]) {
        level = level_hidden;
      } else {
        continue;  // lower-ranked content outside the window: a slot beats it
      }
      items.push_back({std::max(o.lo, w.lo), std::min(o.last, w.last), level, o.leaf, child});
    }
    std::vector<addr_t> cuts{w.lo};
    for (const item& x : items) {
      cuts.push_back(x.lo);
      if (x.last != w.last) cuts.push_back(x.last + 1);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t k = 0; k < cuts.size(); ++k) {
      const addr_t lo = cuts[k];
      const addr_t last = k + 1 < cuts.size() ? cuts[k + 1] - 1 : w.last;
      level_interval li{lo, last, level_nothing, npos};
      std::vector<tie_level> ties;   // distinct priorities, the first leaf met for each
      for (const item& x : items) {  // items per window are few; a heap would do for many
        if (x.lo > lo || x.last < lo) continue;
        if (x.level >= li.level) li = {lo, last, x.level, x.by};
        if (!x.child) continue;
        bool seen = false;
        for (const tie_level& y : ties) seen = seen || y.priority == x.level;
        if (!seen) ties.push_back({static_cast<std::int32_t>(x.level), x.by});
      }
      li.first_tie = static_cast<std::uint32_t>(t.ties.size());
      li.tie_count = static_cast<std::uint32_t>(ties.size());
      level_interval* prev = t.levels.size() > w.first_level ? &t.levels.back() : nullptr;
      bool same_ties = prev && prev->tie_count == li.tie_count;
      for (std::uint32_t j = 0; same_ties && j < li.tie_count; ++j)
        same_ties = t.ties[prev->first_tie + j] == ties[j];
      if (prev && prev->level == li.level && prev->by == li.by && same_ties) {
        prev->last = last;
      } else {
        t.ties.insert(t.ties.end(), ties.begin(), ties.end());
        t.levels.push_back(li);
      }
    }
    w.level_count = static_cast<std::uint32_t>(t.levels.size() - w.first_level);
  }
  return t;
}
}  // namespace detail

/// Computes the slot tables of a checked descriptor array, at run time or compile time.
constexpr slot_tables compute_slots(std::span<const node> nodes) {
  return detail::compute_slot_tables(nodes, true);
}

namespace detail {
template <std::size_t S, std::size_t R, std::size_t W, std::size_t L, std::size_t T>
struct slot_arrays {
  std::array<slot_desc, S> slots{};
  std::array<flat_range, R> ranges{};
  std::array<window_desc, W> windows{};
  std::array<level_interval, L> levels{};
  std::array<tie_level, T> ties{};
};

/// The sizes of a tree's slot tables, the ranges' an upper bound.
struct slot_counts {
  std::size_t slots = 0, ranges = 0, windows = 0, levels = 0, ties = 0;
};
constexpr slot_counts count_slot_tables(std::span<const node> nodes) {
  const slot_tables t = compute_slot_tables(nodes, false);
  slot_counts c{t.slots.size(), 0, t.windows.size(), t.levels.size(), t.ties.size()};
  for (const slot_desc& s : t.slots) c.ranges += s.range_count;
  return c;
}

/// The slot tables with room for `C.ranges` ranges, and how many there are: computed once.
template <slot_counts C>
struct slot_buffer {
  slot_arrays<C.slots, C.ranges, C.windows, C.levels, C.ties> a{};
  std::size_t ranges = 0;
};
template <slot_counts C>
constexpr slot_buffer<C> make_slot_buffer(std::span<const node> nodes) {
  slot_buffer<C> b{};
  const slot_tables t = compute_slots(nodes);
  std::copy(t.slots.begin(), t.slots.end(), b.a.slots.begin());
  std::copy(t.ranges.begin(), t.ranges.end(), b.a.ranges.begin());
  std::copy(t.windows.begin(), t.windows.end(), b.a.windows.begin());
  std::copy(t.levels.begin(), t.levels.end(), b.a.levels.begin());
  std::copy(t.ties.begin(), t.ties.end(), b.a.ties.begin());
  b.ranges = t.ranges.size();
  return b;
}

/// The buffer's tables with exactly `R` ranges.
template <std::size_t R, slot_counts C>
constexpr slot_arrays<C.slots, R, C.windows, C.levels, C.ties> trim_ranges(
    const slot_buffer<C>& b) {
  slot_arrays<C.slots, R, C.windows, C.levels, C.ties> a{};
  a.slots = b.a.slots;
  std::copy_n(b.a.ranges.begin(), R, a.ranges.begin());
  a.windows = b.a.windows;
  a.levels = b.a.levels;
  a.ties = b.a.ties;
  return a;
}

/// Tree's slot tables before trimming: an internal constant (tree/descriptor.hpp), computed
/// once by plain functions keyed on the sizes, never on the tree. Only trimmed into
/// `slot_tables_v`; not emitted when optimising (g++ -O0 writes it out, as `flat_buffer_v`).
template <region Tree>
constexpr auto slot_buffer_v =
    make_slot_buffer<count_slot_tables(tree_nodes_v<Tree>)>(tree_nodes_v<Tree>);
}  // namespace detail

/// The slot tables of Tree as `std::array`s in read-only data (empty for a tree without slots).
template <region Tree>
inline constexpr auto slot_tables_v =
    detail::trim_ranges<detail::slot_buffer_v<Tree>.ranges>(detail::slot_buffer_v<Tree>);

MMIOTREE_END_NAMESPACE
