// runtime/commit.hpp: the vocabulary of slot changes — where a slot is, one change, and what a
// commit answers.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// Why a commit was refused (nothing changed).
enum class commit_error : std::uint8_t {
  none,
  slot_outside_window,  ///< a: the slot; [lo, last]: where it would lie (root-relative)
  slot_misaligned,      ///< a: the slot; lo: the base (root-relative); last: the alignment
  ambiguous_overlap,    ///< a: the slot, b: the region it ties with; [lo, last] root-relative
  no_such_slot,         ///< a slot id this space does not have (lo: the id)
  too_many_changes,     ///< more than `transaction::capacity` changes in one transaction
};

[[nodiscard]] constexpr std::string_view to_string(commit_error e) noexcept {
  switch (e) {
    case commit_error::none: return "none";
    case commit_error::slot_outside_window: return "slot_outside_window";
    case commit_error::slot_misaligned: return "slot_misaligned";
    case commit_error::ambiguous_overlap: return "ambiguous_overlap";
    case commit_error::no_such_slot: return "no_such_slot";
    case commit_error::too_many_changes: return "too_many_changes";
  }
  return "?";
}

/// Outcome of a commit. When refused, `a`/`b` are node indices of the regions involved and
/// `[lo, last]` the addresses (see `commit_error`).
struct commit_result {
  commit_error error = commit_error::none;
  node_index a = npos;
  node_index b = npos;
  addr_t lo = 0;
  addr_t last = 0;
  [[nodiscard]] constexpr bool ok() const noexcept { return error == commit_error::none; }
  [[nodiscard]] constexpr bool operator==(const commit_result&) const = default;
};

/// Where a slot is: its base address at its window's interface (root-relative: guest-physical;
/// for a window in an unmapped region, which only aliases show, its offset from that region:
/// a bus address) and whether it is mapped.
/// A disabled slot keeps the base it had, as a BAR keeps its value with decoding off. `placed`
/// says whether the slot has ever been given a place (a `place`, `place_in_window` or `enable`
/// committed, or a restored snapshot saying so): a slot never placed is disabled, and its base
/// (its window's start) means nothing; printers show it as not placed.
struct slot_placement {
  addr_t base = 0;
  bool enabled = false;
  bool placed = false;
  [[nodiscard]] constexpr bool operator==(const slot_placement&) const = default;
};

/// The range of addresses a slot's window covers, inclusive, at its interface (root-relative;
/// for a window in an unmapped region, relative to that region — where the root shows it is
/// up to the aliases that do).
struct window_extent {
  addr_t lo = 0;
  addr_t last = 0;
  [[nodiscard]] constexpr bool operator==(const window_extent&) const = default;
};

/// One change of a transaction.
struct slot_op {
  enum class kind : std::uint8_t {
    place,            ///< base = `addr` (at the window's interface: see slot_placement)
    place_in_window,  ///< base = window start + `addr`, and enable
    enable,           ///< enable at the current (or pending) base
    disable,          ///< disable, keeping the base
  };
  slot_id slot = slot_id::none;
  kind op = kind::enable;
  addr_t addr = 0;
};

MMIOTREE_END_NAMESPACE
