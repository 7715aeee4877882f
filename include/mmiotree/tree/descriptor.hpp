// tree/descriptor.hpp: a region tree as a value — a pre-order array of `node` descriptors.
//
// Everything the layout layer computes (checks, flat view, projection) works on this array
// with constexpr algorithms, so the same functions run at compile time on typed trees and at
// run time on generated trees (the property tests do that).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/region.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// Index of a node in a descriptor array; `npos` for "none".
using node_index = std::uint32_t;
inline constexpr node_index npos = std::numeric_limits<node_index>::max();

/// One region of a tree as a structural value. Nodes are stored in pre-order, so the subtree
/// of node `i` is exactly `[i, end)`; its first child (if any) is `i + 1` and each child's
/// next sibling starts at that child's `end`.
struct node {
  std::string_view name;
  region_kind kind = region_kind::container;
  addr_t size = 0;
  addr_t offset = 0;          ///< offset in the parent (0 for the root)
  std::int32_t priority = 0;  ///< among siblings; higher wins
  node_index parent = npos;
  node_index end = 0;  ///< one past the last node of this subtree
  std::uint32_t depth = 0;
  access_policy access{};
  stub_response response = stub_response::decode_error;  ///< for stubs
  std::string_view alias_path;          ///< for aliases, the target's path from the root
  addr_t alias_offset = 0;              ///< for aliases, the window's start inside the target
  node_index alias_target = npos;       ///< resolved from `alias_path` (npos if not found)
  node_index leaf = npos;               ///< index among leaves for leaf kinds, else npos
  const void* type_id = nullptr;        ///< identity of the region type (`&type_tag<R>`)
  bool dynamic = false;                 ///< a slot: placed at run time in its parent (its window)
  addr_t slot_align = 0;                ///< for slots, the alignment every placement must have
  tie_policy tie = tie_policy::reject;  ///< for slots
  /// A hash of what the region type declares beyond the node (a register block's registers
  /// and fields), so that a snapshot's layout fingerprint covers it; 0 for other kinds.
  std::uint64_t layout_hash = 0;
  /// For passthrough leaves declared with merge_policy::keep_separate.
  bool keep_separate = false;
};

namespace detail {
/// One object per region type; its address identifies the type in constant expressions
/// (binding a register file checks it names the block declared at the path).
template <class T>
inline constexpr char type_tag = 0;
}  // namespace detail

namespace detail {

template <region R>
struct descriptor_of;

/// Number of nodes a region type contributes (itself plus its subtree).
template <region R>
inline constexpr std::size_t node_count = 1;
template <region R>
requires(R::kind == region_kind::container) inline constexpr std::size_t node_count<R> =
    []<class... Ch>(type_list<Ch...>) {
      return 1 + (std::size_t{0} + ... + node_count<typename Ch::type>);
    }(typename R::placed{});

struct place {
  node_index parent;
  addr_t offset;
  std::int32_t priority;
  std::uint32_t depth;
  bool dynamic = false;
  addr_t slot_align = 0;
  tie_policy tie = tie_policy::reject;
};

template <class Child>
constexpr place place_of(node_index parent, std::uint32_t depth) {
  if constexpr (requires { Child::dynamic; })
    return {parent, 0, Child::priority, depth, true, Child::align, Child::tie};
  else
    return {parent, Child::offset, Child::priority, depth};
}

template <region R>
constexpr void emit(node* out, node_index& pos, place p) {
  node& n = out[pos];
  n.name = R::name.view();
  n.kind = R::kind;
  n.size = R::size;
  n.offset = p.offset;
  n.priority = p.priority;
  n.parent = p.parent;
  n.depth = p.depth;
  n.access = R::policy;
  n.type_id = &type_tag<R>;
  n.dynamic = p.dynamic;
  n.slot_align = p.slot_align;
  n.tie = p.tie;
  if constexpr (requires { R::layout_hash(); }) n.layout_hash = R::layout_hash();
  if constexpr (requires { R::merge; }) n.keep_separate = R::merge == merge_policy::keep_separate;
  if constexpr (R::kind == region_kind::stub) n.response = R::response;
  if constexpr (R::kind == region_kind::alias) {
    n.alias_path = R::target_path.view();
    n.alias_offset = R::target_offset;
  }
  const node_index self = pos++;
  if constexpr (R::kind == region_kind::container) {
    [&]<class... Ch>(type_list<Ch...>) {
      (emit<typename Ch::type>(out, pos, place_of<Ch>(self, p.depth + 1)), ...);
    }(typename R::placed{});
  }
  out[self].end = pos;
}

/// The node reached by `path` ('/'-separated names, relative to `from`), or npos.
constexpr node_index find_path(std::span<const node> nodes, std::string_view path,
                               node_index from = 0) {
  node_index cur = from;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view head = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    node_index found = npos;
    for (node_index c = cur + 1; c < nodes[cur].end; c = nodes[c].end) {
      if (nodes[c].name == head) {
        found = c;
        break;
      }
    }
    if (found == npos) return npos;
    cur = found;
  }
  return cur;
}

/// Resolves alias targets and numbers the leaves, in place.
constexpr std::uint32_t link(std::span<node> nodes) {
  std::uint32_t leaves = 0;
  for (node& n : nodes) {
    if (n.kind == region_kind::alias) n.alias_target = find_path(nodes, n.alias_path);
    if (is_leaf(n.kind)) n.leaf = leaves++;
  }
  return leaves;
}

template <region Tree>
consteval auto make_nodes() {
  std::array<node, node_count<Tree>> a{};
  node_index pos = 0;
  emit<Tree>(a.data(), pos, place{npos, 0, 0, 0});
  link(a);
  return a;
}

}  // namespace detail

/// The descriptor array of a typed tree (pre-order; the root is element 0).
template <region Tree>
inline constexpr auto nodes_v = detail::make_nodes<Tree>();

/// Number of leaves (passthrough, io, regs, stub) of a tree; the size of its runtime state.
template <region Tree>
inline constexpr std::size_t leaf_count_v = [] {
  std::size_t n = 0;
  for (const node& x : nodes_v<Tree>) n += is_leaf(x.kind) ? 1 : 0;
  return n;
}();

/// The full '/'-separated path of node `i` from the root (the root's own name excluded; the
/// root's path is its name). Writes into `out` and returns the length; with `out == nullptr`
/// it only measures.
constexpr std::size_t path_of(std::span<const node> nodes, node_index i, char* out = nullptr) {
  const node_index parent = nodes[i].parent;
  std::size_t len = 0;
  if (parent != npos && parent != 0) {
    len = path_of(nodes, parent, out);
    if (out) out[len] = '/';
    ++len;
  }
  if (out) std::copy(nodes[i].name.begin(), nodes[i].name.end(), out + len);
  return len + nodes[i].name.size();
}

MMIOTREE_END_NAMESPACE
