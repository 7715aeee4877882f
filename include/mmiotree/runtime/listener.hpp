// runtime/listener.hpp: what the address map tells the backends that mirror it (KVM memslots,
// Unicorn mappings, VFIO DMA maps) — QEMU's region_add / region_del — and how they register.
//
// A backend registers once with the address space (`address_space::add_listener`) and from then
// on hears every change, whoever makes it: a BAR write, a decoder commit, a reset, a restore, a
// passthrough leaf bound to other host memory. It is told the current map when it registers.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// Attributes a backend needs about host memory, given when it is bound.
struct mem_attrs {
  /// Device memory owned by a VFIO device (a BAR mmap, CXL DPA): a VFIO DMA listener must not
  /// map it into the IOMMU (RFC patch 9: it is a VM_PFNMAP of physical device addresses).
  bool vfio_owned = false;
  [[nodiscard]] constexpr bool operator==(const mem_attrs&) const = default;
};

/// One span of the map that appears (`region_add`) or disappears (`region_del`). Root-relative
/// (guest-physical for a machine's root), inclusive.
///
/// For an exact listener (the default) a span is one range of the flat view: `leaf` is its leaf,
/// `kind` the leaf's kind, `offset` the offset into the leaf at `lo`, and for a passthrough leaf
/// `host` points at the host byte backing `lo` (null while the leaf is unbound).
///
/// For a page-granular listener (`listener_options::page_size`) spans are whole host pages:
/// a `passthrough` span is memory a backend may map (`host` non-null, page-aligned in the host
/// too); any other span traps (`kind` is `io` and `leaf` is `npos` when it holds several leaves
/// or parts of passthrough leaves that cannot be mapped).
struct map_event {
  addr_t lo = 0;
  addr_t last = 0;
  node_index leaf = npos;
  region_kind kind = region_kind::io;
  addr_t offset = 0;
  std::byte* host = nullptr;
  mem_attrs attrs{};

  [[nodiscard]] constexpr addr_t size() const noexcept { return last - lo + 1; }
  [[nodiscard]] constexpr bool operator==(const map_event&) const = default;
};

/// A backend following the map. Each change calls every `region_del` first, then every
/// `region_add`, each list in address order; a span that did not change is not reported. The
/// calls run on the thread that makes the change, with the space's writer lock held: a listener
/// must not commit to the same space.
class map_listener {
 public:
  /// Frames the events of one change (a commit, a binding, the replay at registration), as
  /// QEMU's MemoryListener begin/commit do: a backend may batch between them.
  virtual void changes_begin() {}
  virtual void region_del(const map_event& e) = 0;
  virtual void region_add(const map_event& e) = 0;
  virtual void changes_end() {}

 protected:
  map_listener() = default;
  map_listener(const map_listener&) = default;
  map_listener& operator=(const map_listener&) = default;
  ~map_listener() = default;
};

/// How a listener wants its events.
struct listener_options {
  /// 0: exact flat-view ranges. A power of two: whole pages of that size, by the rule of the
  /// compile-time projection (layout/projection.hpp) with `page_policy::trap_partial_pages`: a
  /// passthrough span is every whole page inside a passthrough range whose host offsets are
  /// page-aligned there; every other page that holds a leaf's byte traps. Pages that hold no
  /// leaf (holes) are not reported.
  addr_t page_size = 0;
  [[nodiscard]] constexpr bool operator==(const listener_options&) const = default;
};

/// A registered listener, for `remove_listener`.
enum class listener_id : std::uint32_t { none = 0xFFFF'FFFF };

/// Why `add_listener` refused.
enum class listener_status : std::uint8_t {
  ok,
  full,           ///< the space already holds `max_listeners`
  bad_page_size,  ///< not 0 and not a power of two
};

/// What `add_listener` answers.
struct listener_registration {
  listener_status status = listener_status::ok;
  listener_id id = listener_id::none;
  [[nodiscard]] constexpr bool ok() const noexcept { return status == listener_status::ok; }
};

[[nodiscard]] constexpr std::string_view to_string(listener_status s) noexcept {
  switch (s) {
    case listener_status::ok: return "ok";
    case listener_status::full: return "full";
    case listener_status::bad_page_size: return "bad_page_size";
  }
  return "?";
}

MMIOTREE_END_NAMESPACE
