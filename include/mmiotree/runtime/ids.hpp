// runtime/ids.hpp: the run-time identities of an address space's parts — a leaf (what holds a
// binding) and a slot (what a transaction places) — as distinct types, so that one is never
// passed where the other is meant. A tree's nodes keep `node_index` (tree/descriptor.hpp).
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstdint>
#include <limits>

MMIOTREE_BEGIN_NAMESPACE

/// The sentinel of every id: "none". Equal to `npos` (tree/descriptor.hpp), so a node, a leaf
/// and a slot all say "none" with the same value.
inline constexpr std::uint32_t no_id = std::numeric_limits<std::uint32_t>::max();

/// A leaf of a tree, numbered in pre-order among the leaves (passthrough, io, regs, stub).
enum class leaf_id : std::uint32_t { none = no_id };

/// A slot of a tree, numbered in pre-order among the slots; stable for the tree's type.
enum class slot_id : std::uint32_t { none = no_id };

/// The number behind an id, for indexing.
[[nodiscard]] constexpr std::uint32_t index_of(leaf_id id) noexcept {
  return static_cast<std::uint32_t>(id);
}
[[nodiscard]] constexpr std::uint32_t index_of(slot_id id) noexcept {
  return static_cast<std::uint32_t>(id);
}

MMIOTREE_END_NAMESPACE
