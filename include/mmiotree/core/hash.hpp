// core/hash.hpp: a stable hash usable in constant expressions (layout fingerprints).
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {
/// FNV-1a, 64-bit. Not cryptographic: it tells layouts apart, it does not authenticate.
struct fnv1a {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  constexpr void byte(std::uint8_t b) noexcept { h = (h ^ b) * 0x100000001b3ULL; }
  constexpr void u64(std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) byte(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  constexpr void str(std::string_view s) noexcept {
    u64(s.size());
    for (char c : s) byte(static_cast<std::uint8_t>(c));
  }
};

/// FNV-1a of the `len` characters at `p` (the bytes only, unlike `fnv1a::str`): one loop with
/// no calls, for the layout checks, which g++ evaluates per operation (tree/descriptor.hpp).
constexpr std::uint64_t fnv1a_chars(const char* p, std::size_t len) noexcept {
  std::uint64_t h = fnv1a{}.h;
  for (std::size_t i = 0; i < len; ++i)
    h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ULL;
  return h;
}
}  // namespace detail

MMIOTREE_END_NAMESPACE
