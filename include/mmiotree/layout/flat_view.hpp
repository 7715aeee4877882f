// layout/flat_view.hpp: the compile-time flat view of a typed tree.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/layout/diagnostics.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <array>
#include <cstddef>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {
/// The sweep's ranges written to `out`; returns how many. A plain function, so that the sweep
/// and the library algorithms it calls are instantiated once for all trees. Instantiated from
/// a lambda inside `flat_view_v<Tree>`, they would carry the whole tree type in their
/// mangled names, and g++ spends time quadratic in the tree's size on each such name (0.1 s
/// per symbol at 1,024 leaves, 1.7 s at 4,096).
constexpr std::size_t sweep_into(std::span<const node> nodes, flat_range* out) {
  std::size_t n = 0;
  sweep(nodes, [&](const flat_range& r) { out[n++] = r; });
  return n;
}

template <std::size_t Cap>
struct flat_buffer {
  std::array<flat_range, Cap> ranges{};
  std::size_t size = 0;
};

template <std::size_t Cap>
constexpr flat_buffer<Cap> make_flat_buffer(std::span<const node> nodes) {
  flat_buffer<Cap> b{};
  if constexpr (Cap != 0) b.size = sweep_into(nodes, b.ranges.data());
  return b;
}

template <std::size_t N, std::size_t Cap>
constexpr std::array<flat_range, N> trim(const flat_buffer<Cap>& b) {
  std::array<flat_range, N> a{};
  const flat_range* const src = b.ranges.data();
  flat_range* const dst = a.data();
  for (std::size_t i = 0; i < N; ++i) dst[i] = src[i];
  return a;
}

}  // namespace detail

namespace detail {
/// The sweep of Tree with room for 2m + 1 ranges (m ≥ its leaf occurrences); 0 for a tree that
/// breaks a layout rule, so that it is not flattened. An internal constant (tree/descriptor.hpp)
/// only trimmed into `flat_view_v`: not emitted when optimising (g++ -O0 writes it out).
template <region Tree>
constexpr auto flat_buffer_v =
    make_flat_buffer<(verdict_of<Tree>::value ? 2 * occurrence_bound(tree_nodes_v<Tree>) + 1 : 0)>(
        tree_nodes_v<Tree>);
}  // namespace detail

/// The flat view of Tree: a sorted `std::array` of non-overlapping `flat_range`s, each naming
/// its winning leaf (an index into `nodes_v<Tree>`) and the offset into it, adjacent ranges of
/// one leaf merged. Holes (bytes no leaf claims) are simply absent. Computed at compile time;
/// a tree that breaks a layout rule gives the compile error of `verify<Tree>`.
template <region Tree>
inline constexpr auto flat_view_v =
    detail::trim<detail::flat_buffer_v<Tree>.size>(detail::flat_buffer_v<Tree>);

MMIOTREE_END_NAMESPACE
