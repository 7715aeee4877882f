// core/algo.hpp: work arrays and the few algorithms the constexpr layout code needs.
//
// The layout layer computes at compile time (descriptor arrays, checks, flat views, lookup
// tables) with the same functions the tests run at run time. g++ 12 evaluates a constant
// expression at ~15,000 instructions per operation and more per call, and every TU pays for
// the library code those functions instantiate, so they use these instead of <vector> and
// <algorithm> (measured with callgrind on cc1plus; docs/benchmarks.md, "Compile time"):
//   - `std::vector<T>(n, 0)` costs ~80,000 instructions per element in a constant expression,
//     `push_back` ~450,000; `scratch<T>(n)` (a `new T[n]`) a few thousand;
//   - each `std::sort` with its own comparator instantiates a dozen function templates, and
//     <algorithm> alone is ~0.26 billion instructions to parse.
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstddef>
#include <type_traits>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// An array of `n` default-initialised `T`s (for a trivial `T`: no value written), freed when
/// the scratch goes out of scope; usable in constant expressions. Every element must be
/// written before it is read. Access goes through the pointer from `data()`, taken once: in a
/// constant expression each member call is itself evaluated.
template <class T>
class scratch {
  static_assert(std::is_trivially_destructible_v<T>, "scratch holds trivially destructible types");

 public:
  constexpr explicit scratch(std::size_t n) : p_(new T[n]) {}
  constexpr ~scratch() { delete[] p_; }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;

  [[nodiscard]] constexpr T* data() const noexcept { return p_; }

 private:
  T* p_;
};

/// Sorts [first, last) by `less` (a strict weak order); not stable. Insertion sort for short
/// ranges, heap sort otherwise: O(n log n), no recursion, no allocation.
template <class T, class Less>
constexpr void sort(T* first, T* last, Less less) {
  const std::size_t n = static_cast<std::size_t>(last - first);
  if (n < 2) return;
  if (n <= 16) {
    for (std::size_t i = 1; i < n; ++i) {
      T x = first[i];
      std::size_t j = i;
      for (; j > 0 && less(x, first[j - 1]); --j) first[j] = first[j - 1];
      first[j] = x;
    }
    return;
  }
  // Max-heap on [0, end): move `x` down from `hole` to where it belongs.
  auto sift_down = [&](std::size_t hole, std::size_t end) {
    T x = first[hole];
    while (true) {
      std::size_t child = 2 * hole + 1;
      if (child >= end) break;
      if (child + 1 < end && less(first[child], first[child + 1])) ++child;
      if (!less(x, first[child])) break;
      first[hole] = first[child];
      hole = child;
    }
    first[hole] = x;
  };
  for (std::size_t i = n / 2; i-- > 0;) sift_down(i, n);
  for (std::size_t end = n - 1; end > 0; --end) {
    T top = first[0];
    first[0] = first[end];
    first[end] = top;
    sift_down(0, end);
  }
}

/// Orderings of ranges (anything with `lo` and `last`) against an address, for binary
/// searches. Named types, not lambdas: a lambda in a member function of a class template over
/// a tree is mangled with the whole tree in its name, and so is every standard algorithm
/// instantiated with it (kilobytes per symbol at hundreds of slots; docs/benchmarks.md,
/// "Compile time").
struct starts_before {  ///< x.lo < a (std::lower_bound by start)
  template <class T, class A>
  constexpr bool operator()(const T& x, const A& a) const noexcept {
    return x.lo < a;
  }
};
struct ends_before {  ///< x.last < a (std::lower_bound: the first range ending at or after a)
  template <class T, class A>
  constexpr bool operator()(const T& x, const A& a) const noexcept {
    return x.last < a;
  }
};
struct before_start {  ///< a < x.lo (std::upper_bound by start)
  template <class A, class T>
  constexpr bool operator()(const A& a, const T& x) const noexcept {
    return a < x.lo;
  }
};

/// Sorts [first, last) ascending by `operator<`.
template <class T>
constexpr void sort(T* first, T* last) {
  sort(first, last, [](const T& a, const T& b) { return a < b; });
}

}  // namespace detail

MMIOTREE_END_NAMESPACE
