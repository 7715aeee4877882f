// runtime/listener.hpp: what a commit tells the backends that mirror the address map
// (KVM memslots, Unicorn mappings, VFIO DMA maps) — QEMU's region_add / region_del.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

/// Attributes a backend needs about host memory, given when it is bound.
struct mem_attrs {
  /// Device memory owned by a VFIO device (a BAR mmap, CXL DPA): a VFIO DMA listener must not
  /// map it into the IOMMU (RFC patch 9: it is a VM_PFNMAP of physical device addresses).
  bool vfio_owned = false;
  [[nodiscard]] constexpr bool operator==(const mem_attrs&) const = default;
};

/// One range of the flat view that appears (`region_add`) or disappears (`region_del`).
/// Root-relative, inclusive. For a passthrough leaf, `host` points at the host byte backing
/// `lo` (null if the leaf is unbound); other kinds trap and have no host pointer.
struct map_event {
  addr_t lo = 0;
  addr_t last = 0;
  node_index leaf = npos;
  region_kind kind = region_kind::io;
  addr_t offset = 0;  ///< into the leaf at `lo`
  std::byte* host = nullptr;
  mem_attrs attrs{};

  [[nodiscard]] constexpr addr_t size() const noexcept { return last - lo + 1; }
  [[nodiscard]] constexpr bool operator==(const map_event&) const = default;
};

/// A backend following the map. A commit calls every `region_del` first, then every
/// `region_add`, each list in address order; a range that did not change is not reported.
template <class L>
concept listener = requires(L& l, const map_event& e) {
  l.region_del(e);
  l.region_add(e);
};

MMIOTREE_END_NAMESPACE
