// regs/layout.hpp: what the runtime needs from a checked block — masks per register, RWL
// guards, instances sorted by offset — computed once at compile time.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/check.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

/// An RWL field's bits and the lock that guards them.
struct rwl_guard {
  std::uint64_t mask = 0;
  std::uint32_t lock = no_index;
};

namespace detail {

constexpr reg_masks masks_of(const reg_desc& r, std::span<const field_desc> fields) {
  reg_masks m;
  std::uint64_t covered = 0;
  for (std::uint32_t k = 0; k < r.field_count; ++k) {
    const field_desc& f = fields[r.first_field + k];
    const std::uint64_t b = f.mask();
    covered |= b;
    switch (f.access) {
      case field_access::rw: m.writable |= b; break;
      case field_access::wo:
        m.writable |= b;
        m.read_zero |= b;
        break;
      case field_access::rwl: m.rwl |= b; break;
      case field_access::rwo: m.rwo |= b; break;
      case field_access::rw1c: m.w1c |= b; break;
      case field_access::rw1s: m.w1s |= b; break;
      case field_access::rc: m.rc |= b; break;
      case field_access::rsvdz: m.read_zero |= b; break;
      case field_access::ro:
      case field_access::hwinit:
      case field_access::rsvdp: break;
    }
  }
  m.read_zero |= ~covered & r.width_mask();
  m.stored = covered & ~(m.read_zero & ~m.writable) & r.width_mask();
  // WO bits hold what was written (the device reads them) but read back as 0.
  return m;
}

template <std::size_t Regs, std::size_t Instances>
struct block_layout {
  std::array<reg_masks, Regs> masks{};
  std::array<reg_instance, Instances> instances{};  ///< sorted by offset
};

}  // namespace detail

/// Total number of register instances (= state words) of a block.
template <block_type B>
inline constexpr std::size_t word_count_v = block_tables_v<B>.words;

template <block_type B>
inline constexpr auto block_layout_v = [] {
  constexpr auto& t = block_tables_v<B>;
  detail::block_layout<t.regs.size(), t.words> l{};
  std::size_t n = 0;
  for (std::uint32_t r = 0; r < t.regs.size(); ++r) {
    l.masks[r] = detail::masks_of(t.regs[r], t.fields);
    for (std::uint32_t e = 0; e < t.regs[r].count; ++e)
      l.instances[n++] = {t.regs[r].offset + e * t.regs[r].stride, r, e};
  }
  std::sort(l.instances.begin(), l.instances.end(),
            [](const reg_instance& a, const reg_instance& b) { return a.offset < b.offset; });
  return l;
}();

/// The RWL guards of register R (its RWL fields and their locks).
template <block_type B, std::uint32_t R>
inline constexpr auto rwl_guards_v = [] {
  constexpr auto& t = block_tables_v<B>;
  constexpr std::size_t n = [] {
    std::size_t c = 0;
    for (std::uint32_t k = 0; k < block_tables_v<B>.regs[R].field_count; ++k)
      c += block_tables_v<B>.fields[block_tables_v<B>.regs[R].first_field + k].access ==
           field_access::rwl;
    return c;
  }();
  std::array<rwl_guard, n> g{};
  std::size_t i = 0;
  for (std::uint32_t k = 0; k < t.regs[R].field_count; ++k) {
    const field_desc& f = t.fields[t.regs[R].first_field + k];
    if (f.access == field_access::rwl) g[i++] = {f.mask(), f.lock};
  }
  return g;
}();

MMIOTREE_END_NAMESPACE
