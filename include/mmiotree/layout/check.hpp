// layout/check.hpp: the layout rules of DESIGN §2.2 as a constexpr function over descriptors.
//
// `check_layout` returns the first broken rule with the nodes and the range involved; the
// typed front end (layout/diagnostics.hpp) turns that into a compile error naming them. The
// function is also called at run time by the property tests on generated trees.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

/// The rules a layout can break, in the order they are checked.
enum class layout_error : std::uint8_t {
  none,
  bad_access_policy,          ///< a: region whose policy is not self-consistent
  zero_size,                  ///< a: the empty region
  offset_overflow,            ///< a: region whose offset + size passes 2^64
  child_outside_parent,       ///< a: child, b: parent
  alias_target_not_found,     ///< a: alias
  alias_target_out_of_range,  ///< a: alias, b: target
  alias_cycle,                ///< a: alias on the cycle, b: its target
  duplicate_sibling_name,     ///< a, b: siblings with the same name
  siblings_overlap,           ///< a, b: siblings overlapping at equal priority; [lo, last]
  misaligned_placement,       ///< a: region not aligned as its access policy needs; lo = offset
                              ///< (slot-relative inside a slot), last = the alignment needed;
                              ///< or a: alias, b: its target, when the alias moves a region
                              ///< it shows off that alignment (lo = the alias's address)
  nested_slot,                ///< a: a slot inside another slot (b)
  slot_windows_overlap,       ///< a, b: two containers with slots whose ranges meet; [lo, last]
  alias_shows_a_slot,         ///< a: alias whose target is, is inside, or contains a slot (b)
  bad_slot_alignment,         ///< a: slot whose alignment is not a power of two (lo)
};

[[nodiscard]] constexpr std::string_view to_string(layout_error e) noexcept {
  switch (e) {
    case layout_error::none: return "none";
    case layout_error::bad_access_policy: return "bad_access_policy";
    case layout_error::zero_size: return "zero_size";
    case layout_error::offset_overflow: return "offset_overflow";
    case layout_error::child_outside_parent: return "child_outside_parent";
    case layout_error::alias_target_not_found: return "alias_target_not_found";
    case layout_error::alias_target_out_of_range: return "alias_target_out_of_range";
    case layout_error::alias_cycle: return "alias_cycle";
    case layout_error::duplicate_sibling_name: return "duplicate_sibling_name";
    case layout_error::siblings_overlap: return "siblings_overlap";
    case layout_error::misaligned_placement: return "misaligned_placement";
    case layout_error::nested_slot: return "nested_slot";
    case layout_error::slot_windows_overlap: return "slot_windows_overlap";
    case layout_error::alias_shows_a_slot: return "alias_shows_a_slot";
    case layout_error::bad_slot_alignment: return "bad_slot_alignment";
  }
  return "?";
}

/// Outcome of `check_layout`. Ranges are inclusive (`last`, not an end) so a region that ends
/// at the top of the 64-bit space is expressible; addresses are relative to the root.
struct layout_check {
  layout_error error = layout_error::none;
  node_index a = npos;
  node_index b = npos;
  addr_t lo = 0;
  addr_t last = 0;

  [[nodiscard]] constexpr bool ok() const noexcept { return error == layout_error::none; }
  [[nodiscard]] constexpr bool operator==(const layout_check&) const = default;
};

namespace detail {

constexpr bool fits(addr_t offset, addr_t size, addr_t within) noexcept {
  return size <= within && offset <= within - size;
}

/// Children of `p` in pre-order.
constexpr std::vector<node_index> children_of(std::span<const node> nodes, node_index p) {
  std::vector<node_index> c;
  for (node_index i = p + 1; i < nodes[p].end; i = nodes[i].end) c.push_back(i);
  return c;
}

/// Alias cycle: containers reach their children, aliases their target. The tree edges alone
/// are acyclic, so any cycle runs through an alias; return that alias (or npos).
constexpr node_index find_alias_cycle(std::span<const node> nodes) {
  enum : std::uint8_t { white, grey, black };
  std::vector<std::uint8_t> colour(nodes.size(), white);
  // Iterative DFS: a frame is (node, next edge cursor). Cursor npos-1 means "alias edge done".
  struct frame {
    node_index n;
    node_index next;
  };
  std::vector<frame> stack;
  for (node_index s = 0; s < nodes.size(); ++s) {
    if (colour[s] != white) continue;
    stack.push_back({s, 0});
    colour[s] = grey;
    while (!stack.empty()) {
      frame& f = stack.back();
      const node& n = nodes[f.n];
      node_index to = npos;
      if (n.kind == region_kind::alias) {
        if (f.next == 0 && n.alias_target != npos) to = n.alias_target;
        f.next = 1;
      } else {
        const node_index c = f.next == 0 ? f.n + 1 : f.next;
        if (c < n.end) {
          to = c;
          f.next = nodes[c].end;
        }
      }
      if (to == npos) {
        colour[f.n] = black;
        stack.pop_back();
        continue;
      }
      if (colour[to] == grey) {
        // The grey frames form the current path; the alias closing the cycle is on it.
        for (auto it = stack.rbegin(); it != stack.rend(); ++it)
          if (nodes[it->n].kind == region_kind::alias) return it->n;
        return f.n;
      }
      if (colour[to] == white) {
        colour[to] = grey;
        stack.push_back({to, 0});
      }
    }
  }
  return npos;
}

/// The largest alignment that node `i` or anything it shows (its subtree, through aliases)
/// requires; memoised in `memo` (0: not yet known). Aliases form no cycle by now.
constexpr addr_t required_align(std::span<const node> nodes, node_index i,
                                std::vector<addr_t>& memo) {
  if (memo[i] != 0) return memo[i];
  const node& n = nodes[i];
  addr_t a = n.access.align;
  if (n.kind == region_kind::alias) {
    a = std::max(a, required_align(nodes, n.alias_target, memo));
  } else {
    for (node_index c = i + 1; c < n.end; c = nodes[c].end)
      a = std::max(a, required_align(nodes, c, memo));
  }
  memo[i] = a;
  return a;
}

}  // namespace detail

/// Checks every rule of DESIGN §2.2 and returns the first that fails (in `layout_error`
/// order; within a rule, in pre-order). O(n log n) in the number of nodes.
constexpr layout_check check_layout(std::span<const node> nodes) {
  using detail::fits;
  constexpr addr_t max = std::numeric_limits<addr_t>::max();

  for (node_index i = 0; i < nodes.size(); ++i)
    if (!well_formed(nodes[i].access)) return {layout_error::bad_access_policy, i};
  for (node_index i = 0; i < nodes.size(); ++i)
    if (nodes[i].size == 0)
      return {layout_error::zero_size, i, npos, nodes[i].offset, nodes[i].offset};
  for (node_index i = 0; i < nodes.size(); ++i)
    if (nodes[i].offset > max - (nodes[i].size - 1))
      return {layout_error::offset_overflow, i, nodes[i].parent, nodes[i].offset, max};

  // Absolute offsets from the root; valid once every child fits its parent.
  std::vector<addr_t> abs(nodes.size(), 0);
  for (node_index i = 1; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    const node& p = nodes[n.parent];
    abs[i] = abs[n.parent] + n.offset;
    if (!fits(n.offset, n.size, p.size)) {
      const addr_t lo = abs[n.parent] + n.offset;  // may wrap only past a reported overflow
      return {layout_error::child_outside_parent, i, n.parent, lo, lo + (n.size - 1)};
    }
  }

  // Two passes, so that a missing target anywhere is reported before a window out of range
  // (rules in layout_error order, as documented).
  for (node_index i = 0; i < nodes.size(); ++i)
    if (nodes[i].kind == region_kind::alias && nodes[i].alias_target == npos)
      return {layout_error::alias_target_not_found, i};
  for (node_index i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    if (n.kind != region_kind::alias) continue;
    const node& t = nodes[n.alias_target];
    if (!fits(n.alias_offset, n.size, t.size))
      return {layout_error::alias_target_out_of_range, i, n.alias_target, n.alias_offset,
              n.alias_offset + (n.size - 1)};
  }
  if (const node_index a = detail::find_alias_cycle(nodes); a != npos)
    return {layout_error::alias_cycle, a, nodes[a].alias_target};

  // Sibling rules, one container at a time: sort its children and sweep.
  for (node_index p = 0; p < nodes.size(); ++p) {
    if (nodes[p].kind != region_kind::container) continue;
    auto c = detail::children_of(nodes, p);

    std::sort(c.begin(), c.end(), [&](node_index x, node_index y) {
      return nodes[x].name != nodes[y].name ? nodes[x].name < nodes[y].name : x < y;
    });
    for (std::size_t k = 1; k < c.size(); ++k)
      if (nodes[c[k - 1]].name == nodes[c[k]].name)
        return {layout_error::duplicate_sibling_name, c[k - 1], c[k], abs[c[k]], abs[c[k]]};

    // Within one priority, by offset: a child overlaps an earlier one iff it starts at or
    // before the furthest `last` seen so far in that priority (tracking the furthest, not the
    // previous, catches a long sibling that covers several later ones).
    std::sort(c.begin(), c.end(), [&](node_index x, node_index y) {
      if (nodes[x].priority != nodes[y].priority) return nodes[x].priority < nodes[y].priority;
      if (nodes[x].offset != nodes[y].offset) return nodes[x].offset < nodes[y].offset;
      return x < y;
    });
    node_index reach = npos;  // sibling with the furthest last in the current priority
    for (const node_index x : c) {
      const node& n = nodes[x];
      if (n.dynamic) continue;  // slots are placed, and their overlaps resolved, at commit
      if (reach != npos && nodes[reach].priority == n.priority) {
        const addr_t reach_last = nodes[reach].offset + (nodes[reach].size - 1);
        if (n.offset <= reach_last) {
          const addr_t last = std::min(reach_last, n.offset + (n.size - 1));
          const node_index a = std::min(reach, x), b = std::max(reach, x);
          return {layout_error::siblings_overlap, a, b, abs[p] + n.offset, abs[p] + last};
        }
        if (n.offset + (n.size - 1) > reach_last) reach = x;
      } else {
        reach = x;
      }
    }
  }

  // Inside a slot, offsets count from the slot's base, which is aligned to the slot's
  // alignment: a region there needs both its offset and that alignment to suit its policy.
  std::vector<node_index> slot_of(nodes.size(), npos);
  for (node_index i = 1; i < nodes.size(); ++i) {
    const node_index up = slot_of[nodes[i].parent];
    if (nodes[i].dynamic) {
      if (up != npos) return {layout_error::nested_slot, i, up};
      const addr_t al = nodes[i].slot_align;
      if (al == 0 || (al & (al - 1)) != 0)
        return {layout_error::bad_slot_alignment, i, npos, al, al};
      slot_of[i] = i;
      abs[i] = 0;
    } else {
      slot_of[i] = up;
      if (up != npos) abs[i] = abs[nodes[i].parent] + nodes[i].offset;
    }
  }
  for (node_index i = 0; i < nodes.size(); ++i) {
    const addr_t al = nodes[i].access.align;
    const node_index s = slot_of[i];
    if (abs[i] % al != 0 || (s != npos && nodes[s].slot_align % al != 0))
      return {layout_error::misaligned_placement, i, npos, abs[i], al};
  }
  // An alias moves every region it shows by (its address - its target offset - the target's
  // address). The dispatcher checks alignment on guest addresses, so that move must keep each
  // shown region as aligned as its policy needs, or a handler that forbids unaligned accesses
  // would be called at an unaligned offset (an exactly<4> register seen 2 bytes off).
  std::vector<addr_t> need(nodes.size(), 0);
  for (node_index i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    if (n.kind != region_kind::alias) continue;
    const node_index t = n.alias_target;
    if (slot_of[i] != npos || slot_of[t] != npos) continue;  // alias_shows_a_slot, below
    const addr_t al = detail::required_align(nodes, t, need);
    if ((abs[i] - n.alias_offset - abs[t]) % al != 0)
      return {layout_error::misaligned_placement, i, t, abs[i], al};
  }

  // Windows (containers with slots) must not meet: a slot's competitors are then exactly its
  // window's level map (layout/slots.hpp).
  std::vector<node_index> windows;
  for (node_index w = 0; w < nodes.size(); ++w) {
    if (nodes[w].kind != region_kind::container) continue;
    for (node_index c = w + 1; c < nodes[w].end; c = nodes[c].end)
      if (nodes[c].dynamic) {
        windows.push_back(w);
        break;
      }
  }
  for (std::size_t x = 0; x < windows.size(); ++x)
    for (std::size_t y = x + 1; y < windows.size(); ++y) {
      const node_index a = windows[x], b = windows[y];
      const addr_t al = abs[a], bl = abs[b];
      const addr_t alast = al + (nodes[a].size - 1), blast = bl + (nodes[b].size - 1);
      if (al <= blast && bl <= alast)
        return {layout_error::slot_windows_overlap, a, b, std::max(al, bl), std::min(alast, blast)};
    }
  // An alias must not show a slot: slots have no static position to alias.
  for (node_index i = 0; i < nodes.size(); ++i) {
    if (nodes[i].kind != region_kind::alias) continue;
    const node_index t = nodes[i].alias_target;
    if (slot_of[t] != npos) return {layout_error::alias_shows_a_slot, i, slot_of[t]};
    for (node_index k = t; k < nodes[t].end; ++k)
      if (nodes[k].dynamic) return {layout_error::alias_shows_a_slot, i, k};
  }
  return {};
}

MMIOTREE_END_NAMESPACE
