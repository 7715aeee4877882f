// format/mtree.hpp: text renderings of a tree, its flat view and its projection, in the style
// of QEMU's `info mtree` and `info mtree -f`, so that a VMM engineer reads them at a glance.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/live_map.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <concepts>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {
inline void append_path(std::string& out, std::span<const node> nodes, node_index i) {
  const std::size_t at = out.size();
  out.resize(at + path_of(nodes, i));
  path_of(nodes, i, out.data() + at);
}
/// Whether live says leaf node i is unbound.
inline bool unbound_in(const live_map& live, std::span<const node> nodes, node_index i) {
  return takes_binding(nodes[i].kind) && nodes[i].leaf < live.bound.size() &&
         !live.bound[nodes[i].leaf];
}

/// The tree's lines. `slot_at(i)` says where slot node i is; `unbound(i)` whether leaf node i
/// is unbound (marked so).
///
/// A container's children are listed as QEMU's `mtree_print_mr` lists subregions: by address,
/// and at one address the higher priority first (declaration order among equals); slots that
/// are not placed come last, as declared.
template <class SlotAt, class Unbound>
std::string render_mtree(std::span<const node> nodes, addr_t base, SlotAt&& slot_at,
                         Unbound&& unbound) {
  std::string out;
  auto it = std::back_inserter(out);
  std::vector<addr_t> abs(nodes.size(), base);
  std::vector<std::string_view> mark(nodes.size());
  std::vector<bool> unplaced(nodes.size());
  for (node_index i = 0; i < nodes.size(); ++i) {
    const node& n = nodes[i];
    if (n.parent != npos) abs[i] = abs[n.parent] + n.offset;
    if (n.unmapped) {
      abs[i] = 0;  // mapped nowhere: its subtree at offsets relative to it
      mark[i] = " [unmapped]";
      unplaced[i] = true;
    }
    if (n.dynamic) {
      const slot_placement p = slot_at(i);
      if (!p.placed) {
        abs[i] = 0;  // the slot's subtree at offsets relative to the slot
        mark[i] = " [not placed]";
        unplaced[i] = true;
      } else {
        abs[i] = base + p.base;
        if (!p.enabled) mark[i] = " [disabled]";
      }
    }
  }
  const auto listed_before = [&](node_index a, node_index b) -> bool {
    if (unplaced[a] != unplaced[b]) return unplaced[b];
    if (unplaced[a]) return a < b;
    if (abs[a] != abs[b]) return abs[a] < abs[b];
    if (nodes[a].priority != nodes[b].priority) return nodes[a].priority > nodes[b].priority;
    return a < b;
  };
  // Depth-first, each container's children in that order: a stack of nodes still to print.
  std::vector<node_index> todo{0};
  std::vector<node_index> children;
  while (!todo.empty()) {
    const node_index i = todo.back();
    todo.pop_back();
    const node& n = nodes[i];
    fmt::format_to(it, "{:{}}{:016x}-{:016x} (prio {}, {}): {}", "", 2 * n.depth, abs[i],
                   abs[i] + (n.size - 1), n.priority, to_string(n.kind), n.name);
    if (n.kind == region_kind::alias) {
      out += " @";
      if (n.alias_target != npos)
        detail::append_path(out, nodes, n.alias_target);
      else
        out += n.alias_path;
      fmt::format_to(it, " {:016x}-{:016x}", n.alias_offset, n.alias_offset + (n.size - 1));
    }
    out += mark[i];
    if (unbound(i)) out += " [unbound]";
    out += '\n';
    children.clear();
    for (node_index c = i + 1; c < n.end; c = nodes[c].end) children.push_back(c);
    std::stable_sort(children.begin(), children.end(), listed_before);
    todo.insert(todo.end(), children.rbegin(), children.rend());
  }
  return out;
}
}  // namespace detail

/// The tree as declared, one region a line, indented by depth, addresses absolute from `base`:
///   0000000000000000-00000000003fffff (prio 0, container): bar2
///     0000000000101000-0000000000101fff (prio 1, io): comp_regs
///     …
///     0000000000300000-0000000000300fff (prio 0, alias): win @accel
///     0000000000000000-0000000000000fff
/// A slot has no address before run time: it shows `[not placed]`, its subtree at offsets
/// relative to it. An unmapped region (`unmapped<R>`) shows `[unmapped]`, listed after its
/// mapped siblings, its subtree at offsets relative to it (QEMU prints such regions, seen
/// only through aliases, as trees of their own).
inline std::string format_mtree(std::span<const node> nodes, addr_t base = 0) {
  return detail::render_mtree(
      nodes, base, [](node_index) { return slot_placement{}; }, [](node_index) { return false; });
}

/// The tree as it is now (`info mtree` of a running space): slots at their guest-physical
/// places, `[disabled]` when disabled (at the base they keep), `[not placed]` (at offsets
/// relative to the slot) when never placed; leaves not bound marked `[unbound]`.
inline std::string format_mtree(std::span<const node> nodes, const live_map& live,
                                addr_t base = 0) {
  return detail::render_mtree(
      nodes, base, [&](node_index i) { return live.slot_at(i); },
      [&](node_index i) { return detail::unbound_in(live, nodes, i); });
}

namespace detail {
template <class Unbound>
std::string render_flat_view(std::span<const node> nodes, std::span<const flat_range> view,
                             addr_t base, Unbound&& unbound) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "FlatView of {} ({} ranges)\n", nodes[0].name, view.size());
  for (const flat_range& f : view) {
    const node& n = nodes[f.leaf];
    fmt::format_to(it, "  {:016x}-{:016x} (prio {}, {}): ", base + f.lo, base + f.last, n.priority,
                   to_string(n.kind));
    detail::append_path(out, nodes, f.leaf);
    if (f.offset != 0) fmt::format_to(it, " @{:016x}", f.offset);
    if (unbound(f.leaf)) out += " [unbound]";
    out += '\n';
  }
  return out;
}
}  // namespace detail

/// The flat view, one range a line, with the winning leaf's path and the offset into it:
///   0000000000000000-0000000000100fff (prio 0, passthrough): accel
///   0000000000101000-0000000000101fff (prio 1, io): comp_regs
///   0000000000102000-00000000001fffff (prio 0, passthrough): accel @0000000000102000
inline std::string format_flat_view(std::span<const node> nodes, std::span<const flat_range> view,
                                    addr_t base = 0) {
  return detail::render_flat_view(nodes, view, base, [](node_index) { return false; });
}

/// The flat view as it is now (`info mtree -f` of a running space), leaves not bound marked
/// `[unbound]`.
inline std::string format_flat_view(std::span<const node> nodes, const live_map& live,
                                    addr_t base = 0) {
  return detail::render_flat_view(nodes, live.view, base,
                                  [&](node_index i) { return detail::unbound_in(live, nodes, i); });
}

/// The projection: what is mmapped (with host offset) and what traps.
inline std::string format_projection(std::span<const node> nodes,
                                     std::span<const span_desc> passthrough,
                                     std::span<const span_desc> trapped, addr_t page,
                                     addr_t base = 0) {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "Projection of {} for {} KiB host pages: {} mmap, {} trap\n", nodes[0].name,
                 page / 1024, passthrough.size(), trapped.size());
  std::size_t p = 0, t = 0;
  while (p < passthrough.size() || t < trapped.size()) {
    const bool take_p =
        t == trapped.size() || (p < passthrough.size() && passthrough[p].lo < trapped[t].lo);
    const span_desc& s = take_p ? passthrough[p++] : trapped[t++];
    fmt::format_to(it, "  {} {:016x}-{:016x} ({:#x} bytes)", take_p ? "mmap" : "trap", base + s.lo,
                   base + s.last, s.size());
    if (take_p) {
      out += ": ";
      detail::append_path(out, nodes, s.leaf);
      fmt::format_to(it, " @{:016x}", s.offset);
    }
    out += '\n';
  }
  return out;
}

/// Typed front ends. On a tree that breaks a layout rule, that rule's one error and an empty
/// string: nothing more (no "no matching function" after the error).
template <region Tree>
std::string mtree_text(addr_t base = 0) {
  if constexpr (detail::verdict_of<Tree>::value)
    return format_mtree(nodes_v<Tree>, base);
  else
    return {};
}
template <region Tree>
std::string flat_view_text(addr_t base = 0) {
  if constexpr (detail::verdict_of<Tree>::value)
    return format_flat_view(nodes_v<Tree>, flat_view_v<Tree>, base);
  else
    return {};
}
template <region Tree, addr_t Page, page_policy Policy = page_policy::error>
std::string projection_text(addr_t base = 0) {
  if constexpr (detail::verdict_of<Tree>::value) {
    constexpr auto& p = projection_v<Tree, Page, Policy>;
    return format_projection(nodes_v<Tree>, p.passthrough, p.trapped, Page, base);
  } else {
    return {};
  }
}

/// What a running space can be asked for its state (address_space<Tree, Options>).
template <class Space>
concept live_space = requires(const Space& s) {
  typename Space::tree;
  { s.live() } -> std::same_as<live_map>;
};
/// `info mtree` of a running space: `format_mtree(nodes, space.live(), base)`.
template <live_space Space>
std::string mtree_text(const Space& space, addr_t base = 0) {
  return format_mtree(nodes_v<typename Space::tree>, space.live(), base);
}
/// `info mtree -f` of a running space.
template <live_space Space>
std::string flat_view_text(const Space& space, addr_t base = 0) {
  return format_flat_view(nodes_v<typename Space::tree>, space.live(), base);
}

MMIOTREE_END_NAMESPACE

/// `fmt::format("{}", kind)` and friends for the library's enums.
template <>
struct fmt::formatter<mmiotree::region_kind> : fmt::formatter<std::string_view> {
  auto format(mmiotree::region_kind k, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(mmiotree::to_string(k), ctx);
  }
};
template <>
struct fmt::formatter<mmiotree::access_status> : fmt::formatter<std::string_view> {
  auto format(mmiotree::access_status s, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(mmiotree::to_string(s), ctx);
  }
};
