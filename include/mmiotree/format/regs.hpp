// format/regs.hpp: register blocks as text — a dump with every field decoded (as Renode's and
// tock-registers' debug output do) and a Markdown reference table for documentation.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/regs/access_kind.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/register_file.hpp>

#include <fmt/core.h>
#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {
inline std::string reg_label(const reg_desc& r, std::uint32_t element, bool any_element) {
  if (r.group.empty()) return std::string(r.name);
  if (any_element) return fmt::format("{}[n].{}", r.group, r.name);
  return fmt::format("{}[{}].{}", r.group, element, r.name);
}
}  // namespace detail

/// Every register instance in offset order, one line each, with its fields decoded from the
/// state alone (`peek` semantics: no RC clearing, no hook). The value after `=` is what a
/// guest read returns (RsvdZ, WO and uncovered bits as 0):
///
///   dec (register block, 0x30 bytes)
///     0x000 cfg = 0xa5000002  [locked: cfg]  enable=0x0  mode=0x1 (fast)  keep=0xa5 [RsvdP]
///     0x010 decoder[0].base = 0x50000000  [locked: decoder]  base=0x5
///     0x014 decoder[0].ctrl = 0x00000703  [locked: decoder]  ig=0x3 (2KiB)  commit=0x1  …
///     0x020 decoder[1].base = 0x6000ab00  rsvd=0xab00 [RsvdP]  base=0x6
///
/// - `[locked: L1, L2]`, right after the value, names the locks that hold now (for this array
///   element) among those that guard an RWL field of the register: those fields ignore guest
///   writes. No clause: every RWL field of the register takes writes (or it has none). It comes
///   before the fields so that a column of decoders shows at a glance which ones are frozen;
///   which field each lock guards is static, in markdown_table's access column (`RWL (L)`).
/// - A reserved field appears only when its stored bits are non-zero, tagged with its kind: an
///   RsvdP field preserving a value (the guest reads it and must write it back), or RsvdZ bits
///   device code stored (the guest reads 0 there). All-zero reserved fields are the normal case
///   and are left out, so a tag is always worth a look.
/// - A value one of the field's enumerators names is followed by that name in parentheses.
template <block_type B>
std::string dump(const register_state<B>& st) {
  constexpr auto& t = block_tables_v<B>;
  constexpr auto& l = block_layout_v<B>;
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} (register block, {:#x} bytes)\n", B::name.view(), B::size);
  for (const reg_instance& in : l.instances) {
    const reg_desc& r = t.regs[in.reg];
    const std::uint64_t raw = st.value[r.word + in.element];
    const std::uint64_t v = raw & ~l.masks[in.reg].read_zero;
    fmt::format_to(it, "  {:#05x} {} = {:#0{}x}", in.offset,
                   detail::reg_label(r, in.element, false), v, 2 + r.width / 4);
    std::string held;
    for (std::uint32_t k = 0; k < t.lock_count; ++k) {
      bool guards = false;
      for (std::uint32_t f = 0; f < r.field_count; ++f) {
        const field_desc& fd = t.fields[r.first_field + f];
        guards = guards || (fd.access == field_access::rwl && fd.lock == k);
      }
      if (guards && st.lock_holds(k, in.element))
        held += fmt::format("{}{}", held.empty() ? "" : ", ", t.locks[k].name);
    }
    if (!held.empty()) fmt::format_to(it, "  [locked: {}]", held);
    for (std::uint32_t k = 0; k < r.field_count; ++k) {
      const field_desc& f = t.fields[r.first_field + k];
      if (is_reserved(f.access)) {
        const std::uint64_t stored = (raw & f.mask()) >> f.lo;
        if (stored != 0) fmt::format_to(it, "  {}={:#x} [{}]", f.name, stored, to_string(f.access));
        continue;
      }
      const std::uint64_t fv = (v & f.mask()) >> f.lo;
      fmt::format_to(it, "  {}={:#x}", f.name, fv);
      for (std::uint32_t e = 0; e < f.enum_count; ++e)
        if (t.enums[f.first_enum + e].value == fv)
          fmt::format_to(it, " ({})", t.enums[f.first_enum + e].name);
    }
    out += '\n';
  }
  return out;
}

/// The block as a Markdown table: offset, register, field, bits, access, reset value. An RWL
/// field's access names its lock, `RWL (decoder)`. When the block has locks, a list follows the
/// table saying when each holds:
///
///   Locks:
///   - `decoder`: decoder[n].ctrl.lock_on_commit = 1 and decoder[n].ctrl.committed = 1
///   - `cfg`: set by device code
///
/// (`n` is the element of the field the lock guards; the fields in declaration order.)
template <block_type B>
std::string markdown_table() {
  constexpr auto& t = block_tables_v<B>;
  std::string out;
  auto it = std::back_inserter(out);
  out += "| offset | register | field | bits | access | reset |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const reg_desc& r : t.regs) {
    const std::string off = r.count > 1 ? fmt::format("{:#x} + {:#x}·n", r.offset, r.stride)
                                        : fmt::format("{:#x}", r.offset);
    const std::string name = detail::reg_label(r, 0, r.count > 1);
    for (std::uint32_t k = 0; k < r.field_count; ++k) {
      const field_desc& f = t.fields[r.first_field + k];
      const std::string bits =
          f.hi == f.lo ? fmt::format("{}", f.lo) : fmt::format("{}:{}", f.hi, f.lo);
      const std::string access = f.lock_name.empty()
                                     ? std::string(to_string(f.access))
                                     : fmt::format("{} ({})", to_string(f.access), f.lock_name);
      fmt::format_to(it, "| {} | {} | {} | {} | {} | {:#x} |\n", k == 0 ? off : "",
                     k == 0 ? name : "", f.name, bits, access, (r.reset & f.mask()) >> f.lo);
    }
  }
  if (t.lock_count != 0) out += "\nLocks:\n";
  for (std::uint32_t k = 0; k < t.lock_count; ++k) {
    const lock_desc& lk = t.locks[k];
    fmt::format_to(it, "- `{}`: ", lk.name);
    if (lk.reg == no_index) {
      out += "set by device code\n";
      continue;
    }
    const reg_desc& r = t.regs[lk.reg];
    const std::string reg = detail::reg_label(r, 0, r.count > 1);
    bool first = true;
    for (std::uint32_t f = 0; f < r.field_count; ++f) {
      const field_desc& fd = t.fields[r.first_field + f];
      if ((fd.mask() & lk.mask) == 0) continue;
      const std::uint64_t need = (fd.mask() & lk.mask) >> fd.lo;  // 1 for a 1-bit field
      fmt::format_to(it, "{}{}.{} = {}", first ? "" : " and ", reg, fd.name,
                     need == 1 ? std::string("1") : fmt::format("{:#x}", need));
      first = false;
    }
    out += '\n';
  }
  return out;
}

MMIOTREE_END_NAMESPACE

template <>
struct fmt::formatter<mmiotree::field_access> : fmt::formatter<std::string_view> {
  auto format(mmiotree::field_access a, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(mmiotree::to_string(a), ctx);
  }
};
