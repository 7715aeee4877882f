// runtime/stats.hpp: the compile-time options of an address space, and the per-leaf access
// counters its `stats` option turns on.
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

/// Compile-time options of an address space.
struct space_options {
  /// Count reads, writes and refused accesses per leaf (relaxed atomic increments and one
  /// extra lookup per access). When false the counters do not exist and cost nothing.
  bool stats = false;
  [[nodiscard]] constexpr bool operator==(const space_options&) const = default;
};

/// Per-leaf access counters (see `space_options::stats`).
struct access_counters {
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t errors = 0;  ///< accesses whose status was not `ok`
  [[nodiscard]] constexpr bool operator==(const access_counters&) const = default;
};

MMIOTREE_END_NAMESPACE
