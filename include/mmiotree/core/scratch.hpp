// core/scratch.hpp: run-time-sized work arrays for the constexpr algorithms.
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstddef>
#include <type_traits>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// An array of `n` default-initialised `T`s (for a trivial `T`: no value written), freed when
/// the scratch goes out of scope; usable in constant expressions. Every element must be
/// written before it is read.
///
/// Why not `std::vector<T>(n, 0)`: g++ 12 spends ~80,000 instructions per element evaluating
/// that in a constant expression, and ~450,000 per `push_back`; `new T[n]` costs a few
/// thousand per element (measured with callgrind on cc1plus, docs/benchmarks.md). Access goes
/// through the raw pointer from `data()`, taken once: each member call is itself evaluated.
template <class T>
class scratch {
  static_assert(std::is_trivially_default_constructible_v<T> &&
                    std::is_trivially_destructible_v<T>,
                "scratch holds trivial types only");

 public:
  constexpr explicit scratch(std::size_t n) : p_(new T[n]) {}
  constexpr ~scratch() { delete[] p_; }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;

  [[nodiscard]] constexpr T* data() const noexcept { return p_; }

 private:
  T* p_;
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
