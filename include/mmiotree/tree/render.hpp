// tree/render.hpp: step 1 of the flat view (layout/flatten.hpp) — the tree walked once,
// children in ascending priority, each leaf occurrence (an alias yields the occurrences of its
// target, translated and clipped) given a rank that increases with the lexicographic order of
// its chain of priorities from the root. The slot tables (layout/slots.hpp) and the lookup
// table (layout/lookup.hpp) also read from it where the root shows each slot window.
#pragma once

#include <mmiotree/core/algo.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// A leaf seen through its chain of containers and aliases.
struct occurrence {
  addr_t lo;
  addr_t last;
  addr_t origin;  ///< absolute address of the leaf's byte 0 (mod 2^64; may lie outside)
  node_index leaf;
  std::uint32_t rank;
};

/// One rendering of a slot window (layout/slots.hpp): root bytes [lo, last] show it, its byte 0
/// at `base` (mod 2^64); its content took the ranks [rank_lo, rank_hi).
struct window_render {
  node_index node;
  addr_t lo, last, base;
  std::uint32_t rank_lo, rank_hi;
  bool direct;  ///< through no alias
};

struct render_state {
  std::span<const node> nodes;
  occurrence* out;  // room for every occurrence (`occurrence_count`); nullptr: count only
  std::size_t count = 0;
  std::uint32_t rank = 0;
  /// Optional: every rendering of a node whose `is_window` flag is set is logged to `windows`.
  /// Slot windows use it to tell their content from the rest.
  const std::uint8_t* is_window = nullptr;
  std::vector<window_render>* windows = nullptr;
  std::uint32_t alias_depth = 0;
};

/// Renders node `i`, visible over its local bytes `[clo, clast]` (already clipped to its size),
/// whose byte 0 is at absolute address `delta` (mod 2^64: through an alias with a target offset
/// byte 0 may lie "below" 0, but every clipped byte is a real address of the root).
constexpr void render_node(render_state& st, node_index i, addr_t delta, addr_t clo, addr_t clast);

constexpr void render(render_state& st, node_index i, addr_t delta, addr_t clo, addr_t clast) {
  if (st.windows == nullptr || st.is_window[i] == 0) {
    render_node(st, i, delta, clo, clast);
    return;
  }
  const std::size_t k = st.windows->size();
  st.windows->push_back({i, delta + clo, delta + clast, delta, st.rank, 0, st.alias_depth == 0});
  render_node(st, i, delta, clo, clast);
  (*st.windows)[k].rank_hi = st.rank;
}

constexpr void render_node(render_state& st, node_index i, addr_t delta, addr_t clo, addr_t clast) {
  // Plain pointers, ternaries instead of std::min/max: g++ evaluates each span `operator[]`
  // and each library call as a memoised constexpr call, which is what dominates its time on
  // large trees (layout/lookup.hpp says more).
  const node* const nd = st.nodes.data();
  const node& n = nd[i];
  if (is_leaf(n.kind)) {
    if (st.out) st.out[st.count] = {delta + clo, delta + clast, delta, i, st.rank};
    ++st.count;
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
  // Container: children in ascending priority, so a higher priority gets higher ranks; equal
  // priorities in declaration order. Children are usually declared in that order already
  // (most containers use one priority), and a count needs no order at all: then they are
  // rendered as they come, with no list and no sort.
  const node_index end = n.end;
  bool ordered = st.out == nullptr && st.windows == nullptr;
  if (!ordered) {
    ordered = true;
    for (node_index k = i + 1, prev = npos; k < end; prev = k, k = nd[k].end) {
      if (prev != npos && nd[k].priority < nd[prev].priority) {
        ordered = false;
        break;
      }
    }
  }
  auto visit = [&](node_index k) {
    const node& ch = nd[k];
    if (ch.dynamic) return;   // slots are placed at run time (runtime/address_space.hpp)
    if (ch.unmapped) return;  // seen only through aliases
    const addr_t ch_last = ch.offset + (ch.size - 1);
    if (ch.offset > clast || ch_last < clo) return;
    render(st, k, delta + ch.offset, (clo > ch.offset ? clo : ch.offset) - ch.offset,
           (clast < ch_last ? clast : ch_last) - ch.offset);
  };
  if (ordered) {
    for (node_index k = i + 1; k < end; k = nd[k].end) visit(k);
    return;
  }
  // (A fixed-size buffer would do for small fan-outs, but containers may hold thousands.)
  std::size_t kids = 0;
  for (node_index k = i + 1; k < end; k = nd[k].end) ++kids;
  scratch<node_index> c_buf(kids);
  node_index* const c = c_buf.data();
  std::size_t kc = 0;
  for (node_index k = i + 1; k < end; k = nd[k].end) c[kc++] = k;
  sort(c, c + kc, [&](node_index x, node_index y) {
    const auto px = nd[x].priority, py = nd[y].priority;
    return px != py ? px < py : x < y;
  });
  for (std::size_t k = 0; k < kc; ++k) visit(c[k]);
}

/// Number of leaf occurrences of a (checked) tree, or of the subtree at `root` rendered as if
/// it were the root: the size of the sweep's input.
constexpr std::size_t occurrence_count(std::span<const node> nodes, node_index root = 0) {
  render_state st{nodes, nullptr};
  render(st, root, 0, 0, nodes[root].size - 1);
  return st.count;
}

/// An upper bound on `occurrence_count(nodes, root)`, cheaper to evaluate: without aliases
/// every leaf occurs at most once.
constexpr std::size_t occurrence_bound(std::span<const node> nodes, node_index root = 0) {
  const node* const nd = nodes.data();
  const std::size_t end = nd[root].end;
  std::size_t leaves = 0;
  for (std::size_t i = root; i < end; ++i) {
    const region_kind k = nd[i].kind;
    if (k == region_kind::alias) return occurrence_count(nodes, root);
    leaves += k != region_kind::container ? 1 : 0;
  }
  return leaves;
}

/// Every rendering of a slot window in the root's render, grouped by window (in pre-order)
/// and in render order within each: the windows' *appearances*, numbered as the slot tables
/// number them (layout/slots.hpp). With `out`, the render's occurrences are written there
/// (room for `occurrence_count`).
constexpr std::vector<window_render> window_renders(std::span<const node> nodes,
                                                    occurrence* out = nullptr) {
  std::vector<window_render> shown;
  std::vector<std::uint8_t> is_win(nodes.size(), 0);
  bool any = false;
  for (node_index w = 0; w < nodes.size(); ++w) {
    is_win[w] = is_window(nodes, w) ? 1 : 0;
    any = any || is_win[w] != 0;
  }
  if (!any && out == nullptr) return shown;
  render_state st{nodes, out};
  st.is_window = is_win.data();
  st.windows = &shown;
  render(st, 0, 0, 0, nodes[0].size - 1);
  for (std::size_t i = 1; i < shown.size(); ++i)  // stable: few windows, fewer out of order
    for (std::size_t j = i; j > 0 && shown[j].node < shown[j - 1].node; --j)
      std::swap(shown[j], shown[j - 1]);
  return shown;
}

}  // namespace detail

MMIOTREE_END_NAMESPACE
