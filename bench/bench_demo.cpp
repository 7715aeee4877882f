// bench_demo: what a guest pays per trapped access in vmm-demo. An aarch64 loop under Unicorn
// reads HDM decoder 0's control register and writes the HDM Decoder Global Control register of
// the CXL accelerator's component BAR, two trapped 4-byte accesses per iteration:
//
//   demo/mmiotree       the demo's machine (vmm-demo/src/machine.hpp) mapped into Unicorn by
//                       the demo's listener (vmm-demo/src/unicorn_map.hpp), the BAR placed as
//                       the guest places it: each access goes Unicorn → unicorn_map →
//                       address_space (slot window, the decoder block) → the register file;
//   demo/bare_callback  one uc_mmio_map page at the same address whose callbacks call the same
//                       register file at the same offsets: the least a Unicorn VMM can do;
//   demo/bare_callback_sized  the same, plus the UC_HOOK_MEM_READ/WRITE hook on that page that
//                       any Unicorn VMM needs to see an 8-byte access as one (Unicorn 2.0.1
//                       hands it to uc_mmio_map callbacks as two 4-byte ones), doing only
//                       what unicorn_map's hook does for a 4-byte access;
//   demo/bare_callback_machine  the same callbacks and size hook, in a Unicorn map of the whole
//                       demo machine as unicorn_map builds it (RAM, the UART, exit and ECAM
//                       pages, the BAR's two host-memory windows around the trapped page, and
//                       a size hook over the run UART..ECAM): a VMM written by hand for this
//                       machine, so that Unicorn's cost of a bigger map is on both sides.
//
// All run the same instructions on the same register file; the difference is mmiotree's cost
// per trapped access. Without Unicorn, the same two accesses per iteration:
//
//   demo/dispatch/mmiotree  address_space::read and ::write on the demo's machine, BAR placed;
//   demo/dispatch/cached    the same through a route_cache, as unicorn_map dispatches;
//   demo/dispatch/pointer   the register file's read and write through function pointers, at
//                           offsets the compiler cannot see: what a VMM's per-region callback
//                           costs, the floor of any dispatch that ends in an indirect call;
//   demo/dispatch/direct    the register file's read and write called directly (inlined, the
//                           offsets constant-folded).
//
// Figures: docs/benchmarks.md ("demo/<impl>").
#include <benchmark/benchmark.h>
#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "machine.hpp"
#include "unicorn_map.hpp"

namespace {
using namespace vmm_demo;
using bar_type = bar2_v4<cxl::comp_regs_backend::emulate>;
using space_type = address_space<machine<bar_type>>;

constexpr std::uint64_t iterations = 4096;  ///< loop iterations per uc_emu_start
constexpr std::uint64_t code_at = ram_base;
/// Where the guest placed the BAR, and the register block the loop hits.
constexpr std::uint64_t bar_at = pci64_base;
constexpr std::uint64_t hdm_at = bar_at + bar_type::hdm_lo;

/// The guest: x1 = the decoder block, x2 = the iteration count, w3 = 2, then
///   loop: ldr w0, [x1, #0x20]   decoder 0 control
///         str w3, [x1, #0x4]    HDM Decoder Global Control: enable
///         subs x2, x2, #1
///         b.ne loop
/// and a final instruction where the run ends.
std::vector<std::uint32_t> guest_code() {
  std::vector<std::uint32_t> c;
  const auto mov64 = [&](unsigned rd, std::uint64_t v) {
    c.push_back(0xD280'0000U | static_cast<std::uint32_t>(v & 0xFFFF) << 5 | rd);  // movz
    for (unsigned hw = 1; hw < 4; ++hw)                                            // movk
      c.push_back(0xF280'0000U | hw << 21 |
                  static_cast<std::uint32_t>((v >> (16 * hw)) & 0xFFFF) << 5 | rd);
  };
  mov64(1, hdm_at);
  mov64(2, iterations);
  c.push_back(0xD280'0043U);  // movz x3, #2
  c.push_back(0xB940'2020U);  // ldr w0, [x1, #0x20]
  c.push_back(0xB900'0423U);  // str w3, [x1, #0x4]
  c.push_back(0xF100'0442U);  // subs x2, x2, #1
  c.push_back(0x54FF'FFA1U);  // b.ne -12
  c.push_back(0xD503'201FU);  // nop: the run ends here
  return c;
}

struct engine {
  uc_engine* uc = nullptr;
  std::vector<std::byte> ram = std::vector<std::byte>(ram_size);
  std::uint64_t end = 0;
  engine() {
    if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK) uc = nullptr;
    const std::vector<std::uint32_t> code = guest_code();
    std::memcpy(ram.data(), code.data(), code.size() * 4);
    end = code_at + (code.size() - 1) * 4;
  }
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;
  ~engine() {
    if (uc) uc_close(uc);
  }
  /// Runs the loop once; false if the guest did not reach the end.
  bool run() {
    std::uint64_t pc = code_at;
    uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
    if (uc_emu_start(uc, code_at, end, 0, 0) != UC_ERR_OK) return false;
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    return pc == end;
  }
};

void finish(benchmark::State& state, engine& e, hdm& decoders) {
  for (auto _ : state)
    if (!e.run()) return state.SkipWithError("the guest did not reach the end of its loop");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * iterations * 2));
  // The register file saw the guest's writes: the work was done.
  if (decoders.regs().read(0x4, 4) != 0x2) state.SkipWithError("the writes did not arrive");
}

void demo_mmiotree(benchmark::State& state) {
  engine e;
  if (!e.uc) return state.SkipWithError("uc_open failed");
  space_type space;
  if (space.bind<"ram">({e.ram.data(), e.ram.size()}) != bind_status::ok)
    return state.SkipWithError("binding RAM failed");
  std::vector<std::byte> bar_memory(bar_size);
  const auto bar = space.slot<bar_type, "pci64/bar">();
  hdm decoders{device_memory_size};
  if (bar.bind<"accel_lo">(std::span(bar_memory).first(bar_type::trapped_lo)) != bind_status::ok ||
      bar.bind<"accel_hi">(std::span(bar_memory).subspan(bar_type::trapped_last + 1)) !=
          bind_status::ok ||
      bar.bind<bar_type::hdm_path>(decoders.regs()) != bind_status::ok)
    return state.SkipWithError("binding the BAR failed");
  unicorn_map<space_type> backend(e.uc, space);
  if (!space.add_listener(backend, {.page_size = uc_page}).ok() || !bar.place(bar_at).ok() ||
      !backend.error().empty())
    return state.SkipWithError("mapping the machine failed");
  finish(state, e, decoders);
}

/// `Sized`: plus the size hook on the page, one store per access, as unicorn_map's hook does
/// for an access of at most 4 bytes. `Machine`: plus the rest of the demo machine's map.
template <bool Sized, bool Machine = false>
void demo_bare_callback(benchmark::State& state) {
  engine e;
  if (!e.uc) return state.SkipWithError("uc_open failed");
  hdm decoders{device_memory_size};
  struct page {
    hdm* d;
    std::uint64_t block;    ///< the decoder block's offset in the page
    unsigned last_size{0};  ///< (Sized) the guest's size of the access under way
  } p{&decoders, hdm_at & (uc_page - 1)};
  const auto rd = [](uc_engine*, std::uint64_t off, unsigned size, void* u) -> std::uint64_t {
    const page& pg = *static_cast<page*>(u);
    return pg.d->regs().read(off - pg.block, size);
  };
  const auto wr = [](uc_engine*, std::uint64_t off, unsigned size, std::uint64_t v, void* u) {
    const page& pg = *static_cast<page*>(u);
    pg.d->regs().write(off - pg.block, size, v);
  };
  const std::uint64_t lo = hdm_at & ~(uc_page - 1);
  if (uc_mem_map_ptr(e.uc, ram_base, e.ram.size(), UC_PROT_ALL, e.ram.data()) != UC_ERR_OK ||
      uc_mmio_map(e.uc, lo, uc_page, +rd, &p, +wr, &p) != UC_ERR_OK)
    return state.SkipWithError("mapping failed");
  const auto sized = [](uc_engine*, uc_mem_type, std::uint64_t, int size, std::int64_t,
                        void* u) -> bool {
    static_cast<page*>(u)->last_size = static_cast<unsigned>(size);
    return true;
  };
  if constexpr (Sized) {
    uc_hook h{};
    if (uc_hook_add(e.uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(+sized),
                    &p, lo, lo + uc_page - 1) != UC_ERR_OK)
      return state.SkipWithError("adding the size hook failed");
  }
  std::vector<std::byte> bar_memory(Machine ? bar_size : 0);
  if constexpr (Machine) {
    const auto none_rd = [](uc_engine*, std::uint64_t, unsigned, void*) -> std::uint64_t {
      return 0;
    };
    const auto none_wr = [](uc_engine*, std::uint64_t, unsigned, std::uint64_t, void*) {};
    const std::uint64_t ecam_size = pci::ecam<1>::size, hi = lo + uc_page;
    uc_hook h{};
    if (uc_mmio_map(e.uc, uart_base, uc_page, +none_rd, nullptr, +none_wr, nullptr) ||
        uc_mmio_map(e.uc, exit_base, uc_page, +none_rd, nullptr, +none_wr, nullptr) ||
        uc_mmio_map(e.uc, ecam_base, ecam_size, +none_rd, nullptr, +none_wr, nullptr) ||
        uc_mem_map_ptr(e.uc, bar_at, lo - bar_at, UC_PROT_ALL, bar_memory.data()) ||
        uc_mem_map_ptr(e.uc, hi, bar_at + bar_size - hi, UC_PROT_ALL,
                       bar_memory.data() + (hi - bar_at)) ||
        uc_hook_add(e.uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(+sized),
                    &p, uart_base, ecam_base + ecam_size - 1))
      return state.SkipWithError("mapping the machine failed");
  }
  finish(state, e, decoders);
  if (Sized && p.last_size != 4) state.SkipWithError("the size hook did not see the accesses");
}

/// `Cached`: through one route_cache, as unicorn_map keeps one per mapping.
template <bool Cached>
void dispatch_mmiotree(benchmark::State& state) {
  space_type space;
  const auto bar = space.slot<bar_type, "pci64/bar">();
  hdm decoders{device_memory_size};
  if (bar.bind<bar_type::hdm_path>(decoders.regs()) != bind_status::ok)
    return state.SkipWithError("binding the decoders failed");
  if (!bar.place(bar_at).ok()) return state.SkipWithError("placing the BAR failed");
  route_cache cache;
  unsigned failures = 0;
  for (auto _ : state) {
    read_result r;
    access_status w;
    if constexpr (Cached) {
      r = space.read(hdm_at + 0x20, 4, cache);
      benchmark::DoNotOptimize(r.value);
      w = space.write(hdm_at + 0x4, 4, 0x2, cache);
    } else {
      r = space.read(hdm_at + 0x20, 4);
      benchmark::DoNotOptimize(r.value);
      w = space.write(hdm_at + 0x4, 4, 0x2);
    }
    failures |= static_cast<unsigned>(r.status) | static_cast<unsigned>(w);
  }
  if (failures != 0) state.SkipWithError("an access was refused");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2));
}

void dispatch_pointer(benchmark::State& state) {
  hdm decoders{device_memory_size};
  using regs_type = std::remove_reference_t<decltype(decoders.regs())>;
  struct calls {
    read_result (*read)(void*, std::uint64_t, unsigned);
    access_status (*write)(void*, std::uint64_t, unsigned, std::uint64_t);
  } c{[](void* r, std::uint64_t o, unsigned s) {
        return read_result{static_cast<regs_type*>(r)->read(o, s), access_status::ok};
      },
      [](void* r, std::uint64_t o, unsigned s, std::uint64_t v) {
        static_cast<regs_type*>(r)->write(o, s, v);
        return access_status::ok;
      }};
  void* ctx = &decoders.regs();
  std::uint64_t ctl = 0x20, global = 0x4;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c);  // opaque: the calls stay indirect, the offsets unknown
    benchmark::DoNotOptimize(ctl);
    benchmark::DoNotOptimize(global);
    const read_result r = c.read(ctx, ctl, 4);
    benchmark::DoNotOptimize(r.value);
    benchmark::DoNotOptimize(c.write(ctx, global, 4, 0x2));
  }
  if (decoders.regs().read(0x4, 4) != 0x2) state.SkipWithError("the writes did not arrive");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2));
}

void dispatch_direct(benchmark::State& state) {
  hdm decoders{device_memory_size};
  for (auto _ : state) {
    benchmark::DoNotOptimize(decoders.regs().read(0x20, 4));
    decoders.regs().write(0x4, 4, 0x2);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2));
}

BENCHMARK(demo_mmiotree)->Name("demo/mmiotree")->Unit(benchmark::kMicrosecond);
BENCHMARK(demo_bare_callback<false>)->Name("demo/bare_callback")->Unit(benchmark::kMicrosecond);
BENCHMARK(demo_bare_callback<true>)
    ->Name("demo/bare_callback_sized")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(demo_bare_callback<true, true>)
    ->Name("demo/bare_callback_machine")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(dispatch_mmiotree<false>)->Name("demo/dispatch/mmiotree");
BENCHMARK(dispatch_mmiotree<true>)->Name("demo/dispatch/cached");
BENCHMARK(dispatch_pointer)->Name("demo/dispatch/pointer");
BENCHMARK(dispatch_direct)->Name("demo/dispatch/direct");

}  // namespace

BENCHMARK_MAIN();
