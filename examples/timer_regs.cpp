// A small timer device described as a typed register block: the library executes the field
// kinds (RW, RO, HwInit, RW1C, RC, WO, enumerated values), the device writes only behaviour in
// two hooks, and the block is a region of a tree dispatched by an address_space.
#include <mmiotree/format/regs.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <fmt/core.h>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"id", 0x00, 32, 0x7113'0001,
        field<"version", 15, 0, hwinit>,
        field<"vendor", 31, 16, hwinit>>,
    reg<"ctrl", 0x04, 32, 0x0,
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rw, enumerator<"oneshot", 0>, enumerator<"periodic", 1>>,
        field<"irq_enable", 3, 3, rw>,
        field<"rsvd", 31, 4, rsvdp>>,
    reg<"status", 0x08, 32, 0x0,
        field<"expired", 0, 0, rw1c>,
        field<"running", 1, 1, ro>>,
    reg<"load", 0x0C, 32, 0x0, field<"value", 31, 0, rw>>,
    reg<"count", 0x10, 32, 0x0, field<"value", 31, 0, ro>>,
    reg<"overruns", 0x14, 32, 0x0, field<"value", 31, 0, rc>>,
    reg<"kick", 0x18, 32, 0x0, field<"key", 31, 0, wo>>>;
// clang-format on

/// The device: state in a register_file, behaviour in hooks and tick().
struct timer {
  register_file<timer_block, timer, after_write_to<"ctrl">> regs{*this};

  // CTRL.enable 0→1 loads the counter and starts it.
  void after_write(write_event<timer_block, "ctrl">& e) {
    if (e.now.rose<"enable">(e.old)) {
      e.regs.set_field<"count", "value">(e.regs.get<"load", "value">());
      e.regs.set<"status">(val<"running", 1>{});
    }
    if (e.now.fell<"enable">(e.old)) e.regs.set<"status">(val<"running", 0>{});
  }

  void tick() {
    auto& s = regs.state();
    if (s.get<"ctrl", "enable">() == 0) return;
    const std::uint64_t c = s.get<"count", "value">();
    if (c > 1) {
      s.set_field<"count", "value">(c - 1);
      return;
    }
    if (s.get<"status", "expired">() != 0)
      s.set_field<"overruns", "value">(s.get<"overruns", "value">() + 1);
    s.set<"status">(val<"expired", 1>{});
    if (s.get<"ctrl">().get<"mode">() == 1) {  // periodic
      s.set_field<"count", "value">(s.get<"load", "value">());
    } else {
      s.set<"ctrl">(val<"enable", 0>{});
      s.set<"status">(val<"running", 0>{});
    }
  }
};

// The timer at 0x1000 of a small device window. A root declared as a struct, not with `using`:
// diagnostics and symbols then name `window`, not every register of the block.
struct window : container<"soc", 64_KiB, at<0x1000, timer_block>> {};

int main() {
  timer t;
  address_space<window> bus;
  if (bus.bind<"timer">(t.regs) != bind_status::ok) return 1;

  int failures = 0;
  auto expect = [&](bool ok, const char* what) {
    fmt::print("{} {}\n", ok ? "ok  " : "FAIL", what);
    failures += ok ? 0 : 1;
  };

  bus.write(0x100C, 4, 3);       // load = 3
  bus.write(0x1004, 4, 0b0011);  // periodic, enable
  expect(bus.read(0x1008, 4).value == 0b10, "enable starts the timer (status.running)");
  for (int i = 0; i < 6; ++i) t.tick();  // expires twice
  expect(bus.read(0x1008, 4).value == 0b11, "expired latches");
  expect(bus.read(0x1014, 4).value == 1, "second expiry unacknowledged: one overrun");
  expect(bus.read(0x1014, 4).value == 0, "overruns is clear-on-read");
  bus.write(0x1008, 4, 0b01);  // acknowledge
  expect(bus.read(0x1008, 4).value == 0b10, "RW1C clears only the bit written as 1");
  bus.write(0x1000, 4, 0xFFFF'FFFF);
  expect(bus.read(0x1000, 4).value == 0x7113'0001, "HwInit id ignores guest writes");
  bus.write(0x1018, 4, 0x5A5A);
  expect(bus.read(0x1018, 4).value == 0 && t.regs.get<"kick", "key">() == 0x5A5A,
         "WO reads 0, the device sees the value");
  expect(bus.read(0x1004, 2).status == access_status::access_error,
         "2-byte access refused by the block's policy");

  fmt::print("\n{}\n{}", dump(t.regs.state()), markdown_table<timer_block>());
  return failures == 0 ? 0 : 1;
}
