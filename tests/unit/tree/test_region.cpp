#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

TEST_CASE("region kinds carry name, size, kind and policy", "[tree]") {
  using p = passthrough<"ram", 16_MiB>;
  using i = io<"uart", 4_KiB, access::exactly<4>>;
  using s = stub<"rsvd", 256, stub_response::read_as_zero>;
  using u = unassigned<"gap", 64>;
  using a = alias<"win", 4_KiB, "ram", 1_MiB>;
  STATIC_REQUIRE(p::kind == region_kind::passthrough);
  STATIC_REQUIRE(p::name.view() == "ram");
  STATIC_REQUIRE(p::size == 16_MiB);
  STATIC_REQUIRE(p::policy == access::any);
  STATIC_REQUIRE(i::kind == region_kind::io);
  STATIC_REQUIRE(i::policy.valid == size_bit(4));
  STATIC_REQUIRE(i::policy.align == 4);
  STATIC_REQUIRE(!i::policy.unaligned);
  STATIC_REQUIRE(s::response == stub_response::read_as_zero);
  STATIC_REQUIRE(u::response == stub_response::decode_error);
  STATIC_REQUIRE(a::target_path.view() == "ram");
  STATIC_REQUIRE(a::target_offset == 1_MiB);
  STATIC_REQUIRE(region<p> && region<i> && region<s> && region<a>);
  STATIC_REQUIRE(!region<int>);
}

TEST_CASE("placement carries offset and signed priority, default 0", "[tree]") {
  using c = at<0x1000, io<"x", 16>>;
  using d = at<0x2000, io<"y", 16>, -3>;
  STATIC_REQUIRE(c::offset == 0x1000);
  STATIC_REQUIRE(c::priority == 0);
  STATIC_REQUIRE(d::priority == -3);
  STATIC_REQUIRE(placement<c>);
  STATIC_REQUIRE(!placement<io<"x", 16>>);
}

TEST_CASE("kind predicates", "[tree]") {
  STATIC_REQUIRE(is_leaf(region_kind::passthrough));
  STATIC_REQUIRE(is_leaf(region_kind::io));
  STATIC_REQUIRE(is_leaf(region_kind::stub));
  STATIC_REQUIRE(!is_leaf(region_kind::container));
  STATIC_REQUIRE(!is_leaf(region_kind::alias));
  STATIC_REQUIRE(takes_binding(region_kind::io));
  STATIC_REQUIRE(!takes_binding(region_kind::stub));
  STATIC_REQUIRE(is_direct(region_kind::passthrough));
  STATIC_REQUIRE(!is_direct(region_kind::io));
}

TEST_CASE("access policies", "[core]") {
  STATIC_REQUIRE(sizes(1, 8) == 0x0F);
  STATIC_REQUIRE(sizes(2, 4) == 0x06);
  STATIC_REQUIRE(well_formed(access::any));
  STATIC_REQUIRE(well_formed(access::exactly<8>));
  STATIC_REQUIRE(well_formed(access::adjusted<4>));
  STATIC_REQUIRE(!well_formed(access_policy{.valid = 0}));
  STATIC_REQUIRE(!well_formed(access_policy{.impl_min = 8, .impl_max = 4}));
  STATIC_REQUIRE(!well_formed(access_policy{.impl_max = 16}));
  STATIC_REQUIRE(!well_formed(access_policy{.align = 3}));
  // Aligned-only accesses need the region aligned to the widest implemented size.
  STATIC_REQUIRE(!well_formed(access_policy{.impl_min = 4, .impl_max = 4, .unaligned = false}));
  STATIC_REQUIRE(
      well_formed(access_policy{.impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4}));
}
