// core/units.hpp: byte-size literals and the address type.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>

#include <cstdint>
#include <limits>

MMIOTREE_BEGIN_NAMESPACE

/// A guest physical address or an offset into a region.
using addr_t = std::uint64_t;

namespace literals {
// Literals are consteval so that an overflowing literal (`20000000000_GiB`) is a compile error
// rather than a silently wrapped size.
consteval addr_t checked_scale(unsigned long long v, unsigned shift) {
  if (v > (std::numeric_limits<addr_t>::max() >> shift)) {
    diag::compile_error("mmiotree: size literal does not fit in 64 bits");
  }
  return static_cast<addr_t>(v) << shift;
}
consteval addr_t operator""_KiB(unsigned long long v) { return checked_scale(v, 10); }
consteval addr_t operator""_MiB(unsigned long long v) { return checked_scale(v, 20); }
consteval addr_t operator""_GiB(unsigned long long v) { return checked_scale(v, 30); }
consteval addr_t operator""_TiB(unsigned long long v) { return checked_scale(v, 40); }
}  // namespace literals

MMIOTREE_END_NAMESPACE
