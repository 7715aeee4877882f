// The Type-2 component-register BAR as a type: both kernel geometries at 4 KiB and 64 KiB host
// pages proved at compile time (no decoder byte reachable through a mmap; everything else the
// kernel lets the VMM mmap is mmapped), then a Linux guest's enumeration and a decoder commit
// through an address space on it, with the background trapping to the VFIO BAR ops.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

using hdm = cxl::hdm_decoders<2>;
// QEMU's layout of CXL.cache/mem (reference cxl.md §2.3): RAS at 0x80 (0x58 bytes), HDM at 0x128.
using component = cxl::component_block<
    cxl::capability<cxl::cap_id::ras, 2, 0x80, stub<"ras", 0x58, stub_response::read_as_zero>>,
    cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;

constexpr addr_t bar_size = 4_MiB, comp = 1_MiB;
constexpr addr_t hdm_at = comp + 0x1000 + 0x128;  // BAR offset of the decoder block

// v2: the kernel's sparse areas are the BAR minus the whole component block.
using bar_v2 =
    cxl::type2_component_bar<bar_size, comp, component, cxl::kernel_geometry::v2, 4_KiB,
                             cxl::accel_window<"accel0", 0, comp>,
                             cxl::accel_window<"accel1", comp + 64_KiB, bar_size - comp - 64_KiB>>;
// v4, 4 KiB pages: only the page holding the decoders traps.
using bar_v4 =
    cxl::type2_component_bar<bar_size, comp, component, cxl::kernel_geometry::v4, 4_KiB,
                             cxl::accel_window<"accel0", 0, comp + 0x1000>,
                             cxl::accel_window<"accel1", comp + 0x2000, bar_size - comp - 0x2000>>;
// v4, 64 KiB pages: the decoders' 64 KiB page is the whole block again.
using bar_v4_64k =
    cxl::type2_component_bar<bar_size, comp, component, cxl::kernel_geometry::v4, 64_KiB,
                             cxl::accel_window<"accel0", 0, comp>,
                             cxl::accel_window<"accel1", comp + 64_KiB, bar_size - comp - 64_KiB>>;
// v2 at 64 KiB pages: the same windows as at 4 KiB.
using bar_v2_64k =
    cxl::type2_component_bar<bar_size, comp, component, cxl::kernel_geometry::v2, 64_KiB,
                             cxl::accel_window<"accel0", 0, comp>,
                             cxl::accel_window<"accel1", comp + 64_KiB, bar_size - comp - 64_KiB>>;

/// Whether the projection mmaps exactly [0, bar) minus [trap_lo, trap_last], and the decoder
/// bytes lie in no passthrough span. Written from the geometry's rule, not from the type.
template <class Bar, addr_t Page>
constexpr bool mmaps_all_but(addr_t trap_lo, addr_t trap_last) {
  const auto& p = projection_v<Bar, Page>;
  for (const span_desc& s : p.passthrough)
    if (s.lo <= hdm_at + 0x4F && hdm_at <= s.last) return false;  // a decoder byte mmapped
  // Passthrough spans, merged, must be [0, trap_lo) and (trap_last, bar_size).
  addr_t next = 0;
  bool gap_seen = false;
  for (const span_desc& s : p.passthrough) {
    if (s.lo != next) {
      if (gap_seen || next != trap_lo || s.lo != trap_last + 1) return false;
      gap_seen = true;
    }
    next = s.last + 1;
  }
  return gap_seen && next == bar_size;
}

}  // namespace

// The decoder block: 0x10 + 0x20 x 2 = 0x50 bytes at BAR offset 0x101128.
static_assert(bar_v2::hdm_lo == 0x10'1128 && bar_v2::hdm_last == 0x10'1177);
static_assert(mmaps_all_but<bar_v2, 4_KiB>(comp, comp + 64_KiB - 1));
static_assert(mmaps_all_but<bar_v2_64k, 64_KiB>(comp, comp + 64_KiB - 1));
static_assert(mmaps_all_but<bar_v4, 4_KiB>(comp + 0x1000, comp + 0x1FFF));
static_assert(mmaps_all_but<bar_v4_64k, 64_KiB>(comp, comp + 64_KiB - 1));
static_assert(bar_v4::trapped_lo == comp + 0x1000 && bar_v4::trapped_last == comp + 0x1FFF);
static_assert(bar_v4_64k::trapped_lo == comp && bar_v4_64k::trapped_last == comp + 0xFFFF);

namespace {
/// The VFIO BAR region's pread/pwrite: reads answer all-ones (what the v4 kernel returns for
/// decoder bytes; a stand-in for hardware elsewhere), every access is recorded.
struct bar_ops {
  std::vector<addr_t> reads, writes;
  std::uint64_t read(addr_t off, unsigned size) {
    reads.push_back(off);
    return size == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * size)) - 1;
  }
  void write(addr_t off, unsigned, std::uint64_t) { writes.push_back(off); }
};

template <class Bar, addr_t Accel1At>
struct rig {
  std::vector<std::byte> accel = std::vector<std::byte>(bar_size);
  bar_ops ops;
  hdm decoders{1_GiB};
  register_file<component::array> cap_array;
  address_space<Bar> space;
  rig() {
    if constexpr (Bar::geometry == cxl::kernel_geometry::v2)
      REQUIRE(space.template bind<"cachemem/capability_array">(cap_array) == bind_status::ok);
    REQUIRE(space.template bind<"accel0">(accel) == bind_status::ok);
    REQUIRE(space.template bind<"accel1">(std::span(accel).subspan(Accel1At)) == bind_status::ok);
    REQUIRE(space.template bind<"bar_ops">(ops) == bind_status::ok);
    REQUIRE(space.template bind<Bar::hdm_path>(decoders.regs()) == bind_status::ok);
  }
  std::uint32_t rd(addr_t a) {
    const read_result r = space.read(a, 4);
    REQUIRE(r.status == access_status::ok);
    return static_cast<std::uint32_t>(r.value);
  }
};
}  // namespace

TEST_CASE("v2 geometry: Linux's enumeration and a commit through the BAR", "[cxl][type2]") {
  rig<bar_v2, comp + 64_KiB> r;
  const addr_t cm = comp + 0x1000;  // CXL.cache/mem
  // cxl_probe_component_regs (reference cxl.md §4.1): the header, then each entry.
  const std::uint32_t header = r.rd(cm);
  CHECK(header == 0x0211'0001);        // ID 1, version 1, cache/mem version 1, 2 entries
  CHECK(r.rd(cm + 4) == 0x0802'0002);  // RAS, version 2, at 0x80
  CHECK(r.rd(cm + 8) == 0x1281'0005);  // HDM decoders, version 1, at 0x128
  CHECK(r.rd(cm + 0x80) == 0);         // RAS: no error logged
  CHECK(r.rd(cm + 0x128) == 0x111);    // 2 decoders, 1 target, A11to8
  // HDM Decoder Enable, then decoder 0 programmed and committed the Linux way.
  REQUIRE(r.space.write(cm + 0x128 + 0x4, 4, 0x2) == access_status::ok);
  const addr_t d0 = cm + 0x128 + 0x10;
  for (const auto& [off, v] : {std::pair<addr_t, std::uint32_t>{0x4, 0x100},
                               {0x0, 0},
                               {0xC, 0},
                               {0x8, 0x4000'0000},
                               {0x18, 0},
                               {0x14, 0},
                               {0x10, 1U << 9}})
    REQUIRE(r.space.write(d0 + off, 4, v) == access_status::ok);
  CHECK(r.rd(d0 + 0x10) == (1U << 9 | 1U << 10));
  REQUIRE(r.decoders.window(0).has_value());
  CHECK(r.decoders.window(0)->hpa_base == 0x100'0000'0000);
  // COMP_REGS takes 4-byte accesses only.
  CHECK(r.space.read(d0 + 0x10, 2).status == access_status::access_error);
  CHECK(r.space.write(d0 + 0x10, 8, 0) == access_status::access_error);
  // Bytes of the component block outside CXL.cache/mem trap to the BAR ops; no access to the
  // emulated range ever reached them.
  CHECK(r.rd(comp + 0x10) == 0xFFFF'FFFF);
  CHECK(r.rd(comp + 0x2000) == 0xFFFF'FFFF);
  CHECK(r.ops.reads == std::vector<addr_t>{comp + 0x10, comp + 0x2000});
  CHECK(r.ops.writes.empty());
  // The accelerator windows are memory.
  REQUIRE(r.space.write(0x40, 4, 0xCAFE'F00D) == access_status::ok);
  CHECK(r.rd(0x40) == 0xCAFE'F00D);
  CHECK(r.accel[0x40] == std::byte{0x0D});
  CHECK(r.ops.reads.size() == 2);
}

TEST_CASE("v4 geometry: only the decoder page traps, and the decoders are the VMM's",
          "[cxl][type2]") {
  rig<bar_v4, comp + 0x2000> r;
  // The capability array is the device's (read through the BAR ops); the decoders are ours.
  CHECK(r.rd(comp + 0x1000) == 0xFFFF'FFFF);
  CHECK(r.ops.reads == std::vector<addr_t>{comp + 0x1000});
  CHECK(r.rd(hdm_at) == 0x111);
  CHECK(r.decoders.firmware_commit(0, 0x100'0000'0000, 1_GiB) == cxl::commit_refusal::none);
  CHECK(r.rd(hdm_at + 0x20) == (1U << 8 | 1U << 9 | 1U << 10));
  // The rest of the component block, below and above the decoder page, is mmapped.
  REQUIRE(r.space.write(comp + 0x800, 4, 0x1234'5678) == access_status::ok);
  CHECK(r.accel[comp + 0x800] == std::byte{0x78});
  REQUIRE(r.space.write(comp + 0x2000, 4, 0x1) == access_status::ok);
  CHECK(r.accel[comp + 0x2000] == std::byte{0x01});
  // In the decoder page, the bytes past the decoder block go to the BAR ops too.
  CHECK(r.rd(hdm_at + 0x50) == 0xFFFF'FFFF);
  CHECK(r.ops.reads.size() == 2);
}
