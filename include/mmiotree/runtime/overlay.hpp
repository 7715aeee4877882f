// runtime/overlay.hpp: the slot overlay as guest accesses read it — the part of a slot map
// (runtime/slot_map.hpp) that readers share with the writer.
//
// It holds the flat ranges that placed slots make visible (sorted, root-relative), each slot's
// base, each window's clean flag (no two enabled slots overlap and none is partly hidden) and
// each window's cell index (runtime/cell_index.hpp). The writer — a slot map's commit — stores
// into it only inside a write section of the address space's sequence lock
// (runtime/seqlock.hpp), with relaxed atomic stores; readers load it inside read sections and
// retry when a commit overlapped. What a reader loads during an overlapping commit may be
// inconsistent, but every index it follows is checked, so it stays in bounds.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/runtime/cell_index.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/runtime/seqlock.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// The published overlay of a slot map with at most `Capacity` ranges, `Slots` slots and
/// `Windows` windows, whose windows are indexed by `Cells` (a cell_index).
template <std::size_t Capacity, std::size_t Slots, std::size_t Windows, class Cells>
class published_overlay {
 public:
  explicit constexpr published_overlay(const std::array<cell_window, Windows>& windows)
      : cells_(windows) {
    clean_.fill(1);  // no slot placed: every window is clean (and its cells are empty)
  }

  // ---- reader side: inside a read section -----------------------------------------------

  /// The slot whose extent covers `addr` in window `w` (no_id: none) and its base, if the
  /// window is clean and indexed; false otherwise (take the general path). `x` is the window's
  /// cell shape (cell_index::find).
  [[gnu::always_inline]] bool find_fast(std::size_t w, const cell_window& x, addr_t addr,
                                        std::uint32_t& slot, addr_t& base) const noexcept {
    if (seqlock::load(clean_[w]) == 0 || !cells_.find(x, addr, slot)) return false;
    if (slot != no_id) {
      if (slot >= Slots) return false;  // torn: the section retries
      base = seqlock::load(base_[slot]);
    }
    return true;
  }

  /// If `addr` lies in an overlay range, copies it to `out` and returns true; otherwise
  /// returns false and sets `next` to the first overlay address above `addr` (or 2^64 - 1),
  /// so the caller can clip the static tile it falls back on.
  bool find(addr_t addr, flat_range& out, addr_t& next) const noexcept {
    std::size_t n = static_cast<std::size_t>(seqlock::load(count_));
    if (n > Capacity) n = Capacity;  // torn by a commit: the section retries
    // Last range with lo <= addr.
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (seqlock::load(ranges_[mid].lo) <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
    bool hit = false;
    flat_range r{};
    addr_t nx = ~addr_t{0};
    if (lo > 0) {
      const stored_range& s = ranges_[lo - 1];
      r = {seqlock::load(s.lo), seqlock::load(s.last),
           static_cast<node_index>(seqlock::load(s.leaf)), seqlock::load(s.offset)};
      hit = addr <= r.last;
    }
    if (!hit && lo < n) nx = seqlock::load(ranges_[lo].lo);
    if (hit) out = r;
    next = nx;
    return hit;
  }

  // ---- writer side: inside a write section ----------------------------------------------

  /// The overlay is now `ranges` (sorted), of which only [from, to) differ from what readers
  /// saw.
  void store_ranges(std::span<const flat_range> ranges, std::size_t from, std::size_t to) noexcept {
    for (std::size_t i = from; i < std::min(to, ranges.size()); ++i) {
      seqlock::store(ranges_[i].lo, ranges[i].lo);
      seqlock::store(ranges_[i].last, ranges[i].last);
      seqlock::store(ranges_[i].leaf, std::uint64_t{ranges[i].leaf});
      seqlock::store(ranges_[i].offset, ranges[i].offset);
    }
    seqlock::store(count_, std::uint64_t{ranges.size()});
  }

  /// Slot `s` is placed at root address `base`.
  void store_base(std::size_t s, addr_t base) noexcept { seqlock::store(base_[s], base); }

  /// Window `w` is clean (or not).
  void store_clean(std::size_t w, bool clean) noexcept {
    seqlock::store(clean_[w], static_cast<std::uint8_t>(clean ? 1 : 0));
  }

  /// Cells [first, last] of window `w` now hold `value` (slot + 1, or 0 for none).
  void set_cells(std::size_t w, addr_t first, addr_t last, std::uint32_t value) noexcept {
    cells_.set(w, first, last, value);
  }

  /// Every cell of window `w` holds 0.
  void clear_cells(std::size_t w) noexcept { cells_.clear(w); }

 private:
  struct stored_range {
    std::uint64_t lo = 0, last = 0, leaf = 0, offset = 0;
  };

  Cells cells_;
  std::array<std::uint64_t, Slots> base_{};
  std::array<std::uint8_t, Windows> clean_{};
  std::uint64_t count_ = 0;
  std::array<stored_range, Capacity> ranges_{};
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
