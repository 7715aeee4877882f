// tests/fuzz/input.hpp: the fuzz targets' view of their input — read front to back, every byte
// past its end read as zero, so that any input decodes into something and libFuzzer's
// mutations change decisions rather than the length of the decoding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace fuzz_input {

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> in) : in_(in) {}
  [[nodiscard]] bool done() const { return at_ >= in_.size(); }
  std::uint8_t byte() { return at_ < in_.size() ? in_[at_++] : 0; }
  /// `bytes` bytes, little-endian.
  std::uint64_t word(unsigned bytes) {
    std::uint64_t v = 0;
    for (unsigned k = 0; k < bytes; ++k) v |= std::uint64_t{byte()} << (8 * k);
    return v;
  }
  /// Up to `n` bytes (fewer at the end).
  std::vector<std::byte> take(std::size_t n) {
    n = std::min(n, in_.size() - std::min(at_, in_.size()));
    std::vector<std::byte> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = std::byte{in_[at_ + k]};
    at_ += n;
    return v;
  }
  /// Everything not read yet.
  std::vector<std::byte> rest() { return take(in_.size()); }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
};

/// Prints "<target>: <what> (0x<a>, 0x<b>)" and aborts; libFuzzer keeps the input.
[[noreturn]] inline void fail(const char* target, const char* what, std::uint64_t a = 0,
                              std::uint64_t b = 0) {
  std::fprintf(stderr, "%s: %s (0x%llx, 0x%llx)\n", target, what,
               static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  std::abort();
}

}  // namespace fuzz_input

/// Fails (through the target's own `fail(what, a, b)`) with the condition's text unless it holds.
#define EXPECT(cond, ...)                                \
  do {                                                   \
    if (!(cond)) fail(#cond __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)
