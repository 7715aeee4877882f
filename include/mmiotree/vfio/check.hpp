// vfio/check.hpp: does what the kernel reports match what the layout type says?
//
//   const auto m = vfio::check_matches<bar2_v4, 2>(report, host_page, decoders_read);
//   if (!m.ok()) { for (auto& s : m.mismatches) log(s); refuse to start; }
//
// The layout type (a `cxl::type2_component_bar`) decides, at compile time, where the decoder
// block is, which spans of the BAR are direct mmaps and which trap (its projection for its host
// page). The kernel decides the same at run time: the BAR's size, where COMP_REGS is, the sparse-
// mmap areas, the decoder count in the HDM capability register. If the two disagree, guest
// accesses would go where neither meant — a decoder write into a hardware mmap, an accelerator
// register into the trap path — so every disagreement is reported, each as a sentence naming the
// bytes and what the layout has there:
//
//   sparse area 1 [0x110000, 0x3fffff] of BAR 2 is not passthrough in the layout:
//   [0x110000, 0x11ffff] is bar_ops
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio {

/// The outcome of `check_matches`: no mismatch, or each as a sentence.
struct match_result {
  std::vector<std::string> mismatches;
  [[nodiscard]] bool ok() const noexcept { return mismatches.empty(); }
};

namespace detail {

[[nodiscard]] inline std::string range(std::uint64_t lo, std::uint64_t last) {
  return "[" + hex(lo) + ", " + hex(last) + "]";
}

/// The parts of [lo, last] that no span of `spans` (sorted, disjoint) covers.
template <class Spans>
[[nodiscard]] std::vector<std::pair<addr_t, addr_t>> uncovered(addr_t lo, addr_t last,
                                                               const Spans& spans) {
  std::vector<std::pair<addr_t, addr_t>> out;
  addr_t at = lo;
  bool done = false;
  for (const auto& s : spans) {
    if (done || s.last < at) continue;
    if (s.lo > last) break;
    if (s.lo > at) out.push_back({at, s.lo - 1});
    if (s.last >= last) {
      done = true;
      break;
    }
    at = s.last + 1;
  }
  if (!done) out.push_back({at, last});
  return out;
}

/// The path of node `i` of `Bar`.
template <class Bar>
[[nodiscard]] std::string path(node_index i) {
  std::string p(path_of(nodes_v<Bar>, i), '\0');
  path_of(nodes_v<Bar>, i, p.data());
  return p;
}

/// What the layout has in [lo, last]: its leaves there, by path, each with its bytes.
template <class Bar>
[[nodiscard]] std::string what_is_at(addr_t lo, addr_t last) {
  std::string s;
  for (const flat_range& f : flat_view_v<Bar>) {
    if (f.last < lo || f.lo > last) continue;
    if (!s.empty()) s += ", ";
    s += range(std::max(f.lo, lo), std::min(f.last, last)) + " is " + path<Bar>(f.leaf);
  }
  return s.empty() ? range(lo, last) + " is a hole" : s;
}

}  // namespace detail

/// Compares `r` with the layout `Bar` (a `cxl::type2_component_bar`) placed in BAR `BarIndex`,
/// for host pages of `page` bytes. `decoder_count`: the count read from the device's HDM
/// Decoder Capability register (through COMP_REGS), when the VMM has read it.
template <class Bar, std::uint32_t BarIndex>
[[nodiscard]] match_result check_matches(const cxl_report& r, std::uint64_t page,
                                         std::optional<unsigned> decoder_count = std::nullopt) {
  using detail::hex;
  using detail::range;
  match_result m;
  const auto say = [&](std::string s) { m.mismatches.push_back(std::move(s)); };
  const std::string bar = "BAR " + std::to_string(r.component_bar);
  constexpr addr_t bar_size = nodes_v<Bar>[0].size;
  constexpr addr_t hdm_size = Bar::hdm_last - Bar::hdm_lo + 1;
  constexpr unsigned count = static_cast<unsigned>((hdm_size - 0x10) / 0x20);

  if (page != Bar::host_page)
    say("host page " + hex(page) + " but the layout is projected for " + hex(Bar::host_page));
  if (r.component_bar != BarIndex)
    say("the component registers are in " + bar + ", the layout's are in BAR " +
        std::to_string(BarIndex));
  if (r.bar_size != bar_size)
    say(bar + " is " + hex(r.bar_size) + " bytes, the layout's " + hex(bar_size));

  // Where COMP_REGS starts, as the revision says it, against where the layout puts the block.
  const addr_t expect = r.revision == cxl_uapi::v2   ? Bar::component_offset + 0x1000
                        : r.revision == cxl_uapi::v3 ? Bar::component_offset
                                                     : Bar::hdm_lo;
  if (r.comp_regs_bar_offset != expect)
    say("COMP_REGS starts at " + hex(r.comp_regs_bar_offset) + " of " + bar + ", the layout's " +
        std::string(to_string(r.revision)) + " geometry puts it at " + hex(expect));
  if (r.hdm_bar_offset && *r.hdm_bar_offset != Bar::hdm_lo)
    say("the HDM decoder block is at " + hex(*r.hdm_bar_offset) + " of " + bar +
        ", the layout's at " + hex(Bar::hdm_lo));
  if (r.hdm_size && *r.hdm_size != hdm_size)
    say("the HDM decoder block is " + hex(*r.hdm_size) + " bytes, the layout's " + hex(hdm_size) +
        " (" + std::to_string(count) + " decoders)");
  if (decoder_count && *decoder_count != count)
    say("the device has " + std::to_string(*decoder_count) + " HDM decoders, the layout " +
        std::to_string(count));

  // The sparse areas against the projection: each area all passthrough in the layout, and each
  // passthrough span of the layout inside the areas.
  constexpr auto& proj = projection_v<Bar, Bar::host_page>;
  std::vector<sparse_area> areas = r.bar_mmap ? r.bar_areas : std::vector<sparse_area>{};
  if (r.bar_mmap && !r.bar_areas.size()) areas.push_back({0, r.bar_size});  // the whole BAR
  for (std::size_t k = 0; k < areas.size(); ++k) {
    const sparse_area& a = areas[k];
    const addr_t last = a.offset + (a.size - 1);
    for (const auto& [lo, hi] : detail::uncovered(a.offset, last, proj.passthrough))
      say("sparse area " + std::to_string(k) + " " + range(a.offset, last) + " of " + bar +
          " is not passthrough in the layout: " +
          (lo >= bar_size ? range(lo, hi) + " is past its end"
                          : detail::what_is_at<Bar>(lo, std::min(hi, bar_size - 1))));
  }
  struct area_span {
    addr_t lo, last;
  };
  std::vector<area_span> covered;
  for (const sparse_area& a : areas) covered.push_back({a.offset, a.offset + (a.size - 1)});
  for (const span_desc& s : proj.passthrough)
    for (const auto& [lo, hi] : detail::uncovered(s.lo, s.last, covered))
      say("the layout mmaps " + range(lo, hi) + " (" + detail::path<Bar>(s.leaf) + "), but " + bar +
          (r.bar_mmap ? " has no sparse-mmap area there" : " cannot be mmapped"));
  return m;
}

}  // namespace vfio

MMIOTREE_END_NAMESPACE
