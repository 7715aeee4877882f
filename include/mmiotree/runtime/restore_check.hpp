// runtime/restore_check.hpp: consistency checks across what a snapshot restores.
//
// A snapshot carries slot placements and device state side by side: a PCI function's BAR
// registers and the slot its BAR drives, an HDM decoder block and the device-memory slot its
// committed decoder maps. Each is valid on its own; together they may disagree (a blob spliced
// from two moments, or edited), and a restored machine whose BAR register says one address
// while the BAR answers at another is a silent misroute. The adaptor that couples the two
// (pci::bar_slots, cxl::decoder_slots) registers a `restore_check` with the space; `restore`
// asks every check, with a `restore_view` of what the restore would produce, before it changes
// anything, and refuses the whole blob (`restore_status::inconsistent`) if one says no.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/ids.hpp>

#include <cstddef>
#include <optional>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// What a restore would make of the space, for `restore_check::consistent`. Valid only during
/// that call.
class restore_view {
 public:
  /// Where slot `s` will be (guest-physical base, enabled, placed).
  [[nodiscard]] virtual slot_placement placement(slot_id s) const noexcept = 0;
  /// Whether the restored map would accept slot `s` placed at `gpa` and enabled, every other
  /// slot as restored (false where a commit would refuse it: outside its window, onto another
  /// slot).
  [[nodiscard]] virtual bool can_place(slot_id s, addr_t gpa) const noexcept = 0;
  /// The state the restore gives the stateful handler at `handler` (the object bound at a leaf
  /// or attached with `attach_state`): its section of the blob, already accepted by the
  /// handler's `validate_state`. nullopt when the snapshot carries no state for it (it is not
  /// bound or attached: it keeps the state it has).
  [[nodiscard]] virtual std::optional<std::span<const std::byte>> state_of(
      const void* handler) const noexcept = 0;

 protected:
  restore_view() = default;
  restore_view(const restore_view&) = default;
  restore_view& operator=(const restore_view&) = default;
  ~restore_view() = default;
};

/// A consistency rule between pieces of restored state. Both calls run with the space's writer
/// lock held: neither may call back into the space.
class restore_check {
 public:
  /// Whether the state `v` describes is consistent; false refuses the restore (nothing
  /// changes, no listener is called).
  [[nodiscard]] virtual bool consistent(const restore_view& v) const = 0;
  /// Told once the restore has been applied (slots moved, listeners told, handler state
  /// replaced), to rebuild bookkeeping derived from the restored state.
  virtual void restored() = 0;

 protected:
  restore_check() = default;
  restore_check(const restore_check&) = default;
  restore_check& operator=(const restore_check&) = default;
  ~restore_check() = default;
};

MMIOTREE_END_NAMESPACE
