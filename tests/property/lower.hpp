// tests/property/lower.hpp: a test's description (model.hpp) as what the library takes — a
// descriptor array for the run-time entry points (check_layout, flatten, project), an
// access_policy, a tie policy. Test glue, not an oracle: it only translates field by field.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <bit>
#include <span>
#include <vector>

#include "model.hpp"

namespace lower {

[[nodiscard]] constexpr mmiotree::access_policy policy(const model::policy& p) {
  mmiotree::access_policy a;
  a.valid = p.sizes;
  a.impl_min = static_cast<std::uint8_t>(p.impl_min);
  a.impl_max = static_cast<std::uint8_t>(p.impl_max);
  a.unaligned = p.unaligned;
  a.align = p.align;
  a.order = p.big_endian ? mmiotree::endian::big : mmiotree::endian::little;
  a.on_straddle = p.reject_straddle ? mmiotree::straddle::reject : mmiotree::straddle::split;
  a.error_read = p.error_read;
  return a;
}

[[nodiscard]] constexpr mmiotree::region_kind kind(model::kind k) {
  switch (k) {
    case model::kind::container: return mmiotree::region_kind::container;
    case model::kind::passthrough: return mmiotree::region_kind::passthrough;
    case model::kind::io: return mmiotree::region_kind::io;
    case model::kind::regs: return mmiotree::region_kind::regs;
    case model::kind::stub: return mmiotree::region_kind::stub;
    case model::kind::alias: return mmiotree::region_kind::alias;
  }
  return mmiotree::region_kind::container;
}

[[nodiscard]] constexpr mmiotree::stub_response response(model::answer a) {
  switch (a) {
    case model::answer::zeros: return mmiotree::stub_response::read_as_zero;
    case model::answer::ones: return mmiotree::stub_response::read_as_ones;
    case model::answer::decode_error: break;
  }
  return mmiotree::stub_response::decode_error;
}

[[nodiscard]] constexpr mmiotree::tie_policy tie(bool reject) {
  return reject ? mmiotree::tie_policy::reject : mmiotree::tie_policy::declaration_order;
}

/// The slot alignment a description declares (0: the size rounded up to a power of two).
[[nodiscard]] constexpr model::addr slot_align(const model::region& r) {
  return r.slot_align != 0 ? r.slot_align : std::bit_ceil(r.size);
}

/// The descriptor array of a description given in pre-order (region i becomes node i), with
/// `end`, `depth` and leaf numbers filled in and alias targets resolved by the library's
/// `link` — as `nodes_v` would hold for the typed tree.
inline std::vector<mmiotree::node> nodes(std::span<const model::region> t) {
  std::vector<mmiotree::node> n(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const model::region& r = t[i];
    mmiotree::node& d = n[i];
    d.name = r.name;
    d.kind = kind(r.kind);
    d.size = r.size;
    d.offset = r.slot || r.unmapped ? 0 : r.offset;
    d.priority = r.priority;
    d.parent =
        r.parent == model::none ? mmiotree::npos : static_cast<mmiotree::node_index>(r.parent);
    d.depth = r.parent == model::none ? 0 : n[r.parent].depth + 1;
    d.access = policy(r.policy);
    d.response = response(r.response);
    d.alias_path = r.target;
    d.alias_offset = r.target_offset;
    d.keep_separate = r.keep_separate;
    d.dynamic = r.slot;
    d.slot_align = r.slot ? slot_align(r) : 0;
    d.tie = tie(r.tie_reject);
    d.unmapped = r.unmapped;
    d.end = static_cast<mmiotree::node_index>(i + 1);
  }
  // A subtree ends after its last descendant (pre-order: descendants follow their ancestor).
  for (std::size_t i = t.size(); i-- > 1;) {
    const std::size_t p = t[i].parent;
    if (n[i].end > n[p].end) n[p].end = n[i].end;
  }
  mmiotree::detail::link(n);
  return n;
}

}  // namespace lower
