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
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// The first address of the page holding `a`, and the last address of the page holding `a`
/// (clamped to `top`, the last address there is).
[[nodiscard]] constexpr addr_t page_down(addr_t a, addr_t page) noexcept { return a - a % page; }
[[nodiscard]] constexpr addr_t page_up(addr_t a, addr_t page, addr_t top) noexcept {
  const addr_t down = a - a % page;
  return top - down < page - 1 ? top : down + (page - 1);
}

/// Turns exact flat ranges (in address order, as a listener would get them) into page spans,
/// calling `out(map_event)` for each in address order. `event(range)` gives the exact event of a
/// range (host pointer for a bound passthrough leaf, null otherwise); `top` is the root's last
/// byte.
template <class Ranges, class Event, class Out>
void page_spans(const Ranges& ranges, addr_t page, addr_t top, Event&& event, Out&& out) {
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
  for (const flat_range& f : ranges) {
    const map_event e = event(f);
    if (e.kind == region_kind::passthrough && e.host != nullptr) {
      const addr_t head = (page - f.lo % page) % page;
      const bool host_aligned = (f.offset + head) % page == 0;
      if (host_aligned && f.last - f.lo >= head && f.last - (f.lo + head) >= page - 1) {
        const addr_t first = f.lo + head;
        const addr_t last =
            first +
            ((f.last - first) / page + ((f.last - first) % page == page - 1 ? 1 : 0)) * page - 1;
        if (head != 0) trap_bytes(f.lo, first - 1);
        // The span's pages hold nothing else, so no trapped span shares a page with it.
        flush();
        out(map_event{first, last, f.leaf, region_kind::passthrough, f.offset + head, e.host + head,
                      e.attrs});
        if (last != f.last) trap_bytes(last + 1, f.last);
        continue;
      }
    }
    trap_bytes(f.lo, f.last);
  }
  flush();
}

}  // namespace detail

MMIOTREE_END_NAMESPACE
