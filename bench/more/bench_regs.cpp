// bench/more/bench_regs.cpp: regs/<impl>/<op> — typed register access through a register
// block (mmiotree) against the same operations hand-coded with masks and shifts on a
// uint32_t (handwritten), for a timer-like device.
//
// Ops:
//   field_write        device side, one field:   state().set<"ctrl">(val<"mode", 2>{})
//   multi_field_write  device side, four fields: state().set<"ctrl">(val<"enable", 1>{}, ...)
//   w1c_write          guest side: register_file::write(0x04, 4, v) to the status register
//                      (RW1C, RO and RsvdZ fields); v varies from a small array
//   read               device side: get<"ctrl", "mode">() of a register whose value varies
//
// Every iteration ends with benchmark::ClobberMemory(), so the register is reloaded and
// stored each time, and values that are run-time values in a device (the guest's write, the
// register contents) come from an array indexed by the iteration, so nothing folds. The
// constants of a typed write (`val<"mode", 2>`) are template arguments by design in both
// versions: the handwritten code writes them as constants too.
#include <mmiotree/regs/register_file.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"id", 0x00, 32, 0x7113'0001,
        field<"version", 15, 0, hwinit>,
        field<"vendor", 31, 16, hwinit>>,
    reg<"status", 0x04, 32, 0x0,
        field<"expired", 0, 0, rw1c>,
        field<"overflow", 1, 1, rw1c>,
        field<"error", 2, 2, rw1c>,
        field<"running", 8, 8, ro>,
        field<"rsvd", 31, 9, rsvdz>>,
    reg<"ctrl", 0x08, 32, 0x0,
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rw>,
        field<"irq_enable", 3, 3, rw>,
        field<"prescale", 11, 4, rw>,
        field<"rsvd", 31, 12, rsvdp>>,
    reg<"load", 0x0C, 32, 0x0, field<"value", 31, 0, rw>>,
    reg<"count", 0x10, 32, 0x0, field<"value", 31, 0, ro>>,
    reg<"overruns", 0x14, 32, 0x0, field<"value", 31, 0, rc>>,
    reg<"kick", 0x18, 32, 0x0, field<"key", 31, 0, wo>>>;
// clang-format on

constexpr std::uint32_t status_offset = 0x04;

/// The same device written by hand: one uint32_t per register, masks and shifts.
struct handwritten_timer {
  static constexpr std::uint32_t ctrl_enable = 1U << 0;
  static constexpr unsigned ctrl_mode_shift = 1;
  static constexpr std::uint32_t ctrl_mode_mask = 0x3U << ctrl_mode_shift;
  static constexpr std::uint32_t ctrl_irq_enable = 1U << 3;
  static constexpr unsigned ctrl_prescale_shift = 4;
  static constexpr std::uint32_t ctrl_prescale_mask = 0xFFU << ctrl_prescale_shift;
  static constexpr std::uint32_t status_w1c = 0x7;       // expired, overflow, error
  static constexpr std::uint32_t status_stored = 0x107;  // + running (RO); bits 31:9 RsvdZ

  std::uint32_t id = 0x7113'0001;
  std::uint32_t status = 0;
  std::uint32_t ctrl = 0;
  std::uint32_t load = 0, count = 0, overruns = 0, kick = 0;
};

/// Guest values and register contents the iterations cycle through.
constexpr std::array<std::uint32_t, 8> values{0x1, 0x6, 0x3, 0x104, 0x7, 0x2, 0xFFFF'FFFF, 0x5};

// ---- field_write -------------------------------------------------------------------------

void mmiotree_field_write(benchmark::State& state) {
  register_file<timer_block> regs;
  benchmark::DoNotOptimize(&regs);
  for (auto _ : state) {
    regs.state().set<"ctrl">(val<"mode", 2>{});
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(regs.get<"ctrl", "mode">());
}

void handwritten_field_write(benchmark::State& state) {
  handwritten_timer t;
  benchmark::DoNotOptimize(&t);
  for (auto _ : state) {
    t.ctrl =
        (t.ctrl & ~handwritten_timer::ctrl_mode_mask) | (2U << handwritten_timer::ctrl_mode_shift);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(t.ctrl);
}

// ---- multi_field_write -------------------------------------------------------------------

void mmiotree_multi_field_write(benchmark::State& state) {
  register_file<timer_block> regs;
  benchmark::DoNotOptimize(&regs);
  for (auto _ : state) {
    regs.state().set<"ctrl">(val<"enable", 1>{}, val<"mode", 1>{}, val<"irq_enable", 1>{},
                             val<"prescale", 0x5A>{});
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(regs.get<"ctrl", "prescale">());
}

void handwritten_multi_field_write(benchmark::State& state) {
  using h = handwritten_timer;
  handwritten_timer t;
  benchmark::DoNotOptimize(&t);
  for (auto _ : state) {
    t.ctrl = (t.ctrl &
              ~(h::ctrl_enable | h::ctrl_mode_mask | h::ctrl_irq_enable | h::ctrl_prescale_mask)) |
             h::ctrl_enable | (1U << h::ctrl_mode_shift) | h::ctrl_irq_enable |
             (0x5AU << h::ctrl_prescale_shift);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(t.ctrl);
}

// ---- w1c_write ---------------------------------------------------------------------------

void mmiotree_w1c_write(benchmark::State& state) {
  register_file<timer_block> regs;
  regs.state().set<"status">(val<"expired", 1>{}, val<"overflow", 1>{}, val<"running", 1>{});
  benchmark::DoNotOptimize(&regs);
  std::size_t i = 0;
  for (auto _ : state) {
    regs.write(status_offset, 4, values[i++ & 7]);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(regs.get<"status">().raw);
}

void handwritten_w1c_write(benchmark::State& state) {
  using h = handwritten_timer;
  handwritten_timer t;
  t.status = 0x103;
  benchmark::DoNotOptimize(&t);
  std::size_t i = 0;
  for (auto _ : state) {
    // The same masks the typed guest write applies: RW1C bits written as 1 clear, RO bits
    // keep, RsvdZ bits stay 0.
    const std::uint32_t v = values[i++ & 7];
    t.status = (t.status & ~(v & h::status_w1c)) & h::status_stored;
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(t.status);
}

// ---- read --------------------------------------------------------------------------------

void mmiotree_read(benchmark::State& state) {
  register_file<timer_block> regs;
  benchmark::DoNotOptimize(&regs);
  std::size_t i = 0;
  for (auto _ : state) {
    regs.state().set_raw<"ctrl">(values[i++ & 7]);  // the device's register changes
    benchmark::ClobberMemory();
    benchmark::DoNotOptimize(regs.get<"ctrl", "mode">());
  }
}

void handwritten_read(benchmark::State& state) {
  using h = handwritten_timer;
  handwritten_timer t;
  benchmark::DoNotOptimize(&t);
  std::size_t i = 0;
  for (auto _ : state) {
    t.ctrl = values[i++ & 7];
    benchmark::ClobberMemory();
    benchmark::DoNotOptimize((t.ctrl & h::ctrl_mode_mask) >> h::ctrl_mode_shift);
  }
}

}  // namespace

BENCHMARK(mmiotree_field_write)->Name("regs/mmiotree/field_write");
BENCHMARK(handwritten_field_write)->Name("regs/handwritten/field_write");
BENCHMARK(mmiotree_multi_field_write)->Name("regs/mmiotree/multi_field_write");
BENCHMARK(handwritten_multi_field_write)->Name("regs/handwritten/multi_field_write");
BENCHMARK(mmiotree_w1c_write)->Name("regs/mmiotree/w1c_write");
BENCHMARK(handwritten_w1c_write)->Name("regs/handwritten/w1c_write");
BENCHMARK(mmiotree_read)->Name("regs/mmiotree/read");
BENCHMARK(handwritten_read)->Name("regs/handwritten/read");

BENCHMARK_MAIN();
