#include <mmiotree/layout/lookup.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
template <class T>
std::uint32_t tile_leaf(addr_t addr) {
  constexpr auto& lt = lookup_v<T>;
  std::size_t i = lt.start(addr);
  while (lt.tiles[i].last < addr) ++i;
  return lt.tiles[i].leaf;
}
}  // namespace

TEST_CASE("tiles cover the root, holes included", "[layout][lookup]") {
  using t = container<"r", 64_KiB, at<0x1000, io<"a", 0x1000>>, at<0x4000, io<"b", 0x1000>>>;
  constexpr auto& lt = lookup_v<t>;
  STATIC_REQUIRE(lt.tiles.size() == 5);
  STATIC_REQUIRE(lt.tiles.back().last == 64_KiB - 1);
  STATIC_REQUIRE(lt.tiles[0].leaf == 2);  // the hole leaf number = leaf count
  STATIC_REQUIRE(lt.tiles[1].leaf == 0);
  // Every boundary is a multiple of 4 KiB: one tile per bucket, no scan.
  STATIC_REQUIRE(lt.shift == 12);
  STATIC_REQUIRE(lt.max_scan == 1);
  CHECK(tile_leaf<t>(0x0FFF) == 2);
  CHECK(tile_leaf<t>(0x1000) == 0);
  CHECK(tile_leaf<t>(0x4FFF) == 1);
  CHECK(tile_leaf<t>(0x5000) == 2);
}

TEST_CASE("clustered small regions use a coarser bucket array", "[layout][lookup]") {
  using t = container<"r", 1_GiB, at<0, io<"a", 4>>, at<4, io<"b", 4>>, at<8, io<"c", 4>>,
                      at<512_MiB, passthrough<"ram", 512_MiB>>>;
  constexpr auto& lt = lookup_v<t>;
  STATIC_REQUIRE(lt.first.size() <= 64);
  CHECK(tile_leaf<t>(0) == 0);
  CHECK(tile_leaf<t>(5) == 1);
  CHECK(tile_leaf<t>(11) == 2);
  CHECK(tile_leaf<t>(12) == 4);
  CHECK(tile_leaf<t>(512_MiB) == 3);
  CHECK(tile_leaf<t>(1_GiB - 1) == 3);
}

namespace {
/// The promise the dispatcher relies on: from `start(a)`, the tile holding `a` is at most
/// `max_scan - 1` tiles on — checked at every tile edge and in between.
template <class T>
bool scan_bound_holds() {
  constexpr auto& lt = lookup_v<T>;
  for (std::size_t k = 0; k < lt.tiles.size(); ++k) {
    const addr_t lo = k == 0 ? 0 : lt.tiles[k - 1].last + 1, last = lt.tiles[k].last;
    for (const addr_t a : {lo, last, lo + (last - lo) / 2}) {
      const std::size_t s = lt.start(a);
      if (s > k || k - s >= lt.max_scan) return false;
    }
  }
  return true;
}
using bar4 = container<"bar", 16_KiB, at<0, io<"r0", 4_KiB>>, at<4_KiB, io<"r1", 4_KiB>>,
                       at<8_KiB, io<"r2", 4_KiB>>, at<12_KiB, io<"r3", 4_KiB>>>;
// A machine's shape: a few BARs clustered in a window of a 4 GiB root, RAM far below.
using sparse =
    container<"m", 4_GiB, at<0, passthrough<"ram", 256_MiB>>,
              at<0x8000'0000,
                 container<"pci", 64_MiB, at<0, named<bar4, "d0">>, at<16_KiB, named<bar4, "d1">>,
                           at<32_KiB, named<bar4, "d2">>, at<64_KiB, named<bar4, "d3">>>>>;
using tiny_cluster = container<"r", 1_GiB, at<0, io<"a", 4>>, at<4, io<"b", 4>>, at<8, io<"c", 4>>,
                               at<64, io<"d", 4>>, at<512_MiB, passthrough<"ram", 512_MiB>>>;
}  // namespace

TEST_CASE("a sparse map's crowded buckets get sub tables, and the scan stays short",
          "[layout][lookup]") {
  constexpr auto& lt = lookup_v<sparse>;
  STATIC_REQUIRE(lt.subs.size() == 1);     // the PCI window's bucket
  STATIC_REQUIRE(lt.subs[0].shift == 12);  // exact: every BAR register starts on 4 KiB
  STATIC_REQUIRE(lt.max_scan == 2);        // one or two tiles per (sub-)bucket
  CHECK(scan_bound_holds<sparse>());
  CHECK(scan_bound_holds<tiny_cluster>());
  CHECK(tile_leaf<sparse>(0x8000'0000 + 64_KiB + 12_KiB) == 16);  // d3/r3 (ram is leaf 0)
  CHECK(tile_leaf<tiny_cluster>(64) == 3);
}
