// Configuration space passed through, with the VMM's fields overlaid (vfio/config_passthrough.hpp),
// over the simulated vfio-pci device's configuration region. Expected values are written from the
// PCI rules and the function type's declaration (capability offsets: the standard list from 0x40,
// the extended list from 0x100, each structure at the next dword), never read back from the
// library's tables.
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/ecam.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/vfio/config_passthrough.hpp>
#include <mmiotree/vfio/info.hpp>
#include <mmiotree/vfio/sim_device.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "example_bars.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;
using example_bars::bar2_v4;
using example_bars::bar_size;

namespace {

constexpr pci::ids device_ids{
    .vendor = 0x10DE, .device = 0x2342, .revision = 0xA1, .class_code = 0x12'00'00};
using msix8 = pci::msix_capability<"msix", 8, 2, 0x3000, 2, 0x3800>;
// The device: BAR 2 (the component BAR, 64-bit prefetchable), the PCIe capability at 0x40 (0x3C
// bytes), MSI-X at 0x7C; the CXL Device DVSEC at 0x100 (0x3C bytes), the Register Locator at
// 0x13C.
using device_fn =
    pci::function<device_ids, pci::bars<pci::mem64<2, bar_size>>,
                  pci::caps<pci::express_capability<>, msix8>,
                  pci::ext_caps<cxl::device_dvsec<1_GiB>, cxl::register_locator<2, bar2_v4>>>;
using sim_device = vfio::sim::cxl_device<device_fn>;

/// Bytes vmm_fields<device_fn> overlays, from the declaration: Command, BAR0-5, MSI-X Message
/// Control (0x7C + 2), the DVSEC's Control (+0x0C), Lock (+0x14) and range bases (+0x20..+0x27,
/// +0x30..+0x37).
bool overlaid(addr_t o) {
  return (o >= 0x04 && o <= 0x05) || (o >= 0x10 && o <= 0x27) || (o >= 0x7E && o <= 0x7F) ||
         (o >= 0x10C && o <= 0x10D) || (o >= 0x114 && o <= 0x115) || (o >= 0x120 && o <= 0x127) ||
         (o >= 0x130 && o <= 0x137);
}

std::uint64_t device_read(sim_device& d, addr_t off, unsigned size) {
  const vfio::io_result r = d.config_io().read(off, size);
  REQUIRE(r.ok());
  return r.value;
}

/// The sizes VFIO reports for regions 0-5, parsed from the device's region info.
std::array<std::uint64_t, 6> bar_sizes(const sim_device& d) {
  std::array<std::uint64_t, 6> s{};
  for (std::uint32_t i = 0; i < 6; ++i) {
    const auto r = vfio::parse_region_info(d.region_info_bytes(i), i);
    REQUIRE(r.ok());
    s[i] = r.value().size;
  }
  return s;
}

struct msix_seen final : pci::msix_control_listener {
  int calls = 0;
  bool enable = false, mask = false;
  void control_changed(bool e, bool m) override {
    ++calls;
    enable = e;
    mask = m;
  }
};

/// A configuration region that fails every access.
struct failing_region final : vfio::region_io {
  [[nodiscard]] std::uint64_t size() const noexcept override { return 4096; }
  vfio::io_result read(std::uint64_t, unsigned) override {
    return {vfio::io_error::os_error, EIO, 0};
  }
  vfio::io_result write(std::uint64_t, unsigned, std::uint64_t) override {
    return {vfio::io_error::os_error, EIO, 0};
  }
};
/// A configuration region that passes every access to another and records the writes.
struct recording_region final : vfio::region_io {
  explicit recording_region(vfio::region_io& inner) : inner_(inner) {}
  [[nodiscard]] std::uint64_t size() const noexcept override { return inner_.size(); }
  vfio::io_result read(std::uint64_t off, unsigned size) override { return inner_.read(off, size); }
  vfio::io_result write(std::uint64_t off, unsigned size, std::uint64_t v) override {
    writes.push_back(off);
    return inner_.write(off, size, v);
  }
  std::vector<std::uint64_t> writes;  ///< offsets written

 private:
  vfio::region_io& inner_;
};
/// A configuration region no function answers: all-ones.
struct absent_region final : vfio::region_io {
  [[nodiscard]] std::uint64_t size() const noexcept override { return 4096; }
  vfio::io_result read(std::uint64_t, unsigned size) override {
    return {vfio::io_error::none, 0, mmiotree::detail::width_mask(size)};
  }
  vfio::io_result write(std::uint64_t, unsigned, std::uint64_t) override { return {}; }
};

bool has(const vfio::match_result& m, const std::string& s) {
  return std::find(m.mismatches.begin(), m.mismatches.end(), s) != m.mismatches.end();
}

}  // namespace

TEST_CASE("configuration passthrough: IDs and both capability lists are the device's",
          "[vfio][config]") {
  sim_device dev;
  vfio::passthrough_function<device_fn> cfg(dev.config_io());
  CHECK(cfg.read(0x00, 4) == 0x2342'10DE);
  CHECK(cfg.read(0x08, 4) == 0x1200'00A1);  // class 12:00:00, revision A1
  CHECK((cfg.read(0x06, 2) & 0x10) != 0);   // Capabilities List
  // The standard list: 0x40 (PCIe, ID 0x10) -> 0x7C (MSI-X, ID 0x11) -> end.
  CHECK(cfg.read(0x34, 1) == 0x40);
  CHECK(cfg.read(0x40, 2) == 0x7C10);
  CHECK(cfg.read(0x7C, 2) == 0x0011);
  // The extended list: 0x100 (DVSEC, ID 0x23 v1, next 0x13C) -> 0x13C (DVSEC, end).
  CHECK(cfg.read(0x100, 4) == (0x0023U | 1U << 16 | 0x13CU << 20));
  CHECK(cfg.read(0x13C, 4) == (0x0023U | 1U << 16));
  CHECK(cfg.read(0x104, 4) == (0x1E98U | 3U << 16 | 0x3CU << 20));  // CXL DVSEC, revision 3
  // Every byte no overlay covers reads as the device's region, each width.
  for (addr_t o = 0; o < 4096; ++o) {
    if (overlaid(o)) continue;
    INFO("offset " << o);
    REQUIRE(cfg.read(o, 1) == device_read(dev, o, 1));
  }
  for (addr_t o = 0; o < 4096; o += 4)
    if (!overlaid(o) && !overlaid(o + 1) && !overlaid(o + 2) && !overlaid(o + 3))
      REQUIRE(cfg.read(o, 4) == device_read(dev, o, 4));
  CHECK(cfg.device_failures() == 0);
}

TEST_CASE("configuration passthrough: the guest sizes and programs BARs in the VMM's registers",
          "[vfio][config]") {
  sim_device dev;
  // The host's BAR 2: 0x60'0000'0000, 64-bit prefetchable (type bits 0xC).
  REQUIRE(device_read(dev, 0x18, 4) == 0x0000'000C);
  REQUIRE(device_read(dev, 0x1C, 4) == 0x60);
  recording_region region(dev.config_io());
  vfio::passthrough_function<device_fn> cfg(region);
  CHECK(cfg.read(0x18, 4) == 0xC);  // the guest sees its own BAR: reset, type bits only
  CHECK(cfg.read(0x1C, 4) == 0);
  CHECK(cfg.read(0x10, 4) == 0);  // BAR0: not declared, reads 0 (the device's is 0 too)
  // Sizing: all-ones reads back the 4 MiB mask with the type bits.
  cfg.write(0x18, 4, 0xFFFF'FFFF);
  cfg.write(0x1C, 4, 0xFFFF'FFFF);
  CHECK(cfg.read(0x18, 4) == 0xFFC0'000C);
  CHECK(cfg.read(0x1C, 4) == 0xFFFF'FFFF);
  cfg.write(0x18, 4, 0x0080'0000);
  cfg.write(0x1C, 4, 0x80);
  CHECK(cfg.read(0x18, 4) == 0x0080'000C);
  // None of it reached the device.
  CHECK(region.writes.empty());
  CHECK(device_read(dev, 0x18, 4) == 0x0000'000C);
  CHECK(device_read(dev, 0x1C, 4) == 0x60);
  CHECK(cfg.function().decode()[2].base == 0x80'0080'0000);
}

TEST_CASE(
    "configuration passthrough: memory-space enable moves the BAR slot, the device keeps "
    "decoding, Bus Master reaches it",
    "[vfio][config]") {
  constexpr addr_t win = 0x80'0000'0000;
  using machine =
      container<"machine", 0x100'0000'0000, at<win, container<"pci64", 1_GiB, slot<bar2_v4>>>>;
  address_space<machine> space;
  sim_device dev;
  vfio::passthrough_function<device_fn> cfg(dev.config_io());
  pci::bar_slots bars(cfg.function(),
                      {slot_handle{}, slot_handle{}, space.slot<"pci64/bar">(), {}, {}, {}});
  REQUIRE(device_read(dev, 0x04, 2) == 0x6);  // the host: Memory Space, Bus Master
  cfg.write(0x18, 4, 0x0080'0000);
  cfg.write(0x1C, 4, 0x80);
  cfg.write(0x04, 2, 0x0);
  CHECK(device_read(dev, 0x04, 2) == 0x2);  // Bus Master cleared; Memory Space kept
  CHECK(cfg.read(0x04, 2) == 0x0);
  cfg.write(0x04, 2, 0x4);  // Bus Master only
  CHECK(device_read(dev, 0x04, 2) == 0x6);
  CHECK(cfg.read(0x04, 2) == 0x4);
  CHECK_FALSE(space.slot<"pci64/bar">().placement().enabled);
  cfg.write(0x04, 2, 0x6);  // Memory Space Enable: the slot goes where the guest put BAR 2
  CHECK(space.slot<"pci64/bar">().placement() == slot_placement{win + 8_MiB, true, true});
  CHECK(cfg.read(0x04, 2) == 0x6);
  // A dword at 0x04: Command (the guest's decode bits over the device's) and Status (the device's).
  CHECK(cfg.read(0x04, 4) == (0x0010'0000U | 0x6U));
  cfg.write(0x04, 2, 0x4);  // decoding off: the slot goes; the device still decodes
  CHECK_FALSE(space.slot<"pci64/bar">().placement().enabled);
  CHECK(device_read(dev, 0x04, 2) == 0x6);
  // A byte write to Command's high byte (Interrupt Disable) reaches the device alone.
  cfg.write(0x05, 1, 0x04);
  CHECK(device_read(dev, 0x04, 2) == 0x406);
  CHECK(cfg.read(0x04, 2) == 0x404);
}

TEST_CASE(
    "configuration passthrough: MSI-X control and the CXL DVSEC's control, lock and bases "
    "are the VMM's",
    "[vfio][config]") {
  sim_device dev;
  msix_seen seen;
  recording_region region(dev.config_io());
  vfio::passthrough_function<device_fn> cfg(region, nullptr, &seen);
  // MSI-X Message Control at 0x7E: Table Size 7 (8 vectors), Enable and Function Mask.
  CHECK(cfg.read(0x7E, 2) == 0x0007);
  cfg.write(0x7E, 2, 0xC000);
  CHECK(seen.calls == 1);
  CHECK(seen.enable);
  CHECK(seen.mask);
  CHECK(cfg.read(0x7E, 2) == 0xC007);
  CHECK(device_read(dev, 0x7E, 2) == 0x0007);
  // CXL DVSEC at 0x100: Control (+0x0C, reset IO_Enable), Lock (+0x14), range 1 base (+0x20).
  CHECK(cfg.read(0x10C, 2) == 0x2);
  cfg.write(0x10C, 2, 0x6);  // Mem_Enable
  cfg.write(0x120, 4, 0x1);
  cfg.write(0x124, 4, 0x1000'0000);
  CHECK(cfg.read(0x10C, 2) == 0x6);
  CHECK(cfg.read(0x120, 4) == 0x1);
  cfg.write(0x114, 2, 0x1);  // CONFIG_LOCK: the VMM's copy locks
  CHECK(cfg.read(0x114, 2) == 0x1);
  cfg.write(0x10C, 2, 0x2);  // ignored: locked
  cfg.write(0x120, 4, 0x2);
  CHECK(cfg.read(0x10C, 2) == 0x6);
  CHECK(cfg.read(0x120, 4) == 0x1);
  // The device saw none of it.
  CHECK(region.writes.empty());
  CHECK(device_read(dev, 0x10C, 2) == 0x2);
  CHECK(device_read(dev, 0x114, 2) == 0x0);
  CHECK(device_read(dev, 0x120, 4) == 0x0);
  CHECK(device_read(dev, 0x124, 4) == 0x0);
  // A reset of the VMM's registers unlocks them and disables MSI-X.
  cfg.reset();
  CHECK(cfg.read(0x114, 2) == 0x0);
  CHECK(cfg.read(0x10C, 2) == 0x2);
  CHECK_FALSE(seen.enable);
}

TEST_CASE(
    "configuration passthrough: a partly virtualised register writes the device's own bits "
    "back without acting on them",
    "[vfio][config]") {
  // Status virtualised in Detected Parity Error only (an RW1C bit): the guest's RW1C writes to the
  // other bits reach the device; the device's own Detected Parity Error is written back as 0, so
  // the write-back clears nothing.
  sim_device dev;
  dev.config_space().state().set_field<"status", "detected_parity_error">(1);
  dev.config_space().state().set_field<"status", "master_data_parity_error">(1);
  REQUIRE(device_read(dev, 0x06, 2) == 0x8110);
  vfio::passthrough_function<device_fn,
                             vfio::overlays<vfio::virtualise<"status", "detected_parity_error">>>
      cfg(dev.config_io());
  CHECK(cfg.read(0x06, 2) == 0x0110);  // the VMM's Detected Parity Error: 0
  cfg.write(0x06, 2, 0x0100);          // clear Master Data Parity Error
  CHECK(device_read(dev, 0x06, 2) == 0x8010);
  cfg.write(0x06, 2, 0x8000);  // the VMM's bit: never reaches the device
  CHECK(device_read(dev, 0x06, 2) == 0x8010);
  CHECK(cfg.read(0x06, 2) == 0x0010);
}

TEST_CASE("configuration passthrough: ECAM routes to it, and a device that fails reads all-ones",
          "[vfio][config]") {
  sim_device dev;
  vfio::passthrough_function<device_fn> cfg(dev.config_io());
  pci::ecam<1> ecam;
  REQUIRE(ecam.attach(0, 2, 0, cfg));
  CHECK(ecam.read(2 << 15, 4) == 0x2342'10DE);
  ecam.write((2 << 15) | 0x18, 4, 0xFFFF'FFFF);
  CHECK(ecam.read((2 << 15) | 0x18, 4) == 0xFFC0'000C);

  failing_region broken;
  vfio::passthrough_function<device_fn> dead(broken);
  CHECK(dead.read(0x00, 4) == 0xFFFF'FFFF);
  CHECK(dead.device_failures() == 1);
  CHECK(dead.last_device_failure().err == EIO);
  CHECK(dead.read(0x18, 4) == 0xC);  // the VMM's BAR: no device access
  CHECK(dead.device_failures() == 1);
  CHECK(dead.read(0x04, 2) == 0xFFFC);  // Command: the VMM's decode bits, the device's as ones
  CHECK(dead.device_failures() == 2);
}

TEST_CASE("configuration passthrough: verify accepts the device its layout describes",
          "[vfio][config]") {
  for (const vfio::cxl_uapi rev : {vfio::cxl_uapi::v2, vfio::cxl_uapi::v4}) {
    sim_device dev({.revision = rev});
    vfio::passthrough_function<device_fn> cfg(dev.config_io());
    const vfio::match_result m = cfg.verify(bar_sizes(dev));
    INFO((m.mismatches.empty() ? std::string() : m.mismatches.front()));
    CHECK(m.ok());
  }
}

namespace {
template <pci::ids Id = device_ids, class Bars = pci::bars<pci::mem64<2, bar_size>>,
          class Caps = pci::caps<pci::express_capability<>, msix8>,
          class Ext = pci::ext_caps<cxl::device_dvsec<1_GiB>, cxl::register_locator<2, bar2_v4>>>
using layout_fn = pci::function<Id, Bars, Caps, Ext>;
}  // namespace

TEST_CASE("configuration passthrough: verify explains every difference", "[vfio][config]") {
  sim_device dev;
  const auto sizes = bar_sizes(dev);
  SECTION("BAR sizes and a BAR the layout lacks") {
    vfio::passthrough_function<device_fn> cfg(dev.config_io());
    auto wrong = sizes;
    wrong[2] = 8_MiB;
    wrong[0] = 4_KiB;
    const auto m = cfg.verify(wrong);
    CHECK(m.mismatches.size() == 2);
    CHECK(has(m,
              "BAR 0: the kernel reports 0x1000 bytes, the layout has no BAR there: the "
              "guest could never map it"));
    CHECK(has(m, "BAR 2: the kernel reports 0x800000 bytes, the layout declares 0x400000"));
    wrong = sizes;
    wrong[3] = 4_KiB;
    CHECK(cfg.verify(wrong).mismatches ==
          std::vector<std::string>{"BAR 3: the kernel reports 0x1000 bytes, the layout has the "
                                   "upper half of BAR 2 there"});
  }
  SECTION("a BAR of another type") {
    vfio::passthrough_function<layout_fn<device_ids, pci::bars<pci::mem32<2, bar_size>>>> cfg(
        dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"BAR 2: the layout declares a 32-bit memory BAR, the device "
                                   "has a 64-bit prefetchable memory BAR"});
  }
  SECTION("a BAR the device lacks") {
    vfio::passthrough_function<
        layout_fn<device_ids, pci::bars<pci::mem32<0, 64_KiB>, pci::mem64<2, bar_size>>>>
        cfg(dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"BAR 0: the layout declares a 32-bit memory BAR of 0x10000 "
                                   "bytes, the kernel reports no region"});
  }
  SECTION("another device") {
    vfio::passthrough_function<layout_fn<pci::ids{.vendor = 0x10DE, .device = 0x2343}>> cfg(
        dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"the device is 0x10de:0x2342, the layout describes "
                                   "0x10de:0x2343"});
  }
  SECTION("MSI-X where the device has none") {
    vfio::passthrough_function<
        layout_fn<device_ids, pci::bars<pci::mem64<2, bar_size>>,
                  pci::caps<pci::express_capability<>, pci::at_offset<0x90, msix8>>>>
        cfg(dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"capability msix (ID 0x11) at 0x90 in the layout: the "
                                   "device's standard capability list does not reach 0x90 (it "
                                   "holds 0x40 ID 0x10, 0x7c ID 0x11)"});
  }
  SECTION("a read-only field the guest would see wrong: the MSI-X Table Size") {
    vfio::passthrough_function<
        layout_fn<device_ids, pci::bars<pci::mem64<2, bar_size>>,
                  pci::caps<pci::express_capability<>,
                            pci::msix_capability<"msix", 16, 2, 0x3000, 2, 0x3800>>>>
        cfg(dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"msix/control.table_size: the device has 0x7, the layout 0xf "
                                   "(the guest would see the layout's)"});
  }
  SECTION("another DVSEC where the layout's is") {
    using other =
        pci::dvsec<"cxl_device", 0x8086, 3, 0, 0x3C,
                   reg<"control", 0x0C, 16, 0x2, field<"control", 15, 0, field_kinds::rw>>>;
    vfio::passthrough_function<
        layout_fn<device_ids, pci::bars<pci::mem64<2, bar_size>>,
                  pci::caps<pci::express_capability<>, msix8>, pci::ext_caps<other>>,
        vfio::overlays<vfio::virtualise<"cxl_device/control">>>
        cfg(dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"capability cxl_device at 0x100: the device's DVSEC is vendor "
                                   "0x1e98 revision 3 ID 0x0, the layout's vendor 0x8086 "
                                   "revision 3 ID 0x0"});
  }
  SECTION("another extended capability where the layout's is") {
    using aer = pci::ext_capability<"aer", 0x1, 2, 0x48,
                                    reg<"mask", 0x8, 32, 0, field<"mask", 31, 0, field_kinds::rw>>>;
    vfio::passthrough_function<
        layout_fn<device_ids, pci::bars<pci::mem64<2, bar_size>>,
                  pci::caps<pci::express_capability<>, msix8>, pci::ext_caps<aer>>,
        vfio::overlays<vfio::virtualise<"aer/mask">>>
        cfg(dev.config_io());
    CHECK(cfg.verify(sizes).mismatches ==
          std::vector<std::string>{"capability aer (ID 0x1) at 0x100 in the layout: the device "
                                   "has ID 0x23 version 1 there (the layout: version 2)"});
  }
  SECTION("a region that cannot be read, or no function") {
    failing_region broken;
    CHECK(vfio::passthrough_function<device_fn>(broken).verify(sizes).mismatches ==
          std::vector<std::string>{"the configuration region cannot be read at 0x0 (system call "
                                   "failed, errno 5)"});
    absent_region absent;
    CHECK(vfio::passthrough_function<device_fn>(absent).verify(sizes).mismatches ==
          std::vector<std::string>{"the configuration region reads vendor ID 0xffff: no function "
                                   "answers there"});
  }
}

TEST_CASE("configuration passthrough: a capability list that loops is reported", "[vfio][config]") {
  sim_device dev;
  // The device's MSI-X points back at the PCIe capability.
  dev.config_space().state().set_field<"msix/next", "next">(0x40);
  vfio::passthrough_function<device_fn> cfg(dev.config_io());
  const auto m = cfg.verify(bar_sizes(dev));
  CHECK(has(m, "the device's standard capability list loops back to 0x40"));
}

TEST_CASE("the simulated configuration region is cut as vfio-pci cuts it", "[vfio][config]") {
  sim_device dev;
  vfio::region_io& c = dev.config_io();
  CHECK(c.size() == 4096);
  // IDs, then Command 0x0006 (the host's) and Status 0x0010 (Capabilities List).
  CHECK(c.read(0x00, 8).value == 0x0010'0006'2342'10DEULL);  // two dwords
  CHECK(c.read(0x01, 2).value == 0x4210);                    // two bytes: unaligned word
  CHECK(c.read(0x02, 4).value == 0x0006'2342);               // word + word
  CHECK(c.read(0xFFE, 4).error == vfio::io_error::os_error);
  CHECK(c.read(0xFFE, 4).err == EINVAL);
  CHECK(c.read(0x00, 3).error == vfio::io_error::bad_size);
  REQUIRE(c.write(0x3C, 1, 0x0B).ok());  // Interrupt Line: RW
  CHECK(c.read(0x3C, 1).value == 0x0B);
}
