// tests/property/flat_checks.hpp: a flat view and its projections against the oracle.
//
// The library's flat view must equal the oracle's (oracle::tree::flat, the rule applied to the
// test's description) range for range; its projection for a page size must equal the one the
// rule of DESIGN §2.3 gives on the oracle's view: each passthrough range contributes the whole
// host pages inside it when its host offsets are page-aligned there, everything else traps
// (touching trapped spans merged), and `page_policy::error` refuses exactly when some
// passthrough range is not page-exact, naming the first. Callers translate the library's leaf
// numbers into description indices first (the two are compared, never mixed).
#pragma once

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "model.hpp"
#include "oracle.hpp"

namespace checks {

using model::addr;
using model::none;
using range = oracle::tree::range;

inline std::string hex(addr v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}
inline std::string show(const range& r) {
  return "[" + hex(r.lo) + ", " + hex(r.last) + "] leaf " +
         (r.leaf == none ? std::string("-") : std::to_string(r.leaf)) + " @" + hex(r.offset);
}

/// The first difference between the library's view `got` and the oracle's `want`, or "".
inline std::string same_view(const std::vector<range>& got, const std::vector<range>& want) {
  for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
    if (i >= got.size()) return "flat view lacks range " + std::to_string(i) + " " + show(want[i]);
    if (i >= want.size()) return "flat view has extra range " + show(got[i]);
    if (!(got[i] == want[i]))
      return "flat range " + std::to_string(i) + " is " + show(got[i]) + ", the rule gives " +
             show(want[i]);
  }
  return {};
}

/// A projection, as lists of ranges (leaf `none` and offset 0 for trapped spans).
struct projection {
  bool ok = true;
  range offending{};
  std::vector<range> passthrough, trapped;
};

/// DESIGN §2.3 on the oracle's view, for `page` (a power of two).
inline projection expected_projection(const oracle::tree& t, const std::vector<range>& view,
                                      addr page, bool trap_partial) {
  projection p;
  const addr root_last = t[0].size - 1;
  for (const range& f : view) {
    if (t[f.leaf].kind != model::kind::passthrough) continue;
    // Pages are [k * page, (k + 1) * page); the first whole page at or after lo.
    const addr first = f.lo % page == 0 ? f.lo : (f.lo / page + 1) * page;
    const bool starts_ok = f.lo % page == 0;
    const bool ends_ok = f.last % page == page - 1;
    const bool host_ok = f.offset % page == f.lo % page;  // host offset aligned where guest is
    if (!(starts_ok && ends_ok && host_ok) && !trap_partial) {
      p.ok = false;
      p.offending = f;
      return {false, f, {}, {}};
    }
    if (!host_ok || first < f.lo /* wrapped */ || first > f.last) continue;
    if (f.last - first + 1 < page) continue;
    const addr last = first + ((f.last - first + 1) / page) * page - 1;
    p.passthrough.push_back({first, last, f.leaf, f.offset + (first - f.lo)});
  }
  // Everything the passthrough spans leave traps.
  addr next = 0;
  bool done = false;
  for (const range& s : p.passthrough) {
    if (s.lo > next) p.trapped.push_back({next, s.lo - 1, none, 0});
    if (s.last == root_last) done = true;
    next = s.last + 1;
  }
  if (!done) p.trapped.push_back({next, root_last, none, 0});
  return p;
}

/// The first difference between two projections, or "".
inline std::string same_projection(const projection& got, const projection& want, addr page) {
  const std::string where = " (page " + hex(page) + ")";
  if (got.ok != want.ok)
    return std::string("projection ") + (got.ok ? "accepted" : "refused") + " a view the rule " +
           (want.ok ? "accepts" : "refuses") + where;
  if (!got.ok)
    return got.offending == want.offending ? std::string()
                                           : "projection names " + show(got.offending) +
                                                 ", the rule " + show(want.offending) + where;
  for (const auto& [g, w, what] : {std::tuple{&got.passthrough, &want.passthrough, "passthrough"},
                                   std::tuple{&got.trapped, &want.trapped, "trapped"}}) {
    const std::string d = same_view(*g, *w);
    if (!d.empty()) return std::string(what) + " spans: " + d + where;
  }
  return {};
}

}  // namespace checks
