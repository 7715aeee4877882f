#include <mmiotree/core/algo.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using mmiotree::detail::scratch;
namespace detail = mmiotree::detail;

namespace {

// Sorted copy of `values` made with detail::sort in a constant expression.
template <std::size_t N>
constexpr std::array<int, N> sorted_at_compile_time(std::array<int, N> values) {
  scratch<int> work(N);
  int* w = work.data();
  for (std::size_t i = 0; i < N; ++i) w[i] = values[i];
  detail::sort(w, w + N);
  for (std::size_t i = 0; i < N; ++i) values[i] = w[i];
  return values;
}

}  // namespace

TEST_CASE("detail::sort sorts in a constant expression, short and long ranges", "[core]") {
  // 5 elements take the insertion-sort path, 20 the heap-sort path.
  STATIC_REQUIRE(sorted_at_compile_time(std::array{3, 1, 4, 1, 5}) == std::array{1, 1, 3, 4, 5});
  STATIC_REQUIRE(sorted_at_compile_time(std::array{9,  2, 7, 2,  0,  19, 3,  3,  8,  1,
                                                   -4, 6, 5, 12, 11, 10, 17, 15, 16, 14}) ==
                 std::array{-4, 0, 1, 2, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 19});
}

TEST_CASE("detail::sort agrees with std::sort on random inputs of every small length",
          "[core][property]") {
  std::mt19937_64 rng{0x5eedu};
  for (std::size_t n = 0; n <= 200; ++n) {
    for (int round = 0; round < 5; ++round) {
      // Few distinct keys in some rounds, so that ties are common.
      const int range = round % 2 == 0 ? 4 : 1000;
      std::vector<std::pair<int, int>> v(n);
      for (std::size_t i = 0; i < n; ++i) {
        v[i] = {static_cast<int>(rng() % range), static_cast<int>(i)};
      }
      std::vector<std::pair<int, int>> expect = v;
      // Order by key only: detail::sort is not stable, so compare the key sequences and the
      // multiset of payloads.
      auto by_key = [](const std::pair<int, int>& a, const std::pair<int, int>& b) {
        return a.first < b.first;
      };
      detail::sort(v.data(), v.data() + v.size(), by_key);
      std::sort(expect.begin(), expect.end(), by_key);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(v[i].first == expect[i].first);
      std::vector<std::pair<int, int>> a = v, b = expect;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      REQUIRE(a == b);
    }
  }
}

TEST_CASE("detail::sort with a descending comparator", "[core]") {
  std::vector<std::uint64_t> v{5, 40, 1, 17, 99, 3, 3, 0, 64, 8, 2, 77, 31, 12, 6, 50, 23, 11};
  detail::sort(v.data(), v.data() + v.size(),
               [](std::uint64_t a, std::uint64_t b) { return a > b; });
  REQUIRE(std::is_sorted(v.rbegin(), v.rend()));
}
