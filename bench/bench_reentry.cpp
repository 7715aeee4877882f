// bench/bench_reentry.cpp: reentry/<where>/<policy> — what declaring `reentry::refuse` costs a
// guest access. 64 io leaves with trivial handlers, 4-byte reads at random addresses over all
// of them (1,024 per iteration, the same list for every row); `allow` (the default: the
// unguarded thunks) against `refuse` (the guarded thunks: a thread-local list of running
// handler objects searched, pushed and popped around each call), in this executable (`exe`)
// and in a shared object (`so`, reentry_so.cpp). The ratio refuse/allow of each pair is the
// guard's cost; docs/benchmarks.md (`reentry/<where>/<policy>`) gives the figures.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "reentry_machine.hpp"

extern "C" {
void* reentry_so_make(bool refuse);
void reentry_so_free(void* m, bool refuse);
std::uint64_t reentry_so_run(const void* m, bool refuse, const mmiotree::addr_t* addrs,
                             std::size_t n);
}

namespace {

using namespace bench::reentry;

const std::vector<mmiotree::addr_t>& addresses() {
  static const std::vector<mmiotree::addr_t> a = [] {
    std::mt19937_64 rng(42);
    std::vector<mmiotree::addr_t> v(1024);
    for (auto& x : v) x = (rng() % (leaves * leaf_bytes)) & ~mmiotree::addr_t{3};
    return v;
  }();
  return a;
}

template <bool Refuse>
void exe(benchmark::State& state) {
  const machine<Refuse> m;
  const auto& a = addresses();
  for (auto _ : state) benchmark::DoNotOptimize(m.run(a));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * a.size()));
}

void so(benchmark::State& state, bool refuse) {
  void* const m = reentry_so_make(refuse);
  const auto& a = addresses();
  for (auto _ : state) benchmark::DoNotOptimize(reentry_so_run(m, refuse, a.data(), a.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * a.size()));
  reentry_so_free(m, refuse);
}

BENCHMARK(exe<false>)->Name("reentry/exe/allow");
BENCHMARK(exe<true>)->Name("reentry/exe/refuse");
BENCHMARK_CAPTURE(so, allow, false)->Name("reentry/so/allow");
BENCHMARK_CAPTURE(so, refuse, true)->Name("reentry/so/refuse");

}  // namespace

BENCHMARK_MAIN();
