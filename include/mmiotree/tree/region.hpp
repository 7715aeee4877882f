// tree/region.hpp: the region kinds of DESIGN §2.1 and their placement, as types.
//
//   using bar = container<"bar2", 2_MiB,
//       at<0x000000, passthrough<"accel", 2_MiB>>,
//       at<0x101000, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>>;   // priority 1
//
// A region type carries only what is static: name, size, kind, access policy and, for a
// container, its placed children. Host pointers and handlers are bound at run time
// (runtime/address_space.hpp), by typed path.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// The kinds of DESIGN §2.1. `regs` (typed register blocks) is reserved for the regs layer.
enum class region_kind : std::uint8_t {
  container,    ///< groups children, claims no bytes itself
  passthrough,  ///< host memory: exact-width volatile loads/stores on a bound host pointer
  io,           ///< trapped: every access calls a bound handler
  regs,         ///< trapped, emulated by a typed register block
  alias,        ///< a window onto a range of another region of the same tree
  stub,         ///< declared response (read-as-zero / read-as-ones / decode error)
};

[[nodiscard]] constexpr std::string_view to_string(region_kind k) noexcept {
  switch (k) {
    case region_kind::container: return "container";
    case region_kind::passthrough: return "passthrough";
    case region_kind::io: return "io";
    case region_kind::regs: return "regs";
    case region_kind::alias: return "alias";
    case region_kind::stub: return "stub";
  }
  return "?";
}

/// A leaf claims bytes in the flat view; containers and aliases do not (they forward).
[[nodiscard]] constexpr bool is_leaf(region_kind k) noexcept {
  return k != region_kind::container && k != region_kind::alias;
}
/// Leaves that take a runtime binding (host memory or a handler).
[[nodiscard]] constexpr bool takes_binding(region_kind k) noexcept {
  return k == region_kind::passthrough || k == region_kind::io || k == region_kind::regs;
}
/// Leaves whose accesses may be served without a VM exit (mmapped into the guest).
[[nodiscard]] constexpr bool is_direct(region_kind k) noexcept {
  return k == region_kind::passthrough;
}

/// Whether adjacent flat ranges of one leaf (contiguous in the guest and in the leaf) are
/// reported as one range — to a backend, one memslot or one mapping.
enum class merge_policy : std::uint8_t {
  merge,          ///< the default: as few ranges as possible
  keep_separate,  ///< every occurrence stays its own range (e.g. two alias windows a backend
                  ///< must be able to unmap independently)
};

/// Host memory mapped straight into the guest: a VFIO BAR mmap, a memfd, guest RAM.
template <fixed_string Name, addr_t Size, access_policy Access = access::any,
          merge_policy Merge = merge_policy::merge>
struct passthrough {
  static constexpr region_kind kind = region_kind::passthrough;
  static constexpr auto name = Name;
  static constexpr addr_t size = Size;
  static constexpr access_policy policy = Access;
  static constexpr merge_policy merge = Merge;
};

/// An emulated region: every access calls the handler bound to it.
template <fixed_string Name, addr_t Size, access_policy Access = access::any>
struct io {
  static constexpr region_kind kind = region_kind::io;
  static constexpr auto name = Name;
  static constexpr addr_t size = Size;
  static constexpr access_policy policy = Access;
};

/// A region with a declared response and no state: read-as-zero, read-as-ones or decode error.
template <fixed_string Name, addr_t Size, stub_response Response = stub_response::read_as_ones,
          access_policy Access = access::any>
struct stub {
  static constexpr region_kind kind = region_kind::stub;
  static constexpr auto name = Name;
  static constexpr addr_t size = Size;
  static constexpr access_policy policy = Access;
  static constexpr stub_response response = Response;
};

/// Space that is claimed but answers with a decode error. Placed at a high priority it
/// hides whatever lies below; placed at the lowest it is an explicit "nothing here".
template <fixed_string Name, addr_t Size>
using unassigned = stub<Name, Size, stub_response::decode_error>;

/// A window of `Size` bytes onto the region at `TargetPath`, starting at `TargetOffset` inside
/// it. The target's whole subtree shows through, priorities and holes included (QEMU's alias).
/// `TargetPath` is '/'-separated names, either from the root (the root's own name excluded:
/// "pci/bar0") or, when it starts with "./" or "../", from the container the alias sits in
/// ("./ram", "../ram/low"; each leading ".." goes up one container). A subtree whose aliases
/// use relative paths means the same wherever it is placed, and can be checked as a tree of
/// its own.
template <fixed_string Name, addr_t Size, fixed_string TargetPath, addr_t TargetOffset = 0>
struct alias {
  static constexpr region_kind kind = region_kind::alias;
  static constexpr auto name = Name;
  static constexpr addr_t size = Size;
  static constexpr access_policy policy = access::any;
  static constexpr auto target_path = TargetPath;
  static constexpr addr_t target_offset = TargetOffset;
};

/// Region `R` under another name: several instances of one region type side by side (two
/// devices of one kind, each with its BAR: `slot<named<nic_bar0, "nic1">>`). Everything else —
/// kind, size, policy, children — is R's.
template <class R, fixed_string Name>
struct named : R {
  static constexpr auto name = Name;
};

/// A region type: something with a kind, a name and a size.
template <class R>
concept region = requires {
  { R::kind } -> std::convertible_to<region_kind>;
  { R::size } -> std::convertible_to<addr_t>;
  { R::name.view() } -> std::convertible_to<std::string_view>;
  { R::policy } -> std::convertible_to<access_policy>;
};

/// A child placed in its parent at `Offset` with the signed `Priority` (default 0).
/// Priorities compare among siblings only; the higher one wins where siblings overlap.
template <addr_t Offset, region Region, std::int32_t Priority = 0>
struct at {
  static constexpr addr_t offset = Offset;
  static constexpr std::int32_t priority = Priority;
  using type = Region;
};

/// How a slot that overlaps another slot, or the window's static content, at equal priority
/// is resolved. Never by insertion order.
enum class tie_policy : std::uint8_t {
  reject,             ///< the commit that would create the tie is refused (the default)
  declaration_order,  ///< the region declared first in the tree (pre-order) wins
};

/// A child whose shape is static and whose placement is decided at run time: a PCI BAR the
/// guest programs, an HDM window the guest commits, device memory mapped at a CFMWS base.
/// Its parent container is its *window*. It starts disabled; `address_space` transactions
/// place and enable it. `Align` 0 means natural alignment (the size rounded up to a power
/// of two, the PCI BAR rule). Nothing inside a slot is re-flattened when it moves.
template <region Region, std::int32_t Priority = 0, addr_t Align = 0,
          tie_policy Tie = tie_policy::reject>
struct slot {
  static constexpr addr_t offset = 0;
  static constexpr std::int32_t priority = Priority;
  static constexpr addr_t align = Align != 0 ? Align : std::bit_ceil(Region::size);
  static constexpr tie_policy tie = Tie;
  static constexpr bool dynamic = true;
  using type = Region;
};

/// A child that is part of the tree but mapped nowhere: its parent does not show it (it claims
/// no byte there, and may be larger than the parent), and it is seen only through the aliases
/// that target it or a region inside it — QEMU's `ram` and `pci` regions of the PC map, which
/// system memory sees through `ram-below-4g`, `pci-hole` and the like. Its path, bindings and
/// leaves are those of any child; slots inside it are seen wherever an alias shows their
/// window (QEMU's PCI BARs behind `pci-hole`). An unmapped region no alias shows is a compile
/// error (`unmapped_region_shown_by_no_alias`).
template <region Region>
struct unmapped {
  static constexpr addr_t offset = 0;
  static constexpr std::int32_t priority = 0;
  static constexpr bool mapped_nowhere = true;
  using type = Region;
};

/// `Count` slots of one region type in one window — N devices of one kind, each with its
/// BAR — declared once: element k is the slot named `<Region's name>[k]` (path
/// `"pci/bar[3]"`), every element has the parameters of `slot<Region, Priority, Align, Tie>`,
/// and the elements' slot ids are consecutive, in index order (`address_space::slot_of<Path>(k)`
/// finds element k at run time). The region type is lowered once whatever the count; the
/// elements are copies of its descriptors.
template <region Region, std::size_t Count, std::int32_t Priority = 0, addr_t Align = 0,
          tie_policy Tie = tie_policy::reject>
struct slot_array {
  static_assert(Count >= 1, "mmiotree: a slot_array has at least one element");
  static_assert(Count <= 65536, "mmiotree: a slot_array has at most 65,536 elements");
  static constexpr std::size_t count = Count;
  /// What each element is.
  using element = slot<Region, Priority, Align, Tie>;
  using type = Region;
};

namespace detail {
template <class... T>
struct type_list {};

template <class T>
inline constexpr bool is_placement = false;
template <addr_t O, class R, std::int32_t P>
inline constexpr bool is_placement<at<O, R, P>> = true;
template <class R, std::int32_t P, addr_t A, tie_policy T>
inline constexpr bool is_placement<slot<R, P, A, T>> = true;
template <class R, std::size_t N, std::int32_t P, addr_t A, tie_policy T>
inline constexpr bool is_placement<slot_array<R, N, P, A, T>> = true;
template <class R>
inline constexpr bool is_placement<unmapped<R>> = true;
}  // namespace detail

/// A placed child: `at<offset, region, priority>`, `slot<region, priority, …>`,
/// `slot_array<region, count, priority, …>` or `unmapped<region>`.
template <class T>
concept placement = detail::is_placement<T>;

/// Groups placed children; claims no bytes of its own, so a hole in it lets lower-priority
/// siblings of the container show through.
///
/// To model a QEMU I/O region *with* subregions (e.g. a VFIO BAR whose trapping ops catch
/// whatever its mmap children leave uncovered), put an `io` child spanning the container at
/// a priority below the others.
namespace detail {
/// What a container declares besides its children. A base of its own, so that these static
/// members are keyed on (Name, Size) only: a member of `container<…>` itself would be a symbol
/// whose mangled name spells out the whole subtree, which g++ takes time quadratic in the
/// subtree's size to produce (tree/descriptor.hpp).
template <fixed_string Name, addr_t Size>
struct container_head {
  static constexpr region_kind kind = region_kind::container;
  static constexpr auto name = Name;
  static constexpr addr_t size = Size;
  static constexpr access_policy policy = access::any;
};
}  // namespace detail

template <fixed_string Name, addr_t Size, placement... Children>
struct container : detail::container_head<Name, Size> {
  using placed = detail::type_list<Children...>;
};

MMIOTREE_END_NAMESPACE
