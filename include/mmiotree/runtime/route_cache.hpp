// runtime/route_cache.hpp: the caller's memory of where its last access went — QEMU's
// `mru_section`, kept by the caller instead of the space, so that vCPU threads share nothing.
//
// A route is what a lookup finds for an access taken as it comes (no size adjustment, no
// straddle): the guest-physical bytes one leaf answers for there, how an address becomes an
// offset into the leaf, the sizes and alignment the leaf takes as they come, and the leaf's
// binding. It stays true until the space's next write — a commit, a bind, an unbind, a
// restore — each of which moves the sequence number of the space's sequence lock; a route is
// kept with the number it was found under, and an access through the cache uses it only while
// the number has not moved. So a cached access costs one load of that number, a range check, a
// policy check and the call; anything else (another leaf, a changed map, an access the leaf
// does not take as it comes) takes the ordinary dispatch and remembers the new route.
//
// One cache per thread, or per trapped page of a backend (a Unicorn MMIO callback, a KVM exit
// loop): a cache is not shared between threads. A cache used with another live space never hits
// there (it remembers its space); one must not outlive its space unless cleared, since a new
// space at the same address could reach the same sequence number.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/binding.hpp>

#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// A route (see the file comment), as the space reads and writes it.
struct route {
  const void* space = nullptr;   ///< the space the route was found in
  std::uint64_t seq = 1;         ///< its sequence number then (never odd in a valid route)
  addr_t lo = 1, last = 0;       ///< the bytes the route covers (empty: lo > last)
  addr_t origin = 0;             ///< leaf offset = address - origin (mod 2^64)
  std::uint16_t fast_sizes = 0;  ///< as lookup_tile::fast_sizes
  std::uint8_t align_check = 0;  ///< as lookup_tile::align_check
  void* ctx = nullptr;
  binding::read_fn read = nullptr;
  binding::write_fn write = nullptr;
};

struct route_access;

}  // namespace detail

/// See the file comment. Default-constructed: empty (the first access through it fills it).
class route_cache {
 public:
  constexpr route_cache() noexcept = default;

  /// Forgets the route (the next access takes the ordinary dispatch).
  constexpr void clear() noexcept { r_ = detail::route{}; }

 private:
  friend struct detail::route_access;
  detail::route r_;
};

namespace detail {
/// How the space reaches a cache's route.
struct route_access {
  [[nodiscard]] static constexpr route& of(route_cache& c) noexcept { return c.r_; }
};
}  // namespace detail

MMIOTREE_END_NAMESPACE
