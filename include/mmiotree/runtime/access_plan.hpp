// runtime/access_plan.hpp: the general path of a guest access — the rules of docs/access.md
// turned into a plan of calls to leaves' thunks, and the plan carried out.
//
// An access that the fast path does not take (a size the leaf does not implement, a
// misaligned or straddling access, a hole, an unbound leaf) is planned first: its bytes are
// cut into pieces at leaf boundaries, each piece into naturally aligned power-of-two chunks
// when the access straddles, each chunk checked against its leaf's policy and widened to the
// leaf's implementation sizes (units). The plan is made against one map — the caller makes it
// inside one read section of the sequence lock and keeps each unit's binding — and then
// carried out: units wider than the guest bytes they hold are read first (read-modify-write),
// and a unit two chunks widen into is performed once.
//
// Nothing here knows a tree type: the space hands `plan_access` its tiles, leaves and
// bindings as functions.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/handler.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/lookup.hpp>
#include <mmiotree/runtime/binding.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// One call to a leaf's thunk: `size` bytes at leaf offset `offset`, with the leaf's binding
/// as the plan saw it (one consistent map).
struct access_unit {
  std::uint32_t leaf = 0;
  addr_t offset = 0;
  unsigned size = 0;
  binding b;
};

/// The units of one access, in guest byte order. With each unit the plan keeps the leaf
/// offset at which guest byte 0 would lie (`access_base`), so that unit byte j is guest byte
/// `offset + j - access_base` (out of range, mod 2^64, for the bytes a widened unit adds).
struct access_plan {
  access_status status = access_status::ok;
  /// What a refused read returns: the error value of the leaf under the first byte (all
  /// ones for a hole or outside the root), whatever the reason.
  std::uint64_t error_value = ~std::uint64_t{0};
  std::array<access_unit, 16> units{};
  std::array<addr_t, 16> access_base{};
  std::size_t count = 0;
};

[[nodiscard]] constexpr bool pow2_access_size(unsigned s) noexcept {
  return s == 1 || s == 2 || s == 4 || s == 8;
}

/// Adds the implementation-size units covering a chunk of `cs` bytes at offset `off` of leaf
/// number `leaf` (node `n`, binding `b`); `base` is the leaf offset of guest byte 0. False,
/// with the status set, when a widened unit would leave the leaf.
inline bool add_units(access_plan& p, std::uint32_t leaf, const binding& b, const node& n,
                      addr_t off, unsigned cs, addr_t base) noexcept {
  const access_policy& pol = n.access;
  // A plan holds at most 16 units (8 one-byte pieces, each widened into two); only a torn
  // map (its section retries) could ask for more.
  if (p.count >= p.units.size() - 1 || n.size == 0) {
    p.status = access_status::decode_error;
    return false;
  }
  if (cs >= pol.impl_min && cs <= pol.impl_max) {
    p.units[p.count] = {leaf, off, cs, b};
    p.access_base[p.count++] = base;
    return true;
  }
  const unsigned u = std::clamp<unsigned>(cs, pol.impl_min, pol.impl_max);
  const addr_t lo = off & ~addr_t{u - 1};
  const addr_t hi_last = ((off + (cs - 1)) & ~addr_t{u - 1}) + (u - 1);
  if (hi_last > n.size - 1) {  // a widened unit would leave the region
    p.status = access_status::access_error;
    return false;
  }
  for (addr_t o = lo; o <= hi_last; o += u) {
    // Two chunks of one piece widened into the same block (a 2-byte then a 1-byte chunk in
    // one 4-byte unit): the unit is performed once, carrying the bytes of both, so that a
    // device never sees the same unit written twice for one guest access.
    if (p.count > 0 && p.units[p.count - 1].leaf == leaf && p.units[p.count - 1].offset == o &&
        p.units[p.count - 1].size == u && p.access_base[p.count - 1] == base)
      continue;
    if (p.count == p.units.size()) {  // torn
      p.status = access_status::decode_error;
      return false;
    }
    p.units[p.count] = {leaf, o, u, b};
    p.access_base[p.count++] = base;
  }
  return true;
}

/// Plans an access of `size` bytes at `addr` in a space whose last address is `root_last`.
/// `tile_at(a)` gives the lookup_tile in force at a <= root_last (leaf number `hole` for
/// none), `node_of(l)` leaf number l's descriptor, `binding_of(l)` its current binding. The
/// refusals, in the order docs/access.md states them: a size that is not 1, 2, 4 or 8
/// (access_error); bytes outside the root, or a hole, or a decode-error stub (decode_error);
/// an unbound leaf (unbound); a straddle the leaf rejects, a size it does not accept, a
/// misalignment it does not allow, or a widening past its end (access_error).
template <class TileAt, class NodeOf, class BindingOf>
access_plan plan_access(addr_t addr, unsigned size, addr_t root_last, std::uint32_t hole,
                        TileAt&& tile_at, NodeOf&& node_of, BindingOf&& binding_of) noexcept {
  access_plan p;
  if (addr <= root_last) {
    const std::uint32_t l = tile_at(addr).leaf;
    if (l != hole) p.error_value = node_of(l).access.error_read;
  }
  if (!pow2_access_size(size)) {
    p.status = access_status::access_error;
    return p;
  }
  if (addr > root_last || root_last - addr < size - 1) {
    p.status = access_status::decode_error;  // part or all of it lies outside the root
    return p;
  }
  lookup_tile t = tile_at(addr);
  const bool straddles = t.last - addr < size - 1;
  addr_t a = addr;
  const addr_t end_last = addr + (size - 1);
  while (true) {
    const addr_t seg_last = std::min(t.last, end_last);
    if (t.leaf == hole) {
      p.status = access_status::decode_error;
      return p;
    }
    const node& n = node_of(t.leaf);
    const access_policy& pol = n.access;
    if (n.kind == region_kind::stub && n.response == stub_response::decode_error) {
      p.status = access_status::decode_error;
      return p;
    }
    const binding b = binding_of(t.leaf);
    if (!b.bound) {
      p.status = access_status::unbound;
      return p;
    }
    if (straddles && pol.on_straddle == straddle::reject) {
      p.status = access_status::access_error;
      return p;
    }
    // The segment [a, seg_last] as naturally aligned power-of-two chunks (the whole access
    // when it does not straddle).
    addr_t c = a;
    while (true) {
      unsigned cs = size;
      if (straddles) {
        cs = 8;
        while (cs > 1 && ((c & (cs - 1)) != 0 || seg_last - c < cs - 1)) cs /= 2;
      }
      const addr_t off = c - t.origin;
      if ((pol.valid & cs) == 0 || (!pol.unaligned && (c & (cs - 1)) != 0)) {
        p.status = access_status::access_error;
        return p;
      }
      if (!add_units(p, t.leaf, b, n, off, cs, off - (c - addr))) return p;
      if (seg_last - c == cs - 1) break;  // chunks never pass seg_last, so this ends it
      c += cs;
    }
    if (seg_last == end_last) break;
    a = seg_last + 1;
    t = tile_at(a);
  }
  return p;
}

/// Carries out the reads of a plan of an access of `size` bytes: the guest value, or the
/// plan's error value (cut to `size`) with the first failing status.
inline read_result run_read(const access_plan& p, unsigned size) {
  if (p.status != access_status::ok) return {p.error_value & width_mask(size), p.status};
  std::uint64_t value = 0;
  for (std::size_t k = 0; k < p.count; ++k) {
    const access_unit& u = p.units[k];
    const read_result r = u.b.read(u.b.ctx, u.offset, u.size);
    if (r.status != access_status::ok) return {p.error_value & width_mask(size), r.status};
    for (unsigned j = 0; j < u.size; ++j) {
      const addr_t pos = u.offset + j - p.access_base[k];  // guest byte index (mod 2^64)
      if (pos < size) value |= ((r.value >> (8 * j)) & 0xFF) << (8 * pos);
    }
  }
  return {value, access_status::ok};
}

/// Carries out the writes of a plan of an access of `size` bytes writing `value`: a unit
/// wider than the guest bytes it holds is read first and written back with those bytes
/// replaced. Stops at the first failing unit.
inline access_status run_write(const access_plan& p, unsigned size, std::uint64_t value) {
  if (p.status != access_status::ok) return p.status;
  for (std::size_t k = 0; k < p.count; ++k) {
    const access_unit& u = p.units[k];
    std::uint64_t unit_value = 0;
    const addr_t pos0 = u.offset - p.access_base[k];
    if (!(pos0 < size && size - pos0 >= u.size)) {
      const read_result r = u.b.read(u.b.ctx, u.offset, u.size);
      if (r.status != access_status::ok) return r.status;
      unit_value = r.value;
    }
    for (unsigned j = 0; j < u.size; ++j) {
      const addr_t pos = u.offset + j - p.access_base[k];  // guest byte index (mod 2^64)
      if (pos < size) {
        const std::uint64_t byte = (value >> (8 * pos)) & 0xFF;
        unit_value = (unit_value & ~(std::uint64_t{0xFF} << (8 * j))) | (byte << (8 * j));
      }
    }
    const access_status s = u.b.write(u.b.ctx, u.offset, u.size, unit_value);
    if (s != access_status::ok) return s;
  }
  return access_status::ok;
}

}  // namespace detail

MMIOTREE_END_NAMESPACE
