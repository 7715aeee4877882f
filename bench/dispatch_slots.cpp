// bench/dispatch_slots.cpp: dispatch inside placed slots (BARs), the accesses that matter in a
// VMM — dispatch/<impl>/<n>/<pattern> for n ∈ {16, 256} devices, each with a 16 KiB BAR of four
// 4 KiB io register windows, placed side by side in a PCI MMIO window:
//   - mmiotree_slots: the BARs are slots, placed by a transaction;
//   - mmiotree_slots_cached: the same, each access through one route_cache (a vCPU loop's);
//   - mmiotree_static_bars: the same BARs at the same addresses, fixed by the tree (at<>);
//   - std_map_bars / sorted_vector_bars: the baselines of bench_dispatch over the same leaves;
//   - call_only_bars: the loop, the indirect call and the handler alone.
// Every dispatcher reaches the same handlers and is fed the same addresses (dispatch.hpp).
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/slot_handle.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dispatch.hpp"

namespace bench {
namespace {

using namespace mmiotree::literals;

constexpr addr_t bar_size = 16_KiB, leaf_bytes = 4_KiB, window_at = 0x8000'0000;
constexpr std::size_t leaves_per_bar = 4;

using bar = mmiotree::container<"bar", bar_size, mmiotree::at<0, mmiotree::io<"r0", leaf_bytes>>,
                                mmiotree::at<4_KiB, mmiotree::io<"r1", leaf_bytes>>,
                                mmiotree::at<8_KiB, mmiotree::io<"r2", leaf_bytes>>,
                                mmiotree::at<12_KiB, mmiotree::io<"r3", leaf_bytes>>>;

template <std::size_t N, class Seq>
struct machines;
template <std::size_t N, std::size_t... I>
struct machines<N, std::index_sequence<I...>> {
  static constexpr addr_t window = std::bit_ceil(N * bar_size * 4);
  using slots = mmiotree::container<
      "m", 4_GiB,
      mmiotree::at<window_at, mmiotree::container<
                                  "pci", window,
                                  mmiotree::slot<mmiotree::named<bar, indexed_name<'d', I>>>...>>>;
  using statics = mmiotree::container<
      "m", 4_GiB,
      mmiotree::at<window_at,
                   mmiotree::container<
                       "pci", window,
                       mmiotree::at<I * bar_size, mmiotree::named<bar, indexed_name<'d', I>>>...>>>;
};
// Structs, not aliases: short mangled names (see gen_tree.hpp).
template <std::size_t N>
struct slot_machine : machines<N, std::make_index_sequence<N>>::slots {};
template <std::size_t N>
struct static_machine : machines<N, std::make_index_sequence<N>>::statics {};

/// A space read through one route cache, as a vCPU thread keeps one.
template <class Space>
struct cached_reads {
  const Space& space;
  mutable mmiotree::route_cache cache{};
  [[nodiscard]] read_result read(addr_t a, unsigned size) const {
    return space.read(a, size, cache);
  }
};

/// Every dispatcher over n BARs.
template <std::size_t N>
struct bars_fixture {
  std::vector<handler> handlers = std::vector<handler>(N * leaves_per_bar);
  std::unique_ptr<mmiotree::address_space<slot_machine<N>>> slots =
      std::make_unique<mmiotree::address_space<slot_machine<N>>>();
  std::unique_ptr<mmiotree::address_space<static_machine<N>>> statics =
      std::make_unique<mmiotree::address_space<static_machine<N>>>();
  cached_reads<mmiotree::address_space<slot_machine<N>>> cached{*slots};
  std_map_bus map;
  sorted_vector_bus vec;
  std::unique_ptr<call_only> floor;
  bool ok = true;

  bars_fixture() {
    for (std::size_t i = 0; i < handlers.size(); ++i) {
      handlers[i].id = i;
      map.insert(window_at + i * leaf_bytes, leaf_bytes, &handlers[i]);
      vec.insert(window_at + i * leaf_bytes, leaf_bytes, &handlers[i]);
    }
    vec.finish();
    floor = std::make_unique<call_only>(handlers[0]);
    // The slot machine: each BAR through a handle, bound by paths inside the BAR, placed at
    // run time (N distinct slots, a transaction's worth at a time).
    for (std::size_t k = 0; k < N; ++k) {
      const auto h = mmiotree::slot_ref<bar>::of(*slots, static_cast<mmiotree::slot_id>(k));
      ok = ok && h.template bind<"r0">(handlers[k * 4 + 0]) == mmiotree::bind_status::ok &&
           h.template bind<"r1">(handlers[k * 4 + 1]) == mmiotree::bind_status::ok &&
           h.template bind<"r2">(handlers[k * 4 + 2]) == mmiotree::bind_status::ok &&
           h.template bind<"r3">(handlers[k * 4 + 3]) == mmiotree::bind_status::ok &&
           h.place(window_at + k * bar_size).ok();
    }
    // The static machine: the same leaves, bound by leaf id (pre-order: BAR k's leaves are
    // 4k .. 4k + 3).
    for (std::size_t i = 0; i < handlers.size(); ++i)
      ok = ok && statics->bind_handler(
                     static_cast<mmiotree::leaf_id>(i),
                     mmiotree::detail::handler_binding<mmiotree::access::any>(handlers[i]),
                     {}) == mmiotree::bind_status::ok;
  }

  [[nodiscard]] bool agree(const std::vector<addr_t>& addrs) const {
    return ok && std::all_of(addrs.begin(), addrs.end(), [&](addr_t a) {
             const read_result s = slots->read(a, 4), t = statics->read(a, 4), m = map.read(a, 4),
                               v = vec.read(a, 4), c = cached.read(a, 4);
             return s.ok() && s == t && s == m && s == v && s == c;
           });
  }
};

/// Random: a random BAR, leaf and 4-byte word; hot: one address in the middle BAR.
template <std::size_t N>
std::vector<addr_t> bar_addresses(bool hot, std::size_t count = 4096) {
  std::mt19937_64 rng(0x6d6d696f74726565ULL);
  std::vector<addr_t> a(count);
  if (hot) {
    std::fill(a.begin(), a.end(), window_at + (N / 2) * bar_size + 8);
    return a;
  }
  std::uniform_int_distribution<std::size_t> leaf(0, N * leaves_per_bar - 1);
  std::uniform_int_distribution<addr_t> word(0, leaf_bytes / 4 - 1);
  for (addr_t& x : a) x = window_at + leaf(rng) * leaf_bytes + 4 * word(rng);
  return a;
}

template <std::size_t N>
void register_bars() {
  static std::unique_ptr<bars_fixture<N>> f;
  static std::vector<addr_t> streams[2];
  auto get = [](bool hot) -> std::pair<const bars_fixture<N>&, const std::vector<addr_t>&> {
    if (!f) {
      f = std::make_unique<bars_fixture<N>>();
      streams[0] = bar_addresses<N>(false);
      streams[1] = bar_addresses<N>(true);
      if (!f->agree(streams[0]) || !f->agree(streams[1])) {
        std::fprintf(stderr, "bench_dispatch: dispatchers disagree (%zu BARs)\n", N);
        std::abort();
      }
    }
    return {*f, streams[hot ? 1 : 0]};
  };
  for (const bool hot : {false, true}) {
    const std::string tail = "/" + std::to_string(N) + (hot ? "/hot" : "/random");
    benchmark::RegisterBenchmark(("dispatch/mmiotree_slots" + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, *fx.slots, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/mmiotree_slots_cached" + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, fx.cached, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/mmiotree_static_bars" + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, *fx.statics, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/std_map_bars" + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, fx.map, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/sorted_vector_bars" + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, fx.vec, a);
                                 });
    benchmark::RegisterBenchmark(("dispatch/call_only_bars" + tail).c_str(),
                                 [get, hot](benchmark::State& st) {
                                   auto [fx, a] = get(hot);
                                   run(st, *fx.floor, a);
                                 });
  }
}

}  // namespace

void register_bars_16() { register_bars<16>(); }
void register_bars_256() { register_bars<256>(); }

}  // namespace bench
