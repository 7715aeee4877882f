// bench/more/bench_update.cpp: update/<impl>/<N> — moving one PCI BAR to a free address in a
// machine with N devices, each BAR a container of three leaves (registers, MSI-X table,
// device memory) in one PCI MMIO window (update_machine.hpp), listener events included:
//   mmiotree  an address_space with N slots: a transaction placing one slot, committed
//             (update_mmiotree.hpp, one translation unit per N);
//   rerender  QEMU's approach: change the BAR's offset in a runtime descriptor array, render
//             the whole flat view again with mmiotree::flatten, diff it against the old one;
//   unicorn   Unicorn's QEMU memory API: uc_mem_unmap of the BAR's three ranges, then
//             uc_mmio_map / uc_mem_map_ptr at the new address (needs libunicorn-dev).
// The BAR alternates between two free positions, so every iteration starts from the same map.
// See docs/benchmarks.md ("Typed registers and moving a BAR") for results and how to
// reproduce them.
#include <benchmark/benchmark.h>

#include "update_machine.hpp"

#ifdef MMIOTREE_BENCH_UNICORN
#include <unicorn/unicorn.h>

#include <sys/wait.h>
#include <unistd.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace bench {
void register_mmiotree_16();
void register_mmiotree_64();
void register_mmiotree_256();
void register_mmiotree_1024();
void register_mmiotree_array_1024();
void register_mmiotree_hole_256();
}  // namespace bench

namespace {

using namespace bench;

constexpr std::size_t device_counts[] = {16, 64, 256, 1024};

// ---- rerender ------------------------------------------------------------------------------

void bm_rerender(benchmark::State& state, std::size_t n) {
  rerender_machine m(n);
  std::vector<std::byte> mem(mem_size);
  m.bind(bar_node(moving_device(n)) + 3, mem.data());
  counting_listener backend;
  const addr_t home = home_position(n) * bar_size, away = away_position(n) * bar_size;
  bool at_home = true;
  for (auto _ : state) {
    m.move(moving_device(n), at_home ? away : home, backend);
    at_home = !at_home;
  }
  benchmark::DoNotOptimize(backend);
  state.counters["events_per_move"] =
      static_cast<double>(backend.dels + backend.adds) / static_cast<double>(state.iterations());
}

// ---- unicorn -------------------------------------------------------------------------------

#ifdef MMIOTREE_BENCH_UNICORN
std::uint64_t mmio_read(uc_engine*, std::uint64_t, unsigned, void*) { return 0; }
void mmio_write(uc_engine*, std::uint64_t, unsigned, std::uint64_t, void*) {}

/// The machine in a Unicorn engine: RAM, the I/O APIC page, and each BAR as two MMIO ranges
/// and one host-memory range.
class unicorn_machine {
 public:
  explicit unicorn_machine(std::size_t n) {
    mem_ = static_cast<std::byte*>(std::aligned_alloc(4096, n * mem_size));
    if (mem_ == nullptr || uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_) != UC_ERR_OK) return;
    if (uc_mem_map(uc_, 0, ram_size, UC_PROT_ALL) != UC_ERR_OK) return;
    if (uc_mmio_map(uc_, ioapic_base, 4096, mmio_read, nullptr, mmio_write, nullptr) != UC_ERR_OK)
      return;
    for (std::size_t k = 0; k < n; ++k)
      if (!map_bar(k, start_position(k, n) * bar_size)) return;
    ok_ = true;
  }
  ~unicorn_machine() {
    if (uc_ != nullptr) uc_close(uc_);
    std::free(mem_);
  }
  unicorn_machine(const unicorn_machine&) = delete;
  unicorn_machine& operator=(const unicorn_machine&) = delete;

  [[nodiscard]] bool ok() const noexcept { return ok_; }

  /// Moves BAR k from window-relative `from` to `to`.
  [[nodiscard]] bool move(std::size_t k, addr_t from, addr_t to) {
    return unmap_bar(from) && map_bar(k, to);
  }

 private:
  bool map_bar(std::size_t k, addr_t base) {
    const addr_t a = window_base + base;
    return uc_mmio_map(uc_, a + regs_offset, regs_size, mmio_read, nullptr, mmio_write, nullptr) ==
               UC_ERR_OK &&
           uc_mmio_map(uc_, a + msix_offset, msix_size, mmio_read, nullptr, mmio_write, nullptr) ==
               UC_ERR_OK &&
           uc_mem_map_ptr(uc_, a + mem_offset, mem_size, UC_PROT_READ | UC_PROT_WRITE,
                          mem_ + k * mem_size) == UC_ERR_OK;
  }
  bool unmap_bar(addr_t base) {
    const addr_t a = window_base + base;
    return uc_mem_unmap(uc_, a + regs_offset, regs_size) == UC_ERR_OK &&
           uc_mem_unmap(uc_, a + msix_offset, msix_size) == UC_ERR_OK &&
           uc_mem_unmap(uc_, a + mem_offset, mem_size) == UC_ERR_OK;
  }

  uc_engine* uc_ = nullptr;
  std::byte* mem_ = nullptr;
  bool ok_ = false;
};

void bm_unicorn(benchmark::State& state, std::size_t n) {
  unicorn_machine m(n);
  if (!m.ok()) {
    state.SkipWithError("unicorn refused the set-up mappings");
    return;
  }
  const std::size_t k = moving_device(n);
  const addr_t home = home_position(n) * bar_size, away = away_position(n) * bar_size;
  bool at_home = true;
  for (auto _ : state) {
    if (!(at_home ? m.move(k, home, away) : m.move(k, away, home))) {
      state.SkipWithError("unicorn refused a move");
      break;
    }
    at_home = !at_home;
  }
}

/// Whether a machine of n devices sets up and moves a BAR without Unicorn aborting the
/// process (it aborts on some map sizes): tried in a child process first.
std::string unicorn_probe(std::size_t n) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    unicorn_machine m(n);
    const std::size_t k = moving_device(n);
    const bool ok = m.ok() && m.move(k, home_position(n) * bar_size, away_position(n) * bar_size) &&
                    m.move(k, away_position(n) * bar_size, home_position(n) * bar_size);
    std::_Exit(ok ? 0 : 1);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return "waitpid failed";
  if (WIFSIGNALED(status))
    return "unicorn killed the process with signal " + std::to_string(WTERMSIG(status));
  if (WEXITSTATUS(status) != 0) return "unicorn refused the set-up or a move";
  return {};
}
#endif

}  // namespace

int main(int argc, char** argv) {
  // Registration order is the report order: by implementation, then by device count.
  bench::register_mmiotree_16();
  bench::register_mmiotree_64();
  bench::register_mmiotree_256();
  bench::register_mmiotree_1024();
  bench::register_mmiotree_array_1024();
  bench::register_mmiotree_hole_256();
  for (const std::size_t n : device_counts)
    benchmark::RegisterBenchmark(("update/rerender/" + std::to_string(n)).c_str(), bm_rerender, n);
#ifdef MMIOTREE_BENCH_UNICORN
  for (const std::size_t n : device_counts) {
    const std::string name = "update/unicorn/" + std::to_string(n);
    const std::string why = unicorn_probe(n);
    if (why.empty()) {
      benchmark::RegisterBenchmark(name.c_str(), bm_unicorn, n);
    } else {
      std::fprintf(stderr, "bench_update: %s: %s\n", name.c_str(), why.c_str());
      benchmark::RegisterBenchmark(name.c_str(), [why](benchmark::State& state) {
        state.SkipWithError(why.c_str());
        for (auto _ : state) {
        }
      });
    }
  }
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
