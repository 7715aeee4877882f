// layout/lookup.hpp: the compile-time lookup structure the dispatcher searches.
//
// The flat view, with its holes filled in, tiles the root: tile i covers (tiles[i-1].last,
// tiles[i].last]. A bucket array indexed by `addr >> shift` gives, for each 2^shift-byte
// bucket, the first tile that reaches into it, so a lookup is one shift, one load and a scan
// over the few tiles that share the bucket.
//
// `shift` is chosen at compile time: the largest power of two that divides every tile
// boundary, if the resulting bucket array stays small (≤ 8 entries per tile) — then every
// bucket holds exactly one tile and the scan never iterates (register files, BARs, RAM banks
// are laid out so). Otherwise the bucket count is ~2× the tile count, and a bucket with many
// tiles is searched with a binary search instead of a linear scan (`max_scan`).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

/// One tile of the dispatcher: root bytes up to `last` (from the previous tile's last + 1)
/// belong to leaf number `leaf` (`hole` for nothing); the leaf's byte 0 is at `origin`
/// (mod 2^64), so an address's offset into the leaf is `addr - origin`.
struct lookup_tile {
  addr_t last = 0;
  addr_t origin = 0;
  std::uint32_t leaf = 0;
  /// Bit s (s = 1, 2, 4, 8) set iff an access of s bytes needs no adjustment: valid for the
  /// leaf and inside its implementation sizes. Holes: all sizes (the answer is fixed).
  std::uint16_t fast_sizes = 0;
  /// All ones if the leaf requires accesses aligned to their size, else 0.
  std::uint8_t align_check = 0;
  /// 1 if the tile lies in a slot window: a placed slot may cover it, so the dispatcher asks
  /// the slot overlay first (and `fast_sizes` is 0 to send it off the fast path).
  std::uint8_t dyn = 0;

  [[nodiscard]] constexpr bool operator==(const lookup_tile&) const = default;
};

namespace detail {

constexpr std::uint16_t fast_sizes_of(const access_policy& p) {
  std::uint16_t m = 0;
  for (unsigned s = 1; s <= 8; s *= 2)
    if ((p.valid & s) != 0 && s >= p.impl_min && s <= p.impl_max)
      m |= static_cast<std::uint16_t>(1U << s);
  return m;
}

/// Root-relative ranges of the slot windows (containers with slots), sorted (they are
/// disjoint: check_layout).
constexpr std::vector<std::pair<addr_t, addr_t>> window_ranges(std::span<const node> nodes) {
  std::vector<addr_t> abs(nodes.size(), 0);
  for (node_index i = 1; i < nodes.size(); ++i) abs[i] = abs[nodes[i].parent] + nodes[i].offset;
  std::vector<std::pair<addr_t, addr_t>> w;
  for (node_index i = 0; i < nodes.size(); ++i) {
    if (nodes[i].kind != region_kind::container) continue;
    for (node_index c = i + 1; c < nodes[i].end; c = nodes[c].end)
      if (nodes[c].dynamic) {
        w.push_back({abs[i], abs[i] + (nodes[i].size - 1)});
        break;
      }
  }
  std::sort(w.begin(), w.end());
  return w;
}

/// Writes the tiles of a flat view to `out` (when not null) and returns how many there are:
/// the ranges with the holes between them filled in, then cut at the edges of the slot
/// windows `win` (sorted, disjoint) and marked inside them. `hole` is the leaf number of holes
/// (the leaf count).
///
/// The loops index plain pointers rather than spans, std::arrays or vectors: g++ evaluates
/// every `operator[]`, iterator step and lambda as a constexpr call (memoised, so it costs
/// time and memory), and over thousands of ranges that, not the arithmetic, is what the
/// compiler spends its time on.
constexpr std::size_t make_tiles(std::span<const node> nodes, std::span<const flat_range> view,
                                 std::uint32_t hole, std::span<const std::pair<addr_t, addr_t>> win,
                                 lookup_tile* out) {
  const node* const nd = nodes.data();
  const flat_range* const fv = view.data();
  const std::size_t nview = view.size();
  const addr_t root_last = nd[0].size - 1;
  std::size_t count = 0;
  // Holes answer every size (the answer is fixed): sizes 1, 2, 4 and 8.
  auto put = [&](addr_t last, addr_t origin, std::uint32_t leaf, std::uint16_t fast,
                 std::uint8_t align) {
    if (out != nullptr) out[count] = {last, origin, leaf, fast, align, 0};
    ++count;
  };
  addr_t next = 0;
  bool full = false;
  for (std::size_t k = 0; k < nview; ++k) {
    const flat_range& f = fv[k];
    if (f.lo > next) put(f.lo - 1, 0, hole, 0x116, 0);
    const node& n = nd[f.leaf];
    put(f.last, f.lo - f.offset, n.leaf, fast_sizes_of(n.access),
        static_cast<std::uint8_t>(n.access.unaligned ? 0 : 0xFF));
    next = f.last + 1;
    if (f.last == root_last) {
      full = true;
      break;
    }
  }
  if (!full) put(root_last, 0, hole, 0x116, 0);
  if (win.empty()) return count;

  // Slot windows: split every tile at each window edge inside it and mark the pieces inside
  // a window. Rare and small, so done on a copy.
  std::vector<lookup_tile> in(count);
  if (out != nullptr) {
    for (std::size_t k = 0; k < count; ++k) in[k] = out[k];
  } else {
    make_tiles(nodes, view, hole, {}, in.data());
  }
  std::size_t m = 0;
  addr_t lo = 0;
  for (const lookup_tile& t : in) {
    addr_t a = lo;
    while (true) {
      addr_t b = t.last;
      bool inside = false;
      for (const auto& [wl, wh] : win) {
        if (a >= wl && a <= wh) {
          inside = true;
          b = std::min(b, wh);
        } else if (wl > a && wl <= b) {
          b = wl - 1;
        }
      }
      if (out != nullptr) {
        lookup_tile x = t;
        x.last = b;
        if (inside) {
          x.dyn = 1;
          x.fast_sizes = 0;
        }
        out[m] = x;
      }
      ++m;
      if (b == t.last) break;
      a = b + 1;
    }
    lo = t.last + 1;
  }
  return m;
}

/// Size and search parameters of a tile table.
struct bucket_plan {
  unsigned shift = 0;
  std::size_t buckets = 1;
  std::size_t max_scan = 1;  ///< most tiles any one bucket holds
};

constexpr bucket_plan plan_buckets(const lookup_tile* tiles, std::size_t ntiles, addr_t root_last) {
  const unsigned span_bits =
      root_last == 0 ? 0 : 64 - static_cast<unsigned>(std::countl_zero(root_last));
  // Exact plan: 2^shift divides every boundary.
  unsigned exact = span_bits;
  for (std::size_t i = 0; i + 1 < ntiles; ++i) {
    const auto z = static_cast<unsigned>(std::countr_zero(tiles[i].last + 1));
    if (z < exact) exact = z;
  }
  const std::size_t limit = std::max<std::size_t>(64, ntiles * 8);
  unsigned shift;
  if (span_bits - exact <= 20 && (std::size_t{1} << (span_bits - exact)) <= limit) {
    shift = exact;
  } else {
    const unsigned want = static_cast<unsigned>(std::bit_width(ntiles * 2 - 1));
    shift = span_bits > want ? span_bits - want : 0;
  }
  shift = std::min(shift, 63U);  // a one-tile 2^64-byte root would otherwise ask for 1 << 64
  bucket_plan p;
  p.shift = shift;
  p.buckets = static_cast<std::size_t>((root_last >> shift) + 1);
  // Tiles per bucket: 1 + the tile boundaries strictly inside the bucket. Boundaries are
  // sorted, so one pass over them counts runs per bucket.
  const addr_t mask = (addr_t{1} << shift) - 1;
  addr_t run_bucket = 0;
  std::size_t run = 1;
  for (std::size_t i = 0; i + 1 < ntiles; ++i) {
    const addr_t start = tiles[i].last + 1;
    if ((start & mask) == 0) continue;
    const addr_t b = start >> shift;
    if (b != run_bucket) {
      run_bucket = b;
      run = 1;
    }
    ++run;
    if (run > p.max_scan) p.max_scan = run;
  }
  return p;
}

template <std::size_t Tiles, std::size_t Buckets>
struct lookup_table {
  std::array<lookup_tile, Tiles> tiles{};
  std::array<std::uint32_t, Buckets> first{};  ///< first tile reaching into each bucket
  unsigned shift = 0;
  std::size_t max_scan = 1;
  addr_t root_last = 0;
};

template <region Tree>
inline constexpr std::uint32_t hole_leaf_v = static_cast<std::uint32_t>(leaf_count_v<Tree>);

/// The slot windows' ranges (window_ranges), or none without looking further when the tree
/// has no slot.
constexpr std::vector<std::pair<addr_t, addr_t>> windows_if_any(std::span<const node> nodes) {
  const node* const nd = nodes.data();
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nd[i].dynamic) return window_ranges(nodes);
  return {};
}

/// Tile count and bucket plan: the sizes of a tree's lookup table.
struct tile_plan {
  std::size_t tiles = 0;
  bucket_plan buckets{};
};

constexpr tile_plan plan_tiles(std::span<const node> nodes, std::span<const flat_range> view,
                               std::uint32_t hole) {
  const auto win = windows_if_any(nodes);
  const std::size_t n = make_tiles(nodes, view, hole, win, nullptr);
  std::vector<lookup_tile> t(n, lookup_tile{});
  make_tiles(nodes, view, hole, win, t.data());
  return {n, plan_buckets(t.data(), n, nodes.data()[0].size - 1)};
}

template <std::size_t Tiles, std::size_t Buckets>
constexpr lookup_table<Tiles, Buckets> build_lookup(std::span<const node> nodes,
                                                    std::span<const flat_range> view,
                                                    std::uint32_t hole, const bucket_plan& plan) {
  lookup_table<Tiles, Buckets> lt{};
  lookup_tile* const t = lt.tiles.data();
  make_tiles(nodes, view, hole, windows_if_any(nodes), t);
  lt.shift = plan.shift;
  lt.max_scan = plan.max_scan;
  lt.root_last = nodes.data()[0].size - 1;
  std::uint32_t* const first = lt.first.data();
  std::uint32_t i = 0;
  for (std::size_t b = 0; b < Buckets; ++b) {
    const addr_t lo = static_cast<addr_t>(b) << plan.shift;
    while (t[i].last < lo) ++i;
    first[b] = i;
  }
  return lt;
}

// The per-tree values below call plain functions (or templates on sizes) rather than lambdas:
// every symbol keyed on the tree type carries the whole tree in its mangled name, which g++
// takes time quadratic in the tree's size to produce (layout/flat_view.hpp), so there are as
// few as possible.

template <region Tree>
inline constexpr tile_plan plan_v = plan_tiles(nodes_v<Tree>, flat_view_v<Tree>, hole_leaf_v<Tree>);

}  // namespace detail

/// The dispatcher's lookup table for Tree, in read-only data.
template <region Tree>
inline constexpr auto lookup_v =
    detail::build_lookup<detail::plan_v<Tree>.tiles, detail::plan_v<Tree>.buckets.buckets>(
        nodes_v<Tree>, flat_view_v<Tree>, detail::hole_leaf_v<Tree>, detail::plan_v<Tree>.buckets);

MMIOTREE_END_NAMESPACE
