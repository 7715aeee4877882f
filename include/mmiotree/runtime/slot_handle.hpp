// runtime/slot_handle.hpp: a device's hold on its own slot — a BAR it moves, a device-memory
// window it maps — without naming the machine it is part of.
//
//   struct nic {
//     slot_ref<nic_bar0> bar;                     // the BAR's layout is the device's own type
//     explicit nic(slot_ref<nic_bar0> b) : bar(b) {
//       if (bar.bind<"regs">(regs_) != bind_status::ok) throw ...;  // no_slot: b was empty
//     }
//     commit_result bar_written(addr_t gpa) { return bar.place(gpa); }  // one transaction
//   };
//   nic n(space.slot<nic_bar0, "pci_mmio/nic_bar0">());  // the machine names the slot once
//
// A `slot_handle` is a value — the space (a `dynamic_space`) and the slot's id — so a device
// holds it, copies it, and puts it in transactions with other slots. A `slot_ref<Region>` adds
// binding by paths relative to the slot's region: `bar.bind<"regs">(h)` compiles only if
// `Region` has a region "regs" of the right kind.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/binding.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/dynamic_space.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// A slot of some address space: what a device keeps to move, enable and disable it.
class slot_handle {
 public:
  /// An empty handle (no space).
  constexpr slot_handle() noexcept = default;
  /// Slot `id` of `space`; empty if the space has no such slot.
  slot_handle(dynamic_space& space, slot_id id) noexcept
      : space_(index_of(id) < space.slot_count() ? &space : nullptr), id_(id) {}

  [[nodiscard]] explicit operator bool() const noexcept { return space_ != nullptr; }
  [[nodiscard]] slot_id id() const noexcept { return id_; }
  [[nodiscard]] dynamic_space* space() const noexcept { return space_; }

  /// Where the slot is, and the window it may be placed in.
  [[nodiscard]] slot_placement placement() const noexcept {
    return space_ ? space_->placement(id_) : slot_placement{};
  }
  [[nodiscard]] window_extent window() const noexcept {
    return space_ ? space_->window(id_) : window_extent{};
  }

  /// One-change transactions: place at `base` (guest-physical; a bus address in a window only
  /// aliases show: see slot_placement) and enable; place at an offset
  /// into the window; enable or disable where it is.
  commit_result place(addr_t base) const { return one({id_, slot_op::kind::place, base}); }
  commit_result place_in_window(addr_t offset) const {
    return one({id_, slot_op::kind::place_in_window, offset});
  }
  commit_result enable(bool on = true) const {
    return one({id_, on ? slot_op::kind::enable : slot_op::kind::disable, 0});
  }
  commit_result disable() const { return enable(false); }

  [[nodiscard]] bool operator==(const slot_handle&) const = default;

 private:
  commit_result one(const slot_op& op) const {
    if (!space_) return {commit_error::no_such_slot, npos, npos, index_of(id_), index_of(id_)};
    return space_->commit(std::span<const slot_op>(&op, 1));
  }

  dynamic_space* space_ = nullptr;
  slot_id id_ = slot_id::none;
};

namespace diag {
template <fixed_string Path>
struct no_region_at_this_path_in_the_slot {
  static_assert(always_false_v<Path>,
                "mmiotree: a slot handle binds by paths inside the slot's region: no region has "
                "the path Path there ('/'-separated names below the region's root; \"\" is the "
                "root itself)");
};
template <fixed_string Path>
struct slot_leaf_takes_no_host_memory {
  static_assert(always_false_v<Path>,
                "mmiotree: host memory binds only to a passthrough region; the region at Path in "
                "the slot is not one");
};
template <fixed_string Path>
struct slot_leaf_takes_no_handler {
  static_assert(always_false_v<Path>,
                "mmiotree: a handler binds only to an io region, or a register_file of its block "
                "to a register block region; the region at Path in the slot is neither");
};
}  // namespace diag

/// A slot whose region has type `Region`: a `slot_handle` that also binds the slot's leaves by
/// paths relative to `Region`. Obtained from `address_space::slot<Region, "path">()` (checked at
/// compile time) or `slot_ref<Region>::of(space, id)` (checked at run time by shape).
template <region Region>
class slot_ref : public slot_handle {
 public:
  using region_type = Region;
  constexpr slot_ref() noexcept = default;

  /// Slot `id` of `space` if its region has `Region`'s shape, else an empty ref.
  [[nodiscard]] static slot_ref of(dynamic_space& space, slot_id id) noexcept {
    if (index_of(id) >= space.slot_count() || space.shape(id) != shape) return {};
    return slot_ref(space, id);
  }

  /// Binds host memory to the passthrough region at `Path` inside the slot (see
  /// `address_space::bind`); listeners hear the change if the slot is placed. An empty handle
  /// binds nothing and says `no_slot`.
  template <fixed_string Path>
  [[nodiscard]] bind_status bind(std::span<std::byte> host, mem_attrs attrs = {}) const {
    constexpr node_index i = local<Path>();
    if constexpr (i == npos) {
      return bind_status::not_a_slot_leaf;
    } else if constexpr (nodes_v<Region>[i].kind != region_kind::passthrough) {
      (void)&diag::emit<diag::slot_leaf_takes_no_host_memory<Path>>;
      return bind_status::not_a_slot_leaf;
    } else {
      if (!*this) return bind_status::no_slot;
      return space()->bind_memory(leaf<i>(), host, attrs);
    }
  }

  /// Binds a handler to the io region at `Path` inside the slot, or a `register_file` to the
  /// register block there. The handler must outlive the binding. An empty handle binds
  /// nothing and says `no_slot`.
  template <fixed_string Path, io_handler H>
  [[nodiscard]] bind_status bind(H& handler) const {
    constexpr node_index i = local<Path>();
    if constexpr (i == npos) {
      return bind_status::not_a_handler_leaf;
    } else {
      constexpr node n = nodes_v<Region>[i];
      constexpr bool ok = n.kind == region_kind::io || (n.kind == region_kind::regs && requires {
                            typename H::block;
                          } && n.type_id == block_tag<H>());
      if constexpr (!ok) {
        (void)&diag::emit<diag::slot_leaf_takes_no_handler<Path>>;
        return bind_status::not_a_handler_leaf;
      } else {
        if (!*this) return bind_status::no_slot;
        return space()->bind_handler(leaf<i>(), detail::handler_binding<n.access>(handler),
                                     detail::state_ops_of<H>());
      }
    }
  }

  /// Unbinds the leaf at `Path` inside the slot.
  template <fixed_string Path>
  void unbind() const {
    constexpr node_index i = local<Path>();
    if constexpr (i != npos && takes_binding(nodes_v<Region>[i].kind))
      if (*this) space()->unbind(leaf<i>());
  }

 private:
  slot_ref(dynamic_space& space, slot_id id) noexcept : slot_handle(space, id) {}

  static constexpr std::uint64_t shape = shape_hash(nodes_v<Region>);

  template <fixed_string Path>
  static consteval node_index local() {
    constexpr node_index i = detail::find_path(nodes_v<Region>, Path.view());
    if constexpr (i == npos) (void)&diag::emit<diag::no_region_at_this_path_in_the_slot<Path>>;
    return i;
  }
  template <node_index I>
  leaf_id leaf() const noexcept {
    return static_cast<leaf_id>(index_of(space()->slot_first_leaf(id())) + nodes_v<Region>[I].leaf);
  }
  template <class H>
  static constexpr const void* block_tag() {
    if constexpr (requires { typename H::block; })
      return &detail::type_tag<typename H::block>;
    else
      return nullptr;
  }
};

MMIOTREE_END_NAMESPACE
