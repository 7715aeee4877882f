#include <mmiotree/format/mtree.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstddef>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using region2 =
    container<"region", 4_MiB, at<0, io<"bar-ops", 4_MiB>, -1>, at<0, passthrough<"mmap0", 1_MiB>>,
              at<1_MiB + 64_KiB, passthrough<"mmap1", 4_MiB - 1_MiB - 64_KiB>>>;
using bar2 = container<"bar2", 4_MiB, at<0, region2>,
                       at<1_MiB + 0x1000, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>,
                       at<3_MiB, alias<"peek", 4_KiB, "region/mmap0", 0x2000>, 2>>;
}  // namespace

TEST_CASE("info mtree style", "[format]") {
  // Children in QEMU's order (mtree_print_mr): by address, the higher priority first at one
  // address — mmap0 before bar-ops, though declared after it.
  CHECK(mtree_text<bar2>(0x8000'0000) ==
        "0000000080000000-00000000803fffff (prio 0, container): bar2\n"
        "  0000000080000000-00000000803fffff (prio 0, container): region\n"
        "    0000000080000000-00000000800fffff (prio 0, passthrough): mmap0\n"
        "    0000000080000000-00000000803fffff (prio -1, io): bar-ops\n"
        "    0000000080110000-00000000803fffff (prio 0, passthrough): mmap1\n"
        "  0000000080101000-0000000080101fff (prio 1, io): comp_regs\n"
        "  0000000080300000-0000000080300fff (prio 2, alias): peek @region/mmap0 "
        "0000000000002000-0000000000002fff\n");
}

TEST_CASE("info mtree -f style", "[format]") {
  CHECK(flat_view_text<bar2>() ==
        "FlatView of bar2 (7 ranges)\n"
        "  0000000000000000-00000000000fffff (prio 0, passthrough): region/mmap0\n"
        "  0000000000100000-0000000000100fff (prio -1, io): region/bar-ops @0000000000100000\n"
        "  0000000000101000-0000000000101fff (prio 1, io): comp_regs\n"
        "  0000000000102000-000000000010ffff (prio -1, io): region/bar-ops @0000000000102000\n"
        "  0000000000110000-00000000002fffff (prio 0, passthrough): region/mmap1\n"
        "  0000000000300000-0000000000300fff (prio 0, passthrough): region/mmap0 "
        "@0000000000002000\n"
        "  0000000000301000-00000000003fffff (prio 0, passthrough): region/mmap1 "
        "@00000000001f1000\n");
}

TEST_CASE("projection listing", "[format]") {
  CHECK(projection_text<bar2, 4_KiB>() ==
        "Projection of bar2 for 4 KiB host pages: 4 mmap, 1 trap\n"
        "  mmap 0000000000000000-00000000000fffff (0x100000 bytes): region/mmap0 "
        "@0000000000000000\n"
        "  trap 0000000000100000-000000000010ffff (0x10000 bytes)\n"
        "  mmap 0000000000110000-00000000002fffff (0x1f0000 bytes): region/mmap1 "
        "@0000000000000000\n"
        "  mmap 0000000000300000-0000000000300fff (0x1000 bytes): region/mmap0 "
        "@0000000000002000\n"
        "  mmap 0000000000301000-00000000003fffff (0xff000 bytes): region/mmap1 "
        "@00000000001f1000\n");
}

namespace {
// Every stub response, an alias inside a container seen again through an alias of that
// container, and an alias whose target is itself an alias (shifted, so it starts inside the
// nested alias and ends on a hole that falls through to a lower-priority sibling).
// clang-format off
using periph = container<"periph", 0x8000,
    at<0x0000, io<"uart", 0x1000>>,
    at<0x1000, alias<"uart_hi", 0x800, "periph/uart", 0x800>>,  // 0x1800-0x1fff: a hole
    at<0x2000, stub<"zeros", 0x800, stub_response::read_as_zero>>,
    at<0x2800, stub<"ones", 0x800, stub_response::read_as_ones>>,
    at<0x3000, passthrough<"sram", 0x2000>>,
    at<0x5000, unassigned<"dead", 0x800>>>;                     // 0x5800-0x7fff: a hole
using soc = container<"soc", 0x20000,
    at<0x00000, passthrough<"ram", 0x4000>>,                    // 0x4000-0x7fff: a hole
    at<0x08000, periph>,
    at<0x10000, alias<"periph_view", 0x8000, "periph">>,
    at<0x18000, alias<"view_of_view", 0x4000, "periph_view", 0x1000>>,
    at<0x18000, io<"under", 0x8000>, -1>>;
// clang-format on
}  // namespace

// Pre-order, each node at its own absolute address; an alias shows its target's path and the
// window it takes of it, not the target's subtree.
TEST_CASE("info mtree style: stubs and nested aliases", "[format]") {
  CHECK(mtree_text<soc>(0x4000'0000) ==
        "0000000040000000-000000004001ffff (prio 0, container): soc\n"
        "  0000000040000000-0000000040003fff (prio 0, passthrough): ram\n"
        "  0000000040008000-000000004000ffff (prio 0, container): periph\n"
        "    0000000040008000-0000000040008fff (prio 0, io): uart\n"
        "    0000000040009000-00000000400097ff (prio 0, alias): uart_hi @periph/uart "
        "0000000000000800-0000000000000fff\n"
        "    000000004000a000-000000004000a7ff (prio 0, stub): zeros\n"
        "    000000004000a800-000000004000afff (prio 0, stub): ones\n"
        "    000000004000b000-000000004000cfff (prio 0, passthrough): sram\n"
        "    000000004000d000-000000004000d7ff (prio 0, stub): dead\n"
        "  0000000040010000-0000000040017fff (prio 0, alias): periph_view @periph "
        "0000000000000000-0000000000007fff\n"
        "  0000000040018000-000000004001bfff (prio 0, alias): view_of_view @periph_view "
        "0000000000001000-0000000000004fff\n"
        "  0000000040018000-000000004001ffff (prio -1, io): under\n");
}

// periph at 0x8000 and again through periph_view at 0x10000: uart, then uart's upper half
// through uart_hi (offset 0x800, not merged: not contiguous in uart), a hole, the three stubs
// and sram between them. view_of_view at 0x18000 takes periph_view from 0x1000: uart_hi
// (uart @0x800), then periph's hole at 0x1800, where "under" shows (@0x800), zeros, ones,
// sram; past its end "under" again (@0x4000). Decode-error stubs claim their bytes (they hide
// what is below); holes are absent.
TEST_CASE("info mtree -f style: stubs and nested aliases", "[format]") {
  CHECK(flat_view_text<soc>(0x4000'0000) ==
        "FlatView of soc (19 ranges)\n"
        "  0000000040000000-0000000040003fff (prio 0, passthrough): ram\n"
        "  0000000040008000-0000000040008fff (prio 0, io): periph/uart\n"
        "  0000000040009000-00000000400097ff (prio 0, io): periph/uart @0000000000000800\n"
        "  000000004000a000-000000004000a7ff (prio 0, stub): periph/zeros\n"
        "  000000004000a800-000000004000afff (prio 0, stub): periph/ones\n"
        "  000000004000b000-000000004000cfff (prio 0, passthrough): periph/sram\n"
        "  000000004000d000-000000004000d7ff (prio 0, stub): periph/dead\n"
        "  0000000040010000-0000000040010fff (prio 0, io): periph/uart\n"
        "  0000000040011000-00000000400117ff (prio 0, io): periph/uart @0000000000000800\n"
        "  0000000040012000-00000000400127ff (prio 0, stub): periph/zeros\n"
        "  0000000040012800-0000000040012fff (prio 0, stub): periph/ones\n"
        "  0000000040013000-0000000040014fff (prio 0, passthrough): periph/sram\n"
        "  0000000040015000-00000000400157ff (prio 0, stub): periph/dead\n"
        "  0000000040018000-00000000400187ff (prio 0, io): periph/uart @0000000000000800\n"
        "  0000000040018800-0000000040018fff (prio -1, io): under @0000000000000800\n"
        "  0000000040019000-00000000400197ff (prio 0, stub): periph/zeros\n"
        "  0000000040019800-0000000040019fff (prio 0, stub): periph/ones\n"
        "  000000004001a000-000000004001bfff (prio 0, passthrough): periph/sram\n"
        "  000000004001c000-000000004001ffff (prio -1, io): under @0000000000004000\n");
}

// sram maps three times (once directly, twice through aliases), ram once; the rest traps,
// stubs and holes included. With 16 KiB pages no sram occurrence holds a whole page.
TEST_CASE("projection listing: stubs and nested aliases", "[format]") {
  CHECK(projection_text<soc, 4_KiB>() ==
        "Projection of soc for 4 KiB host pages: 4 mmap, 4 trap\n"
        "  mmap 0000000000000000-0000000000003fff (0x4000 bytes): ram @0000000000000000\n"
        "  trap 0000000000004000-000000000000afff (0x7000 bytes)\n"
        "  mmap 000000000000b000-000000000000cfff (0x2000 bytes): periph/sram "
        "@0000000000000000\n"
        "  trap 000000000000d000-0000000000012fff (0x6000 bytes)\n"
        "  mmap 0000000000013000-0000000000014fff (0x2000 bytes): periph/sram "
        "@0000000000000000\n"
        "  trap 0000000000015000-0000000000019fff (0x5000 bytes)\n"
        "  mmap 000000000001a000-000000000001bfff (0x2000 bytes): periph/sram "
        "@0000000000000000\n"
        "  trap 000000000001c000-000000000001ffff (0x4000 bytes)\n");
  CHECK(projection_text<soc, 16_KiB, page_policy::trap_partial_pages>() ==
        "Projection of soc for 16 KiB host pages: 1 mmap, 1 trap\n"
        "  mmap 0000000000000000-0000000000003fff (0x4000 bytes): ram @0000000000000000\n"
        "  trap 0000000000004000-000000000001ffff (0x1c000 bytes)\n");
}

TEST_CASE("enums format by name", "[format]") {
  CHECK(fmt::format("{} {}", region_kind::passthrough, access_status::decode_error) ==
        "passthrough decode_error");
}

// ---- Slots: the tree as declared, and the live map of a running space ----------------------
namespace {
using nic_bar =
    container<"bar", 16_KiB, at<0, io<"regs", 4_KiB>>, at<8_KiB, passthrough<"msix", 4_KiB>>>;
// clang-format off
using machine = container<"m", 4_GiB,
    at<0, passthrough<"ram", 1_MiB>>,
    at<3_GiB, container<"pci", 1_MiB,
        slot<named<nic_bar, "nic0">>,
        slot<named<nic_bar, "nic1">>,
        slot<named<nic_bar, "nic2">>,
        at<0xF2000, io<"bridge", 56_KiB>, 1>>>>;
// clang-format on

struct nop_io {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
}  // namespace

TEST_CASE("info mtree of a tree with slots: a slot is not placed before run time", "[format]") {
  // Not at its window's base (where three unplaced BARs would overlap each other and the
  // window's first bytes): each slot's subtree at offsets relative to the slot, listed after
  // every placed sibling, as declared.
  CHECK(mtree_text<machine>() ==
        "0000000000000000-00000000ffffffff (prio 0, container): m\n"
        "  0000000000000000-00000000000fffff (prio 0, passthrough): ram\n"
        "  00000000c0000000-00000000c00fffff (prio 0, container): pci\n"
        "    00000000c00f2000-00000000c00fffff (prio 1, io): bridge\n"
        "    0000000000000000-0000000000003fff (prio 0, container): nic0 [not placed]\n"
        "      0000000000000000-0000000000000fff (prio 0, io): regs\n"
        "      0000000000002000-0000000000002fff (prio 0, passthrough): msix\n"
        "    0000000000000000-0000000000003fff (prio 0, container): nic1 [not placed]\n"
        "      0000000000000000-0000000000000fff (prio 0, io): regs\n"
        "      0000000000002000-0000000000002fff (prio 0, passthrough): msix\n"
        "    0000000000000000-0000000000003fff (prio 0, container): nic2 [not placed]\n"
        "      0000000000000000-0000000000000fff (prio 0, io): regs\n"
        "      0000000000002000-0000000000002fff (prio 0, passthrough): msix\n");
}

TEST_CASE("info mtree and info mtree -f of a running space", "[format]") {
  address_space<machine> as;
  std::vector<std::byte> ram(1_MiB), msix0(4_KiB), msix1(4_KiB);
  nop_io regs0, bridge;
  REQUIRE(as.bind<"ram">(ram) == bind_status::ok);
  REQUIRE(as.bind<"pci/bridge">(bridge) == bind_status::ok);
  REQUIRE(as.bind<"pci/nic0/regs">(regs0) == bind_status::ok);
  REQUIRE(as.bind<"pci/nic0/msix">(msix0) == bind_status::ok);
  REQUIRE(as.bind<"pci/nic1/msix">(msix1) == bind_status::ok);
  // nic0 placed and decoding; nic1 placed, then decoding turned off (it keeps its base);
  // nic2 never placed. nic1's registers are not bound, nor is anything of nic2.
  REQUIRE(as.transaction()
              .place<"pci/nic0">(3_GiB + 0x10000)
              .place<"pci/nic1">(3_GiB + 0x20000)
              .commit()
              .ok());
  REQUIRE(as.transaction().disable<"pci/nic1">().commit().ok());
  CHECK(mtree_text(as) ==
        "0000000000000000-00000000ffffffff (prio 0, container): m\n"
        "  0000000000000000-00000000000fffff (prio 0, passthrough): ram\n"
        "  00000000c0000000-00000000c00fffff (prio 0, container): pci\n"
        "    00000000c0010000-00000000c0013fff (prio 0, container): nic0\n"
        "      00000000c0010000-00000000c0010fff (prio 0, io): regs\n"
        "      00000000c0012000-00000000c0012fff (prio 0, passthrough): msix\n"
        "    00000000c0020000-00000000c0023fff (prio 0, container): nic1 [disabled]\n"
        "      00000000c0020000-00000000c0020fff (prio 0, io): regs [unbound]\n"
        "      00000000c0022000-00000000c0022fff (prio 0, passthrough): msix\n"
        "    00000000c00f2000-00000000c00fffff (prio 1, io): bridge\n"
        "    0000000000000000-0000000000003fff (prio 0, container): nic2 [not placed]\n"
        "      0000000000000000-0000000000000fff (prio 0, io): regs [unbound]\n"
        "      0000000000002000-0000000000002fff (prio 0, passthrough): msix [unbound]\n");
  // Only what decodes: ram, nic0 (the hole between its regs and msix is no range), the bridge.
  CHECK(flat_view_text(as) ==
        "FlatView of m (4 ranges)\n"
        "  0000000000000000-00000000000fffff (prio 0, passthrough): ram\n"
        "  00000000c0010000-00000000c0010fff (prio 0, io): pci/nic0/regs\n"
        "  00000000c0012000-00000000c0012fff (prio 0, passthrough): pci/nic0/msix\n"
        "  00000000c00f2000-00000000c00fffff (prio 1, io): pci/bridge\n");
  // Decoding back on, and nic2 placed partly under the bridge, which wins (priority 1) over
  // all of nic2's msix; nic0's registers unbound.
  REQUIRE(as.transaction().enable<"pci/nic1">().place<"pci/nic2">(3_GiB + 0xF0000).commit().ok());
  as.unbind<"pci/nic0/regs">();
  CHECK(flat_view_text(as, 0x1'0000'0000) ==
        "FlatView of m (7 ranges)\n"
        "  0000000100000000-00000001000fffff (prio 0, passthrough): ram\n"
        "  00000001c0010000-00000001c0010fff (prio 0, io): pci/nic0/regs [unbound]\n"
        "  00000001c0012000-00000001c0012fff (prio 0, passthrough): pci/nic0/msix\n"
        "  00000001c0020000-00000001c0020fff (prio 0, io): pci/nic1/regs [unbound]\n"
        "  00000001c0022000-00000001c0022fff (prio 0, passthrough): pci/nic1/msix\n"
        "  00000001c00f0000-00000001c00f0fff (prio 0, io): pci/nic2/regs [unbound]\n"
        "  00000001c00f2000-00000001c00fffff (prio 1, io): pci/bridge\n");
  // Placed, nic2 takes its place by address among its siblings: before the bridge, which it
  // overlaps (QEMU lists the lower address first whatever the priorities).
  CHECK(mtree_text(as) ==
        "0000000000000000-00000000ffffffff (prio 0, container): m\n"
        "  0000000000000000-00000000000fffff (prio 0, passthrough): ram\n"
        "  00000000c0000000-00000000c00fffff (prio 0, container): pci\n"
        "    00000000c0010000-00000000c0013fff (prio 0, container): nic0\n"
        "      00000000c0010000-00000000c0010fff (prio 0, io): regs [unbound]\n"
        "      00000000c0012000-00000000c0012fff (prio 0, passthrough): msix\n"
        "    00000000c0020000-00000000c0023fff (prio 0, container): nic1\n"
        "      00000000c0020000-00000000c0020fff (prio 0, io): regs [unbound]\n"
        "      00000000c0022000-00000000c0022fff (prio 0, passthrough): msix\n"
        "    00000000c00f0000-00000000c00f3fff (prio 0, container): nic2\n"
        "      00000000c00f0000-00000000c00f0fff (prio 0, io): regs [unbound]\n"
        "      00000000c00f2000-00000000c00f2fff (prio 0, passthrough): msix [unbound]\n"
        "    00000000c00f2000-00000000c00fffff (prio 1, io): bridge\n");
}

TEST_CASE("info mtree lists children by address, then the higher priority first", "[format]") {
  // Declared in no order: at 0x200 three leaves of priorities -1, 2 and 3; "b" above "a" at
  // one priority; a container at 0x100 declared last, its children out of order.
  using t = container<
      "t", 0x1000, at<0x200, io<"low", 0x100>, -1>, at<0x800, io<"top", 0x10>>,
      at<0x210, io<"b", 0x10>, 2>, at<0x200, io<"high", 0x100>, 3>, at<0x200, io<"a", 0x10>, 2>,
      at<0x100, container<"c", 0x100, at<0x80, io<"c2", 0x10>>, at<0x10, io<"c1", 0x10>>>>>;
  CHECK(mtree_text<t>() ==
        "0000000000000000-0000000000000fff (prio 0, container): t\n"
        "  0000000000000100-00000000000001ff (prio 0, container): c\n"
        "    0000000000000110-000000000000011f (prio 0, io): c1\n"
        "    0000000000000180-000000000000018f (prio 0, io): c2\n"
        "  0000000000000200-00000000000002ff (prio 3, io): high\n"
        "  0000000000000200-000000000000020f (prio 2, io): a\n"
        "  0000000000000200-00000000000002ff (prio -1, io): low\n"
        "  0000000000000210-000000000000021f (prio 2, io): b\n"
        "  0000000000000800-000000000000080f (prio 0, io): top\n");
}
