// bench/dispatch.hpp: the three dispatchers of bench_dispatch, the handler they all call, the
// address streams they are all fed, and the registration of the benchmarks.
//
// Fairness rules (docs/benchmarks.md):
//   - every dispatcher reaches the same handler objects and makes exactly one indirect call
//     per access: mmiotree through its binding's function pointer (a thunk into which the
//     handler's `read` is inlined), the two baselines through a virtual call, as rust-vmm's
//     `Bus` does through its `dyn BusDevice` trait objects;
//   - every dispatcher checks that the access lies inside the region it found, and returns a
//     value and a status;
//   - all are fed the same pre-generated addresses, in the same loop.
#pragma once

#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gen_tree.hpp"

namespace bench {

using mmiotree::access_status;
using mmiotree::read_result;

/// The device interface of the baselines (rust-vmm's `BusDevice`).
struct bus_device {
  virtual std::uint64_t read(addr_t offset, unsigned size) = 0;
  virtual void write(addr_t offset, unsigned size, std::uint64_t value) = 0;

 protected:
  ~bus_device() = default;
};

/// The handler every dispatcher calls. The answer depends on the leaf, the offset and the
/// size, so no dispatcher can skip the call or hoist it out of the loop.
struct handler final : bus_device {
  std::uint64_t id = 0;
  std::uint64_t last_write = 0;
  std::uint64_t read(addr_t offset, unsigned size) override {
    return (id << 32) ^ (offset * 0x9E3779B1U) ^ size;
  }
  void write(addr_t offset, unsigned size, std::uint64_t value) override {
    last_write = value ^ offset ^ size;
  }
};

/// The low `size` bytes: what a bus hands back for a `size`-byte read (rust-vmm's devices
/// fill a `size`-byte slice; mmiotree cuts the handler's value to the access width).
inline std::uint64_t low_bytes(std::uint64_t v, unsigned size) {
  return size >= 8 ? v : v & ((std::uint64_t{1} << (8 * size)) - 1);
}

/// A bus as rust-vmm's vm-device and Cloud Hypervisor build it: an ordered map from base
/// address to (length, device), searched with upper_bound and a step back.
class std_map_bus {
 public:
  void insert(addr_t base, addr_t size, bus_device* dev) { map_.emplace(base, entry{size, dev}); }
  [[nodiscard]] read_result read(addr_t addr, unsigned size) const {
    auto it = map_.upper_bound(addr);
    if (it != map_.begin()) {
      --it;
      const addr_t off = addr - it->first;
      if (off < it->second.size && it->second.size - off >= size)
        return {low_bytes(it->second.dev->read(off, size), size), access_status::ok};
    }
    return {~std::uint64_t{0}, access_status::decode_error};
  }

 private:
  struct entry {
    addr_t size;
    bus_device* dev;
  };
  std::map<addr_t, entry> map_;
};

/// A flat view built at run time: ranges sorted by base, searched with std::upper_bound.
class sorted_vector_bus {
 public:
  void insert(addr_t base, addr_t size, bus_device* dev) { v_.push_back({base, size, dev}); }
  void finish() {
    std::sort(v_.begin(), v_.end(), [](const range& a, const range& b) { return a.base < b.base; });
  }
  [[nodiscard]] read_result read(addr_t addr, unsigned size) const {
    auto it = std::upper_bound(v_.begin(), v_.end(), addr,
                               [](addr_t a, const range& r) { return a < r.base; });
    if (it != v_.begin()) {
      --it;
      const addr_t off = addr - it->base;
      if (off < it->size && it->size - off >= size)
        return {low_bytes(it->dev->read(off, size), size), access_status::ok};
    }
    return {~std::uint64_t{0}, access_status::decode_error};
  }

 private:
  struct range {
    addr_t base;
    addr_t size;
    bus_device* dev;
  };
  std::vector<range> v_;
};

/// Calibration, not a dispatcher: the handler of leaf 0 called through the same kind of
/// function pointer thunk as mmiotree's, with no lookup and no check. What the loop, the
/// indirect call and the handler cost on their own.
struct call_only {
  mmiotree::detail::binding b;
  explicit call_only(handler& h)
      : b{&h, &mmiotree::detail::io_read<handler, mmiotree::endian::little>,
          &mmiotree::detail::io_write<handler, mmiotree::endian::little>, true} {}
  [[nodiscard]] read_result read(addr_t addr, unsigned size) const {
    return b.read(b.ctx, addr & 0xFFF, size);
  }
};

/// Addresses fed to every dispatcher: `count` (a power of two) of them.
///  - random: a uniformly random leaf, a uniformly random 4-byte-aligned offset inside it;
///  - hot: one address (in the middle leaf), repeated.
template <shape S, std::size_t N>
std::vector<addr_t> addresses(bool hot, std::size_t count = 4096) {
  std::mt19937_64 rng(0x6d6d696f74726565ULL);  // fixed seed: "mmiotree"
  std::vector<addr_t> a(count);
  if (hot) {
    std::fill(a.begin(), a.end(), leaf_base<S, N>(N / 2) + 8);
    return a;
  }
  std::uniform_int_distribution<std::size_t> leaf(0, N - 1);
  for (addr_t& x : a) {
    const std::size_t i = leaf(rng);
    std::uniform_int_distribution<addr_t> word(0, leaf_size(S, i) / 4 - 1);
    x = leaf_base<S, N>(i) + 4 * word(rng);
  }
  return a;
}

/// The benchmark loop, the same for every dispatcher.
///
/// Per iteration: one address from the stream, one 4-byte read, its value and status kept
/// alive with DoNotOptimize (as scalars, so they stay in registers), and the status folded
/// into a check that every access succeeded.
template <class Dispatch>
void run(benchmark::State& state, const Dispatch& d, const std::vector<addr_t>& addrs) {
  const addr_t* const a = addrs.data();
  const std::size_t mask = addrs.size() - 1;
  std::size_t k = 0;
  unsigned failures = 0;
  for (auto _ : state) {
    const read_result r = d.read(a[k], 4);
    benchmark::DoNotOptimize(r.value);
    failures |= static_cast<unsigned>(r.status);
    k = (k + 1) & mask;
  }
  if (failures != 0) state.SkipWithError("an access was refused");
  state.SetItemsProcessed(state.iterations());
}

/// Every dispatcher over the tree of N leaves in shape S, bound to the same handlers.
template <shape S, std::size_t N>
struct fixture {
  using tree = tree_t<S, N>;
  std::vector<handler> handlers;
  std::unique_ptr<mmiotree::address_space<tree>> space;
  std_map_bus map;
  sorted_vector_bus vec;
  std::unique_ptr<call_only> floor;

  fixture() : handlers(N), space(std::make_unique<mmiotree::address_space<tree>>()) {
    for (std::size_t i = 0; i < N; ++i) {
      handlers[i].id = i;
      map.insert(leaf_base<S, N>(i), leaf_size(S, i), &handlers[i]);
      vec.insert(leaf_base<S, N>(i), leaf_size(S, i), &handlers[i]);
    }
    vec.finish();
    floor = std::make_unique<call_only>(handlers[0]);
    // One small function per leaf, called from a table: a fold expression over 4,096 binds
    // would be one function of 4,096 inlined binds, which g++ -O2 spends minutes optimising.
    static constexpr auto binders = binder_table(std::make_index_sequence<N>{});
    for (std::size_t i = 0; i < N; ++i) binders[i](*space, handlers[i]);
  }

  using binder = void (*)(mmiotree::address_space<tree>&, handler&);
  template <std::size_t I>
  static void bind_one(mmiotree::address_space<tree>& s, handler& h) {
    if (s.template bind<leaf_path<I / group_capacity, I>>(h) != mmiotree::bind_status::ok)
      std::abort();
  }
  template <std::size_t... I>
  static constexpr std::array<binder, N> binder_table(std::index_sequence<I...>) {
    return {&bind_one<I>...};
  }

  /// The three agree on every address of the stream (checked once, before timing).
  [[nodiscard]] bool agree(const std::vector<addr_t>& addrs) const {
    return std::all_of(addrs.begin(), addrs.end(), [&](addr_t a) {
      const read_result m = space->read(a, 4), b = map.read(a, 4), v = vec.read(a, 4);
      return m.ok() && m == b && m == v;
    });
  }
};

/// Registers dispatch/<impl><suffix>/<N>/<pattern> for the three dispatchers and both
/// patterns. The fixture is built on first use and shared.
template <shape S, std::size_t N>
void register_dispatch() {
  static std::unique_ptr<fixture<S, N>> f;
  static std::vector<addr_t> streams[2];
  auto get = [](bool hot) -> std::pair<const fixture<S, N>&, const std::vector<addr_t>&> {
    if (!f) {
      f = std::make_unique<fixture<S, N>>();
      streams[0] = addresses<S, N>(false);
      streams[1] = addresses<S, N>(true);
      if (!f->agree(streams[0]) || !f->agree(streams[1])) {
        std::fprintf(stderr, "bench_dispatch: dispatchers disagree (%zu leaves)\n", N);
        std::abort();
      }
    }
    return {*f, streams[hot ? 1 : 0]};
  };
  const std::string suffix = S == shape::mixed ? "_mixed" : "";
  for (const bool hot : {false, true}) {
    const std::string tail = "/" + std::to_string(N) + (hot ? "/hot" : "/random");
    benchmark::RegisterBenchmark(("dispatch/mmiotree" + suffix + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, *fx.space, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/std_map" + suffix + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, fx.map, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/sorted_vector" + suffix + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, fx.vec, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/call_only" + suffix + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, *fx.floor, a);
                                 });
  }
}

}  // namespace bench
