// Re-entrancy (issue 14, point 4): a region declared `reentry::refuse` refuses an access that
// arrives while a handler of the same handler object is running on the same thread — QEMU's
// MMIO -> DMA -> MMIO bug class — with `access_status::reentered`, the region's error value for
// a read, and no handler call; other threads, other handler objects and regions that allow
// re-entry (the default) are not affected. The PCI and CXL layers declare it on every region
// they emulate. Also run under ThreadSanitizer (label concurrency).
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/ecam.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

constexpr std::uint64_t dev_error = 0xDEAD'BEEF'0BAD'F00D;
constexpr access_policy refusing = [] {
  access_policy p = access::refuse_reentry(access::any);
  p.error_read = dev_error;
  return p;
}();

// "dev" and "dev_regs" are two regions of one device (one handler object bound to both);
// "other" is a second device that allows re-entry, as every region does by default.
// clang-format off
using machine = container<"m", 64_KiB,
    at<0, io<"dev", 4_KiB, refusing>>,
    at<4_KiB, io<"dev_regs", 4_KiB, access::refuse_reentry(access::any)>>,
    at<8_KiB, io<"other", 4_KiB>>>;
// clang-format on
constexpr addr_t dev = 0, dev_regs = 4_KiB, other = 8_KiB;

/// A handler whose calls run `on_read` / `on_write` (what the device does while it handles
/// the access: DMA into the address space, say) and are counted.
struct device {
  std::function<void()> on_read, on_write;
  std::atomic<int> reads{0}, writes{0};
  std::uint64_t read(addr_t off, unsigned) {
    ++reads;
    if (on_read) on_read();
    return 0x1000 + off;
  }
  void write(addr_t, unsigned, std::uint64_t) {
    ++writes;
    if (on_write) on_write();
  }
};

struct rig {
  address_space<machine> as;
  device d, o;
  rig() {
    REQUIRE(as.bind<"dev">(d) == bind_status::ok);
    REQUIRE(as.bind<"dev_regs">(d) == bind_status::ok);
    REQUIRE(as.bind<"other">(o) == bind_status::ok);
  }
};

}  // namespace

TEST_CASE("a handler's access to its own region is refused, the outer access completes",
          "[reentry]") {
  rig r;
  read_result inner{};
  access_status inner_write = access_status::ok;
  r.d.on_read = [&] { inner = r.as.read(dev + 0x10, 4); };
  r.d.on_write = [&] { inner_write = r.as.write(dev + 0x20, 2, 7); };
  CHECK(r.as.read(dev + 8, 4) == read_result{0x1008, access_status::ok});
  CHECK(inner == read_result{dev_error & 0xFFFF'FFFF, access_status::reentered});
  CHECK(r.d.reads == 1);  // the inner read reached no handler
  CHECK(r.as.write(dev + 8, 4, 1) == access_status::ok);
  CHECK(inner_write == access_status::reentered);
  CHECK(r.d.writes == 1);
  // Done: the next access from outside runs the handler again.
  r.d.on_read = nullptr;
  CHECK(r.as.read(dev, 8) == read_result{0x1000, access_status::ok});
  CHECK(r.d.reads == 2);
}

TEST_CASE("two regions bound to one handler object are one device", "[reentry]") {
  rig r;
  read_result inner{};
  r.d.on_read = [&] { inner = r.as.read(dev_regs + 4, 4); };
  CHECK(r.as.read(dev, 4).ok());
  // dev_regs keeps the default error value, all ones.
  CHECK(inner == read_result{0xFFFF'FFFF, access_status::reentered});
}

TEST_CASE("MMIO -> DMA -> MMIO through another device is refused at the first device",
          "[reentry]") {
  rig r;
  access_status dma = access_status::decode_error, back = access_status::ok;
  r.d.on_write = [&] { dma = r.as.write(other, 4, 1); };     // dev's handler DMAs into "other"
  r.o.on_write = [&] { back = r.as.write(dev + 4, 4, 2); };  // whose handler reaches dev again
  CHECK(r.as.write(dev, 4, 0) == access_status::ok);
  CHECK(dma == access_status::ok);  // another device: served
  CHECK(back == access_status::reentered);
  CHECK(r.d.writes == 1);
  CHECK(r.o.writes == 1);
}

TEST_CASE("a region that allows re-entry (the default) is called again, nested", "[reentry]") {
  rig r;
  int depth = 0;
  read_result inner{};
  r.o.on_read = [&] {
    if (++depth == 1) inner = r.as.read(other + 0x40, 4);
  };
  CHECK(r.as.read(other, 4) == read_result{0x1000, access_status::ok});
  CHECK(inner == read_result{0x1040, access_status::ok});
  CHECK(r.o.reads == 2);
}

TEST_CASE("the pieces of one straddling access are not re-entries of each other", "[reentry]") {
  rig r;
  // 8 bytes at dev's last 4 and dev_regs' first 4: two calls of one handler object, one after
  // the other.
  CHECK(r.as.read(dev_regs - 4, 8).ok());
  CHECK(r.d.reads == 2);
}

TEST_CASE("a handler that throws leaves its region open again", "[reentry]") {
  rig r;
  r.d.on_read = [] { throw std::runtime_error("device fault"); };
  CHECK_THROWS_AS(r.as.read(dev, 4), std::runtime_error);
  r.d.on_read = nullptr;
  CHECK(r.as.read(dev, 4).ok());
  CHECK(r.d.reads == 2);
}

TEST_CASE("the guard is per thread: another vCPU reaches the device while its handler runs",
          "[reentry][concurrency]") {
  rig r;
  std::atomic<bool> inside{false}, done{false};
  r.d.on_write = [&] {
    inside = true;
    while (!done) std::this_thread::yield();
  };
  std::thread vcpu0([&] { CHECK(r.as.write(dev, 4, 0) == access_status::ok); });
  while (!inside) std::this_thread::yield();
  // vCPU 1, while vCPU 0 is inside dev's handler: not a re-entry.
  const read_result got = r.as.read(dev + 0x10, 4);
  done = true;
  vcpu0.join();
  CHECK(got == read_result{0x1010, access_status::ok});
}

namespace {
using hdm = cxl::hdm_decoders<2>;
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
template <template <addr_t, addr_t, class, cxl::kernel_geometry, addr_t, class...> class Bar,
          cxl::kernel_geometry G>
using type2 = Bar<4_MiB, 1_MiB, component, G, 4_KiB, cxl::accel_window<"accel_lo", 0, 1_MiB>,
                  cxl::accel_window<"accel_hi", 1_MiB + 64_KiB, 3_MiB - 64_KiB>>;

/// Whether every io and regs leaf of `R` refuses re-entry.
template <class R>
constexpr bool every_emulated_leaf_refuses() {
  for (const node& n : nodes_v<R>)
    if ((n.kind == region_kind::io || n.kind == region_kind::regs) &&
        n.access.on_reentry != reentry::refuse)
      return false;
  return true;
}
}  // namespace

TEST_CASE("the PCI and CXL layers declare every region they emulate non-reentrant", "[reentry]") {
  STATIC_REQUIRE(pci::config_access.on_reentry == reentry::refuse);
  STATIC_REQUIRE(pci::ecam_access.on_reentry == reentry::refuse);
  STATIC_REQUIRE(pci::msix_access.on_reentry == reentry::refuse);
  STATIC_REQUIRE(cxl::qword_only.on_reentry == reentry::refuse);
  STATIC_REQUIRE(
      every_emulated_leaf_refuses<type2<cxl::type2_component_bar, cxl::kernel_geometry::v4>>());
  STATIC_REQUIRE(
      every_emulated_leaf_refuses<type2<cxl::type2_forwarding_bar, cxl::kernel_geometry::v4>>());
  STATIC_REQUIRE(
      every_emulated_leaf_refuses<type2<cxl::type2_forwarding_bar, cxl::kernel_geometry::v2>>());
  // And the machine above, which declares nothing for "other": the default allows.
  STATIC_REQUIRE(!every_emulated_leaf_refuses<machine>());
}
