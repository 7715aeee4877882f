// regs/field.hpp: fields, their options (lock, enumerated values) and registers.
//
//   reg<"ctrl", 0x20, 32, 0x0,
//       field<"ig", 3, 0, rwl, lock<"decoder">, enumerator<"256B", 0>, enumerator<"512B", 1>>,
//       field<"commit", 9, 9, rwl, lock<"decoder">>,
//       field<"committed", 10, 10, ro>,
//       field<"rsvd", 31, 28, rsvdp>>
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/access_kind.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

/// Field option: an RWL field is guarded by the lock `Name` (declared with `lock_if` in the
/// block for a lock computed from register state, or set by device code otherwise).
template <fixed_string Name>
struct lock {
  static constexpr auto name = Name;
};

/// Field option: a named value of the field (decoded in dumps, usable in typed writes).
template <fixed_string Name, std::uint64_t Value>
struct enumerator {
  static constexpr auto name = Name;
  static constexpr std::uint64_t value = Value;
};

namespace detail {
template <class T>
inline constexpr bool is_lock = false;
template <fixed_string N>
inline constexpr bool is_lock<lock<N>> = true;
template <class T>
inline constexpr bool is_enumerator = false;
template <fixed_string N, std::uint64_t V>
inline constexpr bool is_enumerator<enumerator<N, V>> = true;
}  // namespace detail

/// A field option: `lock<…>` or `enumerator<…>`.
template <class T>
concept field_option = detail::is_lock<T> || detail::is_enumerator<T>;

/// Bits [Hi:Lo] of a register (inclusive, SystemRDL order), with an access kind.
template <fixed_string Name, unsigned Hi, unsigned Lo, field_access Access, field_option... Options>
struct field {
  static constexpr auto name = Name;
  static constexpr unsigned hi = Hi;
  static constexpr unsigned lo = Lo;
  static constexpr field_access access = Access;
  using options = detail::type_list<Options...>;
};

namespace detail {
template <class T>
inline constexpr bool is_field = false;
template <fixed_string N, unsigned H, unsigned L, field_access A, class... O>
inline constexpr bool is_field<field<N, H, L, A, O...>> = true;
}  // namespace detail

template <class T>
concept field_type = detail::is_field<T>;

/// A register of `Width` bits (8, 16, 32, 64) at `Offset` in its block, with a reset value
/// and fields. Bits outside every field read 0 and ignore writes.
template <fixed_string Name, addr_t Offset, unsigned Width, std::uint64_t Reset,
          field_type... Fields>
struct reg {
  static constexpr auto name = Name;
  static constexpr addr_t offset = Offset;
  static constexpr unsigned width = Width;
  static constexpr std::uint64_t reset = Reset;
  using fields = detail::type_list<Fields...>;
};

/// `Count` copies of a group of registers, `Stride` bytes apart, the first at `Offset`:
/// HDM decoder n is `reg_array<"decoder", 0x10, N, 0x20, reg<"base_lo", 0x0, …>, …>`.
/// Register names inside are reached as "decoder/base_lo" with an element index.
template <fixed_string Name, addr_t Offset, std::size_t Count, addr_t Stride, class... Regs>
struct reg_array {
  static constexpr auto name = Name;
  static constexpr addr_t offset = Offset;
  static constexpr std::size_t count = Count;
  static constexpr addr_t stride = Stride;
  using regs = detail::type_list<Regs...>;
};

/// A lock computed from register state: `Name` holds (for one array element) when every
/// 1-bit field `Fields` of register `Reg` is 1. HDM: `lock_if<"decoder", "decoder/ctrl",
/// "committed", "lock_on_commit">`.
template <fixed_string Name, fixed_string Reg, fixed_string... Fields>
struct lock_if {
  static constexpr auto name = Name;
  static constexpr auto reg = Reg;
};

MMIOTREE_END_NAMESPACE
