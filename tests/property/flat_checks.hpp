// tests/property/flat_checks.hpp: what a flat view and a projection must satisfy, checked
// against the oracle. Each check returns an empty string or a description of the first problem,
// and counts the individual comparisons it made.
#pragma once

#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "oracle.hpp"

namespace checks {

using mmiotree::addr_t;
using mmiotree::flat_range;
using mmiotree::node;
using mmiotree::node_index;
using mmiotree::npos;

inline std::string hex(addr_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

/// The flat range holding `addr`, if any.
inline const flat_range* find_range(std::span<const flat_range> view, addr_t addr) {
  auto it = std::upper_bound(view.begin(), view.end(), addr,
                             [](addr_t a, const flat_range& r) { return a < r.lo; });
  if (it == view.begin()) return nullptr;
  --it;
  return addr <= it->last ? &*it : nullptr;
}

inline oracle::hit flat_hit(std::span<const flat_range> view, addr_t addr) {
  const flat_range* r = find_range(view, addr);
  return r ? oracle::hit{r->leaf, r->offset + (addr - r->lo)} : oracle::hit{};
}

/// Sorted, disjoint, inside the root, on leaves, inside each leaf, maximally merged; and equal
/// to the oracle at every boundary of either side (which makes them equal everywhere).
inline std::string flat_view_matches_oracle(std::span<const node> nodes,
                                            std::span<const flat_range> view, std::size_t& count) {
  const addr_t root_last = nodes[0].size - 1;
  for (std::size_t i = 0; i < view.size(); ++i) {
    const flat_range& r = view[i];
    count += 4;
    if (r.lo > r.last || r.last > root_last)
      return "range " + std::to_string(i) + " [" + hex(r.lo) + ", " + hex(r.last) +
             "] is empty or leaves the root";
    if (r.leaf >= nodes.size() || !mmiotree::is_leaf(nodes[r.leaf].kind))
      return "range " + std::to_string(i) + " does not name a leaf";
    const addr_t leaf_last = nodes[r.leaf].size - 1;
    if (r.offset > leaf_last || leaf_last - r.offset < r.last - r.lo)
      return "range " + std::to_string(i) + " runs past the end of its leaf";
    if (i == 0) continue;
    const flat_range& p = view[i - 1];
    if (p.last >= r.lo)
      return "ranges " + std::to_string(i - 1) + " and " + std::to_string(i) +
             " are unsorted or overlap";
    if (p.leaf == r.leaf && p.last + 1 == r.lo && p.offset + (p.last - p.lo) + 1 == r.offset)
      return "ranges " + std::to_string(i - 1) + " and " + std::to_string(i) +
             " continue each other but were not merged";
  }
  std::vector<addr_t> at = oracle::probes(nodes);
  for (const flat_range& r : view) {
    at.push_back(r.lo);
    at.push_back(r.last);
    if (r.lo != 0) at.push_back(r.lo - 1);
    if (r.last < root_last) at.push_back(r.last + 1);
  }
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  for (const addr_t a : at) {
    ++count;
    const oracle::hit want = oracle::at(nodes, a), got = flat_hit(view, a);
    if (want != got)
      return "at " + hex(a) + " the flat view has leaf " +
             (got.leaf == npos ? std::string("(hole)") : std::to_string(got.leaf)) + " offset " +
             hex(got.offset) + ", the oracle leaf " +
             (want.leaf == npos ? std::string("(hole)") : std::to_string(want.leaf)) + " offset " +
             hex(want.offset);
  }
  return {};
}

/// The projection for `page` under `trap_partial_pages`: the spans tile the root; passthrough
/// spans are whole aligned pages of one passthrough leaf with the right, page-aligned host
/// offsets; every whole page that could be mapped is; and `page_policy::error` fails exactly
/// when some passthrough range is not page-exact (and otherwise gives the same spans).
inline std::string projection_is_sound(std::span<const node> nodes,
                                       std::span<const flat_range> view, addr_t page,
                                       std::size_t& count) {
  using mmiotree::span_desc;
  const addr_t root_last = nodes[0].size - 1;
  const auto r = mmiotree::project(nodes, view, page, mmiotree::page_policy::trap_partial_pages);
  const std::string where = " (page " + hex(page) + ")";
  ++count;
  if (!r.ok) return "trap_partial_pages reported a failure" + where;

  std::vector<span_desc> all(r.passthrough.begin(), r.passthrough.end());
  all.insert(all.end(), r.trapped.begin(), r.trapped.end());
  std::sort(all.begin(), all.end(),
            [](const span_desc& a, const span_desc& b) { return a.lo < b.lo; });
  addr_t next = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    count += 2;
    if (all[i].lo != next || all[i].last < all[i].lo || all[i].last > root_last)
      return "spans do not tile the root at " + hex(next) + where;
    if (all[i].last == root_last && i + 1 != all.size())
      return "spans run on past the end of the root" + where;
    next = all[i].last + 1;
  }
  ++count;
  if (all.empty() || all.back().last != root_last)
    return "spans stop before the end of the root" + where;
  for (std::size_t i = 1; i < r.trapped.size(); ++i)
    if (r.trapped[i - 1].last + 1 == r.trapped[i].lo)
      return "touching trapped spans were not merged" + where;

  for (const span_desc& s : r.passthrough) {
    count += 3;
    if (s.leaf >= nodes.size() || nodes[s.leaf].kind != mmiotree::region_kind::passthrough)
      return "a passthrough span at " + hex(s.lo) + " is not on a passthrough leaf" + where;
    if (s.lo % page != 0 || (s.last - s.lo) % page != page - 1 || s.offset % page != 0)
      return "passthrough span [" + hex(s.lo) + ", " + hex(s.last) + "] (host offset " +
             hex(s.offset) + ") is not page aligned" + where;
    // Every byte of the span is that leaf at the span's offset, in the flat view.
    for (addr_t pos = s.lo;;) {
      ++count;
      const flat_range* f = find_range(view, pos);
      if (!f || f->leaf != s.leaf || f->offset + (pos - f->lo) != s.offset + (pos - s.lo))
        return "passthrough span [" + hex(s.lo) + ", " + hex(s.last) + "] maps " + hex(pos) +
               " to the wrong leaf or host offset" + where;
      if (f->last >= s.last) break;
      pos = f->last + 1;
    }
  }

  // Maximal: each whole page inside one passthrough range with a page-aligned host offset.
  bool all_exact = true;
  for (const flat_range& f : view) {
    if (nodes[f.leaf].kind != mmiotree::region_kind::passthrough) continue;
    const bool exact =
        f.lo % page == 0 && (f.last - f.lo) % page == page - 1 && f.offset % page == 0;
    all_exact = all_exact && exact;
    const addr_t head = (page - f.lo % page) % page;
    if (f.last - f.lo < head || f.last - f.lo - head < page - 1) continue;  // no whole page
    if ((f.offset + head) % page != 0) continue;
    const addr_t lo = f.lo + head;
    const addr_t last = lo + ((f.last - lo + 1) / page * page - 1);
    for (addr_t pos = lo;;) {
      ++count;
      auto it = std::upper_bound(r.passthrough.begin(), r.passthrough.end(), pos,
                                 [](addr_t a, const span_desc& s) { return a < s.lo; });
      if (it == r.passthrough.begin() || (it - 1)->last < pos)
        return "page at " + hex(pos) + " could be mapped but traps" + where;
      if ((it - 1)->last >= last) break;
      pos = (it - 1)->last + 1;
    }
  }

  const auto e = mmiotree::project(nodes, view, page, mmiotree::page_policy::error);
  ++count;
  if (e.ok != all_exact)
    return std::string("page_policy::error ") + (e.ok ? "accepted" : "refused") +
           " a view whose passthrough ranges are " + (all_exact ? "" : "not ") + "all page-exact" +
           where;
  if (e.ok && (e.passthrough != r.passthrough || e.trapped != r.trapped))
    return "page_policy::error and trap_partial_pages disagree on an exact view" + where;
  return {};
}

}  // namespace checks
