// regs/check.hpp: layout rules of register blocks, checked at compile time with errors that
// name the register and field (the same technique as layout/diagnostics.hpp).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/block.hpp>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

enum class block_error : std::uint8_t {
  none,
  bad_register_width,         ///< reg: width not 8/16/32/64
  register_misaligned,        ///< reg: offset not a multiple of its byte width
  register_past_block_end,    ///< reg (element): ends past the block's size
  registers_overlap,          ///< reg a, reg b (elements ea, eb); lo = where
  duplicate_register_name,    ///< reg a, reg b
  field_bits_reversed,        ///< reg, field a: hi < lo
  field_past_register_width,  ///< reg, field a
  fields_overlap,             ///< reg, fields a, b
  duplicate_field_name,       ///< reg, fields a, b
  reset_outside_fields,       ///< reg; lo = the stray bits
  enumerator_does_not_fit,    ///< reg, field a; b = enumerator index
  rwl_field_without_lock,     ///< reg, field a
  lock_register_not_found,    ///< lock index a
  lock_field_not_found,       ///< lock index a
};

struct block_check {
  block_error error = block_error::none;
  std::uint32_t reg = no_index;
  std::uint32_t a = no_index;
  std::uint32_t b = no_index;
  std::uint64_t lo = 0;
  [[nodiscard]] constexpr bool ok() const noexcept { return error == block_error::none; }
  [[nodiscard]] constexpr bool operator==(const block_check&) const = default;
};

/// Checks a block's tables; returns the first broken rule.
constexpr block_check check_block(std::span<const reg_desc> regs,
                                  std::span<const field_desc> fields,
                                  std::span<const enum_desc> enums,
                                  std::span<const lock_desc> locks, addr_t size) {
  using E = block_error;
  for (std::uint32_t r = 0; r < regs.size(); ++r) {
    const reg_desc& d = regs[r];
    if (d.width != 8 && d.width != 16 && d.width != 32 && d.width != 64)
      return {E::bad_register_width, r, no_index, no_index, d.width};
  }
  for (std::uint32_t r = 0; r < regs.size(); ++r) {
    const reg_desc& d = regs[r];
    for (std::uint32_t e = 0; e < d.count; ++e) {
      const addr_t off = d.offset + e * d.stride;
      if (off % d.bytes() != 0) return {E::register_misaligned, r, e, no_index, off};
      if (off > size || size - off < d.bytes())
        return {E::register_past_block_end, r, e, no_index, off};
    }
  }
  {
    // All instances by offset: any that starts before the previous one's end overlaps it.
    std::vector<reg_instance> inst;
    for (std::uint32_t r = 0; r < regs.size(); ++r)
      for (std::uint32_t e = 0; e < regs[r].count; ++e)
        inst.push_back({regs[r].offset + e * regs[r].stride, r, e});
    std::sort(inst.begin(), inst.end(), [](const reg_instance& x, const reg_instance& y) {
      return x.offset != y.offset ? x.offset < y.offset : x.reg < y.reg;
    });
    for (std::size_t k = 1; k < inst.size(); ++k) {
      const reg_instance& p = inst[k - 1];
      if (inst[k].offset < p.offset + regs[p.reg].bytes())
        return {E::registers_overlap, p.reg, inst[k].reg, p.element, inst[k].offset};
    }
  }
  for (std::uint32_t r = 0; r < regs.size(); ++r)
    for (std::uint32_t q = r + 1; q < regs.size(); ++q)
      if (regs[r].group == regs[q].group && regs[r].name == regs[q].name)
        return {E::duplicate_register_name, r, r, q};
  for (std::uint32_t r = 0; r < regs.size(); ++r) {
    const reg_desc& d = regs[r];
    std::uint64_t covered = 0;
    for (std::uint32_t k = 0; k < d.field_count; ++k) {
      const std::uint32_t fi = d.first_field + k;
      const field_desc& f = fields[fi];
      if (f.hi < f.lo) return {E::field_bits_reversed, r, fi};
      if (f.hi >= d.width) return {E::field_past_register_width, r, fi};
      if ((covered & f.mask()) != 0) {
        for (std::uint32_t j = 0; j < k; ++j)
          if ((fields[d.first_field + j].mask() & f.mask()) != 0)
            return {E::fields_overlap, r, d.first_field + j, fi, covered & f.mask()};
      }
      for (std::uint32_t j = 0; j < k; ++j)
        if (fields[d.first_field + j].name == f.name)
          return {E::duplicate_field_name, r, d.first_field + j, fi};
      covered |= f.mask();
      for (std::uint32_t v = 0; v < f.enum_count; ++v) {
        const std::uint64_t value = enums[f.first_enum + v].value;
        if ((value << f.lo) >> f.lo != value || ((value << f.lo) & ~f.mask()) != 0)
          return {E::enumerator_does_not_fit, r, fi, f.first_enum + v, value};
      }
      if (f.access == field_access::rwl && f.lock == no_index)
        return {E::rwl_field_without_lock, r, fi};
    }
    if ((d.reset & ~covered) != 0)
      return {E::reset_outside_fields, r, no_index, no_index, d.reset & ~covered};
  }
  for (std::uint32_t l = 0; l < locks.size(); ++l) {
    if (locks[l].reg_path.empty()) continue;  // manual lock
    if (locks[l].reg == no_index) return {E::lock_register_not_found, no_index, l};
    if (!locks[l].missing.empty()) return {E::lock_field_not_found, locks[l].reg, l};
  }
  return {};
}

namespace diag {
// One error template per rule, raised with `(void)&diag::emit<…>` (core/diag.hpp). Each
// message states the rule, then reads the template's own parameters back, since compilers print
// the arguments, not the parameter names: Reg is a register's path ("ctrl", or "array/register"
// inside a reg_array), Field/A/B are field names, Element is the index of an array element (0
// for a plain register), offsets are bytes from the block's start and bit masks are in decimal,
// as the compilers print integers.

template <fixed_string Reg, unsigned Width>
struct register_width_must_be_8_16_32_or_64 {
  static_assert(always_false_v<Reg>,
                "mmiotree: a register is 8, 16, 32 or 64 bits wide: in "
                "register_width_must_be_8_16_32_or_64<Reg, Width>, register Reg is declared Width "
                "bits wide");
};
template <fixed_string Reg, std::uint32_t Element, fixed_string Offset>
struct register_misaligned_for_its_width {
  static_assert(always_false_v<Reg>,
                "mmiotree: a register's offset must be a multiple of its width in bytes: in "
                "register_misaligned_for_its_width<Reg, Element, Offset>, register Reg (element "
                "Element of its reg_array; 0 for a plain register) starts at Offset in its block, "
                "which is not a multiple of its width / 8; move it, or split it into narrower "
                "registers");
};
template <fixed_string Reg, std::uint32_t Element, fixed_string Offset>
struct register_past_block_end {
  static_assert(always_false_v<Reg>,
                "mmiotree: a register must lie inside its block: in register_past_block_end<Reg, "
                "Element, Offset>, register Reg (element Element of its reg_array; 0 for a plain "
                "register) starts at Offset and ends past the block's size; grow the block or "
                "move the register");
};
template <fixed_string A, fixed_string B, fixed_string Offset>
struct registers_overlap {
  static_assert(always_false_v<A>,
                "mmiotree: two registers of a block overlap: in registers_overlap<A, B, Offset>, "
                "register B starts at Offset, inside register A (in a reg_array, also when the "
                "stride is smaller than the group of registers it repeats)");
};
template <fixed_string A>
struct duplicate_register_name {
  static_assert(always_false_v<A>,
                "mmiotree: two registers of one block have the same name; typed access needs "
                "unique names: in duplicate_register_name<A>, A names two registers");
};
template <fixed_string Reg, fixed_string Field>
struct field_bits_reversed {
  static_assert(always_false_v<Reg>,
                "mmiotree: a field is declared field<Name, Hi, Lo, ...> with Hi >= Lo: in "
                "field_bits_reversed<Reg, Field>, field Field of register Reg has Hi < Lo");
};
template <fixed_string Reg, fixed_string Field, unsigned Hi, unsigned Width>
struct field_past_register_width {
  static_assert(always_false_v<Reg>,
                "mmiotree: a field must lie inside its register: in field_past_register_width<"
                "Reg, Field, Hi, Width>, field Field of register Reg reaches bit Hi, but Reg is "
                "Width bits wide (bits 0 to Width - 1)");
};
template <fixed_string Reg, fixed_string A, fixed_string B, fixed_string Bits>
struct fields_overlap {
  static_assert(always_false_v<Reg>,
                "mmiotree: two fields of a register share bits: in fields_overlap<Reg, A, B, "
                "Bits>, fields A and B of register Reg share Bits (a mask)");
};
template <fixed_string Reg, fixed_string Field>
struct duplicate_field_name {
  static_assert(always_false_v<Reg>,
                "mmiotree: two fields of one register have the same name; typed access needs "
                "unique names: in duplicate_field_name<Reg, Field>, register Reg has two fields "
                "named Field");
};
template <fixed_string Reg, fixed_string Reset, fixed_string StrayBits>
struct reset_value_has_bits_outside_every_field {
  static_assert(always_false_v<Reg>,
                "mmiotree: a reset value may set only bits that a field declares: in "
                "reset_value_has_bits_outside_every_field<Reg, Reset, StrayBits>, the reset value "
                "Reset of register Reg sets StrayBits (a mask), which no field declares; declare "
                "them as a field (RsvdP/RsvdZ if reserved) or clear them from Reset");
};
template <fixed_string Reg, fixed_string Field, fixed_string Enumerator, fixed_string Value>
struct enumerator_does_not_fit_its_field {
  static_assert(always_false_v<Reg>,
                "mmiotree: an enumerated value must fit in its field: in "
                "enumerator_does_not_fit_its_field<Reg, Field, Enumerator, Value>, enumerator<"
                "Enumerator, Value> of field Field of register Reg is wider than the field");
};
template <fixed_string Reg, fixed_string Field>
struct rwl_field_needs_a_lock {
  static_assert(always_false_v<Reg>,
                "mmiotree: an RWL field must name its lock: in rwl_field_needs_a_lock<Reg, "
                "Field>, field Field of register Reg is rwl without a lock<\"name\"> option "
                "(field<..., rwl, lock<\"name\">>, the lock computed by a lock_if or set by the "
                "device)");
};
template <fixed_string Lock, fixed_string RegPath>
struct lock_if_names_no_register {
  static_assert(always_false_v<Lock>,
                "mmiotree: a lock_if must name a register of its block: in "
                "lock_if_names_no_register<Lock, RegPath>, lock_if<Lock, RegPath, ...> names "
                "RegPath, which no register of the block is (array registers are "
                "\"array/register\")");
};
template <fixed_string Lock, fixed_string Field>
struct lock_if_names_no_field_of_its_register {
  static_assert(always_false_v<Lock>,
                "mmiotree: a lock_if's fields must be fields of its register: in "
                "lock_if_names_no_field_of_its_register<Lock, Field>, lock_if<Lock, ...> names "
                "Field, which its register lacks");
};
}  // namespace diag

namespace detail {
/// A register's path ("ctrl" or "decoder/ctrl") as a fixed_string.
template <block_type B, std::uint32_t R>
inline constexpr auto reg_path_fs = [] {
  constexpr auto& r = block_tables_v<B>.regs[R];
  constexpr std::size_t n = r.group.empty() ? r.name.size() : r.group.size() + 1 + r.name.size();
  fixed_string<n> f{};
  std::size_t k = 0;
  for (char c : r.group) f.value[k++] = c;
  if (!r.group.empty()) f.value[k++] = '/';
  for (char c : r.name) f.value[k++] = c;
  return f;
}();

template <block_type B, std::uint32_t F>
inline constexpr auto field_name_fs = [] {
  constexpr auto n = block_tables_v<B>.fields[F].name;
  return fixed_string<n.size()>{n};
}();

template <block_type B>
inline constexpr block_check block_check_v = [] {
  constexpr auto& t = block_tables_v<B>;
  return check_block(t.regs, t.fields, t.enums, std::span(t.locks.data(), t.lock_count), B::size);
}();

/// The names and numbers the error of B's check carries, computed from its tables; all empty
/// (0) when B is well formed, so nothing is computed then. K = 0: the register's path (a lock's
/// name for a lock error); 1: a second register's path, a field's name, or a lock's register
/// path or missing field; 2: a second field's or an enumerator's name.
template <block_type B, int K, block_error E = block_check_v<B>.error>
inline constexpr auto block_named_v = fixed_string<0>{};
template <block_type B, block_error E>
requires(E != block_error::none) inline constexpr auto block_named_v<B, 0, E> = [] {
  constexpr block_check c = block_check_v<B>;
  constexpr auto& t = block_tables_v<B>;
  if constexpr (E == block_error::lock_register_not_found || E == block_error::lock_field_not_found)
    return fixed_string<t.locks[c.a].name.size()>{t.locks[c.a].name};
  else
    return reg_path_fs<B, c.reg>;
}();
template <block_type B, block_error E>
requires(E != block_error::none) inline constexpr auto block_named_v<B, 1, E> = [] {
  using enum block_error;
  constexpr block_check c = block_check_v<B>;
  constexpr auto& t = block_tables_v<B>;
  if constexpr (E == registers_overlap)
    return reg_path_fs<B, c.a>;
  else if constexpr (E == field_bits_reversed || E == field_past_register_width ||
                     E == fields_overlap || E == enumerator_does_not_fit ||
                     E == rwl_field_without_lock)
    return field_name_fs<B, c.a>;
  else if constexpr (E == duplicate_field_name)
    return field_name_fs<B, c.b>;
  else if constexpr (E == lock_register_not_found)
    return fixed_string<t.locks[c.a].reg_path.size()>{t.locks[c.a].reg_path};
  else if constexpr (E == lock_field_not_found)
    return fixed_string<t.locks[c.a].missing.size()>{t.locks[c.a].missing};
  else
    return fixed_string<0>{};
}();
template <block_type B, block_error E>
requires(E != block_error::none) inline constexpr auto block_named_v<B, 2, E> = [] {
  constexpr block_check c = block_check_v<B>;
  constexpr auto& t = block_tables_v<B>;
  if constexpr (E == block_error::fields_overlap)
    return field_name_fs<B, c.b>;
  else if constexpr (E == block_error::enumerator_does_not_fit)
    return fixed_string<t.enums[c.b].name.size()>{t.enums[c.b].name};
  else
    return fixed_string<0>{};
}();
/// K = 0: a field's top bit (field past its register's width) or the register's reset value
/// (reset bits outside every field); 1: the register's width.
template <block_type B, int K, block_error E = block_check_v<B>.error>
inline constexpr std::uint64_t block_number_v = 0;
template <block_type B>
inline constexpr std::uint64_t block_number_v<B, 0, block_error::field_past_register_width> =
    block_tables_v<B>.fields[block_check_v<B>.a].hi;
template <block_type B>
inline constexpr std::uint64_t block_number_v<B, 1, block_error::field_past_register_width> =
    block_tables_v<B>.regs[block_check_v<B>.reg].width;
template <block_type B>
inline constexpr std::uint64_t block_number_v<B, 0, block_error::reset_outside_fields> =
    block_tables_v<B>.regs[block_check_v<B>.reg].reset;

/// The one error of a block that breaks a register layout rule (C), with the names S0–S2 and
/// the numbers N0, N1 it carries; instantiated only then. Keyed on those, not on the block: the
/// `required from` lines of the error print these short arguments, not every register.
template <block_check C, fixed_string S0, fixed_string S1, fixed_string S2, std::uint64_t N0,
          std::uint64_t N1>
consteval bool report_block() {
  using E = block_error;
  if constexpr (C.error == E::bad_register_width) {
    (void)&diag::emit<diag::register_width_must_be_8_16_32_or_64<S0, C.lo>>;
  } else if constexpr (C.error == E::register_misaligned) {
    (void)&diag::emit<diag::register_misaligned_for_its_width<S0, C.a, diag::hex<C.lo>>>;
  } else if constexpr (C.error == E::register_past_block_end) {
    (void)&diag::emit<diag::register_past_block_end<S0, C.a, diag::hex<C.lo>>>;
  } else if constexpr (C.error == E::registers_overlap) {
    (void)&diag::emit<diag::registers_overlap<S0, S1, diag::hex<C.lo>>>;
  } else if constexpr (C.error == E::duplicate_register_name) {
    (void)&diag::emit<diag::duplicate_register_name<S0>>;
  } else if constexpr (C.error == E::field_bits_reversed) {
    (void)&diag::emit<diag::field_bits_reversed<S0, S1>>;
  } else if constexpr (C.error == E::field_past_register_width) {
    (void)&diag::emit<diag::field_past_register_width<S0, S1, N0, N1>>;
  } else if constexpr (C.error == E::fields_overlap) {
    (void)&diag::emit<diag::fields_overlap<S0, S1, S2, diag::hex<C.lo>>>;
  } else if constexpr (C.error == E::duplicate_field_name) {
    (void)&diag::emit<diag::duplicate_field_name<S0, S1>>;
  } else if constexpr (C.error == E::reset_outside_fields) {
    (void)&diag::emit<
        diag::reset_value_has_bits_outside_every_field<S0, diag::hex<N0>, diag::hex<C.lo>>>;
  } else if constexpr (C.error == E::enumerator_does_not_fit) {
    (void)&diag::emit<diag::enumerator_does_not_fit_its_field<S0, S1, S2, diag::hex<C.lo>>>;
  } else if constexpr (C.error == E::rwl_field_without_lock) {
    (void)&diag::emit<diag::rwl_field_needs_a_lock<S0, S1>>;
  } else if constexpr (C.error == E::lock_register_not_found) {
    (void)&diag::emit<diag::lock_if_names_no_register<S0, S1>>;
  } else if constexpr (C.error == E::lock_field_not_found) {
    (void)&diag::emit<diag::lock_if_names_no_field_of_its_register<S0, S1>>;
  }
  return false;
}

/// `value` is whether C passed (a class: for a good block `std::true_type`, no function
/// instantiated).
template <block_check C, fixed_string S0, fixed_string S1, fixed_string S2, std::uint64_t N0,
          std::uint64_t N1>
struct block_verdict : std::bool_constant<report_block<C, S0, S1, S2, N0, N1>()> {};
template <fixed_string S0, fixed_string S1, fixed_string S2, std::uint64_t N0, std::uint64_t N1>
struct block_verdict<block_check{}, S0, S1, S2, N0, N1> : std::true_type {};

/// The verdict on block B, keyed on its check, names and numbers, not on the block: the
/// register layer's classes read it in their bodies, so no frame of theirs spells out every
/// register of a block declared with `using`.
template <block_type B>
using block_verdict_of =
    block_verdict<block_check_v<B>, block_named_v<B, 0>, block_named_v<B, 1>, block_named_v<B, 2>,
                  block_number_v<B, 0>, block_number_v<B, 1>>;
}  // namespace detail

/// True when block B obeys every register layout rule; otherwise one readable compile error.
template <block_type B>
inline constexpr bool verify_block = detail::block_verdict_of<B>::value;

MMIOTREE_END_NAMESPACE
