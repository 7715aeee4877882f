// tests/property/oracle.hpp: deliberately simple references for the property and runtime tests.
//
// `visible` is DESIGN §2.2 read literally: scan a container's children in descending priority;
// a leaf ends the search; a container or an alias recurses, and if it finds nothing (a hole)
// the scan goes on with the next sibling. It finds children through their `parent` field, not
// through the pre-order `end` the library uses, and makes no attempt to be fast.
//
// `expect_access` is DESIGN §2.4 and the doc comments of core/access.hpp read literally, on top
// of `visible`, byte by byte: what status, value and handler calls a guest access must give.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace oracle {

using mmiotree::addr_t;
using mmiotree::node;
using mmiotree::node_index;
using mmiotree::npos;
using mmiotree::region_kind;

inline constexpr addr_t addr_max = std::numeric_limits<addr_t>::max();

/// The leaf a byte belongs to (npos: a hole) and the byte's offset into that leaf.
struct hit {
  node_index leaf = npos;
  addr_t offset = 0;
  bool operator==(const hit&) const = default;
};

/// Children of `p`, highest priority first (ties cannot both cover a byte in a checked tree).
inline std::vector<node_index> children_by_priority(std::span<const node> nodes, node_index p) {
  std::vector<node_index> c;
  for (node_index i = 0; i < nodes.size(); ++i)
    if (nodes[i].parent == p) c.push_back(i);
  std::stable_sort(c.begin(), c.end(), [&](node_index a, node_index b) {
    return nodes[a].priority > nodes[b].priority;
  });
  return c;
}

/// What byte `x` (local to node `i`, x < size) shows.
inline hit visible(std::span<const node> nodes, node_index i, addr_t x) {
  const node& n = nodes[i];
  if (mmiotree::is_leaf(n.kind)) return {i, x};
  if (n.kind == region_kind::alias) return visible(nodes, n.alias_target, n.alias_offset + x);
  for (const node_index c : children_by_priority(nodes, i)) {
    const node& ch = nodes[c];
    if (x < ch.offset || x - ch.offset > ch.size - 1) continue;
    if (const hit h = visible(nodes, c, x - ch.offset); h.leaf != npos) return h;
  }
  return {};
}

/// What root byte `addr` shows; a hole past the end of the root.
inline hit at(std::span<const node> nodes, addr_t addr) {
  if (addr > nodes[0].size - 1) return {};
  return visible(nodes, 0, addr);
}

/// Every absolute address where some node (seen directly or through any chain of aliases)
/// starts or ends, clipped to where it is seen. Between two consecutive such points nothing in
/// the oracle changes, so probing them (and their neighbours) checks a flat view completely.
inline void occurrence_bounds(std::span<const node> nodes, node_index i, addr_t delta, addr_t lo,
                              addr_t last, std::vector<addr_t>& out, std::size_t cap) {
  if (out.size() > cap) return;
  out.push_back(delta + lo);
  out.push_back(delta + last);
  const node& n = nodes[i];
  if (mmiotree::is_leaf(n.kind)) return;
  if (n.kind == region_kind::alias) {
    const addr_t ao = n.alias_offset;
    occurrence_bounds(nodes, n.alias_target, delta - ao, lo + ao, last + ao, out, cap);
    return;
  }
  for (node_index c = 0; c < nodes.size(); ++c) {
    if (nodes[c].parent != i) continue;
    const addr_t clo = nodes[c].offset, clast = nodes[c].offset + (nodes[c].size - 1);
    if (clo > last || clast < lo) continue;
    occurrence_bounds(nodes, c, delta + clo, std::max(lo, clo) - clo, std::min(last, clast) - clo,
                      out, cap);
  }
}

/// Probe addresses: every occurrence boundary and its neighbours, inside the root, sorted.
inline std::vector<addr_t> probes(std::span<const node> nodes, std::size_t cap = 1U << 16) {
  std::vector<addr_t> b;
  occurrence_bounds(nodes, 0, 0, 0, nodes[0].size - 1, b, cap);
  const addr_t root_last = nodes[0].size - 1;
  std::vector<addr_t> p;
  for (const addr_t x : b) {
    p.push_back(x);
    if (x != 0) p.push_back(x - 1);
    if (x < root_last) p.push_back(x + 1);
  }
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  return p;
}

// ---- guest accesses ----------------------------------------------------------------------

[[nodiscard]] constexpr std::uint64_t mask(unsigned size) {
  return size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
}
[[nodiscard]] constexpr std::uint64_t bswap(std::uint64_t v, unsigned size) {
  std::uint64_t r = 0;
  for (unsigned i = 0; i < size; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xFF);
  return r;
}

/// What a guest access must give. For a refused access no unit is touched.
struct outcome {
  mmiotree::access_status status = mmiotree::access_status::ok;
  std::uint64_t value = 0;  ///< a read's value (the error value when refused)
};

/// The environment the reference acts on. `read_unit`/`write_unit` take values in guest byte
/// order (byte k of the value is leaf byte offset + k); the environment records what a
/// handler would see.
template <class Env>
concept environment = requires(Env& e, node_index leaf, addr_t off, unsigned size,
                               std::uint64_t v) {
  { e.bound(leaf) } -> std::convertible_to<bool>;
  { e.read_unit(leaf, off, size) } -> std::convertible_to<std::uint64_t>;
  e.write_unit(leaf, off, size, v);
};

/// DESIGN §2.4 read literally:
/// - sizes other than 1, 2, 4, 8 are access errors; bytes outside the root decode errors;
/// - the access is cut where the visible (leaf, offset) stops running on (a hole, another
///   leaf, or a jump in the offset); if it is cut (it straddles), a piece whose leaf says
///   `straddle::reject` refuses the whole access, otherwise each piece is split into naturally
///   aligned 8/4/2/1-byte chunks, each under its own leaf's policy;
/// - the pieces are refused in address order: a hole or a decode-error stub (decode_error), an
///   unbound leaf (unbound), a straddle, size or alignment the leaf forbids, or a widened unit
///   that would leave the leaf (access_error);
/// - a chunk narrower than impl_min is widened to the aligned impl_min unit around it (a write
///   reads that unit first), one wider than impl_max goes out as the aligned impl_max units
///   that cover it; guest bytes compose little-endian;
/// - a refused read yields the error value of the leaf under the first byte (all ones when
///   none), cut to the access width.
template <environment Env>
outcome expect_access(std::span<const node> nodes, addr_t addr, unsigned size, bool is_write,
                      std::uint64_t value, Env& env) {
  using mmiotree::access_status;
  const addr_t root_last = nodes[0].size - 1;
  const hit first = at(nodes, addr);
  const std::uint64_t err =
      first.leaf == npos ? ~std::uint64_t{0} : nodes[first.leaf].access.error_read;
  const auto refuse = [&](access_status s) { return outcome{s, err & mask(size)}; };
  if (size != 1 && size != 2 && size != 4 && size != 8) return refuse(access_status::access_error);
  if (addr > root_last || root_last - addr < size - 1) return refuse(access_status::decode_error);

  struct piece {
    addr_t lo;  // guest address of its first byte
    unsigned n;
    hit h;  // of its first byte
  };
  std::vector<piece> pieces;
  for (unsigned k = 0; k < size; ++k) {
    const hit h = at(nodes, addr + k);
    if (!pieces.empty()) {
      piece& p = pieces.back();
      if (p.h.leaf == h.leaf && (h.leaf == npos || p.h.offset + p.n == h.offset)) {
        ++p.n;
        continue;
      }
    }
    pieces.push_back({addr + k, 1, h});
  }
  const bool straddles = pieces.size() > 1;

  struct unit {
    node_index leaf;
    addr_t offset;
    unsigned size;
    std::int64_t pos0;  // guest byte index of the unit's byte 0 (may be negative)
  };
  std::vector<unit> units;
  for (const piece& p : pieces) {
    if (p.h.leaf == npos) return refuse(access_status::decode_error);
    const node& n = nodes[p.h.leaf];
    const mmiotree::access_policy& pol = n.access;
    if (n.kind == region_kind::stub && n.response == mmiotree::stub_response::decode_error)
      return refuse(access_status::decode_error);
    if (!env.bound(p.h.leaf)) return refuse(access_status::unbound);
    if (straddles && pol.on_straddle == mmiotree::straddle::reject)
      return refuse(access_status::access_error);
    std::vector<std::pair<addr_t, unsigned>> chunks;
    if (!straddles) {
      chunks.push_back({addr, size});
    } else {
      addr_t c = p.lo;
      unsigned left = p.n;
      while (left > 0) {
        unsigned cs = 8;
        while (c % cs != 0 || cs > left) cs /= 2;
        chunks.push_back({c, cs});
        c += cs;
        left -= cs;
      }
    }
    for (const auto& [c, cs] : chunks) {
      if ((pol.valid & cs) == 0) return refuse(access_status::access_error);
      if (!pol.unaligned && c % cs != 0) return refuse(access_status::access_error);
      const addr_t off = p.h.offset + (c - p.lo);
      const auto guest_index = static_cast<std::int64_t>(c - addr);
      if (cs >= pol.impl_min && cs <= pol.impl_max) {
        units.push_back({p.h.leaf, off, cs, guest_index});
        continue;
      }
      const unsigned u = cs < pol.impl_min ? pol.impl_min : pol.impl_max;
      const addr_t lo = off / u * u;
      const addr_t end = (off + cs + u - 1) / u * u;  // leaves are far from 2^64 here
      if (end > n.size) return refuse(access_status::access_error);
      for (addr_t o = lo; o < end; o += u)
        units.push_back({p.h.leaf, o, u, guest_index + static_cast<std::int64_t>(o - off)});
    }
  }

  outcome r;
  for (const unit& u : units) {
    const bool whole = u.pos0 >= 0 && u.pos0 + u.size <= size;
    std::uint64_t v = (!is_write || !whole) ? env.read_unit(u.leaf, u.offset, u.size) : 0;
    for (unsigned j = 0; j < u.size; ++j) {
      const std::int64_t pos = u.pos0 + j;
      if (pos < 0 || pos >= static_cast<std::int64_t>(size)) continue;
      if (is_write) {
        v = (v & ~(std::uint64_t{0xFF} << (8 * j))) | (((value >> (8 * pos)) & 0xFF) << (8 * j));
      } else {
        r.value |= ((v >> (8 * j)) & 0xFF) << (8 * pos);
      }
    }
    if (is_write) env.write_unit(u.leaf, u.offset, u.size, v);
  }
  return r;
}

}  // namespace oracle
