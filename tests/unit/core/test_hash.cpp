#include <mmiotree/core/hash.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>

namespace detail = mmiotree::detail;

TEST_CASE("fnv1a_chars is 64-bit FNV-1a of the bytes, as fnv1a::byte computes it", "[core]") {
  // Published FNV-1a 64-bit test vectors.
  STATIC_REQUIRE(detail::fnv1a_chars("", 0) == 0xcbf29ce484222325ULL);
  STATIC_REQUIRE(detail::fnv1a_chars("a", 1) == 0xaf63dc4c8601ec8cULL);
  STATIC_REQUIRE(detail::fnv1a_chars("foobar", 6) == 0x85944171f73967e8ULL);
  for (std::string_view s : {"accel", "comp_regs", "pci/bar0", "r1023"}) {
    detail::fnv1a f;
    for (char c : s) f.byte(static_cast<std::uint8_t>(c));
    REQUIRE(detail::fnv1a_chars(s.data(), s.size()) == f.h);
  }
}
