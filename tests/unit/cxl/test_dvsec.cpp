// The CXL DVSECs of a Type-2 function: the Register Locator generated from the BAR type that
// places the component block, and the CXL Device DVSEC with CONFIG_LOCK. Expected values are
// written from the layouts in cxl/dvsec.hpp's header (QEMU cxl_pci.h, Linux cxlpci.h).
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/regs/register_file.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using hdm = cxl::hdm_decoders<1>;
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
constexpr addr_t comp_at = 0x30'0000;  // 3 MiB into BAR 2
using bar2 = cxl::type2_component_bar<4_MiB, comp_at, component, cxl::kernel_geometry::v4, 4_KiB,
                                      cxl::accel_window<"accel", 0, comp_at>>;
using fn = pci::function<pci::ids{.vendor = 0x10DE, .device = 0x2342, .class_code = 0x12'00'00},
                         pci::bars<pci::mem64<0, 16_MiB>, pci::mem64<2, 4_MiB>>,
                         pci::caps<pci::express_capability<>>,
                         pci::ext_caps<cxl::device_dvsec<1_GiB>, cxl::register_locator<2, bar2>>>;
}  // namespace

TEST_CASE("the Register Locator points at where the BAR type puts the component block",
          "[cxl][dvsec]") {
  register_file<fn::config> cfg;
  // Extended list: CXL Device DVSEC at 0x100 (0x3C bytes), the Register Locator at 0x13C.
  CHECK(cfg.read(0x100, 4) == (0x23U | 1U << 16 | 0x13CU << 20));
  CHECK(cfg.read(0x104, 4) == (0x1E98U | 3U << 16 | 0x3CU << 20));
  CHECK(cfg.read(0x108, 2) == 0);  // DVSEC ID 0
  const addr_t rl = 0x13C;
  CHECK(cfg.read(rl, 4) == (0x23U | 1U << 16));  // last in the list
  CHECK(cfg.read(rl + 4, 4) == (0x1E98U | 0x14U << 20));
  CHECK(cfg.read(rl + 8, 2) == 8);
  // One entry: BIR 2, block 1 (component registers), offset 3 MiB.
  const std::uint64_t lo = cfg.read(rl + 0xC, 4), hi = cfg.read(rl + 0x10, 4);
  CHECK((lo & 0x7) == 2);
  CHECK(((lo >> 8) & 0xFF) == 1);
  CHECK(((hi << 32) | (lo & 0xFFFF'0000)) == comp_at);
  CHECK(((hi << 32) | (lo & 0xFFFF'0000)) == bar2::component_offset);
  // Read-only to the guest.
  cfg.write(rl + 0xC, 4, 0);
  CHECK(cfg.read(rl + 0xC, 4) == lo);
}

TEST_CASE("CXL Device DVSEC: capability, range 1, CONFIG_LOCK", "[cxl][dvsec]") {
  register_file<fn::config> cfg;
  const addr_t d = 0x100;
  // Cache, IO and Mem capable, HDM_Count 1.
  CHECK(cfg.read(d + 0x0A, 2) == 0x17);
  CHECK(cfg.read(d + 0x0C, 2) == 0x2);  // IO_Enable
  // Range 1: 1 GiB, Memory_Info_Valid and Memory_Active.
  CHECK(cfg.read(d + 0x18, 4) == 0);
  CHECK(cfg.read(d + 0x1C, 4) == 0x4000'0003);
  // Before the lock: Mem_Enable and the range base are writable.
  cfg.write(d + 0x0C, 2, 0x6);
  cfg.write(d + 0x24, 4, 0x8000'1234);
  CHECK(cfg.read(d + 0x0C, 2) == 0x6);
  CHECK(cfg.read(d + 0x24, 4) == 0x8000'0000);
  // CONFIG_LOCK is write-once; after it, the RWL fields are read-only.
  cfg.write(d + 0x14, 2, 0x1);
  CHECK(cfg.read(d + 0x14, 2) == 0x1);
  cfg.write(d + 0x14, 2, 0x0);
  CHECK(cfg.read(d + 0x14, 2) == 0x1);
  cfg.write(d + 0x0C, 2, 0x2);
  cfg.write(d + 0x24, 4, 0x1000'0000);
  cfg.write(d + 0x20, 4, 0x5);
  CHECK(cfg.read(d + 0x0C, 2) == 0x6);
  CHECK(cfg.read(d + 0x24, 4) == 0x8000'0000);
  CHECK(cfg.read(d + 0x20, 4) == 0);
  // Only a reset releases it.
  cfg.reset();
  CHECK(cfg.read(d + 0x14, 2) == 0);
  cfg.write(d + 0x0C, 2, 0x6);
  CHECK(cfg.read(d + 0x0C, 2) == 0x6);
}
