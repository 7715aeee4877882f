// tests/unit/cxl/device_rig.hpp: a passed-through CXL Type-2 device in a machine — a PCI function
// whose BAR registers drive two BAR slots (pci::bar_slots), the Type-2 component BAR with its
// accelerator windows, trapped background and HDM decoders, and device memory that the
// decoders map into the CFMWS window when they commit (cxl::decoder_slots) — with host memory
// and handlers bound and a listener counting frames. Used by test_device_snapshot.cpp and
// test_device_concurrency.cpp.
#pragma once

#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/decoder_slots.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace device_rig {

using namespace mmiotree;
using namespace mmiotree::literals;

using hdm = cxl::hdm_decoders<2>;
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
constexpr addr_t bar_size = 4_MiB, comp_at = 1_MiB;
using bar2_t = cxl::type2_component_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v4, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>,
    cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>>;
using bar0_t = container<"bar0", 1_MiB, at<0, io<"regs", 4_KiB>>>;
constexpr addr_t dpa_size = 256_MiB;  // one decoder granule: the smallest mappable window
using dev_mem = container<"dev_mem", dpa_size, at<0, passthrough<"dpa", dpa_size>>>;
constexpr addr_t pci64 = 0x80'0000'0000, cfmws = 0x100'0000'0000;
struct machine : container<"machine", 0x200'0000'0000,
                           at<pci64, container<"pci64", 1_GiB, slot<bar0_t>, slot<bar2_t>>>,
                           at<cfmws, container<"cfmws", 4_GiB, slot<dev_mem>>>> {};

using function = pci::function<pci::ids{.vendor = 0x10DE, .device = 0x2342},
                               pci::bars<pci::mem64<0, 1_MiB>, pci::mem64<2, bar_size>>>;
constexpr std::uint32_t function_key = 0x0100;  // bus 1, device 0, function 0

struct regs_handler {
  std::uint64_t read(addr_t, unsigned) { return 0x5A5A; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

struct counting final : map_listener {
  int frames = 0;
  void changes_begin() override { ++frames; }
  void region_add(const map_event&) override {}
  void region_del(const map_event&) override {}
};

struct rig {
  std::vector<std::byte> accel = std::vector<std::byte>(bar_size);
  // Never touched: default-initialised, so its pages are never faulted in.
  std::unique_ptr<std::byte[]> dpa{new std::byte[dpa_size]};
  regs_handler regs, ops_handler;
  address_space<machine> space;
  pci::function_device<function> dev;
  hdm decoders{2 * dpa_size};
  pci::bar_slots bars{dev, {space.slot<"pci64/bar0">(), {}, space.slot<"pci64/bar">(), {}, {}, {}}};
  cxl::decoder_slots memory{decoders, {{space.slot<"cfmws/dev_mem">(), 0}}};
  counting heard;

  rig() {
    REQUIRE(space.slot<bar0_t, "pci64/bar0">().bind<"regs">(regs) == bind_status::ok);
    slot_ref<bar2_t> bar = space.slot<bar2_t, "pci64/bar">();
    REQUIRE(bar.bind<"accel_lo">(accel) == bind_status::ok);
    REQUIRE(bar.bind<"accel_hi">(std::span(accel).subspan(comp_at + 0x2000)) == bind_status::ok);
    REQUIRE(bar.bind<"bar_ops">(ops_handler) == bind_status::ok);
    REQUIRE(bar.bind<bar2_t::hdm_path>(decoders.regs()) == bind_status::ok);
    REQUIRE(space.slot<dev_mem, "cfmws/dev_mem">().bind<"dpa">(
                std::span<std::byte>(dpa.get(), dpa_size)) == bind_status::ok);
    REQUIRE(space.attach_state(function_key, dev));
    REQUIRE(space.add_listener(heard).ok());
  }
  void cfg(addr_t off, std::uint32_t v) { dev.config().write(off, 4, v); }
  void program_bars(addr_t bar0, addr_t bar2) {
    cfg(0x10, static_cast<std::uint32_t>(bar0));
    cfg(0x14, static_cast<std::uint32_t>(bar0 >> 32));
    cfg(0x18, static_cast<std::uint32_t>(bar2));
    cfg(0x1C, static_cast<std::uint32_t>(bar2 >> 32));
    dev.config().write(0x04, 2, 0x2);  // Memory Space Enable
  }
  /// The guest's commit of decoder n (high halves first, control last), through BAR 2.
  void commit(std::size_t n, addr_t base, addr_t size, std::uint32_t ctrl = 1U << 9) {
    const addr_t d = bar2_base() + bar2_t::hdm_lo + 0x10 + 0x20 * n;
    REQUIRE(space.write(d + 0x4, 4, base >> 32) == access_status::ok);
    REQUIRE(space.write(d + 0x0, 4, base & 0xF000'0000) == access_status::ok);
    REQUIRE(space.write(d + 0xC, 4, size >> 32) == access_status::ok);
    REQUIRE(space.write(d + 0x8, 4, size & 0xF000'0000) == access_status::ok);
    REQUIRE(space.write(d + 0x10, 4, ctrl) == access_status::ok);
  }
  void decommit(std::size_t n) {
    const addr_t d = bar2_base() + bar2_t::hdm_lo + 0x10 + 0x20 * n;
    REQUIRE(space.write(d + 0x10, 4, 0) == access_status::ok);
  }
  addr_t bar2_base() const { return space.placement<"pci64/bar">().base; }
};

}  // namespace device_rig
