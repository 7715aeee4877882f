// runtime/page_view.hpp: the map as a page-granular backend needs it (a KVM memslot, a Unicorn
// mapping, a VFIO sparse-mmap entry): whole host pages that may be mapped, and pages that trap —
// derived from the exact flat view by the rule of the compile-time projection
// (layout/projection.hpp, page_policy::trap_partial_pages), so that no backend re-derives
// "mmap minus trapped holes" by hand.
//
// For each range of the flat view: a bound passthrough range gives the whole pages inside it
// whose host offsets are page-aligned there (one `passthrough` span), and its partial pages at
// either end trap; any other range traps. A trapped part covers the pages it touches; trapped
// parts that share a page form one span, parts that merely touch at a page boundary do not (so
// that a backend can map and unmap each BAR's trapped pages on their own). Pages holding no
// leaf at all (holes) are not reported.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// The first address of the page holding `a`, and the last address of the page holding `a`
/// (clamped to `top`, the last address there is).
[[nodiscard]] constexpr addr_t page_down(addr_t a, addr_t page) noexcept { return a - a % page; }
[[nodiscard]] constexpr addr_t page_up(addr_t a, addr_t page, addr_t top) noexcept {
  const addr_t down = a - a % page;
  return top - down < page - 1 ? top : down + (page - 1);
}

/// Turns the exact events of a view (one per flat range, in address order, as a listener would
/// get them: host pointer for a bound passthrough leaf, null otherwise) into page spans,
/// calling `out(map_event)` for each in address order; `top` is the root's last byte.
template <class Out>
void page_spans(std::span<const map_event> events, addr_t page, addr_t top, Out&& out) {
  bool have_trap = false;
  map_event trap{};
  auto flush = [&] {
    if (have_trap) out(trap);
    have_trap = false;
  };
  auto trap_bytes = [&](addr_t lo, addr_t last) {
    const addr_t plo = page_down(lo, page), plast = page_up(last, page, top);
    if (have_trap && trap.last >= plo) {  // shares a page with the span being built
      if (plast > trap.last) trap.last = plast;
      return;
    }
    flush();
    trap = map_event{plo, plast, npos, region_kind::io, 0, nullptr, {}};
    have_trap = true;
  };
  for (const map_event& e : events) {
    if (e.kind == region_kind::passthrough && e.host != nullptr) {
      const addr_t head = (page - e.lo % page) % page;
      const bool host_aligned = (e.offset + head) % page == 0;
      if (host_aligned && e.last - e.lo >= head && e.last - (e.lo + head) >= page - 1) {
        const addr_t first = e.lo + head;
        const addr_t last =
            first +
            ((e.last - first) / page + ((e.last - first) % page == page - 1 ? 1 : 0)) * page - 1;
        if (head != 0) trap_bytes(e.lo, first - 1);
        // The span's pages hold nothing else, so no trapped span shares a page with it.
        flush();
        out(map_event{first, last, e.leaf, region_kind::passthrough, e.offset + head, e.host + head,
                      e.attrs});
        if (last != e.last) trap_bytes(last + 1, e.last);
        continue;
      }
    }
    trap_bytes(e.lo, e.last);
  }
  flush();
}

}  // namespace detail

MMIOTREE_END_NAMESPACE
