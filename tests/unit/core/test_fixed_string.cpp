#include <mmiotree/core/diag.hpp>
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

TEST_CASE("diagnostics carry numbers as hexadecimal strings", "[core]") {
  // Written out by hand, digit by digit: the strings the compiler's first error line shows.
  STATIC_REQUIRE(diag::hex<0>.view() == "0x0");
  STATIC_REQUIRE(diag::hex<0xf>.view() == "0xf");
  STATIC_REQUIRE(diag::hex<0x10>.view() == "0x10");
  STATIC_REQUIRE(diag::hex<0x11002>.view() == "0x11002");
  STATIC_REQUIRE(diag::hex<0xffff'ffff'ffff'0000>.view() == "0xffffffffffff0000");
  STATIC_REQUIRE(diag::hex<0xffff'ffff'ffff'ffff>.size() == 18);
  STATIC_REQUIRE(diag::hex_range<0xa0000, 0xbffff>.view() == "[0xa0000, 0xbffff]");
  STATIC_REQUIRE(diag::hex_range<0, 0x100f>.view() == "[0x0, 0x100f]");
  // The NUL after the characters is there too (c_str), in a string built in place.
  STATIC_REQUIRE(diag::hex_range<0, 0>.c_str()[diag::hex_range<0, 0>.size()] == '\0');
  constexpr fixed_string<4> built = [] {
    fixed_string<4> f{};
    f.value[0] = 'p';
    f.value[1] = 'c';
    return f;
  }();
  STATIC_REQUIRE(built.view() == std::string_view("pc\0\0", 4));
}

TEST_CASE("size literals scale by powers of 1024", "[core]") {
  STATIC_REQUIRE(4_KiB == 4096);
  STATIC_REQUIRE(16_MiB == 16ULL << 20);
  STATIC_REQUIRE(2_GiB == 2ULL << 30);
  STATIC_REQUIRE(1_TiB == 1ULL << 40);
}
