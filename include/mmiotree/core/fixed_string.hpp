// core/fixed_string.hpp: the one string type used as a template argument (region and
// register names, typed paths).
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstddef>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// A string usable as a non-type template parameter: `container<"bar2", ...>`.
///
/// Structural (public array member), so two `fixed_string`s with the same characters name the
/// same template specialisation. `N` counts characters without the terminating NUL; the NUL is
/// stored so that `c_str()` works. g++ prints a specialisation as `fixed_string<5>{"accel"}`,
/// which is why diagnostics carry region names this way.
template <std::size_t N>
struct fixed_string {
  char value[N + 1]{};

  /// Every character written (NUL), not left to the default member initialiser: clang 16's
  /// constant evaluator keeps unwritten array elements as a "filler", growing the written part
  /// in powers of two, and prints a string with a filler as character codes —
  /// `fixed_string<8>{{112, 99, 105, ...}}` for "pci/bar0", at every length 8, 16, 32, ... —
  /// in the "in instantiation of" line of a diagnostic. Strings built in place (paths, hex
  /// numbers) start from this constructor, so they print as strings.
  constexpr fixed_string() noexcept {
    for (std::size_t i = 0; i <= N; ++i) value[i] = '\0';
  }

  /// From a string literal: `fixed_string{"accel"}` deduces N = 5.
  constexpr fixed_string(const char (&s)[N + 1]) noexcept {  // NOLINT(google-explicit-constructor)
    for (std::size_t i = 0; i <= N; ++i) value[i] = s[i];
  }

  /// From a view of exactly N characters (used to lift a constexpr name into a type).
  constexpr explicit fixed_string(std::string_view s) noexcept {
    const std::size_t n = s.size() < N ? s.size() : N;
    for (std::size_t i = 0; i < n; ++i) value[i] = s[i];
  }

  [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
  [[nodiscard]] constexpr const char* c_str() const noexcept { return value; }
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {value, N}; }
  constexpr operator std::string_view() const noexcept { return view(); }  // NOLINT

  template <std::size_t M>
  [[nodiscard]] constexpr bool operator==(const fixed_string<M>& o) const noexcept {
    return view() == o.view();
  }
};

template <std::size_t N1>
fixed_string(const char (&)[N1]) -> fixed_string<N1 - 1>;

MMIOTREE_END_NAMESPACE
