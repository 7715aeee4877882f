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

/// Cuts tiles at window edges and marks the tiles inside windows.
constexpr std::vector<lookup_tile> mark_windows(const std::vector<lookup_tile>& in,
                                                std::span<const std::pair<addr_t, addr_t>> win) {
  if (win.empty()) return in;
  std::vector<lookup_tile> out;
  addr_t lo = 0;
  for (const lookup_tile& t : in) {
    // Split [lo, t.last] at every window edge inside it.
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
      lookup_tile x = t;
      x.last = b;
      if (inside) {
        x.dyn = 1;
        x.fast_sizes = 0;
      }
      out.push_back(x);
      if (b == t.last) break;
      a = b + 1;
    }
    lo = t.last + 1;
  }
  return out;
}

/// Tiles for a flat view of a root of `root_size` bytes. `hole` is the leaf number used for
/// holes (the leaf count).
constexpr std::vector<lookup_tile> make_tiles(std::span<const node> nodes,
                                              std::span<const flat_range> view,
                                              std::uint32_t hole) {
  std::vector<lookup_tile> t;
  const addr_t root_last = nodes[0].size - 1;
  const lookup_tile gap{0, 0, hole, 0x116, 0};  // sizes 1, 2, 4, 8
  addr_t next = 0;
  for (const flat_range& f : view) {
    if (f.lo > next) {
      lookup_tile g = gap;
      g.last = f.lo - 1;
      t.push_back(g);
    }
    const node& n = nodes[f.leaf];
    t.push_back({f.last, f.lo - f.offset, n.leaf, fast_sizes_of(n.access),
                 static_cast<std::uint8_t>(n.access.unaligned ? 0 : 0xFF)});
    next = f.last + 1;
    if (f.last == root_last) return t;
  }
  lookup_tile g = gap;
  g.last = root_last;
  t.push_back(g);
  return t;
}

struct bucket_plan {
  unsigned shift = 0;
  std::size_t buckets = 1;
  std::size_t max_scan = 1;  ///< most tiles any one bucket holds
};

constexpr bucket_plan plan_buckets(std::span<const lookup_tile> tiles, addr_t root_last) {
  const unsigned span_bits =
      root_last == 0 ? 0 : 64 - static_cast<unsigned>(std::countl_zero(root_last));
  // Exact plan: 2^shift divides every boundary.
  unsigned exact = span_bits;
  for (std::size_t i = 0; i + 1 < tiles.size(); ++i)
    exact = std::min(exact, static_cast<unsigned>(std::countr_zero(tiles[i].last + 1)));
  const std::size_t limit = std::max<std::size_t>(64, tiles.size() * 8);
  unsigned shift;
  if (span_bits - exact <= 20 && (std::size_t{1} << (span_bits - exact)) <= limit) {
    shift = exact;
  } else {
    const unsigned want = static_cast<unsigned>(std::bit_width(tiles.size() * 2 - 1));
    shift = span_bits > want ? span_bits - want : 0;
  }
  shift = std::min(shift, 63U);  // a one-tile 2^64-byte root would otherwise ask for 1 << 64
  bucket_plan p;
  p.shift = shift;
  p.buckets = static_cast<std::size_t>((root_last >> shift) + 1);
  // Tiles per bucket: bucket b spans [b << shift, ((b + 1) << shift) - 1].
  std::size_t i = 0;
  for (std::size_t b = 0; b < p.buckets; ++b) {
    const addr_t lo = static_cast<addr_t>(b) << shift;
    const addr_t hi = lo + ((addr_t{1} << shift) - 1);
    while (tiles[i].last < lo) ++i;
    std::size_t j = i;
    while (j + 1 < tiles.size() && tiles[j].last < hi) ++j;
    p.max_scan = std::max(p.max_scan, j - i + 1);
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

template <region Tree>
constexpr std::vector<lookup_tile> tiles_of() {
  return mark_windows(make_tiles(nodes_v<Tree>, flat_view_v<Tree>, hole_leaf_v<Tree>),
                      window_ranges(nodes_v<Tree>));
}

template <region Tree>
inline constexpr auto tile_count_v = tiles_of<Tree>().size();

template <region Tree>
inline constexpr bucket_plan plan_v = [] {
  const auto t = tiles_of<Tree>();
  return plan_buckets(t, nodes_v<Tree>[0].size - 1);
}();

}  // namespace detail

/// The dispatcher's lookup table for Tree, in read-only data.
template <region Tree>
inline constexpr auto lookup_v = [] {
  constexpr auto plan = detail::plan_v<Tree>;
  detail::lookup_table<detail::tile_count_v<Tree>, plan.buckets> lt{};
  const auto t = detail::tiles_of<Tree>();
  std::copy(t.begin(), t.end(), lt.tiles.begin());
  lt.shift = plan.shift;
  lt.max_scan = plan.max_scan;
  lt.root_last = nodes_v<Tree>[0].size - 1;
  std::uint32_t i = 0;
  for (std::size_t b = 0; b < plan.buckets; ++b) {
    const addr_t lo = static_cast<addr_t>(b) << plan.shift;
    while (lt.tiles[i].last < lo) ++i;
    lt.first[b] = i;
  }
  return lt;
}();

MMIOTREE_END_NAMESPACE
