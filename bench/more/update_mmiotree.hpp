// bench/more/update_mmiotree.hpp: update/mmiotree/<N> — moving one BAR slot of an
// address_space with N BAR slots — instantiated once per N in its own translation unit
// (update_<N>.cpp), so that the large trees compile in parallel and none holds another's
// tables in memory.
#pragma once

#include <mmiotree/layout/slots.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "update_machine.hpp"

namespace bench {

/// How the machine of N BAR slots is declared: slot by slot (`machine_t`), as one slot array
/// (`array_machine_t`), or slot by slot in a PCI space mapped nowhere and seen through an alias
/// (`hole_machine_t`). All have the same nodes in the same order (the alias last).
enum class shape { slots, array, hole };

template <std::size_t N, shape Shape = shape::slots>
class mmiotree_machine {
 public:
  static constexpr bool Array = Shape == shape::array;
  using tree =
      std::conditional_t<Array, array_machine_t<N>,
                         std::conditional_t<Shape == shape::hole, hole_machine_t<N>, machine_t<N>>>;
  static constexpr std::size_t moving = moving_device(N);

  mmiotree_machine() {
    // Only the moving device's memory is bound: events for it carry a host pointer, as a
    // backend needs; the other BARs never produce an event.
    if constexpr (Array)
      ok_ = as_.template slot<array_bar_t, "pci/d">(moving).template bind<"mem">(mem_) ==
            mmiotree::bind_status::ok;
    else
      ok_ = as_.template bind<device_mem_path<moving>>(mem_) == mmiotree::bind_status::ok;
    ok_ = ok_ && place_all();
  }

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] mmiotree::address_space<tree>& space() noexcept { return as_; }
  [[nodiscard]] std::byte* mem() noexcept { return mem_.data(); }

  /// Moves the moving BAR to window-relative `base`; the registered listener hears it.
  [[nodiscard]] bool move(addr_t base) {
    if constexpr (Array)
      return as_.transaction().place_in_window(id_, base).commit().ok();
    else
      return as_.transaction().template place_in_window<device_path<moving>>(base).commit().ok();
  }

 private:
  /// Places every BAR at its start position, by run-time slot id (slots are numbered in
  /// declaration order: slot k is device k's BAR), a transaction's worth at a time.
  bool place_all() {
    for (std::size_t k = 0; k < N; k += mmiotree::transaction::capacity) {
      auto tx = as_.transaction();
      for (std::size_t j = k; j < N && j < k + mmiotree::transaction::capacity; ++j) {
        if (mmiotree::slot_tables_v<tree>.slots[j].node != bar_node(j)) return false;
        tx.place_in_window(static_cast<mmiotree::slot_id>(j), start_position(j, N) * bar_size);
      }
      if (!tx.commit().ok()) return false;
    }
    return true;
  }

  mmiotree::address_space<tree> as_;
  /// The moving BAR's slot, found by its index in the array (Array only).
  static constexpr mmiotree::slot_id moving_id() {
    if constexpr (Array)
      return mmiotree::address_space<tree>::template slot_of<"pci/d">(moving);
    else
      return mmiotree::slot_id::none;
  }
  mmiotree::slot_id id_ = moving_id();
  std::vector<std::byte> mem_ = std::vector<std::byte>(mem_size);
  bool ok_ = false;
};

/// Records events, to compare two backends' views of the same moves.
struct recording_listener final : mmiotree::map_listener {
  std::vector<mmiotree::map_event> events;
  void region_del(const mmiotree::map_event& e) override { events.push_back(e); }
  void region_add(const mmiotree::map_event& e) override {
    mmiotree::map_event x = e;
    x.kind = mmiotree::region_kind::container;  // marks an add (no event has this kind)
    events.push_back(x);
  }
};

/// Aborts unless the slot machine and the re-rendered one are the same machine: the same flat
/// view after set-up and the same events for a move there and back.
template <std::size_t N, shape Shape>
void check_same_machine() {
  auto m = std::make_unique<mmiotree_machine<N, Shape>>();
  rerender_machine r(N);
  constexpr std::size_t k = mmiotree_machine<N, Shape>::moving;
  r.bind(bar_node(k) + 3, m->mem());
  bool same = m->ok();
  recording_listener a, b;
  same = same && m->space().add_listener(a).ok();
  for (const mmiotree::flat_range& f : r.view())
    b.region_add({f.lo, f.last, f.leaf, r.nodes()[f.leaf].kind, f.offset, nullptr, {}});
  auto key = [](const mmiotree::map_event& e) {
    return std::tuple(e.lo, e.last, e.leaf, e.offset, e.kind);
  };
  auto equal = [&] {
    if (a.events.size() != b.events.size()) return false;
    for (std::size_t i = 0; i < a.events.size(); ++i)
      if (key(a.events[i]) != key(b.events[i])) return false;
    return true;
  };
  same = same && equal();
  for (const std::size_t pos : {away_position(N), home_position(N)}) {
    a.events.clear();
    b.events.clear();
    same = same && m->move(pos * bar_size);
    r.move(k, pos * bar_size, b);
    same = same && equal() && a.events.size() == 6;
    for (std::size_t i = 0; same && i < a.events.size(); ++i)
      same = a.events[i].host == b.events[i].host;
  }
  if (!same) {
    std::fprintf(stderr, "bench_update: the slot machine and the re-rendered one differ (N=%zu)\n",
                 N);
    std::abort();
  }
}

template <std::size_t N, shape Shape>
void bm_mmiotree(benchmark::State& state) {
  auto m = std::make_unique<mmiotree_machine<N, Shape>>();
  if (!m->ok()) {
    state.SkipWithError("set-up commit refused");
    return;
  }
  counting_listener backend;
  if (!m->space().add_listener(backend).ok()) {
    state.SkipWithError("listener refused");
    return;
  }
  backend.adds = backend.dels = backend.bytes = 0;  // the replay at registration
  constexpr addr_t home = home_position(N) * bar_size, away = away_position(N) * bar_size;
  bool at_home = true;
  for (auto _ : state) {
    if (!m->move(at_home ? away : home)) {
      state.SkipWithError("move refused");
      break;
    }
    at_home = !at_home;
  }
  benchmark::DoNotOptimize(backend);
  state.counters["events_per_move"] =
      static_cast<double>(backend.dels + backend.adds) / static_cast<double>(state.iterations());
}

/// Registers update/mmiotree/<N> (update/mmiotree_array/<N>, update/mmiotree_hole/<N>) after
/// checking the machine.
template <std::size_t N, shape Shape = shape::slots>
void register_mmiotree() {
  check_same_machine<N, Shape>();
  const char* prefix = Shape == shape::array  ? "update/mmiotree_array/"
                       : Shape == shape::hole ? "update/mmiotree_hole/"
                                              : "update/mmiotree/";
  const std::string name = std::string(prefix) + std::to_string(N);
  benchmark::RegisterBenchmark(name.c_str(), bm_mmiotree<N, Shape>);
}

}  // namespace bench
