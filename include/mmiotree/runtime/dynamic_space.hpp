// runtime/dynamic_space.hpp: the interface of an address space that devices see — the part of
// `address_space<Tree>` that does not depend on the tree's type, so that a device moves its BAR,
// maps its memory or binds its registers without naming the machine it is part of. Its virtual
// calls are made by commits and bindings, never by guest accesses.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/binding.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/runtime/restore_check.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// Implemented by `address_space<Tree>`.
class dynamic_space {
 public:
  /// Applies `ops` in order (a later op on the same slot overrides an earlier one), all or
  /// nothing, then tells every registered listener what changed. Serialised with every other
  /// commit of this space; see address_space for what a commit made from a handler does.
  virtual commit_result commit(std::span<const slot_op> ops) = 0;
  /// Number of slots; ids are 0 … count - 1.
  [[nodiscard]] virtual std::size_t slot_count() const noexcept = 0;
  /// Where slot `s` is (all zero for an id this space does not have).
  [[nodiscard]] virtual slot_placement placement(slot_id s) const noexcept = 0;
  /// The window slot `s` may be placed in.
  [[nodiscard]] virtual window_extent window(slot_id s) const noexcept = 0;
  /// The node of slot `s`, for naming it (npos for an id this space does not have).
  [[nodiscard]] virtual node_index slot_node(slot_id s) const noexcept = 0;
  /// The size of slot `s`'s region (0 for an id this space does not have).
  [[nodiscard]] virtual addr_t slot_size(slot_id s) const noexcept = 0;

  // Binding the leaves of a slot, for slot handles (runtime/slot_handle.hpp), which give them
  // by their place in the slot's own region type.

  /// The first leaf of slot `s` (a slot's leaves are consecutive) and how many it has.
  [[nodiscard]] virtual leaf_id slot_first_leaf(slot_id s) const noexcept = 0;
  [[nodiscard]] virtual std::uint32_t slot_leaf_count(slot_id s) const noexcept = 0;
  /// A hash of slot `s`'s region as declared (names, kinds, sizes, offsets, priorities,
  /// policies): a handle of a region type binds only to a slot whose shape hash equals its own.
  [[nodiscard]] virtual std::uint64_t shape(slot_id s) const noexcept = 0;
  /// Binds host memory to passthrough leaf `l`; listeners hear the map change.
  virtual bind_status bind_memory(leaf_id l, std::span<std::byte> host, mem_attrs attrs) = 0;
  /// Binds a handler (made by `detail::handler_binding`) to io or regs leaf `l`; a leaf of
  /// another kind, or none, is refused (`not_a_handler_leaf`) and nothing changes.
  virtual bind_status bind_handler(leaf_id l, const detail::binding& b,
                                   const detail::state_ops& ops) = 0;
  /// Unbinds leaf `l`; its accesses answer `unbound` again.
  virtual void unbind(leaf_id l) = 0;

  /// Registers a backend: it is told the current map at once (region_adds in address order),
  /// then every change. At most `max_listeners` at a time.
  virtual listener_registration add_listener(map_listener& l, listener_options o = {}) = 0;
  /// Unregisters a backend (it is told nothing more; its mappings are its own to drop).
  virtual void remove_listener(listener_id id) = 0;

  // Device state in snapshots, and the rules that tie it to the map (runtime/snapshot.hpp,
  // runtime/restore_check.hpp).

  /// Makes the state of `handler` — device state that no leaf holds, such as a PCI function's
  /// configuration space reached through ECAM — part of this space's snapshots under `key`
  /// (below 2^31, unique in the space; the blob names the section by it, so it must be the same
  /// when the snapshot is restored). False, attaching nothing, for a key out of range or taken.
  template <stateful_handler H>
  bool attach_state(std::uint32_t key, H& handler) {
    return attach_state(key, &handler, detail::state_ops_of<H>());
  }
  virtual bool attach_state(std::uint32_t key, void* handler, const detail::state_ops& ops) = 0;
  /// Removes the state attached under `key` from later snapshots.
  virtual void detach_state(std::uint32_t key) = 0;
  /// Registers a consistency rule that every later `restore` must satisfy. `c` must stay alive
  /// until it is removed.
  virtual void add_restore_check(restore_check& c) = 0;
  virtual void remove_restore_check(restore_check& c) = 0;

  /// Waits until no guest access that began before the call is still running on an enrolled
  /// thread (runtime/reclaim.hpp): after a commit or an unbind, what it removed may be freed.
  virtual void synchronize() = 0;

 protected:
  dynamic_space() = default;
  dynamic_space(const dynamic_space&) = default;
  dynamic_space& operator=(const dynamic_space&) = default;
  ~dynamic_space() = default;
};

MMIOTREE_END_NAMESPACE
