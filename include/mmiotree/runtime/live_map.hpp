// runtime/live_map.hpp: a copy of an address space's run-time state at one moment — where its
// slots are, what is bound, the flat view they make — for printers and debuggers
// (format/live.hpp prints it as `info mtree` and `info mtree -f`).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <vector>

MMIOTREE_BEGIN_NAMESPACE

/// Taken by `address_space::live()` under the writer lock, so its parts agree with each other.
/// Allocates: not for the dispatch path.
struct live_map {
  /// The current flat view (root-relative, merged as listeners get it).
  std::vector<flat_range> view;
  /// Per slot id: the slot's node, and its placement (guest-physical base, enabled, placed).
  std::vector<node_index> slot_nodes;
  std::vector<slot_placement> slots;
  /// Per leaf index (`node::leaf`): whether the leaf is bound. Stubs are always bound.
  std::vector<bool> bound;

  /// The placement of the slot at node `n` (all false for a node that is not a slot).
  [[nodiscard]] slot_placement slot_at(node_index n) const noexcept {
    for (std::size_t s = 0; s < slot_nodes.size(); ++s)
      if (slot_nodes[s] == n) return slots[s];
    return {};
  }
};

MMIOTREE_END_NAMESPACE
