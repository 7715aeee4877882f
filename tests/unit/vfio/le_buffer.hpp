// A little-endian byte buffer written field by field, for the VFIO parser tests: the buffers a
// kernel fills in, laid out here from Linux's include/uapi/linux/vfio.h, not with the parser's
// own constants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

struct le_buffer {
  std::vector<std::byte> b;
  explicit le_buffer(std::size_t n) : b(n) {}
  /// The low `n` bytes of `v` at `at` (growing the buffer if needed).
  le_buffer& put(std::size_t at, std::uint64_t v, unsigned n) {
    if (b.size() < at + n) b.resize(at + n);
    for (unsigned k = 0; k < n; ++k) b[at + k] = static_cast<std::byte>(v >> (8 * k));
    return *this;
  }
  le_buffer& argsz(std::uint32_t v) { return put(0, v, 4); }
  /// A capability header {id, version, next} at `at`.
  le_buffer& cap(std::size_t at, std::uint16_t id, std::uint16_t version, std::uint32_t next) {
    return put(at, id, 2).put(at + 2, version, 2).put(at + 4, next, 4);
  }
  [[nodiscard]] std::span<const std::byte> span() const { return b; }
};
