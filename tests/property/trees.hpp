// tests/property/trees.hpp: fixed trees, each written once as a plain description (model.hpp):
// the CXL Type-2 BAR, QEMU's documented examples, priorities and holes falling through several
// levels, stubs, the top of the 64-bit space, aliases of aliases, access policies side by side
// and an MSI-X table over a mmapped BAR. The property test (test_typed_trees.cpp) checks each
// flat view against one written out by hand and every access near every boundary; the dispatch
// fuzz target (tests/fuzz/fuzz_dispatch.cpp) sends it arbitrary accesses.
#pragma once

#include <mmiotree/core/units.hpp>

#include <array>

#include "model.hpp"

namespace trees {

using namespace mmiotree::literals;
using model::answer;
using model::kind;
using namespace model::build;

// 1. The CXL Type-2 component-register BAR of examples/cxl_type2_bar.cpp.
constexpr model::addr comp_block = 1_MiB;
constexpr model::addr cachemem = comp_block + 0x1000;
constexpr std::array cxl_bar2_d{
    container("bar2", 4_MiB),                               // 0
    container("region", 4_MiB, 0, 0, 0),                    // 1
    leaf(kind::io, "bar-ops", 4_MiB, 0, -1, 1),             // 2
    leaf(kind::passthrough, "mmap0", comp_block, 0, 0, 1),  // 3
    leaf(kind::passthrough, "mmap1", 4_MiB - comp_block - 64_KiB, comp_block + 64_KiB, 0, 1),
    leaf(kind::io, "comp_regs", 4_KiB, cachemem, 1, 0, exactly(4)),  // 5
};
// 2. QEMU docs/devel/memory.rst, "Overlapping regions and priority": container A holds C (MMIO,
//    priority 1) and container B (priority 2) with D and E; B's holes show C through.
constexpr std::array abcde_d{
    container("A", 0x8000),                         // 0
    leaf(kind::io, "C", 0x6000, 0, 1, 0),           // 1
    container("B", 0x4000, 0x2000, 2, 0),           // 2
    leaf(kind::passthrough, "D", 0x1000, 0, 0, 2),  // 3
    leaf(kind::io, "E", 0x1000, 0x2000, 0, 2),      // 4
};
// 3. memory.rst's PC example: aliases of a RAM region and of the PCI container with target
//    offsets; VGA's window shows the ram through the vga-area's hole; an alias of that alias.
//    The PCI space and the RAM live inside the tree (far up) so aliases can reach them.
constexpr model::addr pci_at = 0x8000'0000'0000;
constexpr model::addr ram_at = 0x4000'0000'0000;
constexpr std::array pc_d{
    container("system", 0x1'0000'0000'0000),                                   // 0
    alias("lomem", 0xe000'0000, 0, 0, 0, "ram", 0),                            // 1
    alias("himem", 0x2000'0000, 0x1'0000'0000, 0, 0, "ram", 0xe000'0000),      // 2
    alias("vga-window", 0x2'0000, 0xa'0000, 1, 0, "pci", 0xa'0000),            // 3
    alias("pci-hole", 0x2000'0000, 0xe000'0000, 0, 0, "pci", 0xe000'0000),     // 4
    alias("vga-mirror", 0x1'0000, 0x2'0000'0000, 0, 0, "vga-window", 0x8000),  // 5
    leaf(kind::io, "ram", 4_GiB, ram_at, 0, 0),                                // 6
    container("pci", 4_GiB, pci_at, 0, 0),                                     // 7
    container("vga-area", 0x2'0000, 0xa'0000, 0, 7),                           // 8
    alias("lo", 0x8000, 0, 0, 8, "pci/vram", 0x1'0000),                        // 9
    alias("hi", 0x8000, 0x8000, 0, 8, "pci/vram", 0x2'0000),                   // 10
    leaf(kind::passthrough, "vram", 1_MiB, 0xe100'0000, 0, 7),                 // 11
    leaf(kind::io, "vga-mmio", 64_KiB, 0xe200'0000, 0, 7),                     // 12
};
// 4. Nested containers at negative priorities; holes at two levels fall through to "bg".
constexpr std::array nested_d{
    container("nest", 0x1000),                          // 0
    leaf(kind::io, "bg", 0x1000, 0, -5, 0),             // 1
    container("n1", 0x800, 0x100, -3, 0),               // 2
    leaf(kind::io, "x", 0x300, 0, -1, 2),               // 3
    container("n2", 0x400, 0x200, -2, 2),               // 4
    leaf(kind::passthrough, "y", 0x100, 0x100, -3, 4),  // 5
    stub("z", 0x180, 0, -2, 4, answer::zeros),          // 6
    stub("w", 0x80, 0x300, -7, 4, answer::ones),        // 7
    leaf(kind::io, "tail", 0x80, 0x700, -9, 2),         // 8
    leaf(kind::io, "top", 0x100, 0xc00, -4, 0),         // 9
};
// 5. Stubs of every response over an io region, one hiding it at a higher priority.
constexpr model::policy err_policy{.error_read = 0xA5A5'5A5A'A5A5'5A5A};
constexpr std::array stubs_d{
    container("stubs", 0x4000),                                          // 0
    leaf(kind::io, "dev", 0x4000, 0, -1, 0),                             // 1
    stub("raz", 0x1000, 0x1000, 0, 0, answer::zeros),                    // 2
    stub("rao", 0x800, 0x2000, 0, 0, answer::ones),                      // 3
    stub("gap", 0x800, 0x3000, 1, 0, answer::decode_error),              // 4
    stub("err", 0x100, 0x3800, 0, 0, answer::decode_error, err_policy),  // 5
};
// 6. A root that ends at the top of the 64-bit space (size 2^64 - 1), with leaves flush
//    against its end, a 2^63-byte stub and an alias over it.
constexpr model::addr top_size = ~model::addr{0};
constexpr std::array top_d{
    container("space", top_size),                                                     // 0
    leaf(kind::io, "low", 0x1000, 0, 0, 0),                                           // 1
    stub("huge", model::addr{1} << 63, 0x4000'0000'0000'0000, -1, 0, answer::zeros),  // 2
    alias("mirror", 0x800, 0x8000'0000'0000'0000, 0, 0, "low", 0x800),                // 3
    leaf(kind::passthrough, "hi", 0x1000, top_size - 0x2000, 0, 0),                   // 4
    leaf(kind::io, "top", 0x1000, top_size - 0x1000, 0, 0),                           // 5
};
// 7. Aliases of aliases of a container with a target offset, stacked over a passthrough.
constexpr std::array chain_d{
    container("stack", 0x10000),                        // 0
    leaf(kind::passthrough, "ram", 0x10000, 0, -1, 0),  // 1
    container("dev", 0x2000, 0x1000, 0, 0),             // 2
    leaf(kind::io, "r0", 0x800, 0x000, 0, 2),           // 3
    leaf(kind::io, "r1", 0x800, 0x1000, 0, 2),          // 4
    alias("a1", 0x1800, 0x4000, 0, 0, "dev", 0x800),    // 5
    alias("a2", 0x1000, 0x8000, 1, 0, "a1", 0x400),     // 6
};
// 8. One passthrough region seen through two adjacent aliases in swapped order: two flat
//    ranges of one leaf that touch, but whose host offsets do not run on.
constexpr std::array swapped_d{
    container("swap", 0x8000),                             // 0
    alias("a", 0x1000, 0, 0, 0, "mem", 0x2000),            // 1
    alias("b", 0x1000, 0x1000, 0, 0, "mem", 0),            // 2
    leaf(kind::passthrough, "mem", 0x4000, 0x4000, 0, 0),  // 3
};
// 9. Access policies side by side, so that straddling accesses cross between them: widening,
//    splitting, big-endian handlers, valid-size sets, straddle rejection, units that would run
//    past a leaf's end, a passthrough leaf with implementation sizes, and a keep_separate
//    passthrough seen through two aliases whose offsets run on (two flat ranges, not one).
constexpr model::policy adjusted4{
    .impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4, .reject_straddle = true};
constexpr model::policy two_to_four{.impl_min = 2, .impl_max = 4};
constexpr model::policy big{.big_endian = true};
constexpr model::policy big4{.impl_min = 4, .impl_max = 4, .big_endian = true};
constexpr model::policy only4{.sizes = 0x4, .impl_min = 4, .impl_max = 4};
constexpr model::policy pt2{.impl_min = 2, .impl_max = 2};
constexpr model::policy split2{.impl_max = 2, .error_read = 0x1234};
constexpr model::policy wide_edge{.impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4};
constexpr std::array policies_d{
    container("pol", 0x4000),                                   // 0
    leaf(kind::io, "w4", 0x100, 0x000, 0, 0, adjusted4),        // 1
    leaf(kind::io, "w2to4", 0x100, 0x100, 0, 0, two_to_four),   // 2
    leaf(kind::io, "be", 0x100, 0x200, 0, 0, big),              // 3
    leaf(kind::io, "be4", 0x100, 0x300, 0, 0, big4),            // 4
    leaf(kind::io, "only4", 0x100, 0x400, 0, 0, only4),         // 5
    leaf(kind::passthrough, "pt", 0x100, 0x500, 0, 0, pt2),     // 6
    leaf(kind::io, "split2", 0x100, 0x600, 0, 0, split2),       // 7
    leaf(kind::io, "edge", 0x6, 0x800, 0, 0, wide_edge),        // 8
    stub("raz", 0x10, 0x810, 0, 0, answer::zeros, exactly(4)),  // 9
    alias("k1", 0x100, 0x1000, 0, 0, "ks", 0x0),                // 10
    alias("k2", 0x100, 0x1100, 0, 0, "ks", 0x100),              // 11
    separate("ks", 0x2000, 0x2000, 0, 0),                       // 12
};

// 10. VFIO's view of a BAR with an MSI-X capability: the BAR mmapped whole, the MSI-X table and
//     the PBA trapped over it at priority 1 (the vector control words must reach the VMM);
//     accesses of 4 or 8 bytes, aligned, no straddling.
constexpr model::policy msix_policy{.sizes = 0x0C,
                                    .impl_min = 4,
                                    .impl_max = 8,
                                    .unaligned = false,
                                    .align = 8,
                                    .reject_straddle = true};
constexpr std::array msix_d{
    container("bar0", 16_KiB),                                       // 0
    leaf(kind::passthrough, "mmap", 16_KiB, 0, 0, 0),                // 1
    leaf(kind::io, "msix-table", 0x800, 0x2000, 1, 0, msix_policy),  // 2
    leaf(kind::io, "msix-pba", 0x10, 0x3000, 1, 0, msix_policy),     // 3
};

// 11. The PC map of 3 as QEMU builds it: `ram` and `pci` are mapped nowhere (unmapped<R>) and
//     seen only through aliases, written relative to the alias ("./ram", "../vram"). `pci` is
//     larger than the system map (1 TiB; QEMU's is 2^64): nothing bounds an unmapped region.
//     Holes of the PCI windows fall through to `unassigned`, a read-as-ones stub over the whole
//     map at priority -1; a 64-bit BAR shows through `pci-hole64`. (`ram` is an io leaf so that
//     the test's rig does not allocate 4.5 GiB for it.)
constexpr std::array pc_unmapped_d{
    container("system", 0x10'0000'0000),                                              // 0
    unmapped(leaf(kind::io, "ram", 0x1'2000'0000, 0, 0, 0)),                          // 1
    unmapped(container("pci", 0x100'0000'0000, 0, 0, 0)),                             // 2
    container("vga-area", 0x2'0000, 0xa'0000, 0, 2),                                  // 3
    alias("lo", 0x8000, 0, 0, 3, "../vram", 0x1'0000),                                // 4
    alias("hi", 0x8000, 0x8000, 0, 3, "../vram", 0x2'0000),                           // 5
    leaf(kind::passthrough, "vram", 1_MiB, 0xe100'0000, 0, 2),                        // 6
    leaf(kind::io, "vga-mmio", 64_KiB, 0xe200'0000, 0, 2),                            // 7
    leaf(kind::io, "bar-hi", 1_MiB, 0x8'0010'0000, 0, 2),                             // 8
    alias("lomem", 0xe000'0000, 0, 0, 0, "./ram", 0),                                 // 9
    alias("himem", 0x4000'0000, 0x1'0000'0000, 0, 0, "./ram", 0xe000'0000),           // 10
    alias("vga-window", 0x2'0000, 0xa'0000, 1, 0, "./pci", 0xa'0000),                 // 11
    alias("pci-hole", 0x2000'0000, 0xe000'0000, 0, 0, "pci", 0xe000'0000),            // 12
    alias("pci-hole64", 0x8'0000'0000, 0x8'0000'0000, 0, 0, "./pci", 0x8'0000'0000),  // 13
    stub("unassigned", 0x10'0000'0000, 0, -1, 0, answer::ones),                       // 14
};

// 12. The PC's PAM segments (QEMU's i440FX/Q35: each 16 KiB segment of [0xc0000, 0x100000)
//     reads from RAM or from PCI, the BIOS ROM) as two equal-priority containers over the same
//     256 KiB whose aliases interleave: `pam-ram` routes three segments to ram, `pam-pci` three
//     to pci. They tie on no byte (the tie rule judges claimed bytes: the range rule refused
//     this), so either order gives this view; `c4000` shows a hole of pci, and the hole falls
//     through both containers to `lomem`. The PCI window shows the IOAPIC; everything else falls
//     to a read-as-ones stub.
constexpr std::array pam_d{
    container("system", 0x1'0000'0000),                                       // 0
    unmapped(leaf(kind::io, "ram", 0x8000'0000, 0, 0, 0)),                    // 1
    unmapped(container("pci", 0x1'0000'0000, 0, 0, 0)),                       // 2
    leaf(kind::passthrough, "bios", 128_KiB, 0xe'0000, 0, 2),                 // 3
    leaf(kind::io, "ioapic", 4_KiB, 0xfec0'0000, 0, 2),                       // 4
    alias("lomem", 0x8000'0000, 0, 0, 0, "./ram", 0),                         // 5
    container("pam-ram", 0x4'0000, 0xc'0000, 1, 0),                           // 6
    alias("c0000", 0x4000, 0x0'0000, 0, 6, "../ram", 0xc'0000),               // 7
    alias("c8000", 0x8000, 0x0'8000, 0, 6, "../ram", 0xc'8000),               // 8
    alias("e4000", 0x4000, 0x2'4000, 0, 6, "../ram", 0xe'4000),               // 9
    container("pam-pci", 0x4'0000, 0xc'0000, 1, 0),                           // 10
    alias("c4000", 0x4000, 0x0'4000, 0, 10, "../pci", 0xc'4000),              // 11
    alias("e0000", 0x4000, 0x2'0000, 0, 10, "../pci", 0xe'0000),              // 12
    alias("e8000", 0x1'8000, 0x2'8000, 0, 10, "../pci", 0xe'8000),            // 13
    alias("pci-hole", 0x4000'0000, 0xc000'0000, 0, 0, "./pci", 0xc000'0000),  // 14
    stub("unassigned", 0x1'0000'0000, 0, -1, 0, answer::ones),                // 15
};

}  // namespace trees
