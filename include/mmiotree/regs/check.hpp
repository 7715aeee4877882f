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
template <fixed_string Reg, unsigned Width>
struct register_width_must_be_8_16_32_or_64 {
  static_assert(always_false_v<Reg>, "mmiotree: a register is 8, 16, 32 or 64 bits wide");
};
template <fixed_string Reg, std::uint32_t Element, addr_t Offset>
struct register_misaligned_for_its_width {
  static_assert(always_false_v<Reg>,
                "mmiotree: a register's offset must be a multiple of its width in bytes");
};
template <fixed_string Reg, std::uint32_t Element, addr_t Offset>
struct register_past_block_end {
  static_assert(always_false_v<Reg>, "mmiotree: the register ends past the end of its block");
};
template <fixed_string A, fixed_string B, addr_t Offset>
struct registers_overlap {
  static_assert(always_false_v<A>,
                "mmiotree: two registers overlap (Offset is where the second one starts)");
};
template <fixed_string A>
struct duplicate_register_name {
  static_assert(always_false_v<A>, "mmiotree: two registers of one block have the same name");
};
template <fixed_string Reg, fixed_string Field>
struct field_bits_reversed {
  static_assert(always_false_v<Reg>, "mmiotree: a field is declared <Hi, Lo> with Hi >= Lo");
};
template <fixed_string Reg, fixed_string Field, unsigned Hi, unsigned Width>
struct field_past_register_width {
  static_assert(always_false_v<Reg>, "mmiotree: a field's high bit lies past the register's width");
};
template <fixed_string Reg, fixed_string A, fixed_string B, std::uint64_t Bits>
struct fields_overlap {
  static_assert(always_false_v<Reg>, "mmiotree: two fields of a register share bits (Bits)");
};
template <fixed_string Reg, fixed_string Field>
struct duplicate_field_name {
  static_assert(always_false_v<Reg>, "mmiotree: two fields of one register have the same name");
};
template <fixed_string Reg, std::uint64_t Reset, std::uint64_t StrayBits>
struct reset_value_has_bits_outside_every_field {
  static_assert(always_false_v<Reg>,
                "mmiotree: the reset value sets bits (StrayBits) that no field declares; "
                "declare them as a field (RsvdP/RsvdZ if reserved) or clear them");
};
template <fixed_string Reg, fixed_string Field, fixed_string Enumerator, std::uint64_t Value>
struct enumerator_does_not_fit_its_field {
  static_assert(always_false_v<Reg>, "mmiotree: an enumerated value does not fit in its field");
};
template <fixed_string Reg, fixed_string Field>
struct rwl_field_needs_a_lock {
  static_assert(always_false_v<Reg>,
                "mmiotree: an RWL field must name its lock: field<..., rwl, lock<\"name\">>");
};
template <fixed_string Lock, fixed_string RegPath>
struct lock_if_names_no_register {
  static_assert(always_false_v<Lock>, "mmiotree: lock_if names a register the block lacks");
};
template <fixed_string Lock, fixed_string Field>
struct lock_if_names_no_field_of_its_register {
  static_assert(always_false_v<Lock>, "mmiotree: lock_if names a field its register lacks");
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

template <block_type B>
consteval bool report_block() {
  constexpr block_check c = block_check_v<B>;
  using E = block_error;
  constexpr auto& t = block_tables_v<B>;
  if constexpr (c.error == E::none) {
    return true;
  } else {
    if constexpr (c.error == E::bad_register_width) {
      (void)sizeof(diag::register_width_must_be_8_16_32_or_64<reg_path_fs<B, c.reg>, c.lo>);
    } else if constexpr (c.error == E::register_misaligned) {
      (void)sizeof(diag::register_misaligned_for_its_width<reg_path_fs<B, c.reg>, c.a, c.lo>);
    } else if constexpr (c.error == E::register_past_block_end) {
      (void)sizeof(diag::register_past_block_end<reg_path_fs<B, c.reg>, c.a, c.lo>);
    } else if constexpr (c.error == E::registers_overlap) {
      (void)sizeof(diag::registers_overlap<reg_path_fs<B, c.reg>, reg_path_fs<B, c.a>, c.lo>);
    } else if constexpr (c.error == E::duplicate_register_name) {
      (void)sizeof(diag::duplicate_register_name<reg_path_fs<B, c.reg>>);
    } else if constexpr (c.error == E::field_bits_reversed) {
      (void)sizeof(diag::field_bits_reversed<reg_path_fs<B, c.reg>, field_name_fs<B, c.a>>);
    } else if constexpr (c.error == E::field_past_register_width) {
      (void)sizeof(diag::field_past_register_width<reg_path_fs<B, c.reg>, field_name_fs<B, c.a>,
                                                   t.fields[c.a].hi, t.regs[c.reg].width>);
    } else if constexpr (c.error == E::fields_overlap) {
      (void)sizeof(diag::fields_overlap<reg_path_fs<B, c.reg>, field_name_fs<B, c.a>,
                                        field_name_fs<B, c.b>, c.lo>);
    } else if constexpr (c.error == E::duplicate_field_name) {
      (void)sizeof(diag::duplicate_field_name<reg_path_fs<B, c.reg>, field_name_fs<B, c.b>>);
    } else if constexpr (c.error == E::reset_outside_fields) {
      (void)sizeof(diag::reset_value_has_bits_outside_every_field<reg_path_fs<B, c.reg>,
                                                                  t.regs[c.reg].reset, c.lo>);
    } else if constexpr (c.error == E::enumerator_does_not_fit) {
      constexpr auto en = t.enums[c.b].name;
      (void)sizeof(
          diag::enumerator_does_not_fit_its_field<reg_path_fs<B, c.reg>, field_name_fs<B, c.a>,
                                                  fixed_string<en.size()>{en}, c.lo>);
    } else if constexpr (c.error == E::rwl_field_without_lock) {
      (void)sizeof(diag::rwl_field_needs_a_lock<reg_path_fs<B, c.reg>, field_name_fs<B, c.a>>);
    } else if constexpr (c.error == E::lock_register_not_found) {
      constexpr auto ln = t.locks[c.a].name;
      constexpr auto rp = t.locks[c.a].reg_path;
      (void)sizeof(diag::lock_if_names_no_register<fixed_string<ln.size()>{ln},
                                                   fixed_string<rp.size()>{rp}>);
    } else if constexpr (c.error == E::lock_field_not_found) {
      constexpr auto ln = t.locks[c.a].name;
      constexpr auto mf = t.locks[c.a].missing;
      (void)sizeof(diag::lock_if_names_no_field_of_its_register<fixed_string<ln.size()>{ln},
                                                                fixed_string<mf.size()>{mf}>);
    }
    return false;
  }
}
}  // namespace detail

/// True when block B obeys every register layout rule; otherwise one readable compile error.
template <block_type B>
inline constexpr bool verify_block = detail::report_block<B>();

MMIOTREE_END_NAMESPACE
