// core/access.hpp: the access policy of a region (DESIGN §2.4).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>

#include <bit>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

/// Byte order of an emulated region's values as seen by its handler. The guest side is
/// little-endian (x86, aarch64 guests); a `big` region gets every value byte-swapped over the
/// access width. Passthrough memory is bytes and ignores this.
enum class endian : std::uint8_t { little, big };

/// What an access that runs past the end of one flat range into the next does.
enum class straddle : std::uint8_t {
  split,   ///< cut at the boundary; each piece goes to its own region under that region's policy
  reject,  ///< the whole access is an access error; no handler runs
};

/// What a stub region (and an unassigned hole of the root) answers.
enum class stub_response : std::uint8_t {
  read_as_zero,  ///< reads return 0, writes are ignored, the status is `ok`
  read_as_ones,  ///< reads return all ones, writes are ignored, the status is `ok`
  decode_error,  ///< the status is `decode_error`, reads return all ones
};

/// What an access to an emulated region does when it arrives while a handler of that region's
/// handler object is already running on the same thread — a device's MMIO handler whose DMA
/// reaches its own MMIO again (QEMU's re-entrancy bug class, anchors §1.7).
enum class reentry : std::uint8_t {
  allow,   ///< the default: the handler is called again, nested; the dispatch path pays nothing
  refuse,  ///< no handler runs; the access is `access_status::reentered` (a read yields the
           ///< region's error value). Costs each access of the region a thread-local lookup.
};

/// Set of access sizes as a bit mask: bit k set means an access of (1 << k) bytes.
/// Only 1, 2, 4 and 8 exist; a guest access of any other size is an access error.
using size_mask = std::uint8_t;

/// The mask holding exactly one size (1, 2, 4 or 8 bytes).
[[nodiscard]] consteval size_mask size_bit(unsigned bytes) {
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
    diag::compile_error("mmiotree: access sizes are 1, 2, 4 or 8 bytes");
  }
  return static_cast<size_mask>(1U << std::countr_zero(bytes));
}

/// The mask holding every size from `lo` to `hi` bytes inclusive.
[[nodiscard]] consteval size_mask sizes(unsigned lo, unsigned hi) {
  size_mask m = 0;
  for (unsigned b = lo; b <= hi; b *= 2) m |= size_bit(b);
  return m;
}

/// How guest accesses reach a region. A structural literal, so it is a template argument.
///
/// - `valid`: the sizes a guest may use. Any other size is an access error and no handler runs.
/// - `impl_min`/`impl_max`: the sizes the handler implements. A valid access narrower than
///   `impl_min` is widened (read the containing aligned unit and extract; a write is a
///   read-modify-write of that unit); a wider one is split into aligned `impl_max` pieces,
///   composed in the region's byte order (QEMU's `access_with_adjusted_size`).
/// - `unaligned`: whether an access not aligned to its own size is allowed.
/// - `align`: the alignment (bytes, a power of two) the region's placement must have within
///   the root; checked at compile time.
/// - `order`: byte order of the handler's values.
/// - `on_straddle`: an access that crosses into the next flat range.
/// - `error_read`: the value a read that fails returns (QEMU answers all ones).
/// - `on_reentry`: an access that arrives while a handler of the same handler object is
///   running on this thread (io and regs regions; see `reentry`).
struct access_policy {
  size_mask valid = sizes(1, 8);
  std::uint8_t impl_min = 1;
  std::uint8_t impl_max = 8;
  bool unaligned = true;
  std::uint64_t align = 1;
  endian order = endian::little;
  straddle on_straddle = straddle::split;
  std::uint64_t error_read = ~std::uint64_t{0};
  reentry on_reentry = reentry::allow;

  [[nodiscard]] constexpr bool operator==(const access_policy&) const = default;
};

/// Ready-made policies.
namespace access {
/// RAM-like: any size 1–8, unaligned allowed, straddling splits.
inline constexpr access_policy any{};

/// Exactly `Bytes`-wide naturally aligned accesses, no straddling; the region must be placed
/// at a multiple of `Bytes`. CXL.cachemem registers are `exactly<4>` (CXL r3.1 §8.2.2).
template <unsigned Bytes>
inline constexpr access_policy exactly{
    .valid = size_bit(Bytes),
    .impl_min = static_cast<std::uint8_t>(Bytes),
    .impl_max = static_cast<std::uint8_t>(Bytes),
    .unaligned = false,
    .align = Bytes,
    .on_straddle = straddle::reject,
};

/// Sizes 1..MaxValid allowed, handler implements exactly `Impl` bytes: narrower accesses are
/// widened, wider ones split. Aligned only.
template <unsigned Impl, unsigned MaxValid = 8>
inline constexpr access_policy adjusted{
    .valid = sizes(1, MaxValid),
    .impl_min = static_cast<std::uint8_t>(Impl),
    .impl_max = static_cast<std::uint8_t>(Impl),
    .unaligned = false,
    .align = Impl,
    .on_straddle = straddle::reject,
};

/// Policy `p` with re-entry refused: `io<"mmio", 4_KiB, access::refuse_reentry(access::any)>`.
[[nodiscard]] constexpr access_policy refuse_reentry(access_policy p) noexcept {
  p.on_reentry = reentry::refuse;
  return p;
}
}  // namespace access

/// Checks that a policy is self-consistent; used by the layout checker, which names the
/// region when this fails.
///
/// A policy that refuses unaligned accesses must also place its region at least `impl_max`
/// aligned: otherwise an access aligned in the guest could reach the handler at an offset
/// that is not a multiple of its size.
[[nodiscard]] constexpr bool well_formed(const access_policy& p) noexcept {
  // Written out rather than through a helper: checked for every node of every tree at compile
  // time, where g++ evaluates each call (tree/descriptor.hpp).
  const unsigned lo = p.impl_min, hi = p.impl_max;
  return p.valid != 0 && (p.valid & ~0x0FU) == 0 && lo != 0 && (lo & (lo - 1)) == 0 && hi != 0 &&
         (hi & (hi - 1)) == 0 && lo <= hi && hi <= 8 && p.align != 0 &&
         (p.align & (p.align - 1)) == 0 && (p.unaligned || p.align >= hi);
}

MMIOTREE_END_NAMESPACE
