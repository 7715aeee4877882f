// runtime/host_access.hpp: exact-width volatile loads and stores on host memory.
//
// Passthrough memory may be a device BAR mmap: a 4-byte guest access must be one 4-byte bus
// transaction, never a memcpy that the compiler may split, merge or elide. Each access here
// is one volatile load or store of exactly the access width. Unaligned offsets go through
// types of alignment 1, which g++ and clang compile to a single unaligned mov (legal on x86
// and aarch64 for normal memory) without the undefined behaviour of a misaligned pointer.
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {
// g++ and clang honour `aligned(1)` on a typedef to lower a type's alignment.
typedef std::uint16_t u16_unaligned __attribute__((aligned(1)));
typedef std::uint32_t u32_unaligned __attribute__((aligned(1)));
typedef std::uint64_t u64_unaligned __attribute__((aligned(1)));
}  // namespace detail

/// One volatile load of `size` (1, 2, 4 or 8) bytes at `p`, host byte order.
[[nodiscard]] inline std::uint64_t host_load(const std::byte* p, unsigned size) noexcept {
  switch (size) {
    case 1: return *reinterpret_cast<const volatile std::uint8_t*>(p);
    case 2: return *reinterpret_cast<const volatile detail::u16_unaligned*>(p);
    case 4: return *reinterpret_cast<const volatile detail::u32_unaligned*>(p);
    default: return *reinterpret_cast<const volatile detail::u64_unaligned*>(p);
  }
}

/// One volatile store of the low `size` (1, 2, 4 or 8) bytes of `v` at `p`.
inline void host_store(std::byte* p, unsigned size, std::uint64_t v) noexcept {
  switch (size) {
    case 1: *reinterpret_cast<volatile std::uint8_t*>(p) = static_cast<std::uint8_t>(v); break;
    case 2:
      *reinterpret_cast<volatile detail::u16_unaligned*>(p) = static_cast<std::uint16_t>(v);
      break;
    case 4:
      *reinterpret_cast<volatile detail::u32_unaligned*>(p) = static_cast<std::uint32_t>(v);
      break;
    default: *reinterpret_cast<volatile detail::u64_unaligned*>(p) = v; break;
  }
}

MMIOTREE_END_NAMESPACE
