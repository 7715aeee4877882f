// Property test on a fixed set of typed trees: each flat view is checked at compile time
// against one written out by hand, then against the oracle (flat_checks.hpp), and the
// dispatcher (address_space<Tree>) against oracle::expect_access at every boundary, with every
// leaf bound to host memory or a handler that says who was reached and at which offset.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "flat_checks.hpp"
#include "harness.hpp"
#include "oracle.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

// 1. The CXL Type-2 component-register BAR of examples/cxl_type2_bar.cpp.
//    Nodes: 0 bar2, 1 region, 2 bar-ops, 3 mmap0, 4 mmap1, 5 comp_regs.
constexpr addr_t comp_block = 1_MiB;
constexpr addr_t cachemem = comp_block + 0x1000;
using vfio_bar2 =
    container<"region", 4_MiB,                          //
              at<0, io<"bar-ops", 4_MiB>, -1>,          //
              at<0, passthrough<"mmap0", comp_block>>,  //
              at<comp_block + 64_KiB, passthrough<"mmap1", 4_MiB - comp_block - 64_KiB>>>;
using cxl_bar2 =
    container<"bar2", 4_MiB,  //
              at<0, vfio_bar2>, at<cachemem, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>>;

constexpr std::array cxl_flat{
    flat_range{0, comp_block - 1, 3, 0},
    flat_range{comp_block, cachemem - 1, 2, comp_block},
    flat_range{cachemem, cachemem + 4_KiB - 1, 5, 0},
    flat_range{cachemem + 4_KiB, comp_block + 64_KiB - 1, 2, cachemem + 4_KiB},
    flat_range{comp_block + 64_KiB, 4_MiB - 1, 4, 0},
};

// 2. QEMU docs/devel/memory.rst, "Overlapping regions and priority": container A holds C (MMIO,
//    priority 1) and container B (priority 2) with D and E; B's holes show C through.
//    Nodes: 0 A, 1 C, 2 B, 3 D, 4 E.
using qemu_abcde = container<"A", 0x8000,                                   //
                             at<0, io<"C", 0x6000>, 1>,                     //
                             at<0x2000,                                     //
                                container<"B", 0x4000,                      //
                                          at<0, passthrough<"D", 0x1000>>,  //
                                          at<0x2000, io<"E", 0x1000>>>,
                                2>>;
constexpr std::array abcde_flat{
    flat_range{0x0000, 0x1fff, 1, 0x0000},  // C
    flat_range{0x2000, 0x2fff, 3, 0x0000},  // D
    flat_range{0x3000, 0x3fff, 1, 0x3000},  // C through B's hole
    flat_range{0x4000, 0x4fff, 4, 0x0000},  // E
    flat_range{0x5000, 0x5fff, 1, 0x5000},  // C
};                                          // 0x6000-0x7fff: nothing

// 3. memory.rst's PC example: aliases of a RAM region and of the PCI container with target
//    offsets; VGA's window shows the ram through the vga-area's hole; an alias of that alias.
//    The PCI space and the RAM live inside the tree (far up) so aliases can reach them.
//    Nodes: 0 system, 1 lomem, 2 himem, 3 vga-window, 4 pci-hole, 5 vga-mirror, 6 ram,
//           7 pci, 8 vga-area, 9 lo, 10 hi, 11 vram, 12 vga-mmio.
constexpr addr_t pci_at = 0x8000'0000'0000;
constexpr addr_t ram_at = 0x4000'0000'0000;
using qemu_pc = container<
    "system", 0x1'0000'0000'0000,                                            //
    at<0, alias<"lomem", 0xe000'0000, "ram", 0>>,                            //
    at<0x1'0000'0000, alias<"himem", 0x2000'0000, "ram", 0xe000'0000>>,      //
    at<0xa'0000, alias<"vga-window", 0x2'0000, "pci", 0xa'0000>, 1>,         //
    at<0xe000'0000, alias<"pci-hole", 0x2000'0000, "pci", 0xe000'0000>>,     //
    at<0x2'0000'0000, alias<"vga-mirror", 0x1'0000, "vga-window", 0x8000>>,  //
    at<ram_at, io<"ram", 4_GiB>>,                                            //
    at<pci_at,
       container<"pci", 4_GiB,  //
                 at<0xa'0000, container<"vga-area", 0x2'0000,
                                        at<0, alias<"lo", 0x8000, "pci/vram", 0x1'0000>>,
                                        at<0x8000, alias<"hi", 0x8000, "pci/vram", 0x2'0000>>>>,
                 at<0xe100'0000, passthrough<"vram", 1_MiB>>,  //
                 at<0xe200'0000, io<"vga-mmio", 64_KiB>>>>>;
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

// 4. Nested containers at negative priorities; holes at two levels fall through to "bg".
//    Nodes: 0 nest, 1 bg, 2 n1, 3 x, 4 n2, 5 y, 6 z, 7 w, 8 tail, 9 top.
using nested = container<
    "nest", 0x1000,                          //
    at<0, io<"bg", 0x1000>, -5>,             //
    at<0x100,                                //
       container<"n1", 0x800,                //
                 at<0, io<"x", 0x300>, -1>,  //
                 at<0x200,
                    container<"n2", 0x400,  //
                              at<0x100, passthrough<"y", 0x100>, -3>,
                              at<0, stub<"z", 0x180, stub_response::read_as_zero>, -2>,
                              at<0x300, stub<"w", 0x80, stub_response::read_as_ones>, -7>>,
                    -2>,
                 at<0x700, io<"tail", 0x80>, -9>>,
       -3>,
    at<0xc00, io<"top", 0x100>, -4>>;
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

// 5. Stubs of every response over an io region, one hiding it at a higher priority.
//    Nodes: 0 stubs, 1 dev, 2 raz, 3 rao, 4 gap, 5 err.
constexpr access_policy err_policy{.error_read = 0xA5A5'5A5A'A5A5'5A5A};
using stubs = container<"stubs", 0x4000,                                               //
                        at<0, io<"dev", 0x4000>, -1>,                                  //
                        at<0x1000, stub<"raz", 0x1000, stub_response::read_as_zero>>,  //
                        at<0x2000, stub<"rao", 0x800, stub_response::read_as_ones>>,   //
                        at<0x3000, unassigned<"gap", 0x800>, 1>,                       //
                        at<0x3800, stub<"err", 0x100, stub_response::decode_error, err_policy>>>;
constexpr std::array stubs_flat{
    flat_range{0x0000, 0x0fff, 1, 0x0000}, flat_range{0x1000, 0x1fff, 2, 0x0000},
    flat_range{0x2000, 0x27ff, 3, 0x0000}, flat_range{0x2800, 0x2fff, 1, 0x2800},
    flat_range{0x3000, 0x37ff, 4, 0x0000}, flat_range{0x3800, 0x38ff, 5, 0x0000},
    flat_range{0x3900, 0x3fff, 1, 0x3900},
};

// 6. A root that ends at the top of the 64-bit space (size 2^64 - 1), with leaves flush
//    against its end, a 2^63-byte stub and an alias over it.
//    Nodes: 0 space, 1 low, 2 huge, 3 mirror, 4 hi, 5 top.
constexpr addr_t top_size = ~addr_t{0};
using top_of_space = container<"space", top_size,         //
                               at<0, io<"low", 0x1000>>,  //
                               at<0x4000'0000'0000'0000,
                                  stub<"huge", addr_t{1} << 63,  //
                                       stub_response::read_as_zero>,
                                  -1>,
                               at<0x8000'0000'0000'0000, alias<"mirror", 0x800, "low", 0x800>>,  //
                               at<top_size - 0x2000, passthrough<"hi", 0x1000>>,                 //
                               at<top_size - 0x1000, io<"top", 0x1000>>>;
constexpr std::array top_flat{
    flat_range{0x0, 0xfff, 1, 0x0},
    flat_range{0x4000'0000'0000'0000, 0x7fff'ffff'ffff'ffff, 2, 0x0},
    flat_range{0x8000'0000'0000'0000, 0x8000'0000'0000'07ff, 1, 0x800},
    flat_range{0x8000'0000'0000'0800, 0xbfff'ffff'ffff'ffff, 2, 0x4000'0000'0000'0800},
    flat_range{top_size - 0x2000, top_size - 0x1001, 4, 0x0},
    flat_range{top_size - 0x1000, top_size - 0x1, 5, 0x0},
};

// 7. Aliases of aliases of a container with a target offset, stacked over a passthrough.
//    Nodes: 0 stack, 1 ram, 2 dev, 3 r0, 4 r1, 5 a1, 6 a2.
using alias_chain =
    container<"stack", 0x10000,                        //
              at<0, passthrough<"ram", 0x10000>, -1>,  //
              at<0x1000, container<"dev", 0x2000,      //
                                   at<0x000, io<"r0", 0x800>>, at<0x1000, io<"r1", 0x800>>>>,
              at<0x4000, alias<"a1", 0x1800, "dev", 0x800>>,
              at<0x8000, alias<"a2", 0x1000, "a1", 0x400>, 1>>;
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

// 8. One passthrough region seen through two adjacent aliases in swapped order: two flat
//    ranges of one leaf that touch, but whose host offsets do not run on.
//    Nodes: 0 swap, 1 a, 2 b, 3 mem.
using swapped = container<"swap", 0x8000,                            //
                          at<0, alias<"a", 0x1000, "mem", 0x2000>>,  //
                          at<0x1000, alias<"b", 0x1000, "mem", 0>>,  //
                          at<0x4000, passthrough<"mem", 0x4000>>>;
constexpr std::array swapped_flat{
    flat_range{0x0000, 0x0fff, 3, 0x2000},
    flat_range{0x1000, 0x1fff, 3, 0x0000},
    flat_range{0x4000, 0x7fff, 3, 0x0000},
};

template <class Tree>
std::vector<flat_range> as_vector() {
  return {flat_view_v<Tree>.begin(), flat_view_v<Tree>.end()};
}

/// The flat view and projections against the oracle, then every access near every boundary
/// through the dispatcher against oracle::expect_access.
template <class Tree>
void check_tree() {
  constexpr auto& nodes = nodes_v<Tree>;
  const std::vector<flat_range> view = as_vector<Tree>();
  std::size_t count = 0;
  const std::string f = checks::flat_view_matches_oracle(nodes, view, count);
  INFO(f);
  REQUIRE(f.empty());
  for (const addr_t page : {4_KiB, 16_KiB, 64_KiB}) {
    const std::string p = checks::projection_is_sound(nodes, view, page, count);
    INFO(p);
    REQUIRE(p.empty());
  }

  harness::rig<Tree> rig;
  const addr_t root_last = nodes[0].size - 1;
  std::vector<addr_t> where;
  for (const addr_t b : oracle::probes(nodes))
    for (int d = -8; d <= 8; ++d) where.push_back(b + static_cast<addr_t>(d));  // may wrap
  for (const addr_t extra : {root_last, root_last + 1, ~addr_t{0}, ~addr_t{0} - 3})
    where.push_back(extra);
  std::size_t accesses = 0;
  for (const addr_t a : where) {
    for (const unsigned size : {1U, 2U, 3U, 4U, 8U, 16U}) {
      const std::string r = rig.check(a, size, false, 0);
      INFO(r);
      REQUIRE(r.empty());
      const std::uint64_t v = harness::mix(a * 31 + size) | 0x8080'8080'8080'8080;
      const std::string w = rig.check(a, size, true, v);
      INFO(w);
      REQUIRE(w.empty());
      accesses += 2;
    }
    const oracle::hit h = oracle::at(nodes, a);
    REQUIRE(rig.space().leaf_at(a) == h.leaf);
  }
  CHECK(rig.memory_matches());
  CHECK(rig.violations() == 0);
  CHECK(accesses > 0);
}

}  // namespace

TEST_CASE("typed trees: flat views written out by hand", "[property][typed]") {
  STATIC_REQUIRE(flat_view_v<cxl_bar2> == cxl_flat);
  STATIC_REQUIRE(flat_view_v<qemu_abcde> == abcde_flat);
  STATIC_REQUIRE(flat_view_v<qemu_pc> == pc_flat);
  STATIC_REQUIRE(flat_view_v<nested> == nested_flat);
  STATIC_REQUIRE(flat_view_v<stubs> == stubs_flat);
  STATIC_REQUIRE(flat_view_v<top_of_space> == top_flat);
  STATIC_REQUIRE(flat_view_v<alias_chain> == chain_flat);
  STATIC_REQUIRE(flat_view_v<swapped> == swapped_flat);
}

TEST_CASE("typed trees: the CXL BAR's projection keeps the component block trapped",
          "[property][typed]") {
  constexpr auto& p64 = projection_v<cxl_bar2, 64_KiB>;
  STATIC_REQUIRE(p64.passthrough.size() == 2);
  STATIC_REQUIRE(p64.passthrough[0] == span_desc{0, comp_block - 1, 3, 0});
  STATIC_REQUIRE(p64.passthrough[1] == span_desc{comp_block + 64_KiB, 4_MiB - 1, 4, 0});
  STATIC_REQUIRE(p64.trapped.size() == 1);
  STATIC_REQUIRE(p64.trapped[0] == span_desc{comp_block, comp_block + 64_KiB - 1, npos, 0});
  constexpr auto& p4 = projection_v<cxl_bar2, 4_KiB>;
  STATIC_REQUIRE(p4.passthrough.size() == 2);
  STATIC_REQUIRE(p4.trapped.size() == 1);
  // The PC example's vram is aliased at 32 KiB granularity: 64 KiB pages trap those windows.
  constexpr auto& pc64 = projection_v<qemu_pc, 64_KiB, page_policy::trap_partial_pages>;
  STATIC_REQUIRE(pc64.passthrough.size() == 2);
  STATIC_REQUIRE(pc64.passthrough[0] == span_desc{0xe100'0000, 0xe10f'ffff, 11, 0});
}

TEST_CASE("typed trees: flat view, projection and dispatcher agree with the oracle",
          "[property][typed]") {
  SECTION("CXL Type-2 BAR") { check_tree<cxl_bar2>(); }
  SECTION("QEMU A/B/C/D/E") { check_tree<qemu_abcde>(); }
  SECTION("QEMU PC aliases") { check_tree<qemu_pc>(); }
  SECTION("nested negative priorities") { check_tree<nested>(); }
  SECTION("stubs") { check_tree<stubs>(); }
  SECTION("root ending at 2^64 - 1") { check_tree<top_of_space>(); }
  SECTION("aliases of aliases") { check_tree<alias_chain>(); }
  SECTION("one passthrough through two swapped aliases") { check_tree<swapped>(); }
}
