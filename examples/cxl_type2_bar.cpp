// The headline layout: the component-register BAR of a CXL Type-2 accelerator passed through
// with VFIO, as the QEMU RFC "CXL Type-2 device passthrough via vfio-pci" (patch 6/9) builds
// it at run time — here a type, checked by the compiler.
//
// BAR 2, 4 MiB. The 64 KiB CXL component register block sits at 1 MiB. The kernel's
// sparse-mmap list covers everything but that block, so the accelerator's register windows
// are direct hardware mmaps; the block itself traps to the VFIO BAR ops (pread/pwrite); and
// the COMP_REGS overlay (the kernel's shadow of the CXL.cachemem capability array and HDM
// decoder block, 4-byte accesses only) covers the block's CXL.cachemem range at priority 1.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <fmt/core.h>

#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

inline constexpr addr_t comp_block = 1_MiB;  // Register Locator: BAR 2, offset 1 MiB
inline constexpr addr_t cachemem = comp_block + 0x1000;

// The VFIO BAR region (QEMU's `bar->region.mem`): trapping ops under the sparse mmaps.
using vfio_bar2 =
    container<"region", 4_MiB,
              at<0, io<"bar-ops", 4_MiB>, -1>,          // pread/pwrite: whatever the mmaps leave
              at<0, passthrough<"mmap0", comp_block>>,  // sparse area 0: accelerator window
              at<comp_block + 64_KiB, passthrough<"mmap1", 4_MiB - comp_block - 64_KiB>>>;

// The BAR container: the region at priority 0, COMP_REGS at priority 1.
struct bar2
    : container<"bar2", 4_MiB,  //
                at<0, vfio_bar2>, at<cachemem, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>> {};

// The compiler has now proved: no two siblings overlap at equal priority, every child fits,
// COMP_REGS is 4-byte aligned, and (below) no mmapped page holds a trapped byte.
static_assert(projection_v<bar2, 64_KiB>.trapped.size() == 1);
static_assert(projection_v<bar2, 64_KiB>.trapped[0].lo == comp_block);
static_assert(projection_v<bar2, 64_KiB>.trapped[0].size() == 64_KiB);

namespace {
/// Stand-in for the VFIO region file descriptor behind the trapping BAR ops.
struct bar_ops {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};
/// Stand-in for the COMP_REGS VFIO region: dword 0 is the CXL Capability Header (ID 1,
/// version 1, cache/mem version 1, one capability entry).
struct comp_regs {
  std::uint32_t shadow[1024] = {0x01110001};
  std::uint64_t read(addr_t off, unsigned) { return shadow[off / 4]; }
  void write(addr_t off, unsigned, std::uint64_t v) {
    shadow[off / 4] = static_cast<std::uint32_t>(v);
  }
};
}  // namespace

int main() {
  fmt::print("{}\n{}\n", mtree_text<bar2>(), flat_view_text<bar2>());
  fmt::print("{}\n", projection_text<bar2, 4_KiB>());
  fmt::print("{}\n", projection_text<bar2, 64_KiB>());

  std::vector<std::byte> accel(4_MiB);  // stands in for the mmap of BAR 2
  bar_ops ops;
  comp_regs regs;
  address_space<bar2> bar;
  if (bar.bind<"region/mmap0">(accel) != bind_status::ok ||
      bar.bind<"region/mmap1">(std::span(accel).subspan(comp_block + 64_KiB)) != bind_status::ok ||
      bar.bind<"region/bar-ops">(ops) != bind_status::ok ||
      bar.bind<"comp_regs">(regs) != bind_status::ok)
    return 1;

  const auto header = bar.read(cachemem, 4);
  const auto narrow = bar.read(cachemem, 2);  // CXL.cachemem is 4-byte only
  fmt::print("CXL capability header: {:#010x} ({}); 2-byte read: {}\n", header.value, header.status,
             narrow.status);
  return header.value == 0x01110001 && narrow.status == access_status::access_error ? 0 : 1;
}
