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
// are laid out so). Otherwise the bucket count is ~2× the tile count; a machine's map is sparse
// (RAM low, PCI windows in the middle, CXL windows far up), so its tiles crowd into a few
// buckets, and each bucket of more than two tiles gets a bucket array of its own (a *sub
// table*, exact where it can be, else ~2× its tiles), reached through its entry in the first.
// A lookup is then two loads and a scan that rarely iterates (`max_scan`).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/algo.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/descriptor.hpp>

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
  /// Non-zero if the tile lies where the root shows a slot window — 1 + the number of that
  /// appearance (layout/slots.hpp; 255 from the 255th on) — where a placed slot may cover it, so
  /// the dispatcher asks the slots first (and `fast_sizes` is 0 to send it off the static path).
  std::uint8_t dyn = 0;

  [[nodiscard]] constexpr bool operator==(const lookup_tile&) const = default;
};

namespace detail {

/// The `fast_sizes` of a leaf with policy `p`. By value, so that g++ and clang memoise it per
/// distinct policy when building a tree's tiles at compile time.
constexpr std::uint16_t fast_sizes_of(access_policy p) {
  std::uint16_t m = 0;
  for (unsigned s = 1; s <= 8; s *= 2)
    if ((p.valid & s) != 0 && s >= p.impl_min && s <= p.impl_max)
      m |= static_cast<std::uint16_t>(1U << s);
  return m;
}

/// Where the root shows a slot window, relative to the root: [lo, last], and the number of
/// that appearance (layout/slots.hpp).
struct window_range {
  addr_t lo;
  addr_t last;
  std::size_t id;
};

/// The appearances of the slot windows (containers with slots) of a tree, sorted by address
/// (they are disjoint: check_layout); none, without further work, for a tree without slots —
/// or one that breaks a layout rule (`checked` false), which cannot always be rendered.
class window_list {
 public:
  constexpr window_list(std::span<const node> nodes, bool checked) {
    if (!checked || !has_slot(nodes)) return;
    const std::vector<window_render> shown = window_renders(nodes);
    for (std::size_t i = 0; i < shown.size(); ++i) buf_.push_back({shown[i].lo, shown[i].last, i});
    sort(buf_.data(), buf_.data() + buf_.size(),
         [](const window_range& a, const window_range& b) { return a.lo < b.lo; });
  }

  [[nodiscard]] constexpr const window_range* data() const noexcept { return buf_.data(); }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return buf_.size(); }

 private:
  static constexpr bool has_slot(std::span<const node> nodes) {
    const node* const nd = nodes.data();
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nd[i].dynamic) return true;
    return false;
  }

  std::vector<window_range> buf_;
};

/// The tile of leaf node `n` up to `last`, with the leaf's byte 0 at `origin`.
constexpr lookup_tile leaf_tile(const node& n, addr_t last, addr_t origin) {
  return {last,
          origin,
          n.leaf,
          fast_sizes_of(n.access),
          static_cast<std::uint8_t>(n.access.unaligned ? 0 : 0xFF),
          0};
}

/// A hole up to `last` (`hole`: the leaf number of holes). Holes answer every size — the
/// answer is fixed — so sizes 1, 2, 4 and 8 are fast.
constexpr lookup_tile hole_tile(addr_t last, std::uint32_t hole) {
  return {last, 0, hole, 0x116, 0, 0};
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
                                 std::uint32_t hole, const window_range* win, std::size_t nwin,
                                 lookup_tile* out) {
  const node* const nd = nodes.data();
  const flat_range* const fv = view.data();
  const std::size_t nview = view.size();
  const addr_t root_last = nd[0].size - 1;
  std::size_t count = 0;
  addr_t next = 0;
  bool full = false;
  for (std::size_t k = 0; k < nview; ++k) {
    const flat_range& f = fv[k];
    if (f.lo > next) {
      if (out != nullptr) out[count] = hole_tile(f.lo - 1, hole);
      ++count;
    }
    const node& n = nd[f.leaf];
    if (out != nullptr) out[count] = leaf_tile(n, f.last, f.lo - f.offset);
    ++count;
    next = f.last + 1;
    if (f.last == root_last) {
      full = true;
      break;
    }
  }
  if (!full) {
    if (out != nullptr) out[count] = hole_tile(root_last, hole);
    ++count;
  }
  if (nwin == 0) return count;

  // Slot windows: split every tile at each window edge inside it and mark the pieces inside
  // a window. Rare and small, so done on a copy.
  scratch<lookup_tile> in_buf(count);
  lookup_tile* const in = in_buf.data();
  if (out != nullptr) {
    for (std::size_t k = 0; k < count; ++k) in[k] = out[k];
  } else {
    make_tiles(nodes, view, hole, nullptr, 0, in);
  }
  std::size_t m = 0;
  addr_t lo = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const lookup_tile& t = in[k];
    addr_t a = lo;
    while (true) {
      addr_t b = t.last;
      bool inside = false;
      std::size_t id = 0;
      for (std::size_t j = 0; j < nwin; ++j) {
        const addr_t wl = win[j].lo, wh = win[j].last;
        if (a >= wl && a <= wh) {
          inside = true;
          id = win[j].id;
          b = b < wh ? b : wh;
        } else if (wl > a && wl <= b) {
          b = wl - 1;
        }
      }
      if (out != nullptr) {
        lookup_tile x = t;
        x.last = b;
        if (inside) {
          x.dyn = static_cast<std::uint8_t>(id < 254 ? id + 1 : 255);
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
  std::size_t max_scan = 1;  ///< most tiles any one (sub-)bucket holds
  std::size_t subs = 0;      ///< sub tables
  std::size_t second = 0;    ///< their buckets, in all
};

/// A bucket of the first array that holds more than two tiles, refined: buckets of 2^shift
/// bytes from `lo` up to its last tile start (addresses past that share the last bucket), at
/// `offset` in the second array.
struct sub_table {
  addr_t lo = 0;
  unsigned shift = 0;
  std::uint32_t offset = 0;
  std::uint32_t last = 0;  ///< index of its last bucket
  [[nodiscard]] constexpr bool operator==(const sub_table&) const = default;
};

/// An entry of the first array that names a sub table rather than a tile.
inline constexpr std::uint32_t sub_bit = 0x8000'0000U;

/// Refines the buckets of `plan` (over tiles starting at `starts`, as in plan_buckets) that
/// hold more than two tiles. Counts into `plan` (subs, second, max_scan); with `subs` non-null
/// also writes the sub tables.
constexpr void refine(const addr_t* starts, std::size_t ntiles, bucket_plan& plan,
                      sub_table* subs) {
  std::size_t nsubs = 0, second = 0, scan = 1;
  const addr_t mask = (addr_t{1} << plan.shift) - 1;
  // The tile starts strictly inside each bucket come in runs (starts are sorted).
  for (std::size_t i = 0; i + 1 < ntiles;) {
    if ((starts[i] & mask) == 0) {
      ++i;
      continue;
    }
    const addr_t bucket = starts[i] >> plan.shift;
    std::size_t j = i;
    unsigned exact = plan.shift;
    while (j + 1 < ntiles && (starts[j] >> plan.shift) == bucket && (starts[j] & mask) != 0) {
      const auto z = static_cast<unsigned>(std::countr_zero(starts[j]));
      if (z < exact) exact = z;
      ++j;
    }
    const std::size_t count = 1 + (j - i);  // tiles in the bucket
    if (count <= 2) {
      i = j;
      continue;
    }
    // Sub-buckets over [bucket start, last start]: exact if that takes few, else ~2x the tiles.
    const addr_t lo = bucket << plan.shift;
    const auto span_bits = static_cast<unsigned>(std::bit_width(starts[j - 1] - lo));
    unsigned shift = exact;
    if (span_bits - exact > 12 || (std::size_t{1} << (span_bits - exact)) > 8 * count) {
      const auto want = static_cast<unsigned>(std::bit_width(count * 2 - 1));
      shift = span_bits > want ? span_bits - want : 0;
    }
    const std::size_t n = static_cast<std::size_t>((starts[j - 1] - lo) >> shift) + 1;
    if (subs != nullptr)
      subs[nsubs] = {lo, shift, static_cast<std::uint32_t>(second),
                     static_cast<std::uint32_t>(n - 1)};
    ++nsubs;
    second += n;
    // Tiles per sub-bucket: 1 + the starts strictly inside it.
    const addr_t sub_mask = (addr_t{1} << shift) - 1;
    addr_t run_bucket = ~addr_t{0};
    std::size_t run = 1;
    for (std::size_t k = i; k < j; ++k) {
      if ((starts[k] & sub_mask) == 0) continue;
      const addr_t b = starts[k] >> shift;
      run = b == run_bucket ? run + 1 : 2;
      run_bucket = b;
      if (run > scan) scan = run;
    }
    i = j;
  }
  if (nsubs == 0) return;  // every bucket holds one or two tiles: the plan stands
  plan.subs = nsubs;
  plan.second = second;
  plan.max_scan = scan > 2 ? scan : 2;  // the buckets left as they were hold one or two tiles
}

/// The bucket plan for `ntiles` tiles covering [0, root_last], the tiles after the first
/// starting at `starts[0 .. ntiles - 2]` (ascending).
constexpr bucket_plan plan_buckets(const addr_t* starts, std::size_t ntiles, addr_t root_last) {
  const unsigned span_bits =
      root_last == 0 ? 0 : 64 - static_cast<unsigned>(std::countl_zero(root_last));
  // Exact plan: 2^shift divides every boundary.
  unsigned exact = span_bits;
  for (std::size_t i = 0; i + 1 < ntiles; ++i) {
    const auto z = static_cast<unsigned>(std::countr_zero(starts[i]));
    if (z < exact) exact = z;
  }
  const std::size_t limit = ntiles * 8 > 64 ? ntiles * 8 : 64;
  unsigned shift;
  if (span_bits - exact <= 20 && (std::size_t{1} << (span_bits - exact)) <= limit) {
    shift = exact;
  } else {
    const unsigned want = static_cast<unsigned>(std::bit_width(ntiles * 2 - 1));
    shift = span_bits > want ? span_bits - want : 0;
  }
  shift = shift < 63U ? shift : 63U;  // a one-tile 2^64-byte root would else ask for 1 << 64
  bucket_plan p;
  p.shift = shift;
  p.buckets = static_cast<std::size_t>((root_last >> shift) + 1);
  // Tiles per bucket: 1 + the tile boundaries strictly inside the bucket. Boundaries are
  // sorted, so one pass over them counts runs per bucket.
  const addr_t mask = (addr_t{1} << shift) - 1;
  addr_t run_bucket = 0;
  std::size_t run = 1;
  for (std::size_t i = 0; i + 1 < ntiles; ++i) {
    const addr_t start = starts[i];
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

template <std::size_t Tiles, std::size_t Buckets, std::size_t Subs = 0, std::size_t Second = 0>
struct lookup_table {
  std::array<lookup_tile, Tiles> tiles{};
  /// Per bucket, the first tile reaching into it, or `sub_bit` | a sub table.
  std::array<std::uint32_t, Buckets> first{};
  std::array<sub_table, Subs> subs{};
  std::array<std::uint32_t, Second> second{};  ///< the sub tables' buckets: first tiles
  unsigned shift = 0;
  std::size_t max_scan = 1;
  addr_t root_last = 0;

  /// The index of the first tile that may hold `addr` (the caller scans from it while a tile
  /// ends before `addr`).
  [[nodiscard]] constexpr std::uint32_t start(addr_t addr) const noexcept {
    const std::uint32_t e = first[addr >> shift];
    if constexpr (Subs != 0) {
      if ((e & sub_bit) != 0) {
        const sub_table& t = subs[e & ~sub_bit];
        const addr_t k = (addr - t.lo) >> t.shift;
        return second[t.offset + (k < t.last ? k : t.last)];
      }
    }
    return e;
  }
};

/// Tile count and bucket plan: the sizes of a tree's lookup table.
struct tile_plan {
  std::size_t tiles = 0;
  bucket_plan buckets{};
};

/// The plan of the lookup table of `nodes` and its flat `view`. Without slot windows the tile
/// boundaries are read off the view directly; with them, the tiles are made first.
constexpr tile_plan plan_of(std::span<const node> nodes, std::span<const flat_range> view,
                            bool checked = true) {
  const node* const nd = nodes.data();
  const addr_t root_last = nd[0].size - 1;
  const window_list win(nodes, checked);
  if (win.size() != 0) {
    const auto hole = static_cast<std::uint32_t>(count_leaves(nodes));
    const std::size_t n = make_tiles(nodes, view, hole, win.data(), win.size(), nullptr);
    scratch<lookup_tile> t_buf(n);
    lookup_tile* const t = t_buf.data();
    make_tiles(nodes, view, hole, win.data(), win.size(), t);
    scratch<addr_t> starts(n);
    for (std::size_t i = 0; i + 1 < n; ++i) starts.data()[i] = t[i].last + 1;
    bucket_plan p = plan_buckets(starts.data(), n, root_last);
    refine(starts.data(), n, p, nullptr);
    return {n, p};
  }
  // The tiles as make_tiles lays them out: a hole before each range that does not start
  // where the previous ended, the range, and a final hole unless a range reaches the end.
  const flat_range* const fv = view.data();
  const std::size_t nview = view.size();
  scratch<addr_t> start_buf(2 * nview + 1);
  addr_t* const starts = start_buf.data();
  std::size_t n = 0;  // starts written: the tiles after the first
  addr_t next = 0;
  for (std::size_t k = 0; k < nview; ++k) {
    const flat_range& f = fv[k];
    if (f.lo > next) starts[n++] = f.lo;  // after a hole: the range starts a tile of its own
    if (f.last == root_last) break;
    starts[n++] = f.last + 1;  // the next range, a hole, or the final hole starts here
    next = f.last + 1;
  }
  bucket_plan p = plan_buckets(starts, n + 1, root_last);
  refine(starts, n + 1, p, nullptr);
  return {n + 1, p};
}

/// The lookup table of a descriptor array and its flat view, at the size `plan_of` computed.
template <std::size_t Tiles, std::size_t Buckets, std::size_t Subs, std::size_t Second>
constexpr lookup_table<Tiles, Buckets, Subs, Second> make_lookup(std::span<const node> nodes,
                                                                 std::span<const flat_range> view,
                                                                 bool checked = true) {
  const auto hole = static_cast<std::uint32_t>(count_leaves(nodes));
  const bucket_plan plan = plan_of(nodes, view, checked).buckets;
  lookup_table<Tiles, Buckets, Subs, Second> lt{};
  lookup_tile* const t = lt.tiles.data();
  const window_list win(nodes, checked);
  make_tiles(nodes, view, hole, win.data(), win.size(), t);
  lt.shift = plan.shift;
  lt.max_scan = plan.max_scan;
  lt.root_last = nodes.data()[0].size - 1;
  // Bucket b starts at b << shift; its first tile is the one holding that address. Walk the
  // tiles once and give each the buckets whose start it holds.
  std::uint32_t* const first = lt.first.data();
  std::size_t b = 0;
  for (std::size_t i = 0; i < Tiles && b < Buckets; ++i) {
    const addr_t last_bucket = t[i].last >> plan.shift;  // buckets starting at or before last
    for (; b <= last_bucket && b < Buckets; ++b) first[b] = static_cast<std::uint32_t>(i);
  }
  if constexpr (Subs != 0) {
    scratch<addr_t> starts(Tiles);
    for (std::size_t i = 0; i + 1 < Tiles; ++i) starts.data()[i] = t[i].last + 1;
    bucket_plan p = plan;
    refine(starts.data(), Tiles, p, lt.subs.data());
    // Each sub table's buckets, the same way over the tiles from its bucket's first; then its
    // bucket in the first array points to it.
    for (std::size_t k = 0; k < Subs; ++k) {
      const sub_table& st = lt.subs[k];
      const std::size_t top = static_cast<std::size_t>(st.lo >> plan.shift);
      const std::size_t n = std::size_t{st.last} + 1;
      std::size_t i = first[top], sb = 0;
      for (; i < Tiles && sb < n; ++i) {
        const addr_t last_sub = (t[i].last - st.lo) >> st.shift;
        for (; sb <= last_sub && sb < n; ++sb)
          lt.second[st.offset + sb] = static_cast<std::uint32_t>(i);
        if (t[i].last >= st.lo + ((addr_t{1} << plan.shift) - 1)) break;
      }
      first[top] = sub_bit | static_cast<std::uint32_t>(k);
    }
  }
  return lt;
}

}  // namespace detail

namespace detail {
/// The sizes of Tree's lookup table (an internal constant: tree/descriptor.hpp).
template <region Tree>
constexpr tile_plan tile_plan_v = plan_of(tree_nodes_v<Tree>, flat_view_v<Tree>,
                                          verdict_of<Tree>::value);
}  // namespace detail

/// The dispatcher's lookup table for Tree, in read-only data. The hole leaf number is the leaf
/// count.
template <region Tree>
inline constexpr auto lookup_v =
    detail::make_lookup<detail::tile_plan_v<Tree>.tiles, detail::tile_plan_v<Tree>.buckets.buckets,
                        detail::tile_plan_v<Tree>.buckets.subs,
                        detail::tile_plan_v<Tree>.buckets.second>(detail::tree_nodes_v<Tree>,
                                                                  flat_view_v<Tree>,
                                                                  detail::verdict_of<Tree>::value);

MMIOTREE_END_NAMESPACE
