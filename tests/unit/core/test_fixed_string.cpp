#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

TEST_CASE("fixed_string deduces its length and compares by content", "[core]") {
  constexpr fixed_string a{"accel"};
  STATIC_REQUIRE(a.size() == 5);
  STATIC_REQUIRE(a.view() == "accel");
  STATIC_REQUIRE(a == fixed_string{"accel"});
  STATIC_REQUIRE(!(a == fixed_string{"accel2"}));
  STATIC_REQUIRE(fixed_string<3>{std::string_view{"bar"}}.view() == "bar");
}

TEST_CASE("size literals scale by powers of 1024", "[core]") {
  STATIC_REQUIRE(4_KiB == 4096);
  STATIC_REQUIRE(16_MiB == 16ULL << 20);
  STATIC_REQUIRE(2_GiB == 2ULL << 30);
  STATIC_REQUIRE(1_TiB == 1ULL << 40);
}
