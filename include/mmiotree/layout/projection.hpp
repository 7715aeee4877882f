// layout/projection.hpp: the mmap/trap projection of a flat view for a host page size
// (DESIGN §2.3).
//
// Passthrough spans may be mmapped into the guest (a KVM memslot, an entry of VFIO's
// sparse-mmap list, `uc_mem_map_ptr`); everything else — emulated leaves, stubs and holes —
// must trap. A host page cannot be half mapped, so a passthrough span sharing a page with a
// trapped byte is a compile error, unless the tree's projection declares
// `page_policy::trap_partial_pages`, in which case the shared pages trap (the dispatcher still
// serves them from the same host memory). The root is taken to sit at a page-aligned address,
// as a BAR or a RAM bank does.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/diagnostics.hpp>
#include <mmiotree/layout/flat_view.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

/// What to do with a passthrough span whose ends are not host-page aligned.
enum class page_policy : std::uint8_t {
  error,               ///< compile error naming the span (the default: nothing is hidden)
  trap_partial_pages,  ///< the partial pages trap; only whole pages are mapped
};

/// A span of the projection, root-relative, inclusive. For a passthrough span `leaf` is the
/// passthrough leaf and `offset` the offset into its host memory at `lo`; for a trapped span
/// `leaf` is npos (a trapped span may cover several leaves and holes).
struct span_desc {
  addr_t lo = 0;
  addr_t last = 0;
  node_index leaf = npos;
  addr_t offset = 0;
  [[nodiscard]] constexpr addr_t size() const noexcept { return last - lo + 1; }
  [[nodiscard]] constexpr bool operator==(const span_desc&) const = default;
};

/// Result of `project`: the two lists, each sorted, together tiling `[0, root size)`; or,
/// with `page_policy::error`, the first offending flat range.
struct projection_result {
  std::vector<span_desc> passthrough;
  std::vector<span_desc> trapped;
  bool ok = true;
  flat_range offending{};
};

/// The projection of a flat view for `page` (a power of two), at run time or compile time.
constexpr projection_result project(std::span<const node> nodes, std::span<const flat_range> view,
                                    addr_t page, page_policy policy) {
  projection_result r;
  const addr_t root_last = nodes[0].size - 1;
  auto trap = [&](addr_t lo, addr_t last) {
    if (!r.trapped.empty() && r.trapped.back().last + 1 == lo)
      r.trapped.back().last = last;
    else
      r.trapped.push_back({lo, last});
  };
  addr_t cursor = 0;  // first root byte not yet assigned to a list
  bool done = false;  // cursor passed root_last (avoids wrapping at 2^64)
  for (const flat_range& f : view) {
    if (!is_direct(nodes[f.leaf].kind)) continue;
    // Whole pages inside [lo, last] whose host offsets are page-aligned too.
    const addr_t head = (page - f.lo % page) % page;
    const bool host_aligned = (f.offset + head) % page == 0;
    const addr_t lo = f.lo + head;
    const addr_t tail = (f.last - f.lo < head) ? 0 : (f.last + 1 - lo) % page;
    const bool any = f.last - f.lo >= head && f.last - lo + 1 > tail && host_aligned;
    const bool exact = head == 0 && tail == 0 && host_aligned;
    if (!exact && policy == page_policy::error) {
      r.ok = false;
      r.offending = f;
      return r;
    }
    if (!any) continue;  // stays trapped
    const addr_t last = f.last - tail;
    if (lo > cursor) trap(cursor, lo - 1);
    // Merge only what one mmap can serve: same leaf, contiguous in the guest and in the host —
    // and never the occurrences of a keep_separate leaf, which a backend must be able to map
    // and unmap one by one (the flat view keeps them apart for that reason).
    const span_desc* prev = r.passthrough.empty() ? nullptr : &r.passthrough.back();
    if (prev && prev->leaf == f.leaf && !nodes[f.leaf].keep_separate && prev->last + 1 == lo &&
        prev->offset + prev->size() == f.offset + head)
      r.passthrough.back().last = last;
    else
      r.passthrough.push_back({lo, last, f.leaf, f.offset + head});
    if (last == root_last) done = true;
    cursor = last + 1;
  }
  if (!done) trap(cursor, root_last);
  return r;
}

namespace diag {
// Range is "[Lo, Last]", PageSize and HostOffset numbers, in hexadecimal (layout/diagnostics.hpp).
template <fixed_string Leaf, fixed_string PageSize, fixed_string Range, fixed_string HostOffset>
struct passthrough_shares_host_page_with_trapped_bytes {
  static_assert(always_false_v<Leaf>,
                "mmiotree: a passthrough range shares a host page with trapped bytes: in "
                "passthrough_shares_host_page_with_trapped_bytes<Leaf, PageSize, Range, "
                "HostOffset>, the guest range Range (relative to the root) of passthrough region "
                "Leaf does not start and end on PageSize boundaries, so a host page would hold "
                "both mapped and trapped bytes; align what overlays it or declare "
                "page_policy::trap_partial_pages");
};
template <fixed_string Leaf, fixed_string PageSize, fixed_string Range, fixed_string HostOffset>
struct passthrough_host_offset_not_page_aligned {
  static_assert(always_false_v<Leaf>,
                "mmiotree: a passthrough range's host offset is not page-aligned: in "
                "passthrough_host_offset_not_page_aligned<Leaf, PageSize, Range, HostOffset>, "
                "the guest range Range (relative to the root) is whole PageSize pages, but it "
                "shows passthrough region Leaf from byte HostOffset, which is not a multiple of "
                "PageSize, so no host page maps onto a guest page (an alias into the region at "
                "an unaligned offset does this); align the offset or declare "
                "page_policy::trap_partial_pages");
};
}  // namespace diag

namespace detail {
template <std::size_t P, std::size_t T>
struct projection_buffer {
  std::array<span_desc, P> passthrough{};
  std::array<span_desc, T> trapped{};
};

template <region Tree, addr_t Page, page_policy Policy>
consteval bool report_projection() {
  if constexpr (!detail::verdict_of<Tree>::value) {
    return false;
  } else {
    constexpr flat_range f = [] {
      const auto r = project(detail::tree_nodes_v<Tree>, flat_view_v<Tree>, Page, Policy);
      return r.ok ? flat_range{0, 0, npos, 0} : r.offending;
    }();
    if constexpr (f.leaf != npos && (f.lo % Page != 0 || (f.last + 1) % Page != 0)) {
      (void)&diag::emit<diag::passthrough_shares_host_page_with_trapped_bytes<
          path_fs<Tree, f.leaf>, diag::hex<Page>, diag::hex_range<f.lo, f.last>,
          diag::hex<f.offset>>>;
      return false;
    } else if constexpr (f.leaf != npos) {
      (void)&diag::emit<diag::passthrough_host_offset_not_page_aligned<
          path_fs<Tree, f.leaf>, diag::hex<Page>, diag::hex_range<f.lo, f.last>,
          diag::hex<f.offset>>>;
      return false;
    } else {
      return true;
    }
  }
}
}  // namespace detail

/// The projection of Tree for host pages of `Page` bytes (4, 16 or 64 KiB, or any power of
/// two): `.passthrough` and `.trapped`, sorted `std::array<span_desc, …>`s that together tile
/// the root. Passthrough spans of one leaf that touch are merged (but for a keep_separate leaf:
/// one span per occurrence); so are trapped ones.
template <region Tree, addr_t Page, page_policy Policy = page_policy::error>
requires(Page != 0 && (Page & (Page - 1)) == 0) inline constexpr auto projection_v = [] {
  if constexpr (!detail::report_projection<Tree, Page, Policy>()) {
    return detail::projection_buffer<0, 0>{};
  } else {
    constexpr auto sizes = [] {
      const auto r = project(detail::tree_nodes_v<Tree>, flat_view_v<Tree>, Page, Policy);
      return std::array<std::size_t, 2>{r.passthrough.size(), r.trapped.size()};
    }();
    detail::projection_buffer<sizes[0], sizes[1]> b{};
    const auto r = project(detail::tree_nodes_v<Tree>, flat_view_v<Tree>, Page, Policy);
    for (std::size_t i = 0; i < sizes[0]; ++i) b.passthrough[i] = r.passthrough[i];
    for (std::size_t i = 0; i < sizes[1]; ++i) b.trapped[i] = r.trapped[i];
    return b;
  }
}();

MMIOTREE_END_NAMESPACE
