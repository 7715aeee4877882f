// Property test on a fixed set of trees, each written once as a plain description (model.hpp)
// from which the test generates the typed tree (typed.hpp). Each flat view is checked at
// compile time against one written out by hand; then, at run time, the library's flat view,
// projections and dispatcher (address_space) against the oracle applied to the description
// (oracle.hpp: DESIGN §2.2 and docs/access.md read literally), every access near every
// boundary, with every leaf bound to host memory or a handler that says who was reached, at
// which offset, with which size.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "flat_checks.hpp"
#include "harness.hpp"
#include "lower.hpp"
#include "model.hpp"
#include "oracle.hpp"
#include "trees.hpp"
#include "typed.hpp"

using namespace mmiotree::literals;
using mmiotree::flat_range;
using mmiotree::flat_view_v;
using mmiotree::npos;
using mmiotree::span_desc;
using namespace trees;

namespace {

using cxl_bar2 = typed::tree_t<cxl_bar2_d>;
constexpr std::array cxl_flat{
    flat_range{0, comp_block - 1, 3, 0},
    flat_range{comp_block, cachemem - 1, 2, comp_block},
    flat_range{cachemem, cachemem + 4_KiB - 1, 5, 0},
    flat_range{cachemem + 4_KiB, comp_block + 64_KiB - 1, 2, cachemem + 4_KiB},
    flat_range{comp_block + 64_KiB, 4_MiB - 1, 4, 0},
};

using qemu_abcde = typed::tree_t<abcde_d>;
constexpr std::array abcde_flat{
    flat_range{0x0000, 0x1fff, 1, 0x0000},  // C
    flat_range{0x2000, 0x2fff, 3, 0x0000},  // D
    flat_range{0x3000, 0x3fff, 1, 0x3000},  // C through B's hole
    flat_range{0x4000, 0x4fff, 4, 0x0000},  // E
    flat_range{0x5000, 0x5fff, 1, 0x5000},  // C
};                                          // 0x6000-0x7fff: nothing

using qemu_pc = typed::tree_t<pc_d>;
constexpr std::array pc_flat{
    flat_range{0x0, 0x9'ffff, 6, 0x0},                         // lomem -> ram
    flat_range{0xa'0000, 0xa'7fff, 11, 0x1'0000},              // vga-window -> lo -> vram
    flat_range{0xa'8000, 0xa'ffff, 11, 0x2'0000},              // vga-window -> hi -> vram
    flat_range{0xb'0000, 0xdfff'ffff, 6, 0xb'0000},            // vga-area hole: lomem shows
    flat_range{0xe100'0000, 0xe10f'ffff, 11, 0x0},             // pci-hole -> vram
    flat_range{0xe200'0000, 0xe200'ffff, 12, 0x0},             // pci-hole -> vga-mmio
    flat_range{0x1'0000'0000, 0x1'1fff'ffff, 6, 0xe000'0000},  // himem
    flat_range{0x2'0000'0000, 0x2'0000'7fff, 11, 0x2'0000},    // vga-mirror -> vga-window -> hi
    flat_range{ram_at, ram_at + 4_GiB - 1, 6, 0x0},
    flat_range{pci_at + 0xa'0000, pci_at + 0xa'7fff, 11, 0x1'0000},
    flat_range{pci_at + 0xa'8000, pci_at + 0xa'ffff, 11, 0x2'0000},
    flat_range{pci_at + 0xe100'0000, pci_at + 0xe10f'ffff, 11, 0x0},
    flat_range{pci_at + 0xe200'0000, pci_at + 0xe200'ffff, 12, 0x0},
};

// Written from the rule, region by region: which alias wins each byte, what it shows there.
using pc_unmapped = typed::tree_t<pc_unmapped_d>;
constexpr std::array pc_unmapped_flat{
    flat_range{0x0, 0x9'ffff, 1, 0x0},                            // lomem -> ram
    flat_range{0xa'0000, 0xa'7fff, 6, 0x1'0000},                  // vga-window -> lo -> vram
    flat_range{0xa'8000, 0xa'ffff, 6, 0x2'0000},                  // vga-window -> hi -> vram
    flat_range{0xb'0000, 0xdfff'ffff, 1, 0xb'0000},               // vga-area hole: lomem
    flat_range{0xe000'0000, 0xe0ff'ffff, 14, 0xe000'0000},        // pci-hole's hole
    flat_range{0xe100'0000, 0xe10f'ffff, 6, 0x0},                 // pci-hole -> vram
    flat_range{0xe110'0000, 0xe1ff'ffff, 14, 0xe110'0000},        // unassigned
    flat_range{0xe200'0000, 0xe200'ffff, 7, 0x0},                 // pci-hole -> vga-mmio
    flat_range{0xe201'0000, 0xffff'ffff, 14, 0xe201'0000},        // unassigned
    flat_range{0x1'0000'0000, 0x1'3fff'ffff, 1, 0xe000'0000},     // himem -> ram
    flat_range{0x1'4000'0000, 0x8'000f'ffff, 14, 0x1'4000'0000},  // to pci-hole64's hole
    flat_range{0x8'0010'0000, 0x8'001f'ffff, 8, 0x0},             // pci-hole64 -> bar-hi
    flat_range{0x8'0020'0000, 0xf'ffff'ffff, 14, 0x8'0020'0000},  // unassigned
};                                                                // ram, pci: nowhere else

// Written from the rule, segment by segment (node indices are description indices).
using pam = typed::tree_t<pam_d>;
constexpr std::array pam_flat{
    flat_range{0x0, 0xd'ffff, 1, 0x0},       // lomem; pam-ram's c0000, c8000; c4000's hole: lomem
    flat_range{0xe'0000, 0xe'3fff, 3, 0x0},  // pam-pci e0000 -> bios
    flat_range{0xe'4000, 0xe'7fff, 1, 0xe'4000},            // pam-ram e4000 -> ram
    flat_range{0xe'8000, 0xf'ffff, 3, 0x8000},              // pam-pci e8000 -> bios
    flat_range{0x10'0000, 0x7fff'ffff, 1, 0x10'0000},       // lomem
    flat_range{0x8000'0000, 0xfebf'ffff, 15, 0x8000'0000},  // unassigned, pci-hole's hole
    flat_range{0xfec0'0000, 0xfec0'0fff, 4, 0x0},           // pci-hole -> ioapic
    flat_range{0xfec0'1000, 0xffff'ffff, 15, 0xfec0'1000},  // unassigned
};

using nested = typed::tree_t<nested_d>;
constexpr std::array nested_flat{
    flat_range{0x000, 0x0ff, 1, 0x000},  // bg
    flat_range{0x100, 0x3ff, 3, 0x000},  // x beats n2 (-1 > -2)
    flat_range{0x400, 0x47f, 6, 0x100},  // z beats y (-2 > -3)
    flat_range{0x480, 0x4ff, 5, 0x080},  // y
    flat_range{0x500, 0x5ff, 1, 0x500},  // hole in n2 and n1: bg
    flat_range{0x600, 0x67f, 7, 0x000},  // w
    flat_range{0x680, 0x7ff, 1, 0x680},  // bg
    flat_range{0x800, 0x87f, 8, 0x000},  // tail
    flat_range{0x880, 0xbff, 1, 0x880},  // bg
    flat_range{0xc00, 0xcff, 9, 0x000},  // top
    flat_range{0xd00, 0xfff, 1, 0xd00},  // bg
};

using stubs = typed::tree_t<stubs_d>;
constexpr std::array stubs_flat{
    flat_range{0x0000, 0x0fff, 1, 0x0000}, flat_range{0x1000, 0x1fff, 2, 0x0000},
    flat_range{0x2000, 0x27ff, 3, 0x0000}, flat_range{0x2800, 0x2fff, 1, 0x2800},
    flat_range{0x3000, 0x37ff, 4, 0x0000}, flat_range{0x3800, 0x38ff, 5, 0x0000},
    flat_range{0x3900, 0x3fff, 1, 0x3900},
};

using top_of_space = typed::tree_t<top_d>;
constexpr std::array top_flat{
    flat_range{0x0, 0xfff, 1, 0x0},
    flat_range{0x4000'0000'0000'0000, 0x7fff'ffff'ffff'ffff, 2, 0x0},
    flat_range{0x8000'0000'0000'0000, 0x8000'0000'0000'07ff, 1, 0x800},
    flat_range{0x8000'0000'0000'0800, 0xbfff'ffff'ffff'ffff, 2, 0x4000'0000'0000'0800},
    flat_range{top_size - 0x2000, top_size - 0x1001, 4, 0x0},
    flat_range{top_size - 0x1000, top_size - 0x1, 5, 0x0},
};

using alias_chain = typed::tree_t<chain_d>;
constexpr std::array chain_flat{
    flat_range{0x0000, 0x0fff, 1, 0x0000},  // ram
    flat_range{0x1000, 0x17ff, 3, 0x0000},  // dev/r0
    flat_range{0x1800, 0x1fff, 1, 0x1800},  // dev's hole
    flat_range{0x2000, 0x27ff, 4, 0x0000},  // dev/r1
    flat_range{0x2800, 0x47ff, 1, 0x2800},  // dev's tail hole, ram, a1's window on dev's hole
    flat_range{0x4800, 0x4fff, 4, 0x0000},  // a1 -> dev + 0x1000 = r1
    flat_range{0x5000, 0x83ff, 1, 0x5000},  // a1 on dev's hole, ram, a2 -> a1 -> dev's hole
    flat_range{0x8400, 0x8bff, 4, 0x0000},  // a2 -> a1 + 0x400 -> dev + 0x1000 = r1
    flat_range{0x8c00, 0xffff, 1, 0x8c00},
};

using swapped = typed::tree_t<swapped_d>;
constexpr std::array swapped_flat{
    flat_range{0x0000, 0x0fff, 3, 0x2000},
    flat_range{0x1000, 0x1fff, 3, 0x0000},
    flat_range{0x4000, 0x7fff, 3, 0x0000},
};

using policies = typed::tree_t<policies_d>;
constexpr std::array policies_flat{
    flat_range{0x000, 0x0ff, 1, 0},        flat_range{0x100, 0x1ff, 2, 0},
    flat_range{0x200, 0x2ff, 3, 0},        flat_range{0x300, 0x3ff, 4, 0},
    flat_range{0x400, 0x4ff, 5, 0},        flat_range{0x500, 0x5ff, 6, 0},
    flat_range{0x600, 0x6ff, 7, 0},        flat_range{0x800, 0x805, 8, 0},
    flat_range{0x810, 0x81f, 9, 0},        flat_range{0x1000, 0x10ff, 12, 0},
    flat_range{0x1100, 0x11ff, 12, 0x100}, flat_range{0x2000, 0x3fff, 12, 0},
};

using msix_bar = typed::tree_t<msix_d>;
constexpr std::array msix_flat{
    flat_range{0x0000, 0x1fff, 1, 0x0000}, flat_range{0x2000, 0x27ff, 2, 0x0000},
    flat_range{0x2800, 0x2fff, 1, 0x2800}, flat_range{0x3000, 0x300f, 3, 0x0000},
    flat_range{0x3010, 0x3fff, 1, 0x3010},
};

/// The description index of each library leaf, matched by path (the library's node numbers
/// are used only to name leaves, never to compute what they should be).
template <const auto& D>
std::vector<std::size_t> leaf_names() {
  using tree = typed::tree_t<D>;
  constexpr auto& nodes = mmiotree::nodes_v<tree>;
  std::vector<std::size_t> to(nodes.size(), model::none);
  for (mmiotree::node_index n = 0; n < nodes.size(); ++n) {
    std::string p(mmiotree::path_of(nodes, n), '\0');
    mmiotree::path_of(nodes, n, p.data());
    if (n == 0) p.clear();
    for (std::size_t i = 0; i < D.size(); ++i)
      if (oracle::path(D, i) == p) to[n] = i;
  }
  return to;
}

template <class Ranges>
std::vector<checks::range> translated(const Ranges& rs, const std::vector<std::size_t>& to) {
  std::vector<checks::range> v;
  for (const auto& r : rs)
    v.push_back({r.lo, r.last, r.leaf == npos ? model::none : to[r.leaf], r.offset});
  return v;
}

/// The flat view and projections against the oracle, then every access near every boundary
/// through the dispatcher against oracle::expect_access.
template <const auto& D>
void check_tree() {
  using tree = typed::tree_t<D>;
  const oracle::tree model(D);
  const std::vector<std::size_t> to = leaf_names<D>();
  const std::vector<checks::range> want = model.flat();
  const std::string f = checks::same_view(translated(flat_view_v<tree>, to), want);
  INFO(f);
  REQUIRE(f.empty());
  for (const model::addr page : {4_KiB, 16_KiB, 64_KiB}) {
    for (const bool partial : {false, true}) {
      const auto r = mmiotree::project(
          mmiotree::nodes_v<tree>, flat_view_v<tree>, page,
          partial ? mmiotree::page_policy::trap_partial_pages : mmiotree::page_policy::error);
      const checks::projection got{r.ok, translated(std::array{r.offending}, to)[0],
                                   translated(r.passthrough, to), translated(r.trapped, to)};
      const std::string p = checks::same_projection(
          got, checks::expected_projection(model, want, page, partial), page);
      INFO(p);
      REQUIRE(p.empty());
    }
  }

  harness::rig<D> rig;
  const model::addr root_last = D[0].size - 1;
  std::vector<model::addr> where;
  for (const model::addr b : model.probes())
    for (int d = -8; d <= 8; ++d) where.push_back(b + static_cast<model::addr>(d));  // may wrap
  for (const model::addr extra : {root_last, root_last + 1, ~model::addr{0}, ~model::addr{0} - 3})
    where.push_back(extra);
  for (const model::addr a : where) {
    for (const unsigned size : {0U, 1U, 2U, 3U, 4U, 8U, 16U}) {
      const std::string r = rig.check(a, size, false, 0);
      INFO(r);
      REQUIRE(r.empty());
      const std::uint64_t v = harness::mix(a * 31 + size) | 0x8080'8080'8080'8080;
      const std::string w = rig.check(a, size, true, v);
      INFO(w);
      REQUIRE(w.empty());
    }
    const mmiotree::node_index got = rig.space().leaf_at(a);
    INFO("leaf_at(0x" << std::hex << a << ")");
    REQUIRE((got == npos ? model::none : to[got]) == model.at(a).leaf);
  }
  CHECK(rig.memory_matches());
  CHECK(rig.violations() == 0);
}

}  // namespace

TEST_CASE("typed trees: flat views written out by hand", "[property][typed]") {
  STATIC_REQUIRE(flat_view_v<cxl_bar2> == cxl_flat);
  STATIC_REQUIRE(flat_view_v<qemu_abcde> == abcde_flat);
  STATIC_REQUIRE(flat_view_v<qemu_pc> == pc_flat);
  STATIC_REQUIRE(flat_view_v<pc_unmapped> == pc_unmapped_flat);
  STATIC_REQUIRE(flat_view_v<nested> == nested_flat);
  STATIC_REQUIRE(flat_view_v<stubs> == stubs_flat);
  STATIC_REQUIRE(flat_view_v<top_of_space> == top_flat);
  STATIC_REQUIRE(flat_view_v<alias_chain> == chain_flat);
  STATIC_REQUIRE(flat_view_v<swapped> == swapped_flat);
  STATIC_REQUIRE(flat_view_v<policies> == policies_flat);
  STATIC_REQUIRE(flat_view_v<msix_bar> == msix_flat);
  STATIC_REQUIRE(flat_view_v<pam> == pam_flat);
}

// The PAM tree's two containers tie once their claims meet: `e0000` widened to 32 KiB shows the
// BIOS over [0xe0000, 0xe7fff] and ties with `e4000` (ram) over exactly [0xe4000, 0xe7fff].
TEST_CASE("typed trees: PAM segments routed both ways tie on those bytes only",
          "[property][typed]") {
  auto d = pam_d;
  d[12].size = 0x8000;
  const std::vector<mmiotree::node> nodes = lower::nodes(std::vector(d.begin(), d.end()));
  CHECK(
      mmiotree::check_layout(nodes) ==
      mmiotree::layout_check{mmiotree::layout_error::siblings_overlap, 6, 10, 0xe'4000, 0xe'7fff});
}

TEST_CASE("typed trees: the CXL BAR's projection keeps the component block trapped",
          "[property][typed]") {
  constexpr auto& p64 = mmiotree::projection_v<cxl_bar2, 64_KiB>;
  STATIC_REQUIRE(p64.passthrough.size() == 2);
  STATIC_REQUIRE(p64.passthrough[0] == span_desc{0, comp_block - 1, 3, 0});
  STATIC_REQUIRE(p64.passthrough[1] == span_desc{comp_block + 64_KiB, 4_MiB - 1, 4, 0});
  STATIC_REQUIRE(p64.trapped.size() == 1);
  STATIC_REQUIRE(p64.trapped[0] == span_desc{comp_block, comp_block + 64_KiB - 1, npos, 0});
  constexpr auto& p4 = mmiotree::projection_v<cxl_bar2, 4_KiB>;
  STATIC_REQUIRE(p4.passthrough.size() == 2);
  STATIC_REQUIRE(p4.trapped.size() == 1);
  // The PC example's vram is aliased at 32 KiB granularity: 64 KiB pages trap those windows.
  constexpr auto& pc64 =
      mmiotree::projection_v<qemu_pc, 64_KiB, mmiotree::page_policy::trap_partial_pages>;
  STATIC_REQUIRE(pc64.passthrough.size() == 2);
  STATIC_REQUIRE(pc64.passthrough[0] == span_desc{0xe100'0000, 0xe10f'ffff, 11, 0});
}

TEST_CASE("typed trees: flat view, projection and dispatcher agree with the oracle",
          "[property][typed]") {
  SECTION("CXL Type-2 BAR") { check_tree<cxl_bar2_d>(); }
  SECTION("QEMU A/B/C/D/E") { check_tree<abcde_d>(); }
  SECTION("QEMU PC aliases") { check_tree<pc_d>(); }
  SECTION("QEMU PC: ram and pci unmapped, seen through aliases") { check_tree<pc_unmapped_d>(); }
  SECTION("nested negative priorities") { check_tree<nested_d>(); }
  SECTION("stubs") { check_tree<stubs_d>(); }
  SECTION("root ending at 2^64 - 1") { check_tree<top_d>(); }
  SECTION("aliases of aliases") { check_tree<chain_d>(); }
  SECTION("one passthrough through two swapped aliases") { check_tree<swapped_d>(); }
  SECTION("access policies side by side") { check_tree<policies_d>(); }
  SECTION("MSI-X table and PBA over a mmapped BAR") { check_tree<msix_d>(); }
  SECTION("PAM segments: equal-priority containers interleaved") { check_tree<pam_d>(); }
}
