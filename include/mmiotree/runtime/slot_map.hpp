// runtime/slot_map.hpp: where the slots of a tree are placed, the flat ranges they make
// visible (the *overlay*), and the commit that changes both atomically.
//
// Shape is static, placement is not: a slot's own flat view (`slot_tables_v`) was computed at
// compile time relative to its base, and so was, for each place the root shows a window (an
// *appearance*: its own position, or an alias showing it), the level map that says what a slot
// competes with there. Placements are window-relative; a slot shows in every appearance its
// extent meets, clipped to it. A commit therefore only places precomputed ranges:
//   - one slot moved, enabled or disabled in a window where no slots overlap, none lies across
//     an appearance's edge and none is partly hidden (the common case: BARs, HDM windows) — its
//     ranges are taken out of each appearance it leaves and put into each it enters, after a
//     binary search for overlap with its neighbours and a look at the levels under it;
//   - anything else in a window — that window's appearances are resolved again from its
//     enabled slots and their level maps (priorities, then the slots' tie policies).
// Ties are judged once per window, window-relative, whether or not it is shown there. The commit
// either applies completely or, when a slot would leave its window, be misaligned, or tie with
// another region at equal priority under `tie_policy::reject`, applies nothing.
//
// This file is the writer's side: placements, a shadow copy of the overlay, the planning of a
// commit and the views listeners are told. What readers see is a published_overlay
// (runtime/overlay.hpp), which a commit updates at its end in one write section.
//
// Concurrency: one writer (commits, serialised by the address space), any number of readers
// (`find`, from guest accesses). The overlay is published under the address space's sequence
// lock (runtime/seqlock.hpp): a reader's whole access is planned in one read section, so it sees
// the overlay entirely before or entirely after a commit.
#pragma once

#include <mmiotree/core/algo.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/slots.hpp>
#include <mmiotree/runtime/cell_index.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/overlay.hpp>
#include <mmiotree/runtime/seqlock.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// A slot's placement inside the slot map: its base relative to its window (the address space
/// speaks guest-physical addresses at its interface; runtime/commit.hpp).
struct window_placement {
  addr_t base = 0;
  bool enabled = false;
  [[nodiscard]] constexpr bool operator==(const window_placement&) const = default;
};

namespace detail {
/// An enabled slot's extent in its window (window-relative); each window keeps its
/// extents sorted by `extent_order`. Declared outside `slot_map` so that the arrays and
/// algorithms over it do not carry the tree's name.
struct slot_extent {
  addr_t lo = 0, last = 0;
  std::uint32_t slot = 0;
};
/// By start, then by slot.
struct extent_order {
  constexpr bool operator()(const slot_extent& a, const slot_extent& b) const noexcept {
    // `a.slot < b.slot` parses as `slot<…>` (the region template) in clang 16: read the
    // members into locals first.
    const std::uint32_t sa = a.slot, sb = b.slot;
    return a.lo != b.lo ? a.lo < b.lo : sa < sb;
  }
};

/// A run of bytes, [lo, last] (found: false when there is none).
struct byte_run {
  bool found = false;
  addr_t lo = 0, last = 0;
};

/// The first run of bytes that both `a` (flat ranges relative to `a_base`) and `b` (relative to
/// `b_base`) cover, taken over `[lo, last]` only: the tie rule at commit (docs/design.md "The
/// tie rule"). Each list is a flat view, sorted and disjoint; adjacent pieces of the
/// intersection make one run. Linear in the two lists.
constexpr byte_run first_shared_run(std::span<const flat_range> a, addr_t a_base,
                                    std::span<const flat_range> b, addr_t b_base, addr_t lo,
                                    addr_t last) noexcept {
  byte_run run;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const addr_t alo = a_base + a[i].lo, alast = a_base + a[i].last;
    const addr_t blo = b_base + b[j].lo, blast = b_base + b[j].last;
    addr_t plo = alo > blo ? alo : blo, plast = alast < blast ? alast : blast;
    plo = plo > lo ? plo : lo;
    plast = plast < last ? plast : last;
    if (plo <= plast) {
      if (!run.found) {
        run = {true, plo, plast};
      } else if (plo - 1 == run.last) {
        run.last = plast;
      } else {
        return run;  // pieces come in address order: the run has ended
      }
    }
    if (alo > last && blo > last) break;
    if (alast < blast) {
      ++i;
    } else {
      ++j;
    }
  }
  return run;
}
}  // namespace detail

template <region Tree>
class slot_map {
 public:
  static constexpr const auto& tables = slot_tables_v<Tree>;
  static constexpr std::size_t slot_count = tables.slots.size();
  static constexpr std::size_t window_count = tables.windows.size();
  static constexpr std::size_t appearance_count = tables.appearances.size();

  /// The address of window w's byte 0 at its interface (the address space speaks these): the
  /// root address where the window lies, or for a window in an unmapped region (seen only
  /// through aliases, as QEMU's PCI address space is) its offset from that region — an address
  /// space of its own, whose addresses are bus addresses.
  static constexpr addr_t home(std::size_t w) noexcept { return tables.windows[w].home; }

  /// Most overlay ranges an appearance can hold: every cut comes from a slot range or level
  /// edge; and over all appearances, as each shows the ranges of its window's slots.
  static constexpr std::size_t capacity = [] {
    std::size_t n = tables.levels.size() + 1;
    for (const window_appearance& a : tables.appearances)
      for (const slot_desc& d : tables.slots)
        if (d.window_index == a.window) n += d.range_count;
    return 2 * n;
  }();
  /// Most ranges a view over affected ranges can hold.
  static constexpr std::size_t view_capacity =
      capacity + flat_view_v<Tree>.size() + 2 * slot_count + 2 * appearance_count + 1;

  /// The shape of each appearance's cell index (runtime/cell_index.hpp): cells of the smallest
  /// alignment among its window's slots (at least 8 bytes, or it has no index), counted from
  /// the appearance's first byte and grouped into chunks so that an appearance has at most
  /// 2^16 chunks of at most 2^12 cells (larger ones, relative to their smallest slot, have no
  /// index and take the general path).
  static constexpr auto cell_windows_ = [] {
    std::array<detail::cell_window, appearance_count> a{};
    std::uint32_t chunk_off = 0, table_off = 0, cell_off = 0;
    for (std::size_t x = 0; x < appearance_count; ++x) {
      const window_appearance& wa = tables.appearances[x];
      addr_t g = 0;
      std::uint32_t slots = 0;
      for (const slot_desc& d : tables.slots)
        if (d.window_index == wa.window) {
          ++slots;
          if (g == 0 || d.align < g) g = d.align;
        }
      const unsigned shift = static_cast<unsigned>(std::countr_zero(g));
      const addr_t last_cell = (wa.last - wa.lo) >> shift;
      const auto bits = static_cast<unsigned>(std::bit_width(last_cell));
      const unsigned k = bits > 16 ? bits - 16 : 0;
      a[x].lo = wa.lo;
      a[x].cell_shift = shift;
      if (g < 8 || k > 12) continue;  // no index
      a[x].chunk_bits = k;
      a[x].chunks = static_cast<std::uint32_t>((last_cell >> k) + 1);
      a[x].first_chunk = chunk_off;
      a[x].tables = k == 0 ? 0 : slots + 1;  // one cell per chunk: never a part chunk
      a[x].first_table = table_off;
      a[x].first_cell = cell_off;
      chunk_off += a[x].chunks;
      table_off += a[x].tables;
      cell_off += a[x].tables << k;
    }
    return a;
  }();
  static constexpr auto cell_totals_ = [] {
    std::array<std::size_t, 3> n{};
    for (const detail::cell_window& w : cell_windows_) {
      n[0] += w.chunks;
      n[1] += w.tables;
      n[2] += std::size_t{w.tables} << w.chunk_bits;
    }
    return n;
  }();
  using cell_index_type =
      detail::cell_index<appearance_count, cell_totals_[0], cell_totals_[1], cell_totals_[2]>;

  using overlay_type =
      detail::published_overlay<capacity, slot_count, appearance_count, cell_index_type>;

  /// Reader side, inside a read section: the slot whose extent covers `addr` in appearance `a`
  /// (no_id: none) and its root base there, if the appearance is clean and indexed; false
  /// otherwise (take the general path).
  [[gnu::always_inline]] bool find_fast(std::size_t a, addr_t addr, std::uint32_t& slot,
                                        addr_t& base) const noexcept {
    if (!pub_.find_fast(a, cell_windows_[a], addr, slot, base)) return false;
    base += tables.appearances[a].base;  // published window-relative
    return true;
  }

  [[nodiscard]] const window_placement& placement(std::size_t slot) const noexcept {
    return place_[slot];
  }

  /// Reader side, inside a read section of the address space's sequence lock (whose caller
  /// retries if a commit overlapped): if `addr` lies in an overlay range, copies it to `out`
  /// and returns true; otherwise returns false and sets `next` to the first overlay address
  /// above `addr` (or 2^64 - 1), so the caller can clip the static tile it falls back on.
  bool find(addr_t addr, flat_range& out, addr_t& next) const noexcept {
    return pub_.find(addr, out, next);
  }

  using change = std::pair<std::uint32_t, window_placement>;

  /// Writer side: applies `changes` (slot index → new placement; at most one per slot), all or
  /// nothing, and publishes the new overlay. Afterwards `views()` holds the full view before and
  /// after over every range the commit affected — widened to whole ranges of either view and to
  /// whole pages of `page` (0: no page widening), so that a listener that holds whole ranges or
  /// whole pages can diff them. Ranges of one leaf are merged where `merge(leaf)` allows.
  template <class Merge>
  commit_result commit(std::span<const change> changes, addr_t page, Merge&& merge,
                       detail::seqlock& published) {
    published_ = &published;
    return run<false>(changes, page, merge);
  }

  /// Whether `changes` would commit; changes nothing.
  [[nodiscard]] commit_result check(std::span<const change> changes) {
    auto merge = [](node_index) { return true; };
    return run<true>(changes, 0, merge);
  }

  /// The full view over the last commit's affected ranges, before and after it.
  struct view_pair {
    std::span<const flat_range> before, after;
  };
  [[nodiscard]] view_pair views() const noexcept {
    return {{view_a_.data(), views_n_[0]}, {view_b_.data(), views_n_[1]}};
  }

 private:
  /// The appearances of window w.
  static constexpr std::pair<std::uint32_t, std::uint32_t> appearances_of(std::size_t w) noexcept {
    return {tables.windows[w].first_appearance,
            tables.windows[w].first_appearance + tables.windows[w].appearance_count};
  }
  /// Whether window bytes [rel, rel + size) meet appearance `a`, and whether they lie in it.
  static constexpr bool meets(const window_appearance& a, addr_t rel, addr_t size) noexcept {
    return rel <= a.last - a.base && rel + (size - 1) >= a.lo - a.base;
  }
  static constexpr bool inside(const window_appearance& a, addr_t rel, addr_t size) noexcept {
    return rel >= a.lo - a.base && rel + (size - 1) <= a.last - a.base;
  }

  template <bool DryRun, class Merge>
  commit_result run(std::span<const change> changes, addr_t page, Merge& merge) {
    // 1. Each change on its own.
    for (const auto& [s, p] : changes) {
      if (!p.enabled) continue;
      const slot_desc& d = tables.slots[s];
      const addr_t wsize = tables.windows[d.window_index].size;
      const addr_t at = home(d.window_index) + p.base;
      // Alignment is at the window's interface (guest-physical, or a bus address), as a BAR's
      // or a decoder's is.
      if (at % d.align != 0) return {commit_error::slot_misaligned, d.node, npos, at, d.align};
      if (d.size > wsize || p.base > wsize - d.size)
        return {commit_error::slot_outside_window, d.node, npos, at, at + (d.size - 1)};
    }
    // 2. Plan every affected window and appearance without changing anything; refuse
    // ambiguity here (ties are judged in the window, wherever it is shown).
    std::array<std::uint8_t, window_count> wmode{};     // 0 untouched, 1 fast, 2 general
    std::array<std::uint8_t, appearance_count> mode{};  // the same, per appearance
    std::array<std::pair<std::size_t, std::size_t>, appearance_count> resolved{};
    std::array<bool, appearance_count> new_clean{};
    std::array<std::uint32_t, window_count> changes_in{};
    for (const auto& [s, p] : changes) ++changes_in[tables.slots[s].window_index];
    std::size_t scratch_n = 0;
    ranges_n_ = 0;
    for (const auto& [s, p] : changes) {
      const std::size_t w = tables.slots[s].window_index;
      if (wmode[w] != 0) continue;
      const auto [a0, a1] = appearances_of(w);
      if (changes_in[w] == 1 && fits_clean(s, p)) {
        wmode[w] = 1;
        const slot_desc& d = tables.slots[s];
        const window_placement& old = place_[s];
        for (std::uint32_t a = a0; a < a1; ++a) {
          const window_appearance& wa = tables.appearances[a];
          const bool om = old.enabled && meets(wa, old.base, d.size);
          const bool nm = p.enabled && meets(wa, p.base, d.size);
          if (!om && !nm) continue;
          mode[a] = 1;  // both lie inside it: fits_clean
          if (om) add_range(wa.base + old.base, wa.base + old.base + (d.size - 1));
          if (nm) add_range(wa.base + p.base, wa.base + p.base + (d.size - 1));
        }
        continue;
      }
      wmode[w] = 2;
      if (const commit_result r = check_ties(w, changes); !r.ok()) return r;
      for (std::uint32_t a = a0; a < a1; ++a) {
        mode[a] = 2;
        const std::size_t begin = scratch_n;
        resolve_appearance(a, changes, scratch_n, new_clean[a]);
        resolved[a] = {begin, scratch_n};
        add_range(tables.appearances[a].lo, tables.appearances[a].last);
      }
    }
    if constexpr (DryRun) return {};
    expand_ranges(page);
    normalise_ranges();
    // 3. The view before, over the affected ranges.
    views_n_[0] = views(view_a_.data(), merge);
    // 4. Apply.
    cell_ops_n_ = 0;
    for (const auto& [s, p] : changes) {
      const std::size_t w = tables.slots[s].window_index;
      if (wmode[w] != 1) continue;
      const slot_desc& d = tables.slots[s];
      const auto [a0, a1] = appearances_of(w);
      for (std::uint32_t a = a0; a < a1; ++a) {
        if (mode[a] != 1) continue;
        // A clean appearance stays clean: its cells follow the one slot that moved.
        const window_appearance& wa = tables.appearances[a];
        const bool om = place_[s].enabled && meets(wa, place_[s].base, d.size);
        const bool nm = p.enabled && meets(wa, p.base, d.size);
        if (om)
          cell_ops_[cell_ops_n_++] = {static_cast<std::uint32_t>(a), s, place_[s].base, false};
        if (nm) cell_ops_[cell_ops_n_++] = {static_cast<std::uint32_t>(a), s, p.base, true};
        move_clean(a, s, om, nm, p);
      }
      if (place_[s].enabled && p.enabled)
        move_extent(w, s, {p.base, p.base + (d.size - 1), s});
      else if (place_[s].enabled)
        erase_extent(w, s);
      else if (p.enabled)
        insert_extent(w, {p.base, p.base + (d.size - 1), s});
    }
    for (std::size_t a = 0; a < appearance_count; ++a) {
      if (mode[a] != 2) continue;
      clean_[a] = new_clean[a];
      splice(a, std::span<const flat_range>(scratch_.data() + resolved[a].first,
                                            resolved[a].second - resolved[a].first));
    }
    for (const auto& [s, p] : changes) place_[s] = p;
    for (std::size_t w = 0; w < window_count; ++w)
      if (wmode[w] == 2) rebuild_extents(w);
    // 5. The view after; publish.
    views_n_[1] = views(view_b_.data(), merge);
    for (std::size_t a = 0; a < appearance_count; ++a) rebuild_[a] = mode[a] == 2;
    publish(changes);
    return {};
  }

 public:
  /// Calls f(range) for every range of the whole current flat view (static content and placed
  /// slots), in address order, merged as `merge(leaf)` allows. Writer side.
  template <class F, class Merge>
  void for_each_range(F&& f, Merge&& merge) const {
    bool have = false;
    flat_range cur{};
    auto put = [&](const flat_range& r) {
      if (have && continues(cur, r) && merge(r.leaf)) {
        cur.last = r.last;
        return;
      }
      if (have) f(cur);
      cur = r;
      have = true;
    };
    walk(0, nodes_v<Tree>[0].size - 1, put);
    if (have) f(cur);
  }

 private:
  /// The index span of appearance a's ranges in the shadow overlay.
  std::pair<std::size_t, std::size_t> appearance_span(std::size_t a) const noexcept {
    return span_of(tables.appearances[a].lo, tables.appearances[a].last);
  }
  /// The index span of overlay ranges that start in [lo, last].
  std::pair<std::size_t, std::size_t> span_of(addr_t lo, addr_t last) const noexcept {
    const auto* b = shadow_.data();
    const auto* e = b + shadow_n_;
    const auto* f = std::lower_bound(b, e, lo, detail::starts_before{});
    const auto* l = std::upper_bound(f, e, last, detail::before_start{});
    return {static_cast<std::size_t>(f - b), static_cast<std::size_t>(l - b)};
  }

  /// The first slot of each window and how many it has (slots are grouped by window).
  static constexpr auto window_slots_ = [] {
    std::array<std::pair<std::uint32_t, std::uint32_t>, window_count> a{};
    for (std::uint32_t s = 0; s < slot_count; ++s) {
      auto& [first, count] = a[tables.slots[s].window_index];
      if (count == 0) first = s;
      ++count;
    }
    return a;
  }();

  /// Can slot s alone take placement p, every appearance of its window that the slot meets
  /// before or after being clean and staying so? In the window: no overlap with another
  /// enabled slot's extent, no static content at or above its priority under it (so no tie
  /// can arise); in each appearance the new extent meets: lying inside it, and no level at
  /// or above its priority under it (nothing outside hides it).
  bool fits_clean(std::uint32_t s, const window_placement& p) const noexcept {
    const slot_desc& d = tables.slots[s];
    const std::size_t w = d.window_index;
    const auto [a0, a1] = appearances_of(w);
    for (std::uint32_t a = a0; a < a1; ++a) {
      const window_appearance& wa = tables.appearances[a];
      const bool om = place_[s].enabled && meets(wa, place_[s].base, d.size);
      const bool nm = p.enabled && meets(wa, p.base, d.size);
      if (!om && !nm) continue;
      if (!clean_[a]) return false;
      if (!nm) continue;
      if (!inside(wa, p.base, d.size)) return false;
      const addr_t lo = wa.base + p.base, last = lo + (d.size - 1);
      const level_interval* lb = tables.levels.data() + wa.first_level;
      const level_interval* le = lb + wa.level_count;
      const level_interval* l = std::lower_bound(lb, le, lo, detail::ends_before{});
      for (; l != le && l->lo <= last; ++l)
        if (l->level != level_nothing && l->level >= d.priority) return false;
    }
    if (!p.enabled) return true;
    const addr_t lo = p.base, last = lo + (d.size - 1);
    const auto [first, count] = window_slots_[w];
    const extent* b = ext_.data() + first;
    const extent* e = b + ext_n_[w];
    const extent* it = std::lower_bound(b, e, lo, detail::starts_before{});
    // Neighbours other than s itself.
    for (const extent* q = it; q != e && q->lo <= last; ++q)
      if (q->slot != s) return false;
    for (const extent* q = it; q != b;) {
      --q;
      if (q->slot == s) continue;
      if (q->last >= lo) return false;
      break;
    }
    // Static content under [lo, last].
    const window_desc& wd = tables.windows[w];
    const level_interval* sb = tables.statics.data() + wd.first_static;
    const level_interval* se = sb + wd.static_count;
    const level_interval* l = std::lower_bound(sb, se, lo, detail::ends_before{});
    for (; l != se && l->lo <= last; ++l)
      if (l->level != level_nothing && l->level >= d.priority) return false;
    return true;
  }

  /// Fast path in appearance a: take slot s's ranges out of its overlay (`from`: the slot
  /// shows there now) and put them back at p (`to`: it will show there).
  void move_clean(std::size_t a, std::uint32_t s, bool from, bool to, const window_placement& p) {
    const slot_desc& d = tables.slots[s];
    const addr_t wb = tables.appearances[a].base;
    const window_placement& old = place_[s];
    const std::size_t n = d.range_count;
    if (n == 0) return;
    auto put = [&](std::size_t i) {
      for (std::uint32_t r = 0; r < n; ++r) {
        const flat_range& f = tables.ranges[d.first_range + r];
        shadow_[i + r] = {wb + p.base + f.lo, wb + p.base + f.last, f.leaf, f.offset};
      }
    };
    if (from && to) {
      // A move: shift only the ranges between the old and the new position.
      const addr_t from_at = wb + old.base + tables.ranges[d.first_range].lo;
      const addr_t to_at = wb + p.base + tables.ranges[d.first_range].lo;
      const std::size_t i = span_of(from_at, from_at).first;
      // Insertion index among the other ranges (the slot's own ranges [i, i + n) excluded:
      // a short move may land the new start among them).
      const flat_range* b = shadow_.data();
      auto lb = [&](std::size_t lo, std::size_t hi) {
        return static_cast<std::size_t>(
            std::lower_bound(b + lo, b + hi, to_at, detail::starts_before{}) - b);
      };
      const std::size_t j = to_at < from_at ? lb(0, i) : lb(i + n, shadow_n_) - n;
      if (j < i)
        std::copy_backward(shadow_.begin() + j, shadow_.begin() + i, shadow_.begin() + i + n);
      else if (j > i)
        std::copy(shadow_.begin() + i + n, shadow_.begin() + j + n, shadow_.begin() + i);
      put(j);
      dirty_from_ = std::min(dirty_from_, std::min(i, j));
      dirty_to_ = std::max(dirty_to_, std::max(i, j) + n);
      return;
    }
    if (from) {
      const addr_t at = wb + old.base + tables.ranges[d.first_range].lo;
      erase_shadow(span_of(at, at).first, n);
    }
    if (to) {
      const addr_t at = wb + p.base + tables.ranges[d.first_range].lo;
      const std::size_t i = span_of(at, at).first;
      insert_shadow(i, n);
      put(i);
    }
  }

  void erase_shadow(std::size_t i, std::size_t n) {
    std::copy(shadow_.begin() + i + n, shadow_.begin() + shadow_n_, shadow_.begin() + i);
    shadow_n_ -= n;
    dirty_from_ = std::min(dirty_from_, i);
    dirty_to_ = capacity;
  }
  void insert_shadow(std::size_t i, std::size_t n) {
    std::copy_backward(shadow_.begin() + i, shadow_.begin() + shadow_n_,
                       shadow_.begin() + shadow_n_ + n);
    shadow_n_ += n;
    dirty_from_ = std::min(dirty_from_, i);
    dirty_to_ = capacity;
  }

  // Each window's enabled extents, window-relative.
  using extent = detail::slot_extent;
  void erase_extent(std::size_t w, std::uint32_t s) {
    extent* b = ext_.data() + window_slots_[w].first;
    extent* e = b + ext_n_[w];
    extent* it = b;
    while (it != e && it->slot != s) ++it;
    if (it == e) return;
    std::copy(it + 1, e, it);
    --ext_n_[w];
  }
  /// Slot s's extent, moved to x (found by its old start; shifts only what lies between).
  void move_extent(std::size_t w, std::uint32_t s, extent x) {
    extent* b = ext_.data() + window_slots_[w].first;
    extent* e = b + ext_n_[w];
    const addr_t old_lo = place_[s].base;
    extent* it = std::lower_bound(b, e, old_lo, detail::starts_before{});
    while (it != e && it->slot != s) ++it;  // equal starts: disabled-overlap cases
    if (it == e) {
      insert_extent(w, x);
      return;
    }
    // Bubble to the new position.
    while (it != b && (it - 1)->lo > x.lo) {
      *it = *(it - 1);
      --it;
    }
    while (it + 1 != e && (it + 1)->lo < x.lo) {
      *it = *(it + 1);
      ++it;
    }
    *it = x;
  }
  void insert_extent(std::size_t w, extent x) {
    extent* b = ext_.data() + window_slots_[w].first;
    extent* e = b + ext_n_[w];
    extent* it = std::lower_bound(b, e, x.lo, detail::starts_before{});
    std::copy_backward(it, e, e + 1);
    *it = x;
    ++ext_n_[w];
  }
  void rebuild_extents(std::size_t w) {
    const auto [first, count] = window_slots_[w];
    std::size_t n = 0;
    for (std::uint32_t s = first; s < first + count; ++s)
      if (place_[s].enabled)
        ext_[first + n++] = {place_[s].base, place_[s].base + (tables.slots[s].size - 1), s};
    detail::sort(ext_.data() + first, ext_.data() + first + n, detail::extent_order{});
    ext_n_[w] = n;
  }

  /// The placement slot s will have after `changes`.
  static window_placement after(const window_placement& now, std::uint32_t s,
                                std::span<const change> changes) {
    window_placement p = now;
    for (const auto& [cs, cp] : changes)
      if (cs == s) p = cp;
    return p;
  }

  /// Window w's enabled slots after `changes`, as (window-relative base, slot), by base.
  std::size_t enabled_after(std::size_t w, std::span<const change> changes,
                            std::array<std::pair<addr_t, std::uint32_t>, slot_count>& en) const {
    const auto [first, count] = window_slots_[w];
    std::size_t k = 0;
    for (std::uint32_t s = first; s < first + count; ++s) {
      const window_placement p = after(place_[s], s, changes);
      if (p.enabled) en[k++] = {p.base, s};
    }
    detail::sort(en.data(), en.data() + k);
    return k;
  }

  /// The tie rule (docs/design.md "The tie rule") over window w after `changes`, where it is
  /// shown or not: two enabled slots of one priority, or a slot and static content of its
  /// priority, may not both claim a byte unless the slots' tie policies resolve it. The
  /// addresses refused are named at the window's interface (`home`).
  commit_result check_ties(std::size_t w, std::span<const change> changes) const {
    std::array<std::pair<addr_t, std::uint32_t>, slot_count> en{};
    // (Clamped so that g++ -O2 sees k <= slot_count and warns of no en[j] past the end.)
    const std::size_t k = std::min(enabled_after(w, changes, en), slot_count);
    const addr_t h = home(w);
    const window_desc& win = tables.windows[w];
    for (std::size_t i = 0; i < k; ++i) {
      const slot_desc& a = tables.slots[en[i].second];
      const addr_t a_last = en[i].first + (a.size - 1);
      const std::span<const flat_range> a_ranges{tables.ranges.data() + a.first_range,
                                                 a.range_count};
      for (std::size_t j = i + 1; j < k && en[j].first <= a_last; ++j) {
        const slot_desc& b = tables.slots[en[j].second];
        if (a.priority != b.priority ||
            (a.tie != tie_policy::reject && b.tie != tie_policy::reject))
          continue;
        // Only bytes both slots claim (their extents may meet in holes).
        const std::span<const flat_range> b_ranges{tables.ranges.data() + b.first_range,
                                                   b.range_count};
        const detail::byte_run r = detail::first_shared_run(a_ranges, en[i].first, b_ranges,
                                                            en[j].first, en[j].first, a_last);
        if (r.found) return {commit_error::ambiguous_overlap, a.node, b.node, h + r.lo, h + r.last};
      }
      if (a.tie != tie_policy::reject) continue;
      // Static content of the slot's priority, visible or hidden by something higher (the
      // level alone, the highest priority there, would miss the hidden ones): the window's
      // static intervals hold that content's bytes; the slot ties there only where it claims
      // bytes itself.
      for (std::uint32_t l = win.first_static; l < win.first_static + win.static_count; ++l) {
        const level_interval& li = tables.statics[l];
        if (li.last < en[i].first || li.lo > a_last) continue;
        for (std::uint32_t t = li.first_tie; t < li.first_tie + li.tie_count; ++t) {
          if (tables.ties[t].priority != a.priority) continue;
          const flat_range whole{0, li.last - li.lo, npos, 0};
          const detail::byte_run r = detail::first_shared_run(
              a_ranges, en[i].first, std::span<const flat_range>{&whole, 1}, li.lo, li.lo, li.last);
          if (r.found)
            return {commit_error::ambiguous_overlap, a.node, tables.ties[t].by, h + r.lo,
                    h + r.last};
        }
      }
    }
    return {};
  }

  /// General path: appearance a's overlay after `changes` (its window's ties already judged),
  /// into scratch_[n...]; `clean` tells whether no two enabled slots it shows overlap, and each
  /// lies inside it and nothing hides any part of it. Computed window-relative — an
  /// appearance's bytes are a run of its window's — and placed at the appearance's base.
  void resolve_appearance(std::size_t a, std::span<const change> changes, std::size_t& n,
                          bool& clean) {
    const window_appearance& wa = tables.appearances[a];
    const addr_t wb = wa.base, wlo = wa.lo - wb, wlast = wa.last - wb;
    const std::size_t n0 = n;  // pieces of appearances resolved before are not merged into
    std::array<std::pair<addr_t, std::uint32_t>, slot_count> en{};
    std::size_t k = std::min(enabled_after(wa.window, changes, en), slot_count);  // as above
    {  // only the slots it shows
      std::size_t m = 0;
      for (std::size_t i = 0; i < k; ++i)
        if (meets(wa, en[i].first, tables.slots[en[i].second].size)) en[m++] = en[i];
      k = m;
    }
    clean = true;
    for (std::size_t i = 0; i < k; ++i) {
      const slot_desc& d = tables.slots[en[i].second];
      const addr_t last = en[i].first + (d.size - 1);
      if (!inside(wa, en[i].first, d.size)) clean = false;
      if (i + 1 < k && en[i + 1].first <= last) clean = false;
      for (std::uint32_t l = wa.first_level; l < wa.first_level + wa.level_count; ++l) {
        const level_interval& li = tables.levels[l];
        if (li.last - wb < en[i].first || li.lo - wb > last || li.level == level_nothing) continue;
        if (li.level >= d.priority) clean = false;
      }
    }
    if (clean) {
      for (std::size_t i = 0; i < k; ++i) {
        const slot_desc& d = tables.slots[en[i].second];
        for (std::uint32_t r = d.first_range; r < d.first_range + d.range_count; ++r) {
          const flat_range& f = tables.ranges[r];
          scratch_[n++] = {wb + en[i].first + f.lo, wb + en[i].first + f.last, f.leaf, f.offset};
        }
      }
      return;
    }
    // Elementary intervals over the bytes it shows; the winner is the highest priority, ties
    // by declaration order (node index), and it must beat the appearance's level there.
    std::array<addr_t, 2 * capacity> cuts{};
    std::size_t c = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const slot_desc& d = tables.slots[en[i].second];
      for (std::uint32_t r = d.first_range; r < d.first_range + d.range_count; ++r) {
        addr_t lo = en[i].first + tables.ranges[r].lo, last = en[i].first + tables.ranges[r].last;
        if (last < wlo || lo > wlast) continue;
        lo = std::max(lo, wlo);
        last = std::min(last, wlast);
        cuts[c++] = lo;
        if (last != wlast) cuts[c++] = last + 1;
      }
    }
    for (std::uint32_t l = wa.first_level; l < wa.first_level + wa.level_count; ++l)
      cuts[c++] = tables.levels[l].lo - wb;
    detail::sort(cuts.data(), cuts.data() + c);
    c = static_cast<std::size_t>(std::unique(cuts.begin(), cuts.begin() + c) - cuts.begin());
    std::uint32_t l = wa.first_level;
    // The slot range (an occurrence of a leaf in a slot) the last piece came from: a
    // keep_separate leaf's pieces merge only within one occurrence.
    std::uint32_t prev_range = ~std::uint32_t{0};
    for (std::size_t x = 0; x < c; ++x) {
      const addr_t lo = cuts[x];
      const addr_t last = x + 1 < c ? cuts[x + 1] - 1 : wlast;
      while (tables.levels[l].last - wb < lo) ++l;
      const level_interval& li = tables.levels[l];
      const slot_desc* best = nullptr;
      flat_range best_r{};
      std::uint32_t best_ri = 0;
      addr_t best_base = 0;
      for (std::size_t i = 0; i < k && en[i].first <= lo; ++i) {
        const slot_desc& d = tables.slots[en[i].second];
        if (en[i].first + (d.size - 1) < lo) continue;
        for (std::uint32_t r = d.first_range; r < d.first_range + d.range_count; ++r) {
          const flat_range& f = tables.ranges[r];
          if (en[i].first + f.lo > lo || en[i].first + f.last < lo) continue;
          if (!best || d.priority > best->priority ||
              (d.priority == best->priority && d.node < best->node)) {
            best = &d;
            best_r = f;
            best_ri = r;
            best_base = en[i].first;
          }
        }
      }
      if (!best) continue;
      const bool wins =
          li.level == level_nothing ||
          (li.level != level_hidden &&
           (best->priority > li.level || (best->priority == li.level && best->node < li.by)));
      if (!wins) continue;
      const flat_range piece{wb + lo, wb + last, best_r.leaf,
                             best_r.offset + (lo - (best_base + best_r.lo))};
      flat_range* prev = n > n0 ? &scratch_[n - 1] : nullptr;
      if (prev && continues(*prev, piece) &&
          (!nodes_v<Tree>[piece.leaf].keep_separate || prev_range == best_ri))
        prev->last = piece.last;
      else
        scratch_[n++] = piece;
      prev_range = best_ri;
    }
  }

  /// Widens each affected range until both ends are ends of whole ranges of the current view:
  /// a backend holds whole ranges, so a static range that a slot uncovers or splits must be
  /// reported whole, not clipped at the slot's edge. (New overlay ranges lie inside the
  /// ranges as planned, so the current static view and overlay are all it takes.)
  void expand_ranges(addr_t page) noexcept {
    constexpr const auto& fv = flat_view_v<Tree>;
    auto containing = [&](addr_t x, addr_t& lo, addr_t& last) {
      lo = last = x;
      const auto* f = std::lower_bound(fv.begin(), fv.end(), x, detail::ends_before{});
      if (f != fv.end() && f->lo <= x) {
        lo = f->lo;
        last = f->last;
      }
      const auto* b = shadow_.data();
      const auto* e = b + shadow_n_;
      const auto* o = std::upper_bound(b, e, x, detail::before_start{});
      if (o != b && (o - 1)->last >= x) {
        lo = std::min(lo, (o - 1)->lo);
        last = std::max(last, (o - 1)->last);
      }
    };
    const addr_t top = nodes_v<Tree>[0].size - 1;
    for (std::size_t k = 0; k < ranges_n_; ++k) {
      auto& [lo, last] = ranges_[k];
      for (;;) {
        if (page != 0) {  // whole pages: a page-granular listener holds whole pages
          lo -= lo % page;
          last = top - (last - last % page) < page - 1 ? top : last - last % page + (page - 1);
        }
        addr_t a = 0, b = 0, c = 0, d = 0;
        containing(lo, a, b);
        containing(last, c, d);
        if (a >= lo && d <= last) break;
        lo = std::min(lo, a);
        last = std::max(last, d);
      }
    }
  }

  /// Affected root ranges of this commit (sorted and merged by normalise_ranges).
  void add_range(addr_t lo, addr_t last) { ranges_[ranges_n_++] = {lo, last}; }
  void normalise_ranges() {
    detail::sort(ranges_.data(), ranges_.data() + ranges_n_);
    std::size_t n = 0;
    for (std::size_t i = 0; i < ranges_n_; ++i) {
      if (n > 0 && ranges_[i].first <= ranges_[n - 1].second + 1 &&
          ranges_[n - 1].second != ~addr_t{0})
        ranges_[n - 1].second = std::max(ranges_[n - 1].second, ranges_[i].second);
      else
        ranges_[n++] = ranges_[i];
    }
    ranges_n_ = n;
  }

  /// Calls put(range) for the full view (static flat view with the overlay on top) over
  /// [lo, last], in address order, unmerged.
  template <class Put>
  void walk(addr_t lo, addr_t last, Put& put) const {
    constexpr const auto& fv = flat_view_v<Tree>;
    auto statics = [&](addr_t a0, addr_t b0) {
      const auto* f = std::lower_bound(fv.begin(), fv.end(), a0, detail::ends_before{});
      for (; f != fv.end() && f->lo <= b0; ++f) {
        const addr_t a = std::max(f->lo, a0), b = std::min(f->last, b0);
        put(flat_range{a, b, f->leaf, f->offset + (a - f->lo)});
      }
    };
    auto [i, j] = span_of(lo, last);
    if (i > 0 && shadow_[i - 1].last >= lo) --i;  // the range before lo may reach into it
    addr_t cur = lo;
    for (std::size_t p = i; p < j; ++p) {
      const flat_range& o = shadow_[p];
      const addr_t a = std::max(o.lo, lo), b = std::min(o.last, last);
      if (a > cur) statics(cur, a - 1);
      put(flat_range{a, b, o.leaf, o.offset + (a - o.lo)});
      if (b == last) return;
      cur = b + 1;
    }
    statics(cur, last);
  }

  /// The full view over the affected ranges into `out`, merged as the backend allows.
  template <class Merge>
  std::size_t views(flat_range* out, Merge& merge) const {
    std::size_t n = 0;
    auto put = [&](const flat_range& r) {
      flat_range* prev = n > 0 ? &out[n - 1] : nullptr;
      if (prev && continues(*prev, r) && merge(r.leaf))
        prev->last = r.last;
      else
        out[n++] = r;
    };
    for (std::size_t k = 0; k < ranges_n_; ++k) walk(ranges_[k].first, ranges_[k].second, put);
    return n;
  }

  /// General path: replaces appearance a's overlay ranges with `pieces`.
  void splice(std::size_t a, std::span<const flat_range> pieces) {
    const auto [b, e] = appearance_span(a);
    const std::size_t nb = b + pieces.size();
    if (nb > e)
      std::copy_backward(shadow_.begin() + e, shadow_.begin() + shadow_n_,
                         shadow_.begin() + shadow_n_ + (nb - e));
    else if (nb < e)
      std::copy(shadow_.begin() + e, shadow_.begin() + shadow_n_, shadow_.begin() + nb);
    std::copy(pieces.begin(), pieces.end(), shadow_.begin() + b);
    shadow_n_ = shadow_n_ + nb - e;
    dirty_from_ = std::min(dirty_from_, b);
    dirty_to_ = capacity;
  }

  /// Copies the writer's changes to what readers see, in one write section: the overlay
  /// ranges that moved, the bases of the slots `changes` names, each appearance's clean flag,
  /// and the cells — following the slot that moved in an appearance that stayed clean, rebuilt
  /// from every placement in an appearance resolved again that is clean now.
  void publish(std::span<const change> changes) noexcept {
    published_->write_begin();
    pub_.store_ranges({shadow_.data(), shadow_n_}, dirty_from_, dirty_to_);
    for (const auto& [s, p] : changes) pub_.store_base(s, p.base);  // window-relative
    for (std::size_t k = 0; k < cell_ops_n_; ++k) {
      const cell_op& op = cell_ops_[k];
      set_cells(op.appearance, op.base, tables.slots[op.slot].size, op.set ? op.slot + 1 : 0);
    }
    for (std::size_t a = 0; a < appearance_count; ++a) {
      pub_.store_clean(a, clean_[a]);
      if (!rebuild_[a] || !clean_[a] || cell_windows_[a].chunks == 0) continue;
      pub_.clear_cells(a);
      const window_appearance& wa = tables.appearances[a];
      const auto [first, count] = window_slots_[wa.window];
      for (std::uint32_t s = first; s < first + count; ++s)
        if (place_[s].enabled && meets(wa, place_[s].base, tables.slots[s].size))
          set_cells(a, place_[s].base, tables.slots[s].size, s + 1);
    }
    published_->write_end();
    dirty_from_ = shadow_n_;
    dirty_to_ = 0;
  }

  /// The cells of appearance a that slot extent [base, base + size) (window-relative, inside
  /// the appearance) covers.
  void set_cells(std::size_t a, addr_t base, addr_t size, std::uint32_t value) noexcept {
    const unsigned shift = cell_windows_[a].cell_shift;
    const addr_t rel = base - (tables.appearances[a].lo - tables.appearances[a].base);
    pub_.set_cells(a, rel >> shift, (rel + (size - 1)) >> shift, value);
  }

  /// How many (slot, appearance of its window) pairs there are: what one commit can touch.
  static constexpr std::size_t shows_ = [] {
    std::size_t n = 0;
    for (const slot_desc& d : tables.slots) n += tables.windows[d.window_index].appearance_count;
    return n;
  }();

  std::array<window_placement, slot_count> place_{};
  std::array<bool, appearance_count> clean_{};
  // Writer-side copy of the overlay, sorted; `pub_` holds what readers see.
  std::array<flat_range, capacity> shadow_{};
  std::size_t shadow_n_ = 0;
  std::size_t dirty_from_ = 0;
  std::size_t dirty_to_ = capacity;
  std::array<flat_range, capacity> scratch_{};
  std::array<extent, slot_count> ext_{};
  std::array<std::size_t, window_count> ext_n_{};
  std::array<std::pair<addr_t, addr_t>, 2 * shows_ + appearance_count> ranges_{};
  std::size_t ranges_n_ = 0;
  std::array<flat_range, view_capacity> view_a_{};
  std::array<flat_range, view_capacity> view_b_{};
  std::array<std::size_t, 2> views_n_{};
  // Writer side: the cell changes of this commit, and the appearances whose cells are rebuilt.
  struct cell_op {
    std::uint32_t appearance = 0;
    std::uint32_t slot = 0;
    addr_t base = 0;  ///< window-relative
    bool set = false;
  };
  std::array<cell_op, 2 * shows_> cell_ops_;  // only [0, cell_ops_n_) is read
  std::size_t cell_ops_n_ = 0;
  std::array<bool, appearance_count> rebuild_{};
  // Shared with readers, under the address space's sequence lock.
  detail::seqlock* published_ = nullptr;
  overlay_type pub_{cell_windows_};
};

MMIOTREE_END_NAMESPACE
