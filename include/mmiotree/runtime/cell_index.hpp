// runtime/cell_index.hpp: which slot is under an address of a slot window, in two loads — the
// index that lets an access inside a BAR take the fast path.
//
// A window is cut into cells of the smallest alignment among its slots (every slot starts on a
// cell); a cell names the slot whose extent covers it. Cells are grouped into chunks of 2^k
// cells, so that a window has at most `max_chunks` chunks: a chunk entry names one slot when
// all its cells do (a large BAR, or nothing: 0), or points to a table of its 2^k cells (small
// BARs side by side). Tables come from a pool of one per slot (each slot ends at most one
// chunk part-way) plus one, recycled when they empty. Moving a slot writes the chunk entries of
// its whole chunks and the cells of its part chunks: a bounded number of stores, independent of
// how many other slots the window holds.
//
// Written by the commit inside the address space's write section, read inside read sections
// (runtime/seqlock.hpp): a reader that overlaps a write may read a stale or reused table, but
// always in bounds, and its section retries.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/runtime/seqlock.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// The shape of one window's index, computed at compile time.
struct cell_window {
  addr_t lo = 0;                  ///< the window's first byte (root-relative)
  unsigned cell_shift = 0;        ///< log2 of the cell size
  unsigned chunk_bits = 0;        ///< log2 of the cells per chunk (k)
  std::uint32_t chunks = 0;       ///< 0: the window has no index (general path only)
  std::uint32_t first_chunk = 0;  ///< into the chunk entries
  std::uint32_t tables = 0;       ///< in its pool
  std::uint32_t first_table = 0;  ///< into the pool of tables (in tables)
  std::uint32_t first_cell = 0;   ///< into the pool's cells
};

/// The indices of a tree's windows. `Windows` per-window shapes; `Chunks`, `Tables`, `Cells`
/// the totals over them.
template <std::size_t Windows, std::size_t Chunks, std::size_t Tables, std::size_t Cells>
class cell_index {
 public:
  /// Chunk entries: 0 empty, slot + 1 (below `table_bit`), or `table_bit` | table.
  static constexpr std::uint32_t table_bit = 0x8000'0000U;

  explicit constexpr cell_index(const std::array<cell_window, Windows>& w) : w_(w) {
    for (std::size_t k = 0; k < Windows; ++k) {
      std::uint32_t n = 0;
      for (std::uint32_t t = 0; t < w_[k].tables; ++t) free_[w_[k].first_table + n++] = t;
      free_n_[k] = n;
    }
  }

  /// Reader side, in a read section: the slot whose extent covers the cell of `addr` (no_id:
  /// none) in the window whose shape is `x` — the caller's compile-time copy of this index's
  /// window, so that the shape's fields are constants where the window is known. False if the
  /// window has no index or `addr` is outside it (torn: the section retries).
  [[gnu::always_inline]] bool find(const cell_window& x, addr_t addr,
                                   std::uint32_t& slot) const noexcept {
    const addr_t cell = (addr - x.lo) >> x.cell_shift;
    const addr_t chunk = cell >> x.chunk_bits;
    if (x.chunks == 0 || chunk >= x.chunks) return false;
    std::uint32_t e = seqlock::load(chunk_[x.first_chunk + chunk]);
    if ((e & table_bit) != 0) {
      const std::uint32_t t = e & ~table_bit;
      if (t >= x.tables) return false;
      const addr_t in = cell & ((addr_t{1} << x.chunk_bits) - 1);
      e = seqlock::load(cells_[x.first_cell + (std::size_t{t} << x.chunk_bits) + in]);
    }
    slot = e == 0 ? no_id : e - 1;
    return true;
  }

  /// Writer side, in a write section: the cells of window w from cell `first` to `last`
  /// (inclusive) name `value` (slot + 1, or 0 to clear).
  void set(std::size_t w, addr_t first, addr_t last, std::uint32_t value) noexcept {
    const cell_window& x = w_[w];
    if (x.chunks == 0) return;
    const addr_t per = addr_t{1} << x.chunk_bits;
    for (addr_t c = first; c <= last;) {
      const addr_t chunk = c >> x.chunk_bits;
      if (chunk >= x.chunks) return;
      const addr_t chunk_first = chunk << x.chunk_bits, chunk_last = chunk_first + (per - 1);
      const addr_t to = last < chunk_last ? last : chunk_last;
      std::uint32_t& e = chunk_[x.first_chunk + chunk];
      if (c == chunk_first && to == chunk_last) {
        release(w, e);  // a whole chunk: one entry
        seqlock::store(e, value);
      } else {
        const std::uint32_t t = table_for(w, e);
        if (t == no_id) return;  // the pool is sized so this cannot happen
        std::uint32_t* cells = cells_.data() + x.first_cell + (std::size_t{t} << x.chunk_bits);
        std::uint32_t& used = used_[x.first_table + t];
        for (addr_t k = c; k <= to; ++k) {
          std::uint32_t& cell = cells[k - chunk_first];
          if (cell != 0) --used;
          if (value != 0) ++used;
          seqlock::store(cell, value);
        }
        if (used == 0) release(w, e);  // back to an empty entry
      }
      if (to == last) return;
      c = to + 1;
    }
  }

  /// Clears window w.
  void clear(std::size_t w) noexcept {
    const cell_window& x = w_[w];
    for (std::uint32_t c = 0; c < x.chunks; ++c) {
      release(w, chunk_[x.first_chunk + c]);
      seqlock::store(chunk_[x.first_chunk + c], std::uint32_t{0});
    }
  }

 private:
  /// Gives back the table `e` points to, if it does (its cells are zeroed), and empties `e`.
  void release(std::size_t w, std::uint32_t& e) noexcept {
    if ((e & table_bit) == 0) return;
    const cell_window& x = w_[w];
    const std::uint32_t t = e & ~table_bit;
    std::uint32_t* cells = cells_.data() + x.first_cell + (std::size_t{t} << x.chunk_bits);
    for (addr_t k = 0; k < (addr_t{1} << x.chunk_bits); ++k)
      seqlock::store(cells[k], std::uint32_t{0});
    used_[x.first_table + t] = 0;
    free_[x.first_table + free_n_[w]++] = t;
    seqlock::store(e, std::uint32_t{0});
  }
  /// The table of the chunk whose entry is `e`, made from a free one filled with what `e`
  /// named if it was not a table yet; no_id if the pool is empty.
  std::uint32_t table_for(std::size_t w, std::uint32_t& e) noexcept {
    if ((e & table_bit) != 0) return e & ~table_bit;
    const cell_window& x = w_[w];
    if (free_n_[w] == 0) return no_id;
    const std::uint32_t t = free_[x.first_table + --free_n_[w]];
    std::uint32_t* cells = cells_.data() + x.first_cell + (std::size_t{t} << x.chunk_bits);
    for (addr_t k = 0; k < (addr_t{1} << x.chunk_bits); ++k) seqlock::store(cells[k], e);
    used_[x.first_table + t] = e != 0 ? static_cast<std::uint32_t>(addr_t{1} << x.chunk_bits) : 0;
    seqlock::store(e, table_bit | t);
    return t;
  }

  std::array<cell_window, Windows> w_;
  // Shared with readers.
  mutable std::array<std::uint32_t, Chunks + 1> chunk_{};
  mutable std::array<std::uint32_t, Cells + 1> cells_{};
  // Writer side.
  std::array<std::uint32_t, Tables + 1> used_{};  ///< non-zero cells per table
  std::array<std::uint32_t, Tables + 1> free_{};  ///< per window, a stack of free tables
  std::array<std::uint32_t, Windows + 1> free_n_{};
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
