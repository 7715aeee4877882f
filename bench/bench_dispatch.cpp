// bench/bench_dispatch.cpp: dispatch/<impl>/<leaves>/<pattern> — mmiotree's address_space
// against a std::map bus and a runtime sorted vector, over trees of 8 to 4,096 io leaves, and
// over 16 and 256 BARs placed as slots (dispatch_slots.cpp).
// See docs/benchmarks.md for what is measured and how to read it.
#include <benchmark/benchmark.h>

namespace bench {
void register_uniform_8();
void register_uniform_64();
void register_uniform_1024();
void register_uniform_4096();
void register_mixed_8();
void register_mixed_64();
void register_mixed_1024();
void register_mixed_4096();
void register_bars_16();
void register_bars_256();
}  // namespace bench

int main(int argc, char** argv) {
  // Registration order is the report order: uniform trees by size, then mixed ones.
  bench::register_uniform_8();
  bench::register_uniform_64();
  bench::register_uniform_1024();
  bench::register_uniform_4096();
  bench::register_mixed_8();
  bench::register_mixed_64();
  bench::register_mixed_1024();
  bench::register_mixed_4096();
  bench::register_bars_16();
  bench::register_bars_256();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
