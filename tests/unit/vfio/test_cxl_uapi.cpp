// The CXL report of each uAPI revision (vfio/cxl_uapi.hpp), from buffers written here field by
// field as the series' headers lay them out (v2: sforshee/NV-Kernels vfio.h @23b4e643; v3: the
// v3 05/11 patch; v4: the legoater/linux selftest, with the region capability of the v4 plan),
// decoded into one revision-independent report — and refused, with the error that names why,
// when a buffer does not fit the revision the VMM named or does not describe a usable device.
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/info.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "le_buffer.hpp"

using namespace mmiotree;
using vfio::cxl_uapi;
using vfio::parse_error;

namespace {

using buf = le_buffer;

constexpr std::uint32_t PCI = 1U << 1, CAPS_DEV = 1U << 7, CXL = 1U << 9;
constexpr std::uint32_t READ = 1, WRITE = 2, MMAP = 4, CAPS = 8;
constexpr std::uint32_t vendor_cxl = 0x8000'1E98U;  // PCI_VENDOR_TYPE | 0x1E98
constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t comp = 1 * MiB;  // component block in BAR 2

/// Device info with one capability (the CXL one, `body` bytes after its header) at 24.
buf device(std::uint32_t flags, std::size_t cap_bytes) {
  buf d(24 + cap_bytes);
  d.put(0, 24 + cap_bytes, 4).put(4, flags, 4).put(8, 11, 4).put(12, 5, 4).put(16, 24, 4);
  d.cap(24, 6, 1, 0);
  return d;
}
buf device_v2(std::uint64_t bar = 2, std::uint64_t cm = comp + 0x1000, std::uint32_t dpa = 9,
              std::uint32_t regs = 10) {
  buf d = device(PCI | CAPS_DEV | CXL, 32);
  d.put(32, bar, 1).put(36, 0x3, 4).put(40, cm, 8).put(48, dpa, 4).put(52, regs, 4);
  return d;
}
buf device_v3() {
  buf d = device(PCI | CAPS_DEV | CXL, 48);
  d.put(32, 1, 4).put(36, 9, 4).put(40, 10, 4).put(44, 2, 4).put(48, 0, 4);
  d.put(56, comp, 8).put(64, 64 * 1024, 8);
  return d;
}
buf device_v4() {
  buf d = device(PCI | CAPS_DEV | CXL, 16);
  d.put(32, 1, 4);
  return d;
}

/// vfio_region_info of `index` with an optional type capability (at 32) and a further
/// capability `extra` (at 48, `extra.size()` bytes, header included).
buf region(std::uint32_t index, std::uint32_t flags, std::uint64_t size, std::uint64_t fd_offset,
           std::optional<std::pair<std::uint32_t, std::uint32_t>> type = std::nullopt,
           const std::vector<std::uint64_t>& extra = {}) {
  const std::size_t total = 32 + (type ? 16 : 0) + 8 * extra.size();
  buf r(total);
  const bool caps = type || !extra.empty();
  r.put(0, total, 4).put(4, flags | (caps ? CAPS : 0), 4).put(8, index, 4);
  r.put(12, caps ? 32 : 0, 4).put(16, size, 8).put(24, fd_offset, 8);
  std::size_t at = 32;
  if (type) {
    r.cap(32, 2, 1, extra.empty() ? 0 : 48).put(40, type->first, 4).put(44, type->second, 4);
    at = 48;
  }
  for (std::size_t k = 0; k < extra.size(); ++k) r.put(at + 8 * k, extra[k], 8);
  return r;
}
/// BAR 2: 4 MiB, mmappable around the component block (v2 geometry: the whole 64 KiB out).
buf bar2() {
  buf r(32 + 48);
  r.put(0, 80, 4).put(4, READ | WRITE | MMAP | CAPS, 4).put(8, 2, 4).put(12, 32, 4);
  r.put(16, 4 * MiB, 8).put(24, 0x2'0000'0000ULL, 8);
  r.cap(32, 1, 1, 0).put(40, 2, 4);
  r.put(48, 0, 8).put(56, comp, 8).put(64, comp + 0x10000, 8).put(72, 3 * MiB - 0x10000, 8);
  return r;
}

vfio::region_info parse_region(const buf& b, std::uint32_t index) {
  const auto p = vfio::parse_region_info(b.b, index);
  REQUIRE(p.ok());
  return p.value();
}

struct report_input {
  buf dev;
  std::vector<vfio::region_info> regions;
};

vfio::parsed<vfio::cxl_report> report(const buf& dev, const std::vector<vfio::region_info>& regs,
                                      cxl_uapi r, const vfio::v4_numbers& n = {}) {
  const auto d = vfio::parse_device_info(dev.b);
  REQUIRE(d.ok());
  return vfio::parse_cxl_report(d.value(), regs, r, n);
}

std::vector<vfio::region_info> regions_v2() {
  return {parse_region(region(0, READ | WRITE | MMAP, 16 * MiB, 0), 0), parse_region(bar2(), 2),
          parse_region(region(9, READ | WRITE | MMAP, 1024 * MiB, 0x9'0000'0000ULL,
                              std::pair{vendor_cxl, 1U}),
                       9),
          parse_region(region(10, READ | WRITE, 0x1000 + 0x128 + 0x50 - 0x1000, 0xA'0000'0000ULL,
                              std::pair{vendor_cxl, 2U}),
                       10)};
}

// The v4 numbers this test's kernel uses (no public header gives them).
constexpr vfio::v4_numbers v4n{.region_type = vendor_cxl,
                               .memory_subtype = 1,
                               .comp_regs_subtype = 2,
                               .comp_regs_cap_id = 7,
                               .comp_regs_cap_version = 1};
constexpr std::uint64_t hdm = comp + 0x1000 + 0x128;

std::vector<vfio::region_info> regions_v4(std::uint64_t cap_bar = 2, std::uint64_t cap_off = hdm,
                                          std::uint64_t cap_size = 0x50,
                                          std::uint64_t region_size = 0x50) {
  // The region capability: header {7, 1, next 0}, bar, reserved, offset, size.
  const std::uint64_t header = 7U | (1U << 16);
  return {parse_region(bar2(), 2),
          parse_region(region(9, READ | WRITE | MMAP, 1024 * MiB, 0x9'0000'0000ULL,
                              std::pair{vendor_cxl, 1U}),
                       9),
          parse_region(region(10, READ | WRITE, region_size, 0xA'0000'0000ULL,
                              std::pair{vendor_cxl, 2U}, {header, cap_bar, cap_off, cap_size}),
                       10)};
}

}  // namespace

TEST_CASE("v2: the RFC's device capability and region indices", "[vfio][cxl]") {
  const auto r = report(device_v2(), regions_v2(), cxl_uapi::v2);
  REQUIRE(r.ok());
  CHECK(r->firmware_committed);
  CHECK(r->cache_capable);
  CHECK(r->component_bar == 2);
  CHECK(r->bar_size == 4 * MiB);
  CHECK(r->bar_mmap);
  REQUIRE(r->bar_areas.size() == 2);
  CHECK(r->bar_areas[1].offset == comp + 0x10000);
  CHECK(r->comp_regs_bar_offset == comp + 0x1000);  // the CXL.cache/mem range
  CHECK_FALSE(r->hdm_bar_offset.has_value());       // found by walking the array
  CHECK(r->comp_regs_region == 10);
  CHECK(r->memory_region == 9);
  CHECK(r->memory_size == 1024 * MiB);
  CHECK(r->memory_mmap);
}

TEST_CASE("v3: the component block by BAR and offset", "[vfio][cxl]") {
  std::vector<vfio::region_info> regs = regions_v2();
  regs[3] = parse_region(
      region(10, READ | WRITE, 0x10000, 0xA'0000'0000ULL, std::pair{vendor_cxl, 2U}), 10);
  const auto r = report(device_v3(), regs, cxl_uapi::v3);
  REQUIRE(r.ok());
  CHECK(r->firmware_committed);
  CHECK_FALSE(r->cache_capable);
  CHECK(r->component_bar == 2);
  CHECK(r->comp_regs_bar_offset == comp);
  CHECK(r->comp_regs_size == 0x10000);
}

TEST_CASE("v4: flags only, regions by type, the HDM block from the region capability",
          "[vfio][cxl]") {
  const auto r = report(device_v4(), regions_v4(), cxl_uapi::v4, v4n);
  REQUIRE(r.ok());
  CHECK(r->firmware_committed);
  CHECK(r->component_bar == 2);
  REQUIRE(r->hdm_bar_offset.has_value());
  CHECK(*r->hdm_bar_offset == hdm);
  CHECK(*r->hdm_size == 0x50);
  CHECK(r->comp_regs_bar_offset == hdm);
  CHECK(r->comp_regs_fd_offset == 0xA'0000'0000ULL);
  CHECK(r->memory_region == 9);
  // Without the numbers of its kernel, a v4 report cannot be read.
  CHECK(report(device_v4(), regions_v4(), cxl_uapi::v4).error() ==
        parse_error::cxl_capability_missing);
}

TEST_CASE("a capability read as another revision is refused", "[vfio][cxl]") {
  CHECK(report(device_v2(), regions_v2(), cxl_uapi::v3).failure() ==
        vfio::parse_failure{parse_error::revision_shape, 24, 32});
  CHECK(report(device_v2(), regions_v2(), cxl_uapi::v4, v4n).error() ==
        parse_error::revision_shape);
  CHECK(report(device_v3(), regions_v2(), cxl_uapi::v2).error() == parse_error::revision_shape);
  CHECK(report(device_v4(), regions_v4(), cxl_uapi::v2).failure() ==
        vfio::parse_failure{parse_error::revision_shape, 24, 16});
}

TEST_CASE("a CXL report that does not describe a usable device is refused", "[vfio][cxl]") {
  {
    buf d = device_v2();
    d.put(4, PCI | CAPS_DEV, 4);  // no CXL flag
    CHECK(report(d, regions_v2(), cxl_uapi::v2).error() == parse_error::cxl_not_a_cxl_device);
    d.put(4, PCI | CAPS_DEV | CXL, 4).cap(24, 5, 1, 0);  // the flag, but no CXL capability
    CHECK(report(d, regions_v2(), cxl_uapi::v2).error() == parse_error::cxl_capability_missing);
    d.cap(24, 6, 2, 0);
    CHECK(report(d, regions_v2(), cxl_uapi::v2).failure() ==
          vfio::parse_failure{parse_error::cap_unknown_version, 24, 2});
  }
  CHECK(report(device_v2(7), regions_v2(), cxl_uapi::v2).failure() ==
        vfio::parse_failure{parse_error::cxl_bar_missing, 24, 7});
  CHECK(report(device_v2(4), regions_v2(), cxl_uapi::v2).error() == parse_error::cxl_bar_missing);
  CHECK(report(device_v2(2, 4 * MiB - 0x100), regions_v2(), cxl_uapi::v2).failure() ==
        vfio::parse_failure{parse_error::cxl_hdm_outside_bar, 10, 4 * MiB - 0x100});
  CHECK(report(device_v2(2, comp + 0x1000, 12), regions_v2(), cxl_uapi::v2).failure() ==
        vfio::parse_failure{parse_error::cxl_region_missing, 24, 12});
  // A region index among vfio-pci's fixed ones (BAR 0) is not a CXL region.
  CHECK(report(device_v2(2, comp + 0x1000, 9, 0), regions_v2(), cxl_uapi::v2).error() ==
        parse_error::cxl_region_missing);
}

TEST_CASE("v4 regions and region capability: missing, twice, another version or shape",
          "[vfio][cxl]") {
  {
    std::vector<vfio::region_info> regs = regions_v4();
    regs.push_back(regs[2]);
    regs.back().index = 11;
    CHECK(report(device_v4(), regs, cxl_uapi::v4, v4n).failure() ==
          vfio::parse_failure{parse_error::cxl_region_ambiguous, 11, 2});
    regs.erase(regs.begin() + 1);  // no memory region
    CHECK(report(device_v4(), regs, cxl_uapi::v4, v4n).error() == parse_error::cxl_region_missing);
  }
  vfio::v4_numbers other = v4n;
  other.comp_regs_cap_version = 2;
  CHECK(report(device_v4(), regions_v4(), cxl_uapi::v4, other).error() ==
        parse_error::cap_unknown_version);
  CHECK(report(device_v4(), regions_v4(3), cxl_uapi::v4, v4n).error() ==
        parse_error::cxl_bar_missing);
  CHECK(report(device_v4(), regions_v4(2, 4 * MiB - 0x20), cxl_uapi::v4, v4n).error() ==
        parse_error::cxl_hdm_outside_bar);
  CHECK(report(device_v4(), regions_v4(2, hdm, 0x70), cxl_uapi::v4, v4n).error() ==
        parse_error::cxl_region_too_small);
  CHECK(report(device_v4(), regions_v4(2, hdm, 0x20, 0x20), cxl_uapi::v4, v4n).error() ==
        parse_error::cxl_region_too_small);
}
