// core/diag.hpp: plumbing for compile-time diagnostics.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/fixed_string.hpp>

#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace diag {
/// A dependent `false`, so a `static_assert` in an error template fires only when the template
/// is instantiated (i.e. when the check found that error).
template <auto...>
inline constexpr bool always_false_v = false;

/// Not constexpr on purpose: calling it in a constant expression stops compilation, and both
/// g++ and clang then print the call with its string argument (the technique of fmt's
/// `report_error`). Used by consteval entry points whose arguments are values.
void compile_error(const char* message);

/// Instantiates the error template `E` (a class whose `static_assert` states a rule) from this
/// function's body rather than from the checking function itself: write
/// `(void)&diag::emit<diag::some_rule<...>>;` in the `if constexpr` branch that found the error.
///
/// Why not `(void)sizeof(E)` in the checker: clang marks a class whose static_assert failed as
/// invalid, so a `sizeof(E)` written directly in a consteval checker makes the checker
/// non-constant and adds follow-on errors (`verify<Tree>` / `verify_block<B>` "must be
/// initialized by a constant expression", a `constexpr if` condition that is not constant,
/// ...). Taking `&emit<E>` instantiates the body, and with it `E` and its message, while the
/// checker stays a constant expression that returns its poison value, so every entry point
/// carries on quietly and the mistake stays one error.
///
/// The return type is deduced (as bool) so that taking the address instantiates the body at
/// once: with `void`, g++ 12 defers it to the end of the file when the check runs inside a
/// constraint (`requires verify<Tree>`) and prints the constraint failure before our message.
template <class E>
constexpr auto emit() noexcept {
  (void)sizeof(E);
  return true;  // deduced from this, not from the statement above, which clang drops when E fails
}

namespace detail {
constexpr std::size_t hex_digits(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >>= 4) ++n;
  return n;
}
/// Writes `v` as "0x…" (lower-case digits, no leading zeros) at `out`; returns the end.
constexpr char* put_hex(char* out, std::uint64_t v) noexcept {
  *out++ = '0';
  *out++ = 'x';
  const std::size_t n = hex_digits(v);
  for (std::size_t i = 0; i < n; ++i) out[i] = "0123456789abcdef"[(v >> (4 * (n - 1 - i))) & 0xF];
  return out + n;
}
}  // namespace detail

/// `V` in hexadecimal as a type-level string, `fixed_string<7>{"0x11002"}`: how an error
/// template carries an address or a size, so that the compiler's "In instantiation of" line
/// shows it as a VMM engineer writes it (compilers print integer arguments in decimal).
template <std::uint64_t V>
inline constexpr auto hex = [] {
  fixed_string<2 + detail::hex_digits(V)> f{};
  detail::put_hex(f.value, V);
  return f;
}();

/// The inclusive byte range `[Lo, Last]` in hexadecimal, `fixed_string<18>{"[0xa0000, 0xbffff]"}`.
template <std::uint64_t Lo, std::uint64_t Last>
inline constexpr auto hex_range = [] {
  fixed_string<8 + detail::hex_digits(Lo) + detail::hex_digits(Last)> f{};
  char* p = f.value;
  *p++ = '[';
  p = detail::put_hex(p, Lo);
  *p++ = ',';
  *p++ = ' ';
  p = detail::put_hex(p, Last);
  *p = ']';
  return f;
}();
}  // namespace diag

MMIOTREE_END_NAMESPACE
