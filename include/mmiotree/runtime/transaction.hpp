// runtime/transaction.hpp: changes to where slots are, batched and committed all or nothing.
//
//   commit_result r = transaction(space).place(bar0, 0xfe00'0000).disable(bar2).commit();
//
// Placements are guest-physical: the address the BAR or decoder register holds (root-relative,
// which is guest-physical for a machine's root). `place_in_window` takes an offset into the
// slot's window instead.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/dynamic_space.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/runtime/slot_handle.hpp>

#include <array>
#include <cstddef>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// A batch of slot changes, committed completely or not at all. Collects up to `capacity`
/// changes without allocating or locking; `commit` applies them. Obtained from
/// `address_space::transaction()` or built on any `dynamic_space`.
class transaction {
 public:
  /// Changes one transaction holds (a device changes a few slots at once: six BARs when
  /// memory-space enable flips, a BAR and a device-memory window at unplug).
  static constexpr std::size_t capacity = 32;

  explicit transaction(dynamic_space& space) noexcept : space_(&space) {}

  /// Places slot `s` at `base` (root-relative: guest-physical) and enables it.
  transaction& place(slot_id s, addr_t base) noexcept {
    return add({s, slot_op::kind::place, base});
  }
  /// Places slot `s` at `offset` into its window and enables it.
  transaction& place_in_window(slot_id s, addr_t offset) noexcept {
    return add({s, slot_op::kind::place_in_window, offset});
  }
  /// Enables or disables slot `s` at its current (or pending) base.
  transaction& enable(slot_id s, bool on = true) noexcept {
    return add({s, on ? slot_op::kind::enable : slot_op::kind::disable, 0});
  }
  transaction& disable(slot_id s) noexcept { return enable(s, false); }

  /// The same through a handle. A handle on another space's slot makes the commit refuse
  /// with `no_such_slot` (ids are per space).
  transaction& place(const slot_handle& h, addr_t base) noexcept { return place(mine(h), base); }
  transaction& place_in_window(const slot_handle& h, addr_t offset) noexcept {
    return place_in_window(mine(h), offset);
  }
  transaction& enable(const slot_handle& h, bool on = true) noexcept { return enable(mine(h), on); }
  transaction& disable(const slot_handle& h) noexcept { return disable(mine(h)); }

  /// Validates and applies every change (see `dynamic_space::commit`). The transaction is
  /// empty afterwards either way.
  commit_result commit() {
    if (overflow_) {
      n_ = 0;
      overflow_ = false;
      return {commit_error::too_many_changes, npos, npos, capacity + 1, capacity + 1};
    }
    const commit_result r = space_->commit(std::span<const slot_op>(ops_.data(), n_));
    n_ = 0;
    return r;
  }

  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] dynamic_space& space() const noexcept { return *space_; }

 private:
  slot_id mine(const slot_handle& h) const noexcept {
    return h.space() == space_ ? h.id() : slot_id::none;
  }
  transaction& add(const slot_op& op) noexcept {
    if (n_ < capacity)
      ops_[n_++] = op;
    else
      overflow_ = true;
    return *this;
  }

  dynamic_space* space_;
  std::array<slot_op, capacity> ops_;  // only [0, n_) is ever read: not cleared, O(1) to make
  std::size_t n_ = 0;
  bool overflow_ = false;
};

MMIOTREE_END_NAMESPACE
