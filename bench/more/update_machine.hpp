// bench/more/update_machine.hpp: the machine of the update/* benchmarks, as a typed tree with
// N PCI BAR slots (mmiotree) and as a runtime descriptor array whose BARs are ordinary static
// children (re-render, defined in update_rerender.cpp), plus the listener both report to.
//
// The machine: 256 MiB of RAM at 0, an I/O APIC page, and at 3 GiB one PCI MMIO window. Each
// of the N devices has one 64 KiB BAR holding three leaves — registers (io, 4 KiB at 0), an
// MSI-X table (io, 4 KiB at 8 KiB) and device memory (passthrough, 32 KiB at 32 KiB). The
// window has room for bit_ceil(N + 2) BARs; device k sits at BAR position k for k <= N/2 and
// k + 1 above, so positions N/2 and N/2 + 1 — in the middle of the window — are the two that
// device N/2 (the one that moves) alternates between: every move leaves the map as it found
// it, two moves apart.
#pragma once

#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace bench {

using mmiotree::addr_t;
using namespace mmiotree::literals;

inline constexpr addr_t ram_size = 256_MiB;
inline constexpr addr_t ioapic_base = 0xFEC0'0000;
inline constexpr addr_t window_base = 3_GiB;
inline constexpr addr_t bar_size = 64_KiB;
// The leaves of a BAR: offset and size.
inline constexpr addr_t regs_offset = 0, regs_size = 4_KiB;
inline constexpr addr_t msix_offset = 8_KiB, msix_size = 4_KiB;
inline constexpr addr_t mem_offset = 32_KiB, mem_size = 32_KiB;

/// BAR positions in the window.
constexpr std::size_t window_positions(std::size_t n) { return std::bit_ceil(n + 2); }
constexpr addr_t window_size(std::size_t n) { return window_positions(n) * bar_size; }
/// The device that moves, and its two positions.
constexpr std::size_t moving_device(std::size_t n) { return n / 2; }
constexpr std::size_t home_position(std::size_t n) { return n / 2; }
constexpr std::size_t away_position(std::size_t n) { return n / 2 + 1; }
/// Where device k starts (window-relative BAR position).
constexpr std::size_t start_position(std::size_t k, std::size_t n) {
  return k <= n / 2 ? k : k + 1;
}

constexpr std::size_t decimal_digits(std::size_t v) {
  std::size_t d = 1;
  for (; v >= 10; v /= 10) ++d;
  return d;
}

/// "d<I>": the name of device I's BAR.
template <std::size_t I>
inline constexpr auto device_name = [] {
  mmiotree::fixed_string<1 + decimal_digits(I)> f{};
  f.value[0] = 'd';
  std::size_t v = I;
  for (std::size_t k = decimal_digits(I); k > 0; --k, v /= 10)
    f.value[k] = static_cast<char>('0' + v % 10);
  return f;
}();

/// "pci/d<I>": the typed path of device I's slot.
template <std::size_t I>
inline constexpr auto device_path = [] {
  constexpr auto& d = device_name<I>;
  mmiotree::fixed_string<4 + d.size()> f{};
  std::copy_n("pci/", 4, f.value);
  std::copy_n(d.value, d.size(), f.value + 4);
  return f;
}();

/// "pci/d<I>/mem": the typed path of device I's device memory.
template <std::size_t I>
inline constexpr auto device_mem_path = [] {
  constexpr auto& p = device_path<I>;
  mmiotree::fixed_string<p.size() + 4> f{};
  std::copy_n(p.value, p.size(), f.value);
  std::copy_n("/mem", 4, f.value + p.size());
  return f;
}();

template <std::size_t I>
using bar_t = mmiotree::container<device_name<I>, bar_size,
                                  mmiotree::at<regs_offset, mmiotree::io<"regs", regs_size>>,
                                  mmiotree::at<msix_offset, mmiotree::io<"msix", msix_size>>,
                                  mmiotree::at<mem_offset, mmiotree::passthrough<"mem", mem_size>>>;

template <std::size_t N, class Seq>
struct machine_type;
template <std::size_t N, std::size_t... I>
struct machine_type<N, std::index_sequence<I...>> {
  using type = mmiotree::container<
      "machine", 4_GiB, mmiotree::at<0, mmiotree::passthrough<"ram", ram_size>>,
      mmiotree::at<ioapic_base, mmiotree::io<"ioapic", 4_KiB>>,
      mmiotree::at<window_base,
                   mmiotree::container<"pci", window_size(N), mmiotree::slot<bar_t<I>>...>>>;
};

/// The typed machine with N BAR slots.
template <std::size_t N>
using machine_t = typename machine_type<N, std::make_index_sequence<N>>::type;

/// The same machine with its PCI window mapped nowhere and seen through an alias at 3 GiB
/// (QEMU's PC: the PCI address space behind `pci-hole`). The BARs' window-relative bases are
/// the same; the alias is the last node, so every other node keeps its index.
template <std::size_t N, class Seq>
struct hole_machine_type;
template <std::size_t N, std::size_t... I>
struct hole_machine_type<N, std::index_sequence<I...>> {
  using type = mmiotree::container<
      "machine", 4_GiB, mmiotree::at<0, mmiotree::passthrough<"ram", ram_size>>,
      mmiotree::at<ioapic_base, mmiotree::io<"ioapic", 4_KiB>>,
      mmiotree::unmapped<mmiotree::container<"pci", window_size(N), mmiotree::slot<bar_t<I>>...>>,
      mmiotree::at<window_base, mmiotree::alias<"pci-hole", window_size(N), "pci">>>;
};
template <std::size_t N>
using hole_machine_t = typename hole_machine_type<N, std::make_index_sequence<N>>::type;

/// The same machine with its N BARs declared once, as a slot array: BAR k is the slot
/// `pci/d[k]`, and the BAR's region type is lowered once, not N times.
using array_bar_t =
    mmiotree::container<"d", bar_size, mmiotree::at<regs_offset, mmiotree::io<"regs", regs_size>>,
                        mmiotree::at<msix_offset, mmiotree::io<"msix", msix_size>>,
                        mmiotree::at<mem_offset, mmiotree::passthrough<"mem", mem_size>>>;
template <std::size_t N>
using array_machine_t = mmiotree::container<
    "machine", 4_GiB, mmiotree::at<0, mmiotree::passthrough<"ram", ram_size>>,
    mmiotree::at<ioapic_base, mmiotree::io<"ioapic", 4_KiB>>,
    mmiotree::at<window_base,
                 mmiotree::container<"pci", window_size(N), mmiotree::slot_array<array_bar_t, N>>>>;

/// The same machine as a runtime descriptor array, each BAR an ordinary child of the window
/// at `positions[k] * bar_size`; node indices (pre-order) equal those of `nodes_v<machine_t>`.
/// Only what `mmiotree::flatten` reads is filled in, plus names and parents for reading.
std::vector<mmiotree::node> static_machine(const std::vector<std::size_t>& positions);

/// Node index of device k's BAR container in either descriptor array.
constexpr mmiotree::node_index bar_node(std::size_t k) {
  return static_cast<mmiotree::node_index>(4 + 4 * k);
}

/// QEMU's way, in the same binary: the machine as a runtime descriptor array with the BARs as
/// static children. Moving a BAR changes its offset, renders the whole flat view again
/// (`mmiotree::flatten`, the algorithm that runs at compile time for typed trees, here at run
/// time) and diffs it against the previous view to tell the listener what changed.
class rerender_machine {
 public:
  explicit rerender_machine(std::size_t n);

  /// Host memory backing passthrough leaf node `leaf` (events then carry the pointer).
  void bind(mmiotree::node_index leaf, std::byte* host) { host_[leaf] = host; }

  [[nodiscard]] const std::vector<mmiotree::node>& nodes() const noexcept { return nodes_; }
  [[nodiscard]] const std::vector<mmiotree::flat_range>& view() const noexcept { return view_; }

  /// Moves BAR k to window-relative `base`, re-renders, and reports the difference.
  void move(std::size_t k, addr_t base, mmiotree::map_listener& listener);

 private:
  [[nodiscard]] mmiotree::map_event event_of(const mmiotree::flat_range& r) const noexcept;
  /// Ranges of `a` not in `b` are deleted, then ranges of `b` not in `a` added (both sorted).
  void diff(const std::vector<mmiotree::flat_range>& a, const std::vector<mmiotree::flat_range>& b,
            mmiotree::map_listener& listener) const;

  std::vector<mmiotree::node> nodes_;
  std::vector<std::byte*> host_;
  std::vector<mmiotree::flat_range> view_;
};

/// A backend that does a trivial amount of work per event: it counts them and their bytes.
struct counting_listener final : mmiotree::map_listener {
  std::uint64_t dels = 0;
  std::uint64_t adds = 0;
  std::uint64_t bytes = 0;
  void region_del(const mmiotree::map_event& e) override {
    ++dels;
    bytes += e.size();
  }
  void region_add(const mmiotree::map_event& e) override {
    ++adds;
    bytes += e.size();
  }
};

}  // namespace bench
