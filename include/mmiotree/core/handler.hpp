// core/handler.hpp: the protocols a device implements to be bound to a region — declared once
// here, used by the runtime when binding (runtime/binding.hpp, slot handles) and checked where
// the library implements them (regs/register_file.hpp) — and the width mask of an access.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// What an `io` (or `regs`) region is bound to. `read` and `write` receive the offset into the
/// region and a size that the region's access policy allows and implements; values are the low
/// `size` bytes of a `uint64_t`, in the region's declared byte order.
template <class H>
concept io_handler = requires(H& h, addr_t offset, unsigned size, std::uint64_t value) {
  { h.read(offset, size) } -> std::convertible_to<std::uint64_t>;
  h.write(offset, size, value);
};

/// A handler whose state an address-space snapshot carries (register_file is one).
template <class H>
concept stateful_handler = requires(H& h, const H& c, std::span<std::byte> out,
                                    std::span<const std::byte> in) {
  { c.snapshot_size() } -> std::convertible_to<std::size_t>;
  c.save_state(out);
  { c.validate_state(in) } -> std::convertible_to<bool>;
  h.restore_state(in);
};

namespace detail {
/// The low `size` bytes (1–8) of a value set: the bits an access of `size` bytes carries.
[[nodiscard]] constexpr std::uint64_t width_mask(unsigned size) noexcept {
  return size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
}
}  // namespace detail

MMIOTREE_END_NAMESPACE
