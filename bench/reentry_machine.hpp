// bench/reentry_machine.hpp: the machine of bench_reentry — 64 io leaves of 4 KiB, each bound
// to a handler of its own, all allowing re-entry (`Refuse` false: the default) or all refusing
// it — and the loop the benchmark times: one read per address of a precomputed list, values
// summed so that nothing is optimised away. Compiled twice: into bench_reentry itself and into
// a shared object (reentry_so.cpp), where the library's `inline thread_local` is reached
// through the dynamic TLS model, as in a VMM that builds its device models into a .so.
#pragma once

#include <mmiotree/runtime/address_space.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <utility>

#include "gen_tree.hpp"

namespace bench::reentry {

inline constexpr std::size_t leaves = 64;
inline constexpr mmiotree::addr_t leaf_bytes = 4096;

template <bool Refuse>
inline constexpr mmiotree::access_policy policy =
    Refuse ? mmiotree::access::refuse_reentry(mmiotree::access::any) : mmiotree::access::any;

template <bool Refuse, std::size_t... I>
auto machine_of(std::index_sequence<I...>) -> mmiotree::container<
    "m", leaves * leaf_bytes,
    mmiotree::at<I * leaf_bytes,
                 mmiotree::io<indexed_name<'r', I>, leaf_bytes, policy<Refuse>>>...>;

/// One device register file per leaf: a read returns a word of its own state.
struct device {
  std::uint64_t state;
  std::uint64_t read(mmiotree::addr_t off, unsigned) const { return state ^ off; }
  void write(mmiotree::addr_t, unsigned, std::uint64_t v) { state = v; }
};

template <bool Refuse>
class machine {
 public:
  using tree = decltype(machine_of<Refuse>(std::make_index_sequence<leaves>{}));
  machine() { bind(std::make_index_sequence<leaves>{}); }
  /// The sum of 4-byte reads at `addrs`.
  [[nodiscard]] std::uint64_t run(std::span<const mmiotree::addr_t> addrs) const {
    std::uint64_t sum = 0;
    for (const mmiotree::addr_t a : addrs) sum += as_->read(a, 4).value;
    return sum;
  }

 private:
  template <std::size_t... I>
  void bind(std::index_sequence<I...>) {
    if (((as_->template bind<indexed_name<'r', I>>(devices_[I]) != mmiotree::bind_status::ok) ||
         ...))
      std::abort();
  }
  std::unique_ptr<mmiotree::address_space<tree>> as_ =
      std::make_unique<mmiotree::address_space<tree>>();
  std::array<device, leaves> devices_{};
};

}  // namespace bench::reentry
