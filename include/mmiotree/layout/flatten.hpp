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

#include <mmiotree/core/algo.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/render.hpp>

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
  /// The leaf's index in the tree's descriptor array — `nodes_v<Tree>[leaf]` is its node, and
  /// `node_index_v<Tree, "path">` gives it for a path — not its number among the leaves
  /// (`node::leaf`, which indexes runtime state such as bindings).
  node_index leaf = npos;
  addr_t offset = 0;  ///< the leaf's byte at `lo`: an offset inside the leaf, not an address

  [[nodiscard]] constexpr bool operator==(const flat_range&) const = default;
};

/// Whether `b` carries on where `a` stops: the same leaf, the next guest byte and the next
/// leaf byte — so that one range [a.lo, b.last] could stand for both (whether it may is the
/// caller's rule: keep_separate leaves, what a backend can map).
[[nodiscard]] constexpr bool continues(const flat_range& a, const flat_range& b) noexcept {
  return a.leaf == b.leaf && a.last + 1 == b.lo && a.offset + (a.last - a.lo) + 1 == b.offset;
}

namespace detail {

/// The flat view in one pass, for the common shape: no alias in the subtree at `root`, and
/// its leaves (slots' subtrees left out), in pre-order, at increasing addresses without
/// overlapping. Then every leaf is visible whole and nothing needs ranking or sweeping: the
/// leaves are the flat view. Returns false, having emitted nothing, for any other shape.
template <class Emit>
constexpr bool flat_in_one_pass(std::span<const node> nodes, Emit& emit, node_index root) {
  const node* const nd = nodes.data();
  const node_index end = nd[root].end;
  scratch<addr_t> abs_buf(end - root);  // indexed from root
  addr_t* const abs = abs_buf.data();
  bool any = false;
  addr_t prev_last = 0;
  for (node_index i = root; i < end; ++i) {
    const node& n = nd[i];
    if (n.kind == region_kind::alias || n.unmapped) return false;
    if (i != root && n.dynamic) {  // a slot: placed at run time, not part of this view
      i = n.end - 1;
      continue;
    }
    const addr_t a = i == root ? 0 : abs[n.parent - root] + n.offset;
    abs[i - root] = a;
    if (n.kind == region_kind::container) continue;
    if (any && a <= prev_last) return false;
    prev_last = a + (n.size - 1);
    any = true;
  }
  for (node_index i = root; i < end; ++i) {
    const node& n = nd[i];
    if (i != root && n.dynamic) {
      i = n.end - 1;
      continue;
    }
    if (n.kind == region_kind::container) continue;
    const addr_t a = abs[i - root];
    emit(flat_range{a, a + (n.size - 1), i, 0});
  }
  return true;
}

/// Steps 1 and 2 for any checked tree; `emit` receives the merged ranges in address order.
template <class Emit>
constexpr void rank_and_sweep(std::span<const node> nodes, Emit& emit, node_index root) {
  constexpr addr_t max = std::numeric_limits<addr_t>::max();
  const node* const nd = nodes.data();
  const std::size_t m = occurrence_count(nodes, root);
  scratch<occurrence> occ(m);
  occurrence* const o = occ.data();
  render_state st{nodes, o};
  render(st, root, 0, 0, nd[root].size - 1);

  // By start. Leaves usually come in address order, so the sort is usually skipped; the order
  // among equal starts does not matter: the sweep only ever asks for the highest rank among
  // the occurrences that started.
  bool sorted = true;
  for (std::size_t k = 1; k < m && sorted; ++k) sorted = o[k - 1].lo <= o[k].lo;
  if (!sorted) sort(o, o + m, [](const occurrence& a, const occurrence& b) { return a.lo < b.lo; });

  // Elementary boundaries: every start, and every end + 1 that does not pass 2^64; sorted
  // already when the occurrences do not overlap.
  scratch<addr_t> cut_buf(2 * m);
  addr_t* const cuts = cut_buf.data();
  std::size_t ncuts = 0;
  for (std::size_t k = 0; k < m; ++k) {
    cuts[ncuts++] = o[k].lo;
    if (o[k].last != max) cuts[ncuts++] = o[k].last + 1;
  }
  sorted = true;
  for (std::size_t k = 1; k < ncuts && sorted; ++k) sorted = cuts[k - 1] <= cuts[k];
  if (!sorted) sort(cuts, cuts + ncuts);
  std::size_t unique = 0;
  for (std::size_t k = 0; k < ncuts; ++k)
    if (unique == 0 || cuts[unique - 1] != cuts[k]) cuts[unique++] = cuts[k];
  ncuts = unique;

  // Max-heap of indices into o by rank, with lazy deletion.
  scratch<std::uint32_t> heap_buf(m);
  std::uint32_t* const heap = heap_buf.data();
  std::size_t hn = 0;
  std::size_t next = 0;
  flat_range cur{};
  std::uint32_t cur_occ = 0;  // the occurrence `cur` comes from
  bool open = false;
  for (std::size_t k = 0; k < ncuts; ++k) {
    const addr_t lo = cuts[k];
    while (next < m && o[next].lo <= lo) {  // push, sift up
      std::size_t j = hn++;
      heap[j] = static_cast<std::uint32_t>(next++);
      while (j > 0) {
        const std::size_t p = (j - 1) / 2;
        if (!(o[heap[p]].rank < o[heap[j]].rank)) break;
        const std::uint32_t t = heap[p];
        heap[p] = heap[j];
        heap[j] = t;
        j = p;
      }
    }
    while (hn > 0 && o[heap[0]].last < lo) {  // pop, sift down
      heap[0] = heap[--hn];
      std::size_t j = 0;
      while (true) {
        const std::size_t l = 2 * j + 1, r = l + 1;
        if (l >= hn) break;
        const std::size_t big = r < hn && o[heap[l]].rank < o[heap[r]].rank ? r : l;
        if (!(o[heap[j]].rank < o[heap[big]].rank)) break;
        const std::uint32_t t = heap[j];
        heap[j] = heap[big];
        heap[big] = t;
        j = big;
      }
    }
    if (hn == 0) continue;  // a hole
    const occurrence& w = o[heap[0]];
    const addr_t last = k + 1 < ncuts ? cuts[k + 1] - 1 : max;
    const flat_range r{lo, last < w.last ? last : w.last, w.leaf, lo - w.origin};
    // Pieces that run on merge; for a keep_separate leaf only pieces of one occurrence do (the
    // cuts of other occurrences, hidden or not, must not split it).
    if (open && continues(cur, r) && (!nd[r.leaf].keep_separate || cur_occ == heap[0])) {
      cur.last = r.last;
    } else {
      if (open) emit(cur);
      cur = r;
      cur_occ = heap[0];
      open = true;
    }
  }
  if (open) emit(cur);
}

/// The flat view of a checked tree (of the subtree at `root`, as if it were the root);
/// `emit` receives the merged ranges in address order. One pass when the leaves already lie
/// in order without overlapping (`flat_in_one_pass`), else rank and sweep.
template <class Emit>
constexpr void sweep(std::span<const node> nodes, Emit&& emit, node_index root = 0) {
  if (!flat_in_one_pass(nodes, emit, root)) rank_and_sweep(nodes, emit, root);
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
