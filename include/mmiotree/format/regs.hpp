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

/// Every register instance in offset order with its fields decoded, read through `peek`
/// semantics (the state only: no RC clearing, no hook):
///   0x020 decoder[0].ctrl = 0x00000703  ig=3 (2KiB) lock_on_commit=1 commit=1 committed=1
template <block_type B>
std::string dump(const register_state<B>& st) {
  constexpr auto& t = block_tables_v<B>;
  constexpr auto& l = block_layout_v<B>;
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{} (register block, {:#x} bytes)\n", B::name.view(), B::size);
  for (const reg_instance& in : l.instances) {
    const reg_desc& r = t.regs[in.reg];
    const std::uint64_t v = st.value[r.slot + in.element] & ~l.masks[in.reg].read_zero;
    fmt::format_to(it, "  {:#05x} {} = {:#0{}x}", in.offset,
                   detail::reg_label(r, in.element, false), v, 2 + r.width / 4);
    for (std::uint32_t k = 0; k < r.field_count; ++k) {
      const field_desc& f = t.fields[r.first_field + k];
      if (is_reserved(f.access)) continue;
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

/// The block as a Markdown table: offset, register, field, bits, access, reset value.
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
      fmt::format_to(it, "| {} | {} | {} | {} | {} | {:#x} |\n", k == 0 ? off : "",
                     k == 0 ? name : "", f.name, bits, to_string(f.access),
                     (r.reset & f.mask()) >> f.lo);
    }
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
