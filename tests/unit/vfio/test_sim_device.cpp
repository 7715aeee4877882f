// The simulated vfio-pci CXL device (vfio/sim_device.hpp): the bytes it reports parse, and what
// they say matches the layouts of the CXL example for the kernel geometry of each revision; its
// regions answer as the reference describes each kernel (v2's COMP_REGS shadow and its rules,
// v4's live reads and absorbed writes, the BAR's trapped bytes, device memory through the fd).
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/sim_device.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "example_bars.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;
using vfio::cxl_uapi;

namespace {
using namespace example_bars;
using function =
    pci::function<pci::ids{.vendor = 0x10DE, .device = 0x2342, .class_code = 0x12'00'00},
                  pci::bars<pci::mem64<0, 16_MiB>, pci::mem64<2, bar_size>>>;
using device = vfio::sim::cxl_device<function>;

vfio::cxl_report report_of(device& d) {
  const auto info = vfio::parse_device_info(d.device_info_bytes());
  REQUIRE(info.ok());
  std::vector<vfio::region_info> regions;
  for (std::uint32_t i = 0; i < info->num_regions; ++i) {
    const auto r = vfio::parse_region_info(d.region_info_bytes(i), i);
    REQUIRE(r.ok());
    regions.push_back(r.value());
  }
  const auto rep =
      vfio::parse_cxl_report(info.value(), regions, d.params().revision, vfio::sim::v4_numbers);
  REQUIRE(rep.ok());
  return rep.value();
}
}  // namespace

TEST_CASE("the simulated device's report matches the layout of its kernel's geometry",
          "[vfio][sim]") {
  device v4({.revision = cxl_uapi::v4});
  const vfio::cxl_report r4 = report_of(v4);
  CHECK(r4.firmware_committed);
  CHECK(*r4.hdm_bar_offset == hdm_at);
  CHECK(r4.bar_areas.size() == 2);
  const auto m4 = vfio::check_matches<bar2_v4, 2>(r4, 4_KiB, 2);
  CHECK(m4.mismatches == std::vector<std::string>{});
  CHECK_FALSE(vfio::check_matches<bar2_v2, 2>(r4, 4_KiB).ok());

  for (cxl_uapi rev : {cxl_uapi::v2, cxl_uapi::v3}) {
    device d({.revision = rev});
    const vfio::cxl_report r = report_of(d);
    CHECK(vfio::check_matches<bar2_v2, 2>(r, 4_KiB, 2).mismatches == std::vector<std::string>{});
    CHECK_FALSE(vfio::check_matches<bar2_v4, 2>(r, 4_KiB).ok());
  }
  // A device whose decoders sit elsewhere than the layout says: refused, with the reason.
  device moved({.revision = cxl_uapi::v4, .hdm_offset = 0x148});
  const auto mm = vfio::check_matches<bar2_v4, 2>(report_of(moved), 4_KiB);
  CHECK_FALSE(mm.ok());
  CHECK(mm.mismatches[0].find("COMP_REGS starts at 0x101148 of BAR 2") == 0);
}

TEST_CASE("v4 COMP_REGS: live reads of the host's decoder, writes absorbed", "[vfio][sim]") {
  device d({.revision = cxl_uapi::v4, .host_hpa = 0x40'1000'0000ULL});
  vfio::region_io& c = d.comp_regs_io();
  CHECK(c.size() == 0x50);
  CHECK(c.read(0x0, 4).value == 0x1);           // two decoders, no interleave
  CHECK(c.read(0x4, 4).value == 0x2);           // HDM Decoder Enable
  CHECK(c.read(0x10, 4).value == 0x1000'0000);  // BASE: the host's address
  CHECK(c.read(0x14, 4).value == 0x40);
  CHECK(c.read(0x18, 4).value == 0x1000'0000);  // 256 MiB
  CHECK(c.read(0x20, 4).value == 0x700);        // Lock-On-Commit, Commit, Committed
  REQUIRE(c.write(0x10, 4, 0x8000'0000).ok());  // absorbed
  REQUIRE(c.write(0x20, 4, 0).ok());
  CHECK(c.read(0x10, 4).value == 0x1000'0000);
  CHECK(c.read(0x20, 4).value == 0x700);
  CHECK(c.read(0x12, 4).err == EINVAL);        // misaligned
  CHECK(c.read(0x10, 2).err == EINVAL);        // not 4 bytes
  CHECK(c.read(0x50, 4).err == EINVAL);        // past the block
  CHECK(d.memory_io().read(0, 4).err == EIO);  // the latest draft: no fd access
}

TEST_CASE("v2 COMP_REGS: the shadow and its rules, Lock clearing included", "[vfio][sim]") {
  device d({.revision = cxl_uapi::v2});
  vfio::region_io& c = d.comp_regs_io();
  CHECK(c.size() == 0x128 + 0x50);
  CHECK(c.read(0x0, 4).value == (0x1U | 1U << 16 | 1U << 20 | 2U << 24));  // the array
  CHECK(c.read(0x4, 4).value == (0x2U | 2U << 16 | 0x80U << 20));          // RAS
  CHECK(c.read(0x8, 4).value == (0x5U | 1U << 16 | 0x128U << 20));         // HDM
  const std::uint64_t d0 = 0x128 + 0x10;
  // The committed, locked host decoder appears unlocked, BASE zeroed, for the VMM's GPA.
  CHECK(c.read(d0 + 0x10, 4).value == 0x600);
  CHECK(c.read(d0 + 0x0, 4).value == 0);
  CHECK(c.read(d0 + 0x4, 4).value == 0);
  CHECK(c.read(d0 + 0x8, 4).value == 0x1000'0000);  // SIZE kept
  REQUIRE(c.write(d0 + 0x0, 4, 0x2345'6789).ok());
  CHECK(c.read(d0 + 0x0, 4).value == 0x2000'0000);  // bits 27:0 cleared
  REQUIRE(c.write(d0 + 0x4, 4, 0x100).ok());
  CHECK(c.read(d0 + 0x4, 4).value == 0x100);
  // Commit with Lock: stored; Committed follows Commit.
  REQUIRE(c.write(d0 + 0x10, 4, 1U << 8 | 1U << 9).ok());
  CHECK(c.read(d0 + 0x10, 4).value == (1U << 8 | 1U << 9 | 1U << 10));
  REQUIRE(c.write(d0 + 0x0, 4, 0x3000'0000).ok());  // locked: dropped
  CHECK(c.read(d0 + 0x0, 4).value == 0x2000'0000);
  REQUIRE(c.write(d0 + 0x10, 4, 1U << 9).ok());  // Lock = 0: clears Lock only (non-spec)
  CHECK(c.read(d0 + 0x10, 4).value == (1U << 9 | 1U << 10));
  REQUIRE(c.write(0x0, 4, 0).ok());  // the array: dropped
  CHECK(c.read(0x0, 4).value == (0x1U | 1U << 16 | 1U << 20 | 2U << 24));
  REQUIRE(c.write(0x128 + 0x4, 4, 0xFFFF'FFFF).ok());  // Global Control: bit 1 only
  CHECK(c.read(0x128 + 0x4, 4).value == 0x2);
  // The hardware is never written through COMP_REGS.
  CHECK(d.hardware_hdm(0x10) == 0);  // host_hpa's low bits (default 0x40'0000'0000)
  CHECK(d.hardware_hdm(0x14) == 0x40);
  CHECK(d.hardware_hdm(0x20) == 0x700);
  CHECK(d.memory_io().read(0, 4).value == 0xD000'0000);  // v2: the fd reads device memory
}

TEST_CASE("the BAR's raw path traps the kernel's range, the rest is the BAR", "[vfio][sim]") {
  device v4({.revision = cxl_uapi::v4});
  vfio::region_io& b = v4.bar_io();
  // v4 withholds the decoder block's bytes (0x128 + 0x10 + 2 decoders × 0x20 = 0x50 bytes) only.
  CHECK(b.read(comp_at + 0x1000 + 0x128, 4).value == 0xFFFF'FFFF);
  CHECK(b.read(comp_at + 0x1000 + 0x174, 4).value == 0xFFFF'FFFF);  // its last dword
  CHECK(b.read(comp_at + 0x1000 + 0x178, 4).value == 0);            // past it, same page
  CHECK(b.read(comp_at + 0x1000 + 0x124, 8).value == ~0ULL);        // reaching into it
  // The same page's capability array: CXL capability, version 1, array of 2 (RAS, HDM).
  CHECK(b.read(comp_at + 0x1000, 4).value == (0x0001U | 1U << 16 | 1U << 20 | 2U << 24));
  CHECK(b.read(comp_at + 0x2000, 4).value == 0);           // the block's other bytes (zero)
  CHECK(b.read(0x100, 4).value == (0xA500'0000U | 0x40));  // the accelerator's pattern
  REQUIRE(b.write(comp_at + 0x1000 + 0x148, 4, 0).ok());   // dropped
  CHECK(v4.hardware_hdm(0x20) == 0x700);
  device v2({.revision = cxl_uapi::v2});
  CHECK(v2.bar_io().read(comp_at + 0x2000, 4).value == 0xFFFF'FFFF);  // the whole block
  CHECK(v2.bar_io().read(comp_at + 0x10000, 4).value == (0xA500'0000U | (comp_at + 0x10000) >> 2));
  // The configuration region: the function's configuration space.
  CHECK(v4.config_space().read(0x0, 4) == 0x2342'10DE);
}
