// layout/check.hpp: the layout rules of DESIGN §2.2 as a constexpr function over descriptors.
//
// `check_layout` returns the first broken rule with the nodes and the range involved; the
// typed front end (layout/diagnostics.hpp) turns that into a compile error naming them. The
// function is also called at run time by the property tests on generated trees.
#pragma once

#include <mmiotree/core/algo.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/hash.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/render.hpp>

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
  siblings_overlap,           ///< a, b: siblings of equal priority that both claim the bytes
                              ///< [lo, last] (the lowest such run; holes claim nothing)
  misaligned_placement,       ///< a: region not aligned as its access policy needs; lo = its
                              ///< address (inside a slot: with the slot at its window's base),
                              ///< last = the alignment needed;
                              ///< or a: alias, b: its target, when the alias moves a region
                              ///< it shows off that alignment (lo = the alias's address)
  nested_slot,                ///< a: a slot inside another slot (b)
  slot_windows_overlap,       ///< a, b: containers with slots (windows) that the root shows at
                              ///< places that meet, [lo, last] — a window's own position, or
                              ///< where an alias shows it or a region holding it; a may be b
  alias_shows_a_slot,         ///< a: alias whose target is, or lies inside, a slot (b)
  bad_slot_alignment,         ///< a: slot whose alignment is not a power of two (lo)
  unmapped_not_shown,         ///< a: unmapped region that no alias targets, itself or inside
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
    case layout_error::unmapped_not_shown: return "unmapped_not_shown";
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

/// Alias cycle: containers reach their children, aliases their target. The tree edges alone
/// are acyclic, so any cycle runs through an alias; return that alias (or npos).
constexpr node_index find_alias_cycle(std::span<const node> nodes) {
  enum : std::uint8_t { white, grey, black };
  const node* const nd = nodes.data();
  const std::size_t count = nodes.size();
  scratch<std::uint8_t> colour_buf(count);
  std::uint8_t* const colour = colour_buf.data();
  for (std::size_t i = 0; i < count; ++i) colour[i] = white;
  // Iterative DFS: a frame is (node, next edge cursor). The grey nodes are on the stack, each
  // once, so it never holds more than `count` frames.
  struct frame {
    node_index n;
    node_index next;
  };
  scratch<frame> stack_buf(count);
  frame* const stack = stack_buf.data();
  std::size_t depth = 0;
  for (node_index s = 0; s < count; ++s) {
    if (colour[s] != white) continue;
    stack[depth++] = {s, 0};
    colour[s] = grey;
    while (depth > 0) {
      frame& f = stack[depth - 1];
      const node& n = nd[f.n];
      node_index to = npos;
      if (n.kind == region_kind::alias) {
        if (f.next == 0 && n.alias_target != npos) to = n.alias_target;
        f.next = 1;
      } else {
        node_index c = f.next == 0 ? f.n + 1 : f.next;
        while (c < n.end && nd[c].unmapped) c = nd[c].end;  // not rendered by its parent
        if (c < n.end) {
          to = c;
          f.next = nd[c].end;
        }
      }
      if (to == npos) {
        colour[f.n] = black;
        --depth;
        continue;
      }
      if (colour[to] == grey) {
        // The grey frames form the current path; the alias closing the cycle is on it.
        for (std::size_t k = depth; k-- > 0;)
          if (nd[stack[k].n].kind == region_kind::alias) return stack[k].n;
        return f.n;
      }
      if (colour[to] == white) {
        colour[to] = grey;
        stack[depth++] = {to, 0};
      }
    }
  }
  return npos;
}

/// Whether two of the `kc` nodes `kids` share a name: a hash set, linear time. (Sorting by
/// name is what reports the duplicate; it only runs once one is known to exist.)
constexpr bool has_duplicate_name(const node* nd, const node_index* kids, std::size_t kc) {
  if (kc < 2) return false;
  std::size_t cap = 4;
  while (cap < 2 * kc) cap *= 2;
  scratch<node_index> table(cap);
  node_index* const t = table.data();
  for (std::size_t k = 0; k < cap; ++k) t[k] = npos;
  for (std::size_t k = 0; k < kc; ++k) {
    const std::string_view name = nd[kids[k]].name;
    std::size_t slot = static_cast<std::size_t>(fnv1a_chars(name.data(), name.size())) & (cap - 1);
    for (; t[slot] != npos; slot = (slot + 1) & (cap - 1))
      if (nd[t[slot]].name == name) return true;
    t[slot] = kids[k];
  }
  return false;
}

/// The largest alignment that node `i` or anything it shows (its subtree, through aliases)
/// requires; memoised in `memo` (0: not yet known). Aliases form no cycle by now.
constexpr addr_t required_align(std::span<const node> nodes, node_index i, addr_t* memo) {
  if (memo[i] != 0) return memo[i];
  const node& n = nodes.data()[i];
  addr_t a = n.access.align;
  if (n.kind == region_kind::alias) {
    const addr_t t = required_align(nodes, n.alias_target, memo);
    a = t > a ? t : a;
  } else {
    for (node_index c = i + 1; c < n.end; c = nodes.data()[c].end) {
      if (nodes.data()[c].unmapped) continue;  // not shown with its parent
      const addr_t t = required_align(nodes, c, memo);
      a = t > a ? t : a;
    }
  }
  memo[i] = a;
  return a;
}

/// A run of bytes a region claims, [lo, last] root-relative, and the sibling it belongs to.
struct claim_run {
  addr_t lo;
  addr_t last;
  node_index owner;
};

/// Appends to `out` (nullptr: only counts, in `count`) the runs of bytes node `i` claims over
/// its local bytes [clo, clast] (clipped to its size), its byte 0 at root address `delta`.
/// A region claims a byte where it shows a leaf (DESIGN §2.2: a leaf claims all of itself; a
/// container what its mapped children claim, whatever their priorities; an alias what its
/// target claims in its window); holes claim nothing. A container that holds slots claims all
/// of itself, since a commit may place a slot anywhere in it. Runs may overlap and come in no
/// order. Aliases form no cycle by now.
constexpr void claim_runs(const node* nd, node_index i, node_index owner, addr_t delta, addr_t clo,
                          addr_t clast, claim_run* out, std::size_t& count) {
  const node& n = nd[i];
  bool whole = is_leaf(n.kind);
  if (n.kind == region_kind::container)
    for (node_index c = i + 1; c < n.end && !whole; c = nd[c].end) whole = nd[c].dynamic;
  if (whole) {
    if (out != nullptr) out[count] = {delta + clo, delta + clast, owner};
    ++count;
    return;
  }
  if (n.kind == region_kind::alias) {
    const addr_t ao = n.alias_offset;
    claim_runs(nd, n.alias_target, owner, delta - ao, clo + ao, clast + ao, out, count);
    return;
  }
  for (node_index c = i + 1; c < n.end; c = nd[c].end) {
    const node& ch = nd[c];
    if (ch.unmapped) continue;  // claims nothing in its parent
    const addr_t ch_last = ch.offset + (ch.size - 1);
    if (ch.offset > clast || ch_last < clo) continue;
    claim_runs(nd, c, owner, delta + ch.offset, (clo > ch.offset ? clo : ch.offset) - ch.offset,
               (clast < ch_last ? clast : ch_last) - ch.offset, out, count);
  }
}

/// The tie rule for the `kc` equal-priority siblings `kids` of a container whose byte 0 is at
/// root address `base`: the lowest byte two of them both claim, as the maximal run of bytes
/// those two both claim from there (`siblings_overlap`), or an ok result if no byte is claimed
/// twice. Called only where their ranges meet, so the common case never builds a run.
constexpr layout_check contested_bytes(const node* nd, const node_index* kids, std::size_t kc,
                                       addr_t base) {
  std::size_t m = 0;
  for (std::size_t k = 0; k < kc; ++k)
    claim_runs(nd, kids[k], kids[k], base + nd[kids[k]].offset, 0, nd[kids[k]].size - 1, nullptr,
               m);
  scratch<claim_run> run_buf(m), other_buf(m);
  claim_run* r = run_buf.data();
  claim_run* other = other_buf.data();
  scratch<std::size_t> bound_buf(kc + 1);
  std::size_t* const bound = bound_buf.data();  // sibling k's runs: [bound[k], bound[k + 1])
  // Each sibling's runs sorted (they usually come sorted: children in offset order) and
  // merged, so that one sibling's runs never meet each other.
  std::size_t n = 0;
  for (std::size_t k = 0; k < kc; ++k) {
    const std::size_t first = n;
    bound[k] = first;
    claim_runs(nd, kids[k], kids[k], base + nd[kids[k]].offset, 0, nd[kids[k]].size - 1, r, n);
    bool sorted = true;
    for (std::size_t j = first + 1; j < n && sorted; ++j) sorted = r[j - 1].lo <= r[j].lo;
    if (!sorted)
      sort(r + first, r + n, [](const claim_run& x, const claim_run& y) { return x.lo < y.lo; });
    std::size_t w = first;
    for (std::size_t j = first; j < n; ++j) {
      // Overlapping or adjacent: one run (a byte run ends where its successor begins).
      if (w > first && (r[j].lo <= r[w - 1].last || r[j].lo - 1 == r[w - 1].last)) {
        if (r[j].last > r[w - 1].last) r[w - 1].last = r[j].last;
      } else {
        r[w++] = r[j];
      }
    }
    n = w;
  }
  bound[kc] = n;
  // All runs by (start, sibling): the siblings' sorted lists merged pairwise, O(n log kc).
  for (std::size_t width = 1; width < kc; width *= 2) {
    for (std::size_t k = 0; k < kc; k += 2 * width) {
      const std::size_t lo = bound[k], mid = bound[k + width < kc ? k + width : kc],
                        hi = bound[k + 2 * width < kc ? k + 2 * width : kc];
      std::size_t x = lo, y = mid, w = lo;
      while (x < mid && y < hi) {
        const bool take_y = r[y].lo != r[x].lo ? r[y].lo < r[x].lo : r[y].owner < r[x].owner;
        other[w++] = take_y ? r[y++] : r[x++];
      }
      while (x < mid) other[w++] = r[x++];
      while (y < hi) other[w++] = r[y++];
    }
    claim_run* const t = r;
    r = other;
    other = t;
  }
  // By start: a run that begins at or before the furthest last seen so far meets that run,
  // which is another sibling's; the first such start is the lowest byte claimed twice.
  for (std::size_t j = 1, reach = 0; j < n; ++j) {
    if (r[j].lo <= r[reach].last) {
      const node_index x = r[reach].owner, y = r[j].owner;
      const addr_t last = r[j].last < r[reach].last ? r[j].last : r[reach].last;
      return {layout_error::siblings_overlap, x < y ? x : y, x < y ? y : x, r[j].lo, last};
    }
    if (r[j].last > r[reach].last) reach = j;
  }
  return {};
}

/// True only if `nodes` passes every rule of `check_layout`, decided in one pass for the
/// common shape: no alias, no slot, and each container's children declared in (priority,
/// offset) order. False means "not decided here": `check_layout` then runs the full checks,
/// which also find the first broken rule. (The full checks cost g++ 12 about 1.3 billion
/// instructions on a 1,024-leaf tree, this pass about a third of that: g++ evaluates every
/// operation of a constant expression at ~15,000 instructions, so passes and calls are what
/// count; tree/descriptor.hpp.)
constexpr bool passes_in_one_pass(std::span<const node> nodes) {
  constexpr addr_t max = std::numeric_limits<addr_t>::max();
  const node* const nd = nodes.data();
  const auto count = static_cast<node_index>(nodes.size());
  if (count == 0) return false;
  const node& root = nd[0];
  if (root.kind == region_kind::alias || root.dynamic || root.size == 0 ||
      !well_formed(root.access) || root.offset > max - (root.size - 1))
    return false;

  // Absolute offsets, written as each node is met as a child (after its parent).
  scratch<addr_t> abs_buf(count);
  addr_t* const abs = abs_buf.data();
  abs[0] = 0;
  // One open-addressing table of (name hash, container) for the duplicate-name rule, for all
  // containers at once: a slot belongs to the container stamped in it, so nothing is cleared
  // between containers (at most `count` entries: the load stays below one half).
  std::size_t cap = 4;
  while (cap < 2 * static_cast<std::size_t>(count)) cap *= 2;
  scratch<node_index> owner_buf(cap);
  scratch<std::uint64_t> hash_buf(cap);
  node_index* const owner = owner_buf.data();
  std::uint64_t* const hash = hash_buf.data();
  for (std::size_t t = 0; t < cap; ++t) owner[t] = npos;

  for (node_index p = 0; p < count; ++p) {
    const node& pn = nd[p];
    if (pn.kind != region_kind::container) continue;
    const node_index end = pn.end;
    node_index prev = npos;
    addr_t reach_last = 0;  // furthest last byte among the earlier siblings of this priority
    for (node_index c = p + 1; c < end; c = nd[c].end) {
      const node& n = nd[c];
      if (n.kind == region_kind::alias || n.dynamic || n.unmapped || n.size == 0 ||
          !well_formed(n.access))
        return false;
      if (!fits(n.offset, n.size, pn.size)) return false;  // also rules out offset overflow
      const addr_t a = abs[p] + n.offset;
      abs[c] = a;
      if (a % n.access.align != 0) return false;
      const addr_t last = n.offset + (n.size - 1);
      if (prev != npos && nd[prev].priority == n.priority) {
        if (n.offset < nd[prev].offset || n.offset <= reach_last) return false;
        if (last > reach_last) reach_last = last;
      } else {
        if (prev != npos && n.priority < nd[prev].priority) return false;
        reach_last = last;
      }
      prev = c;

      const char* const name = n.name.data();
      const std::size_t len = n.name.size();
      const std::uint64_t h = fnv1a_chars(name, len);
      std::size_t t = static_cast<std::size_t>(h) & (cap - 1);
      for (; owner[t] == p; t = (t + 1) & (cap - 1))
        if (hash[t] == h) return false;  // a duplicate, or a hash collision: decide in full
      owner[t] = p;
      hash[t] = h;
    }
  }
  return true;
}

/// `check_layout` without the one-pass shortcut: every rule, each in its own pass.
constexpr layout_check check_layout_in_full(std::span<const node> nodes) {
  constexpr addr_t max = std::numeric_limits<addr_t>::max();
  // Plain pointers into the nodes and the work arrays, and linear-time checks for the common
  // case (children declared in offset order, distinct names): g++ evaluates every span or
  // vector `operator[]`, iterator step and comparator as a constexpr call, and a 4,096-leaf
  // tree otherwise passes its default limit of 2^25 operations (layout/lookup.hpp).
  const node* const nd = nodes.data();
  const auto count = static_cast<node_index>(nodes.size());

  for (node_index i = 0; i < count; ++i)
    if (!well_formed(nd[i].access)) return {layout_error::bad_access_policy, i};
  for (node_index i = 0; i < count; ++i)
    if (nd[i].size == 0) return {layout_error::zero_size, i, npos, nd[i].offset, nd[i].offset};
  for (node_index i = 0; i < count; ++i)
    if (nd[i].offset > max - (nd[i].size - 1))
      return {layout_error::offset_overflow, i, nd[i].parent, nd[i].offset, max};

  // Absolute offsets from the root; valid once every child fits its parent.
  scratch<addr_t> abs_buf(count);
  addr_t* const abs = abs_buf.data();
  if (count != 0) abs[0] = 0;
  for (node_index i = 1; i < count; ++i) {
    const node& n = nd[i];
    const node& p = nd[n.parent];
    if (n.unmapped) {  // mapped nowhere: not inside its parent; its subtree counts from it
      abs[i] = 0;
      continue;
    }
    abs[i] = abs[n.parent] + n.offset;
    if (!fits(n.offset, n.size, p.size)) {
      const addr_t lo = abs[n.parent] + n.offset;  // may wrap only past a reported overflow
      return {layout_error::child_outside_parent, i, n.parent, lo, lo + (n.size - 1)};
    }
  }

  // Two passes, so that a missing target anywhere is reported before a window out of range
  // (rules in layout_error order, as documented).
  bool any_alias = false;
  for (node_index i = 0; i < count; ++i) {
    if (nd[i].kind != region_kind::alias) continue;
    any_alias = true;
    if (nd[i].alias_target == npos) return {layout_error::alias_target_not_found, i};
  }
  for (node_index i = 0; any_alias && i < count; ++i) {
    const node& n = nd[i];
    if (n.kind != region_kind::alias) continue;
    const node& t = nd[n.alias_target];
    if (!fits(n.alias_offset, n.size, t.size))
      return {layout_error::alias_target_out_of_range, i, n.alias_target, n.alias_offset,
              n.alias_offset + (n.size - 1)};
  }
  if (any_alias) {  // the tree edges alone have no cycle
    if (const node_index a = find_alias_cycle(nodes); a != npos)
      return {layout_error::alias_cycle, a, nd[a].alias_target};
  }

  // Sibling rules, one container at a time, its children in pre-order.
  scratch<node_index> kid_buf(count);
  node_index* const kids = kid_buf.data();
  for (node_index p = 0; p < count; ++p) {
    if (nd[p].kind != region_kind::container) continue;
    std::size_t kc = 0;
    for (node_index i = p + 1; i < nd[p].end; i = nd[i].end) kids[kc++] = i;

    // A duplicate name is reported as a sort by (name, index) finds it first: the smallest
    // such name, at its two first places.
    if (has_duplicate_name(nd, kids, kc)) {
      scratch<node_index> c_buf(kc);
      node_index* const c = c_buf.data();
      for (std::size_t k = 0; k < kc; ++k) c[k] = kids[k];
      sort(c, c + kc, [&](node_index x, node_index y) {
        return nd[x].name != nd[y].name ? nd[x].name < nd[y].name : x < y;
      });
      for (std::size_t k = 1; k < kc; ++k)
        if (nd[c[k - 1]].name == nd[c[k]].name)
          return {layout_error::duplicate_sibling_name, c[k - 1], c[k], abs[c[k]], abs[c[k]]};
    }

    // The tie rule: no byte claimed by two siblings of equal priority (holes claim nothing).
    // Within one priority, by offset, ranges meet iff a child starts at or before the
    // furthest `last` seen so far in that priority (the furthest, not the previous, catches a
    // long sibling that covers several later ones); only a priority whose ranges meet has its
    // claims compared, byte runs against byte runs (`contested_bytes`). Children in pre-order
    // are usually sorted by (priority, offset, index) already.
    bool ordered = true;
    for (std::size_t k = 1; k < kc && ordered; ++k) {
      const node& x = nd[kids[k - 1]];
      const node& y = nd[kids[k]];
      ordered = x.priority < y.priority || (x.priority == y.priority && x.offset <= y.offset);
    }
    if (!ordered) {
      sort(kids, kids + kc, [&](node_index x, node_index y) {
        if (nd[x].priority != nd[y].priority) return nd[x].priority < nd[y].priority;
        if (nd[x].offset != nd[y].offset) return nd[x].offset < nd[y].offset;
        return x < y;
      });
    }
    // Slots are placed, and their ties judged, at commit; an unmapped child claims nothing in
    // its parent: both are left out of the groups.
    std::size_t kept = 0;
    for (std::size_t k = 0; k < kc; ++k)
      if (!nd[kids[k]].dynamic && !nd[kids[k]].unmapped) kids[kept++] = kids[k];
    for (std::size_t g = 0, h = 0; g < kept; g = h) {
      bool meet = false;
      addr_t reach_last = nd[kids[g]].offset + (nd[kids[g]].size - 1);
      for (h = g + 1; h < kept && nd[kids[h]].priority == nd[kids[g]].priority; ++h) {
        const node& n = nd[kids[h]];
        meet = meet || n.offset <= reach_last;
        if (n.offset + (n.size - 1) > reach_last) reach_last = n.offset + (n.size - 1);
      }
      if (!meet) continue;
      if (const layout_check c = contested_bytes(nd, kids + g, h - g, abs[p]); !c.ok()) return c;
    }
  }

  // Inside a slot, offsets count from the slot's base, which is aligned to the slot's
  // alignment: a region there needs both its offset and that alignment to suit its policy.
  scratch<node_index> slot_buf(count);
  node_index* const slot_of = slot_buf.data();
  for (node_index i = 0; i < count; ++i) slot_of[i] = npos;
  // The unmapped region each node is in (itself included), or npos.
  scratch<node_index> unm_buf(count);
  node_index* const unmapped_of = unm_buf.data();
  if (count != 0) unmapped_of[0] = npos;
  bool any_unmapped = false;
  bool any_slot = false;
  for (node_index i = 1; i < count; ++i) {
    const node_index up = slot_of[nd[i].parent];
    unmapped_of[i] = nd[i].unmapped ? i : unmapped_of[nd[i].parent];
    any_unmapped = any_unmapped || nd[i].unmapped;
    if (nd[i].dynamic) {
      any_slot = true;
      if (up != npos) return {layout_error::nested_slot, i, up};
      const addr_t al = nd[i].slot_align;
      if (al == 0 || (al & (al - 1)) != 0)
        return {layout_error::bad_slot_alignment, i, npos, al, al};
      slot_of[i] = i;
      // Inside a slot, addresses are taken with the slot at its window's base: a placement
      // moves them by a multiple of the slot's alignment, checked below, so a region is
      // aligned at every base exactly when it is aligned at this one and the slot's
      // alignment is a multiple of what it needs. (Slot-relative offsets alone would miss a
      // window that is itself off that alignment.)
      abs[i] = abs[nd[i].parent];
    } else {
      slot_of[i] = up;
      if (up != npos) abs[i] = nd[i].unmapped ? 0 : abs[nd[i].parent] + nd[i].offset;
    }
  }
  for (node_index i = 0; i < count; ++i) {
    const addr_t al = nd[i].access.align;
    const node_index s = slot_of[i];
    if (abs[i] % al != 0 || (s != npos && nd[s].slot_align % al != 0))
      return {layout_error::misaligned_placement, i, npos, abs[i], al};
  }
  // An alias moves every region it shows by (its address - its target offset - the target's
  // address). The dispatcher checks alignment on guest addresses, so that move must keep each
  // shown region as aligned as its policy needs, or a handler that forbids unaligned accesses
  // would be called at an unaligned offset (an exactly<4> register seen 2 bytes off).
  if (any_alias) {
    scratch<addr_t> need_buf(count);
    addr_t* const need = need_buf.data();
    for (node_index i = 0; i < count; ++i) need[i] = 0;
    for (node_index i = 0; i < count; ++i) {
      const node& n = nd[i];
      if (n.kind != region_kind::alias) continue;
      const node_index t = n.alias_target;
      // An alias that shows a slot is a rule of its own (alias_shows_a_slot, below); one that
      // shows a window moves its slots too, wherever they are placed in it (by multiples of
      // their alignment, which is a multiple of what their content needs), so the slots'
      // content counts in what it must keep aligned (required_align descends into slots).
      if (slot_of[t] != npos) continue;
      const addr_t al = required_align(nodes, t, need);
      // An alias inside a slot moves with it by multiples of the slot's alignment.
      const bool moves_off = slot_of[i] != npos && nd[slot_of[i]].slot_align % al != 0;
      if ((abs[i] - n.alias_offset - abs[t]) % al != 0 || moves_off)
        return {layout_error::misaligned_placement, i, t, abs[i], al};
    }
  }

  // Where the root shows windows (containers with slots) — at their own position, or through
  // aliases that show them or a region containing them — those places must not meet: a
  // slot's competitors there are then exactly that appearance's level map (layout/slots.hpp).
  if (any_slot) {
    const std::vector<window_render> shown = window_renders(nodes);
    const std::size_t nwin = shown.size();
    // Whether any two meet: by start, each must begin past the furthest end so far. Only then
    // is the first pair (in the appearances' order: windows in pre-order) looked for.
    scratch<std::size_t> by_start_buf(nwin);
    std::size_t* const by_start = by_start_buf.data();
    for (std::size_t k = 0; k < nwin; ++k) by_start[k] = k;
    sort(by_start, by_start + nwin,
         [&](std::size_t x, std::size_t y) { return shown[x].lo < shown[y].lo; });
    bool meet = false;
    addr_t reach = 0;
    for (std::size_t k = 0; k < nwin && !meet; ++k) {
      const window_render& w = shown[by_start[k]];
      meet = k > 0 && w.lo <= reach;
      if (k == 0 || w.last > reach) reach = w.last;
    }
    for (std::size_t x = 0; meet && x < nwin; ++x)
      for (std::size_t y = x + 1; y < nwin; ++y) {
        const window_render &a = shown[x], &b = shown[y];
        if (a.lo <= b.last && b.lo <= a.last)
          return {layout_error::slot_windows_overlap, a.node, b.node, a.lo > b.lo ? a.lo : b.lo,
                  a.last < b.last ? a.last : b.last};
      }
  }
  // An alias must not show a slot or a region in one: a slot has no static position to alias.
  // (Showing a window, or a region that holds one, is how a slot is seen through an alias.)
  for (node_index i = 0; any_alias && any_slot && i < count; ++i) {
    if (nd[i].kind != region_kind::alias) continue;
    const node_index t = nd[i].alias_target;
    if (slot_of[t] != npos) return {layout_error::alias_shows_a_slot, i, slot_of[t]};
  }
  // An unmapped region is seen only through aliases: one must target it or a region in it.
  if (any_unmapped) {
    scratch<std::uint8_t> shown_buf(count);
    std::uint8_t* const shown = shown_buf.data();
    for (node_index i = 0; i < count; ++i) shown[i] = 0;
    for (node_index i = 0; i < count; ++i)
      if (nd[i].kind == region_kind::alias) {
        // Every unmapped region around the target is shown (the target's own ancestors up to
        // the root, each unmapped one among them).
        for (node_index u = unmapped_of[nd[i].alias_target]; u != npos;
             u = unmapped_of[nd[u].parent])
          shown[u] = 1;
      }
    for (node_index i = 0; i < count; ++i)
      if (nd[i].unmapped && shown[i] == 0) return {layout_error::unmapped_not_shown, i};
  }
  return {};
}
}  // namespace detail

/// Checks every rule of DESIGN §2.2 and returns the first that fails (in `layout_error`
/// order; within a rule, in pre-order). O(n log n) in the number of nodes; a tree without
/// aliases and slots whose children are declared in (priority, offset) order is accepted in
/// one pass (`detail::passes_in_one_pass`).
constexpr layout_check check_layout(std::span<const node> nodes) {
  if (detail::passes_in_one_pass(nodes)) return {};
  return detail::check_layout_in_full(nodes);
}

MMIOTREE_END_NAMESPACE
