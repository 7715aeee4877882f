// MSI-X: the capability in configuration space, the table and PBA as overlay regions of the BAR
// (at an explicit priority over the BAR's mmap, not by insertion order), and the interrupt rules:
// masked vectors pend, unmasking delivers, a disabled function drops.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <utility>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using fn =
    pci::function<pci::ids{.vendor = 0x1AF4, .device = 0x1041}, pci::bars<pci::mem64<0, 64_KiB>>,
                  pci::caps<pci::msix_capability<"msix", 4, 0, 0x8000, 0, 0x9000>>>;
// BAR 0: device memory mmapped, the table and PBA laid over it at priority 1.
using bar0 = container<"bar0", 64_KiB, at<0, passthrough<"mmio", 64_KiB>>,
                       at<0x8000, pci::msix_table<4>, 1>, at<0x9000, pci::msix_pba<4>, 1>>;

struct vmm final : pci::msi_target {
  std::vector<std::pair<addr_t, std::uint32_t>> got;
  void deliver(addr_t a, std::uint32_t d) override { got.emplace_back(a, d); }
};

struct rig {
  vmm irq;
  pci::msix<4> vectors{&irq};
  pci::function_device<fn> dev{nullptr, &vectors};
  std::vector<std::byte> mem = std::vector<std::byte>(64_KiB);
  address_space<bar0> bar;
  rig() {
    REQUIRE(bar.bind<"mmio">(mem) == bind_status::ok);
    REQUIRE(bar.bind<"msix_table">(vectors.table()) == bind_status::ok);
    REQUIRE(bar.bind<"msix_pba">(vectors.pba()) == bind_status::ok);
  }
  void control(std::uint16_t v) { dev.config().write(0x42, 2, v); }
  void w32(addr_t a, std::uint32_t v) { REQUIRE(bar.write(a, 4, v) == access_status::ok); }
  std::uint64_t r64(addr_t a) {
    const read_result r = bar.read(a, 8);
    REQUIRE(r.ok());
    return r.value;
  }
};
}  // namespace

// The table and PBA hide the mmap over their bytes only.
static_assert(flat_view_v<bar0>.size() == 5);

TEST_CASE("MSI-X capability in configuration space", "[pci][msix]") {
  rig r;
  CHECK(r.dev.config().read(0x34, 1) == 0x40);
  CHECK(r.dev.config().read(0x40, 1) == 0x11);
  CHECK(r.dev.config().read(0x42, 2) == 0x0003);  // Table Size 4 - 1
  CHECK(r.dev.config().read(0x44, 4) == 0x8000);  // BIR 0, offset 0x8000
  CHECK(r.dev.config().read(0x48, 4) == 0x9000);
  r.control(0xFFFF);
  CHECK(r.dev.config().read(0x42, 2) == 0xC003);  // Enable and Function Mask; the rest RO/RsvdP
  CHECK(r.vectors.enabled());
  CHECK(r.vectors.function_masked());
}

TEST_CASE("masked vectors pend and are delivered when unmasked", "[pci][msix]") {
  rig r;
  r.vectors.raise(1);  // MSI-X disabled: dropped
  CHECK(r.vectors.dropped() == 1);
  CHECK_FALSE(r.vectors.pending(1));
  r.control(0x8000);  // enable
  // Vector Control's mask is set at reset: the vector pends.
  CHECK(r.r64(0x8000 + 16 * 1 + 8) >> 32 == 1);
  r.vectors.raise(1);
  CHECK(r.irq.got.empty());
  CHECK(r.vectors.pending(1));
  CHECK(r.r64(0x9000) == 0b10);  // the PBA shows it
  // The OS programs the entry (address low bits are zero), then unmasks it: delivered.
  r.w32(0x8000 + 16 + 0, 0xFEE0'0003);
  r.w32(0x8000 + 16 + 4, 0x0);
  r.w32(0x8000 + 16 + 8, 0x4041);
  r.w32(0x8000 + 16 + 12, 0x0);
  REQUIRE(r.irq.got.size() == 1);
  CHECK(r.irq.got[0] == std::pair<addr_t, std::uint32_t>{0xFEE0'0000, 0x4041});
  CHECK_FALSE(r.vectors.pending(1));
  CHECK(r.r64(0x9000) == 0);
  // Unmasked and enabled: delivered at once.
  r.vectors.raise(1);
  CHECK(r.irq.got.size() == 2);
  // Function Mask: pends; clearing it delivers.
  r.control(0xC000);
  r.vectors.raise(1);
  CHECK(r.irq.got.size() == 2);
  CHECK(r.vectors.pending(1));
  r.control(0x8000);
  CHECK(r.irq.got.size() == 3);
  CHECK_FALSE(r.vectors.pending(1));
  // A masked vector with nothing pending delivers nothing when unmasked.
  r.w32(0x8000 + 12, 0x0);
  CHECK(r.irq.got.size() == 3);
}

TEST_CASE("table and PBA accesses are 4 or 8 bytes, and the PBA is read-only", "[pci][msix]") {
  rig r;
  CHECK(r.bar.read(0x8000, 2).status == access_status::access_error);
  CHECK(r.bar.write(0x8004, 2, 0) == access_status::access_error);
  REQUIRE(r.bar.write(0x8000, 8, 0xFFFF'FFFF'FFFF'FFFCULL) == access_status::ok);
  CHECK(r.r64(0x8000) == 0xFFFF'FFFF'FFFF'FFFCULL);  // one 8-byte write, both dwords
  REQUIRE(r.bar.write(0x9000, 8, ~std::uint64_t{0}) == access_status::ok);
  CHECK(r.r64(0x9000) == 0);
  // Around them, the mmap.
  REQUIRE(r.bar.write(0x7FF8, 8, 0x55) == access_status::ok);
  CHECK(r.mem[0x7FF8] == std::byte{0x55});
  // Reset: every vector masked again, MSI-X off.
  r.vectors.reset();
  CHECK(r.r64(0x8000 + 8) >> 32 == 1);
  CHECK_FALSE(r.vectors.enabled());
}
