#include <mmiotree/layout/lookup.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
template <class T>
std::uint32_t tile_leaf(addr_t addr) {
  constexpr auto& lt = lookup_v<T>;
  std::size_t i = lt.first[addr >> lt.shift];
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
