// BARs drive slots: configuration writes to a function's BARs and Command register become
// transactions on an address space, through the one adaptor (pci::bar_slots). The function type
// knows no machine; the machine names the slots once.
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/function_device.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

using dev_fn =
    pci::function<pci::ids{.vendor = 0x1234, .device = 0x5678},
                  pci::bars<pci::mem64<0, 1_MiB>, pci::mem32<2, 64_KiB>, pci::io_bar<3, 32>>>;
// Each BAR's layout: the regions a guest reaches through it.
using bar0_t = container<"bar0", 1_MiB, at<0, io<"regs", 4_KiB>>>;
using bar2_t = container<"bar2", 64_KiB, at<0, io<"doorbell", 4_KiB>>>;
constexpr addr_t win = 0xC000'0000, win_size = 256_MiB;
using machine = container<"machine", 4_GiB, at<0, passthrough<"ram", 1_GiB>>,
                          at<win, container<"pci32", win_size, slot<bar0_t>, slot<bar2_t>>>>;

struct tag_handler {
  std::uint32_t tag;
  std::uint64_t read(addr_t off, unsigned) { return tag + off; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

struct counting final : map_listener {
  int changes = 0, adds = 0, dels = 0;
  void changes_begin() override { ++changes; }
  void region_add(const map_event&) override { ++adds; }
  void region_del(const map_event&) override { ++dels; }
};

struct rig {
  std::vector<std::byte> ram = std::vector<std::byte>(1_GiB / 1024);  // never touched
  address_space<machine> space;
  tag_handler regs{0x1000'0000}, doorbell{0x2000'0000};
  pci::function_device<dev_fn> dev;
  pci::bar_slots bars{dev,
                      {space.slot<"pci32/bar0">(), {}, space.slot<"pci32/bar2">(), {}, {}, {}}};
  counting events;
  rig() {
    REQUIRE(space.slot<bar0_t, "pci32/bar0">().bind<"regs">(regs) == bind_status::ok);
    REQUIRE(space.slot<bar2_t, "pci32/bar2">().bind<"doorbell">(doorbell) == bind_status::ok);
    REQUIRE(space.add_listener(events).ok());
    events = {};
  }
  void cfg32(addr_t off, std::uint32_t v) { dev.config().write(off, 4, v); }
  std::uint32_t cfg_read(addr_t off) {
    return static_cast<std::uint32_t>(dev.config().read(off, 4));
  }
  read_result at(addr_t a) { return space.read(a, 4); }
};

}  // namespace

TEST_CASE("memory-space enable maps every programmed BAR in one transaction", "[pci][bar]") {
  rig r;
  r.cfg32(0x10, win);  // BAR0 low
  r.cfg32(0x14, 0);    // BAR0 high
  r.cfg32(0x18, win + 16_MiB);
  CHECK(r.events.changes == 0);  // decoding is off: nothing mapped yet
  CHECK(r.at(win).status == access_status::decode_error);
  r.dev.config().write(0x04, 2, 0x2);  // Memory Space Enable
  CHECK(r.events.changes == 1);        // one commit for both BARs
  CHECK(r.at(win + 8).value == 0x1000'0008);
  CHECK(r.at(win + 16_MiB + 4).value == 0x2000'0004);
  CHECK(r.space.slot<"pci32/bar0">().placement() == slot_placement{win, true, true});
  // Moving a BAR with decoding on moves its slot, alone.
  r.cfg32(0x18, win + 32_MiB);
  CHECK(r.events.changes == 2);
  CHECK(r.at(win + 32_MiB).value == 0x2000'0000);
  CHECK(r.at(win + 16_MiB).status == access_status::decode_error);
  // Memory Space Enable off: both unmapped in one commit; the registers keep their values.
  r.dev.config().write(0x04, 2, 0x0);
  CHECK(r.events.changes == 3);
  CHECK(r.at(win).status == access_status::decode_error);
  CHECK(r.cfg_read(0x18) == win + 32_MiB);
  CHECK_FALSE(r.space.slot<"pci32/bar2">().placement().enabled);
  // I/O Space Enable: the I/O BAR has no slot (no I/O space here): nothing happens.
  r.dev.config().write(0x04, 2, 0x1);
  CHECK(r.events.changes == 3);
}

TEST_CASE("a BAR programmed onto another or outside the window is left unmapped", "[pci][bar]") {
  rig r;
  r.cfg32(0x10, win);
  r.cfg32(0x18, win + 16_MiB);
  r.dev.config().write(0x04, 2, 0x2);
  REQUIRE(r.at(win + 16_MiB).value == 0x2000'0000);
  // BAR2 onto BAR0: refused as a whole, then BAR2 disabled in a valid second transaction.
  r.cfg32(0x18, win);
  CHECK(r.bars.unmapped(2));
  CHECK(r.cfg_read(0x18) == win);             // the register keeps what the guest wrote
  CHECK(r.at(win + 8).value == 0x1000'0008);  // BAR0 still answers there
  CHECK(r.at(win + 16_MiB).status == access_status::decode_error);  // BAR2's old place: nothing
  CHECK(r.at(win + 16_MiB).value == 0xFFFF'FFFF);
  // BAR0 moves away: BAR2 decodes where its register says, and is mapped now.
  r.cfg32(0x10, win + 128_MiB);
  CHECK_FALSE(r.bars.unmapped(2));
  CHECK(r.at(win).value == 0x2000'0000);
  CHECK(r.at(win + 128_MiB).value == 0x1000'0000);
  // BAR0's upper half set: the BAR now decodes above 4 GiB, outside the 32-bit window.
  r.cfg32(0x14, 0x1);
  CHECK(r.bars.unmapped(0));
  CHECK(r.at(win + 128_MiB).status == access_status::decode_error);
  CHECK(r.at(win).value == 0x2000'0000);  // the other BAR keeps answering
  r.cfg32(0x14, 0x0);
  CHECK_FALSE(r.bars.unmapped(0));
  CHECK(r.at(win + 128_MiB).value == 0x1000'0000);
}

TEST_CASE("sizing a BAR with decoding on decodes at the size mask, as hardware does",
          "[pci][bar]") {
  rig r;
  r.cfg32(0x18, win + 16_MiB);
  r.dev.config().write(0x04, 2, 0x2);
  r.cfg32(0x18, 0xFFFF'FFFF);  // 0xFFFF0000: past the window
  CHECK(r.cfg_read(0x18) == 0xFFFF'0000);
  CHECK(r.bars.unmapped(2));
  CHECK(r.at(win + 16_MiB).status == access_status::decode_error);
  r.cfg32(0x18, win + 16_MiB);  // restored
  CHECK_FALSE(r.bars.unmapped(2));
  CHECK(r.at(win + 16_MiB).value == 0x2000'0000);
}

TEST_CASE("reset stops decoding and unmaps the BARs", "[pci][bar]") {
  rig r;
  r.cfg32(0x10, win);
  r.cfg32(0x18, win + 16_MiB);
  r.dev.config().write(0x04, 2, 0x2);
  const int before = r.events.changes;
  r.dev.reset();
  CHECK(r.events.changes == before + 1);
  CHECK(r.at(win).status == access_status::decode_error);
  CHECK(r.at(win + 16_MiB).status == access_status::decode_error);
  CHECK(r.cfg_read(0x10) == 0xC);  // 64-bit, prefetchable: the type bits alone
  CHECK(r.dev.decode()[0] == pci::bar_decode{true, pci::bar_kind::mem64, false, 0, 1_MiB});
}

TEST_CASE("one BAR refused in a transaction does not keep the others unmapped", "[pci][bar]") {
  rig r;
  r.cfg32(0x10, win);
  r.cfg32(0x18, 0x1000'0000);          // outside the window
  r.dev.config().write(0x04, 2, 0x2);  // both change in one transaction; only BAR2 is refused
  CHECK(r.bars.unmapped(2));
  CHECK_FALSE(r.bars.unmapped(0));
  CHECK(r.at(win + 8).value == 0x1000'0008);
  CHECK(r.space.slot<"pci32/bar0">().placement() == slot_placement{win, true, true});
  CHECK_FALSE(r.space.slot<"pci32/bar2">().placement().enabled);
}

TEST_CASE("an adaptor destroyed leaves its function without a listener", "[pci][bar]") {
  address_space<machine> space;
  pci::function_device<dev_fn> dev;
  {
    pci::bar_slots bars{dev, {space.slot<"pci32/bar0">(), {}, {}, {}, {}, {}}};
    dev.config().write(0x10, 4, win);
    dev.config().write(0x14, 4, 0);
    dev.config().write(0x04, 2, 0x2);
    REQUIRE(space.slot<"pci32/bar0">().placement() == slot_placement{win, true, true});
  }
  // Nothing couples the function to the space any more: moving the BAR moves no slot (and
  // calls nothing that is gone).
  dev.config().write(0x10, 4, win + 16_MiB);
  CHECK(space.slot<"pci32/bar0">().placement() == slot_placement{win, true, true});
}
