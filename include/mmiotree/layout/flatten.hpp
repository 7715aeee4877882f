// layout/flatten.hpp: the flat view (QEMU's rendered FlatView), computed by constexpr
// algorithms over the descriptor array.
//
// The visibility rule (DESIGN §2.2): scan the root's children in descending priority; a leaf
// ends the search; a container or alias recurses and, if it finds nothing there, the scan goes
// on with the next lower-priority sibling. Equivalently, at an address the winner is the leaf
// occurrence whose chain of priorities from the root is lexicographically greatest — siblings
// that both cover an address never tie, because equal-priority overlap is rejected by
// `check_layout`. So:
//   1. walk the tree once, children in ascending priority, giving each leaf occurrence (an alias
//      yields the occurrences of its target, translated and clipped) a rank that increases
//      with that lexicographic order;
//   2. sweep the boundaries left to right keeping the active occurrences in a max-heap by rank
//      (lazy deletion): the top of the heap owns each elementary interval.
// Both steps are O(m log m) in the number m of leaf occurrences (no alias: m = leaves).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

/// One range of the flat view: bytes `[lo, last]` of the root (inclusive, so the top of the
/// 64-bit space is expressible) belong to leaf node `leaf`, and byte `lo` is byte `offset` of
/// that leaf. Adjacent ranges of the same leaf with contiguous offsets are merged.
struct flat_range {
  addr_t lo = 0;
  addr_t last = 0;
  node_index leaf = npos;
  addr_t offset = 0;

  [[nodiscard]] constexpr addr_t size_minus_one() const noexcept { return last - lo; }
  [[nodiscard]] constexpr bool operator==(const flat_range&) const = default;
};

namespace detail {

/// A leaf seen through its chain of containers and aliases.
struct occurrence {
  addr_t lo;
  addr_t last;
  addr_t origin;  ///< absolute address of the leaf's byte 0 (mod 2^64; may lie outside)
  node_index leaf;
  std::uint32_t rank;
};

struct render_state {
  std::span<const node> nodes;
  std::vector<occurrence>* out;  // nullptr: count only
  std::size_t count = 0;
  std::uint32_t rank = 0;
  /// Optional: the ranks each node's primary rendering (not through an alias) spans,
  /// [rank_lo[i], rank_hi[i]). Slot windows use them to tell their content from the rest.
  std::vector<std::uint32_t>* rank_lo = nullptr;
  std::vector<std::uint32_t>* rank_hi = nullptr;
  std::uint32_t alias_depth = 0;
};

/// Renders node `i`, visible over its local bytes `[clo, clast]` (already clipped to its size),
/// whose byte 0 is at absolute address `delta` (mod 2^64: through an alias with a target offset
/// byte 0 may lie "below" 0, but every clipped byte is a real address of the root).
constexpr void render_node(render_state& st, node_index i, addr_t delta, addr_t clo, addr_t clast);

constexpr void render(render_state& st, node_index i, addr_t delta, addr_t clo, addr_t clast) {
  const bool log = st.rank_lo != nullptr && st.alias_depth == 0;
  if (log) (*st.rank_lo)[i] = st.rank;
  render_node(st, i, delta, clo, clast);
  if (log) (*st.rank_hi)[i] = st.rank;
}

constexpr void render_node(render_state& st, node_index i, addr_t delta, addr_t clo, addr_t clast) {
  const node& n = st.nodes[i];
  if (is_leaf(n.kind)) {
    ++st.count;
    if (st.out) st.out->push_back({delta + clo, delta + clast, delta, i, st.rank});
    ++st.rank;
    return;
  }
  if (n.kind == region_kind::alias) {
    const addr_t ao = n.alias_offset;
    ++st.alias_depth;
    render(st, n.alias_target, delta - ao, clo + ao, clast + ao);
    --st.alias_depth;
    return;
  }
  // Container: children in ascending priority, so a higher priority gets higher ranks.
  // (A fixed-size buffer would do for small fan-outs, but containers may hold thousands.)
  std::vector<node_index> c;
  for (node_index k = i + 1; k < n.end; k = st.nodes[k].end) c.push_back(k);
  std::sort(c.begin(), c.end(), [&](node_index x, node_index y) {
    const auto px = st.nodes[x].priority, py = st.nodes[y].priority;
    return px != py ? px < py : x < y;
  });
  for (const node_index k : c) {
    const node& ch = st.nodes[k];
    if (ch.dynamic) continue;  // slots are placed at run time (runtime/address_space.hpp)
    const addr_t ch_last = ch.offset + (ch.size - 1);
    if (ch.offset > clast || ch_last < clo) continue;
    render(st, k, delta + ch.offset, std::max(clo, ch.offset) - ch.offset,
           std::min(clast, ch_last) - ch.offset);
  }
}

/// Number of leaf occurrences of a (checked) tree, or of the subtree at `root` rendered as if
/// it were the root: the size of the sweep's input.
constexpr std::size_t occurrence_count(std::span<const node> nodes, node_index root = 0) {
  render_state st{nodes, nullptr};
  render(st, root, 0, 0, nodes[root].size - 1);
  return st.count;
}

/// The sweep of step 2; `emit` receives the merged ranges in address order.
template <class Emit>
constexpr void sweep(std::span<const node> nodes, Emit&& emit, node_index root = 0) {
  std::vector<occurrence> occ;
  render_state st{nodes, &occ};
  render(st, root, 0, 0, nodes[root].size - 1);
  std::sort(occ.begin(), occ.end(),
            [](const occurrence& a, const occurrence& b) { return a.lo < b.lo; });

  // Elementary boundaries: every start, and every end + 1 that does not pass 2^64.
  std::vector<addr_t> cuts;
  cuts.reserve(occ.size() * 2);
  for (const occurrence& o : occ) {
    cuts.push_back(o.lo);
    if (o.last != std::numeric_limits<addr_t>::max()) cuts.push_back(o.last + 1);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  auto lower_rank = [&](std::uint32_t a, std::uint32_t b) { return occ[a].rank < occ[b].rank; };
  std::vector<std::uint32_t> heap;  // indices into occ, max-heap by rank
  std::size_t next = 0;
  flat_range cur{};
  bool open = false;
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    const addr_t lo = cuts[k];
    while (next < occ.size() && occ[next].lo <= lo) {
      heap.push_back(static_cast<std::uint32_t>(next++));
      std::push_heap(heap.begin(), heap.end(), lower_rank);
    }
    while (!heap.empty() && occ[heap.front()].last < lo) {
      std::pop_heap(heap.begin(), heap.end(), lower_rank);
      heap.pop_back();
    }
    if (heap.empty()) continue;  // a hole
    const occurrence& w = occ[heap.front()];
    const addr_t last = k + 1 < cuts.size() ? cuts[k + 1] - 1 : std::numeric_limits<addr_t>::max();
    const flat_range r{lo, std::min(last, w.last), w.leaf, lo - w.origin};
    if (open && cur.leaf == r.leaf && !nodes[r.leaf].keep_separate && cur.last + 1 == r.lo &&
        cur.offset + (cur.last - cur.lo) + 1 == r.offset) {
      cur.last = r.last;
    } else {
      if (open) emit(cur);
      cur = r;
      open = true;
    }
  }
  if (open) emit(cur);
}

}  // namespace detail

/// The flat view of a descriptor array that passed `check_layout`, computed at run time or
/// at compile time. O(m log m) for m leaf occurrences.
///
/// With `root` != 0, the subtree at `root` is flattened as if it were the root (addresses
/// relative to its byte 0): the layout of a slot, whose placement is decided at run time.
/// Slots (dynamic children) are never part of the static flat view.
constexpr std::vector<flat_range> flatten(std::span<const node> nodes, node_index root = 0) {
  std::vector<flat_range> v;
  detail::sweep(
      nodes, [&](const flat_range& r) { v.push_back(r); }, root);
  return v;
}

MMIOTREE_END_NAMESPACE
