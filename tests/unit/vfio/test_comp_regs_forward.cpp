// The RFC's COMP_REGS backend: `cxl::type2_forwarding_bar` puts one io region over the kernel's
// COMP_REGS range (v2: the capability array through the decoder block; v4: the decoder block),
// taking 4-byte aligned accesses only, and `vfio::comp_regs_forward` forwards them to the
// region — the kernel's rules answer, v2's deviation included — and virtualises BASE where the
// kernel shows the host's decoder (v4). Expected values come from the reference's rules
// (cxl.md §3.4, §7), not from the types under test.
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/comp_regs_forward.hpp>
#include <mmiotree/vfio/sim_device.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "example_bars.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;
using vfio::cxl_uapi;

namespace {
using namespace example_bars;
using fwd_v2 = cxl::type2_forwarding_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v2, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at>,
    cxl::accel_window<"accel_hi", comp_at + 64_KiB, bar_size - comp_at - 64_KiB>>;
using fwd_v4 = cxl::type2_forwarding_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v4, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>,
    cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>>;
using function =
    pci::function<pci::ids{.vendor = 0x10DE, .device = 0x2342, .class_code = 0x12'00'00},
                  pci::bars<pci::mem64<0, 16_MiB>, pci::mem64<2, bar_size>>>;
using device = vfio::sim::cxl_device<function>;

/// A region that records every access and answers reads with the offset; `fail` makes every
/// access fail with EIO.
struct recording_region final : vfio::region_io {
  struct access {
    bool write;
    std::uint64_t offset;
    unsigned size;
    std::uint64_t value;
    bool operator==(const access&) const = default;
  };
  std::vector<access> log;
  bool fail = false;
  [[nodiscard]] std::uint64_t size() const noexcept override { return 0x1000; }
  vfio::io_result read(std::uint64_t off, unsigned size) override {
    log.push_back({false, off, size, 0});
    if (fail) return {vfio::io_error::os_error, EIO, 0};
    return {vfio::io_error::none, 0, off};
  }
  vfio::io_result write(std::uint64_t off, unsigned size, std::uint64_t v) override {
    log.push_back({true, off, size, v});
    if (fail) return {vfio::io_error::os_error, EIO, 0};
    return {};
  }
};

/// The BAR's trapped background: records the offsets it is asked for.
struct background {
  std::vector<addr_t> offsets;
  std::uint64_t read(addr_t off, unsigned) {
    offsets.push_back(off);
    return 0xB0B0;
  }
  void write(addr_t off, unsigned, std::uint64_t) { offsets.push_back(off); }
};

// Decoder n's registers, relative to the decoder block.
constexpr addr_t base_lo(unsigned n) { return 0x10 + 0x20 * n; }
constexpr addr_t base_hi(unsigned n) { return 0x14 + 0x20 * n; }
constexpr addr_t size_lo(unsigned n) { return 0x18 + 0x20 * n; }
constexpr addr_t ctrl(unsigned n) { return 0x20 + 0x20 * n; }
constexpr std::uint32_t lock_on_commit = 1U << 8, committed = 1U << 10;
}  // namespace

// COMP_REGS by the kernels' rule: v2 from the CXL.cache/mem range (component + 4 KiB) through
// the decoder block's last byte; v4 the decoder block (0x10 + 2 x 0x20 bytes).
static_assert(fwd_v2::comp_regs_lo == comp_at + 0x1000 && fwd_v2::comp_regs_size == 0x128 + 0x50);
static_assert(fwd_v4::comp_regs_lo == hdm_at && fwd_v4::comp_regs_size == 0x50);
static_assert(fwd_v2::backend == cxl::comp_regs_backend::forward &&
              bar2_v2::backend == cxl::comp_regs_backend::emulate);

TEST_CASE("a forwarding BAR mmaps what the emulating one does, and the kernel's report matches it",
          "[vfio][comp_regs]") {
  const auto same = []<class A, class B>() {
    const auto& a = projection_v<A, 4_KiB>.passthrough;
    const auto& b = projection_v<B, 4_KiB>.passthrough;
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].lo == b[i].lo);
      CHECK(a[i].last == b[i].last);
    }
  };
  same.template operator()<fwd_v2, bar2_v2>();
  same.template operator()<fwd_v4, bar2_v4>();

  for (cxl_uapi rev : {cxl_uapi::v2, cxl_uapi::v4}) {
    device d({.revision = rev});
    const auto info = vfio::parse_device_info(d.device_info_bytes());
    REQUIRE(info.ok());
    std::vector<vfio::region_info> regions;
    for (std::uint32_t i = 0; i < info->num_regions; ++i)
      regions.push_back(vfio::parse_region_info(d.region_info_bytes(i), i).value());
    const auto rep = vfio::parse_cxl_report(info.value(), regions, rev, vfio::sim::v4_numbers);
    REQUIRE(rep.ok());
    const vfio::match_result m = rev == cxl_uapi::v2
                                     ? vfio::check_matches<fwd_v2, 2>(rep.value(), 4_KiB, 2)
                                     : vfio::check_matches<fwd_v4, 2>(rep.value(), 4_KiB, 2);
    CHECK(m.mismatches == std::vector<std::string>{});
    CHECK(rep->comp_regs_bar_offset ==
          (rev == cxl_uapi::v2 ? fwd_v2::comp_regs_lo : fwd_v4::comp_regs_lo));
  }
}

TEMPLATE_TEST_CASE("only 4-byte aligned accesses reach COMP_REGS, at the region's offsets",
                   "[vfio][comp_regs]", fwd_v2, fwd_v4) {
  using Bar = TestType;
  constexpr bool v2 = Bar::geometry == cxl::kernel_geometry::v2;
  recording_region region;
  vfio::comp_regs_forward h(region, v2 ? cxl_uapi::v2 : cxl_uapi::v4, v2 ? 0x128 : 0, 2);
  background ops;
  address_space<Bar> space;
  REQUIRE(space.template bind<"comp_regs">(h) == bind_status::ok);
  REQUIRE(space.template bind<"bar_ops">(ops) == bind_status::ok);

  const addr_t first = v2 ? comp_at + 0x1000 : hdm_at;  // COMP_REGS offset 0
  const addr_t last_word = hdm_at + 0x4C;
  CHECK(space.read(first, 4).value == 0);
  CHECK(space.read(last_word + 0, 4).value == last_word - first);  // the decoder control of 1
  REQUIRE(space.write(first + 8, 4, 0x1234) == access_status::ok);
  const std::vector<recording_region::access> want{
      {false, 0, 4, 0}, {false, last_word - first, 4, 0}, {true, 8, 4, 0x1234}};
  CHECK(region.log == want);

  // 1, 2 and 8 bytes, and a misaligned 4: refused by the region's type, never forwarded.
  CHECK(space.read(first + 4, 1).status == access_status::access_error);
  CHECK(space.read(first + 4, 2).status == access_status::access_error);
  CHECK(space.read(first + 8, 8).status == access_status::access_error);
  CHECK(space.read(first + 2, 4).status == access_status::access_error);
  CHECK(space.write(first + 8, 8, 0) == access_status::access_error);
  CHECK(region.log == want);

  // Past the decoder block, and before COMP_REGS: the BAR's background.
  CHECK(space.read(hdm_at + 0x50, 4).value == 0xB0B0);
  CHECK(space.read(first - 4, 4).value == 0xB0B0);
  CHECK(ops.offsets == std::vector<addr_t>{hdm_at + 0x50, first - 4});
}

TEST_CASE("v2 through COMP_REGS: the kernel's shadow answers, its Lock-On-Commit clearing shows",
          "[vfio][comp_regs]") {
  device d({.revision = cxl_uapi::v2});
  vfio::comp_regs_forward h(d.comp_regs_io(), cxl_uapi::v2, 0x128, 2);
  CHECK_FALSE(h.virtualises_base());
  const addr_t hdm = 0x128;
  // v2 shows the host's committed decoder unlocked with BASE zeroed: the firmware commits it.
  CHECK(h.read(hdm + base_lo(0), 4) == 0);
  CHECK(h.firmware_commit(0, 0x100'0000'0000, 256_MiB) == vfio::forward_commit::committed);
  CHECK(h.read(hdm + base_hi(0), 4) == 0x100);
  CHECK((h.read(hdm + ctrl(0), 4) & (lock_on_commit | committed)) == (lock_on_commit | committed));
  // Locked: BASE writes dropped by the kernel…
  h.write(hdm + base_lo(0), 4, 0x2000'0000);
  CHECK(h.read(hdm + base_lo(0), 4) == 0);
  // …but a control write without Lock-On-Commit unlocks it (cxl.md §3.4, not the spec's rule).
  h.write(hdm + ctrl(0), 4, 0);
  CHECK((h.read(hdm + ctrl(0), 4) & lock_on_commit) == 0);
  CHECK((h.read(hdm + ctrl(0), 4) & committed) == committed);
  // The capability array is the hardware's, at offset 0.
  CHECK((h.read(0, 4) & 0xFFFF) == 1);
  // A size the shadow does not hold back: v2 takes any 256 MiB multiple, so decoder 1 commits.
  CHECK(h.firmware_commit(1, 0x100'1000'0000, 512_MiB) == vfio::forward_commit::committed);
  CHECK(h.firmware_commit(2, 0, 256_MiB) == vfio::forward_commit::no_decoder);
  CHECK(h.failures() == 0);
}

TEST_CASE("v4 through COMP_REGS: BASE is the VMM's, never the host's address",
          "[vfio][comp_regs]") {
  device d({.revision = cxl_uapi::v4});
  vfio::comp_regs_forward h(d.comp_regs_io(), cxl_uapi::v4, 0, 2);
  CHECK(h.virtualises_base());
  const std::uint64_t host = d.params().host_hpa;
  REQUIRE(host != 0);
  // Before the firmware commit the guest sees base 0, while the kernel reads the host's.
  CHECK(d.comp_regs_io().read(base_hi(0), 4).value == host >> 32);
  CHECK(h.read(base_lo(0), 4) == 0);
  CHECK(h.read(base_hi(0), 4) == 0);
  CHECK(h.firmware_commit(0, 0x100'0000'0000, 256_MiB) == vfio::forward_commit::committed);
  CHECK(h.read(base_hi(0), 4) == 0x100);
  CHECK(h.read(base_lo(0), 4) == 0);
  CHECK(d.hardware_hdm(base_hi(0)) == host >> 32);  // the hardware keeps the host's
  // Control and size are the hardware's: committed and locked by the host.
  CHECK((h.read(ctrl(0), 4) & (lock_on_commit | committed)) == (lock_on_commit | committed));
  CHECK(h.read(size_lo(0), 4) == (256_MiB & 0xF000'0000U));
  // A locked decoder's BASE does not move, and a write clearing Lock-On-Commit is absorbed.
  h.write(base_lo(0), 4, 0x3000'0000);
  h.write(base_hi(0), 4, 0x7);
  h.write(ctrl(0), 4, 0);
  CHECK(h.read(base_hi(0), 4) == 0x100);
  CHECK(h.read(base_lo(0), 4) == 0);
  CHECK((h.read(ctrl(0), 4) & lock_on_commit) == lock_on_commit);
  // Decoder 1 is not committed: its virtual BASE takes the guest's writes (low bits reserved).
  h.write(base_lo(1), 4, 0x3000'0ABC);
  h.write(base_hi(1), 4, 0x101);
  CHECK(h.read(base_lo(1), 4) == 0x3000'0000);
  CHECK(h.read(base_hi(1), 4) == 0x101);
  // The host committed 256 MiB: the VMM cannot commit another size, and says so.
  CHECK(h.firmware_commit(0, 0x100'0000'0000, 512_MiB) == vfio::forward_commit::other_window);
  CHECK(h.failures() == 0);
}

TEST_CASE("a failing COMP_REGS region reads all-ones and is counted", "[vfio][comp_regs]") {
  recording_region region;
  region.fail = true;
  vfio::comp_regs_forward h(region, cxl_uapi::v2, 0, 2);
  CHECK(h.read(0x4, 4) == 0xFFFF'FFFF);
  CHECK(h.failures() == 1);
  CHECK(h.last_failure().err == EIO);
  CHECK(h.firmware_commit(0, 0x100'0000'0000, 256_MiB) == vfio::forward_commit::io_failed);
}
