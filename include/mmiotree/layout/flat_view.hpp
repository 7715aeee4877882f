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
/// a lambda inside `flat_buffer_v<Tree>`, they would carry the whole tree type in their
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

/// The sweep's output in an array of sufficient capacity (2m + 1 ranges for m occurrences),
/// so that the flattening runs once per tree; `flat_view_v` trims it to size.
template <region Tree>
inline constexpr auto flat_buffer_v = [] {
  if constexpr (!verify<Tree>) {
    return flat_buffer<0>{};
  } else {
    flat_buffer<2 * occurrence_count(nodes_v<Tree>) + 1> b{};
    b.size = sweep_into(nodes_v<Tree>, b.ranges.data());
    return b;
  }
}();
}  // namespace detail

/// The flat view of Tree: a sorted `std::array` of non-overlapping `flat_range`s, each naming
/// its winning leaf (an index into `nodes_v<Tree>`) and the offset into it, adjacent ranges of
/// one leaf merged. Holes (bytes no leaf claims) are simply absent. Computed at compile time;
/// a tree that breaks a layout rule gives the compile error of `verify<Tree>`.
template <region Tree>
inline constexpr auto flat_view_v = [] {
  constexpr auto& b = detail::flat_buffer_v<Tree>;
  std::array<flat_range, b.size> a{};
  const flat_range* const src = b.ranges.data();
  flat_range* const dst = a.data();
  for (std::size_t i = 0; i < b.size; ++i) dst[i] = src[i];
  return a;
}();

MMIOTREE_END_NAMESPACE
