// runtime/listener_set.hpp: the listeners an address space owns, and what each hears when the
// map changes.
//
// A space holds a fixed number of places (no allocation, nothing on the dispatch path); each
// holds a listener and the page size it asked for (0: exact flat-view ranges). When the map
// changes from one view to another, every listener hears the difference, in one
// changes_begin / changes_end bracket: the events of the old view that the new one lacks
// (region_del, in address order), then the events of the new view that the old one lacks
// (region_add). A page-granular listener hears the difference between the two views' page
// spans (runtime/page_view.hpp), so no backend derives "mmap minus trapped holes" itself.
//
// The set itself is not synchronised: the space calls it with its writer lock held.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/runtime/page_view.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// One place of a listener_set.
struct listener_entry {
  map_listener* l = nullptr;
  addr_t page = 0;  ///< 0: exact events; else a power of two, page-granular events
};

/// Events in one list and not in the other (both in address order, at most one event per
/// address): `l` hears the dels first, then the adds. An event at the same address in both
/// lists that differs in anything (size, leaf, offset, host pointer, attributes) is one del and
/// one add.
template <class A, class B>
void diff_events(std::size_t na, std::size_t nb, A&& at_a, B&& at_b, map_listener& l) {
  for (int pass = 0; pass < 2; ++pass) {
    const bool adds = pass == 1;
    std::size_t i = 0, j = 0;
    while (i < na || j < nb) {
      if (j == nb || (i < na && at_a(i).lo < at_b(j).lo)) {
        if (!adds) l.region_del(at_a(i));
        ++i;
      } else if (i == na || at_b(j).lo < at_a(i).lo) {
        if (adds) l.region_add(at_b(j));
        ++j;
      } else {
        const map_event x = at_a(i), y = at_b(j);
        if (!(x == y)) {
          if (adds)
            l.region_add(y);
          else
            l.region_del(x);
        }
        ++i;
        ++j;
      }
    }
  }
}

/// The listeners of one space: at most `capacity`, registered and removed by id.
class listener_set {
 public:
  static constexpr std::uint32_t capacity = 8;

  /// Takes a free place for `l` with the page size of `o`, and calls `replay(entry)` so that
  /// the new listener hears the current map; or refuses (bad page size, no free place).
  template <class Replay>
  listener_registration add(map_listener& l, const listener_options& o, Replay&& replay) {
    if (o.page_size != 0 && (o.page_size & (o.page_size - 1)) != 0)
      return {listener_status::bad_page_size, listener_id::none};
    for (std::uint32_t k = 0; k < capacity; ++k) {
      if (places_[k].l != nullptr) continue;
      places_[k] = {&l, o.page_size};
      replay(places_[k]);
      return {listener_status::ok, static_cast<listener_id>(k)};
    }
    return {listener_status::full, listener_id::none};
  }

  /// Frees the place of `id` (nothing for an id that holds no listener).
  void remove(listener_id id) noexcept {
    const auto k = static_cast<std::uint32_t>(id);
    if (k < capacity) places_[k] = {};
  }

  [[nodiscard]] bool empty() const noexcept {
    for (const listener_entry& e : places_)
      if (e.l != nullptr) return false;
    return true;
  }

  /// The largest page size any listener asked for (0 when all want exact events).
  [[nodiscard]] addr_t largest_page() const noexcept {
    addr_t page = 0;
    for (const listener_entry& e : places_)
      if (e.l != nullptr && e.page > page) page = e.page;
    return page;
  }

  /// Calls `f(entry)` for each registered listener, in place order.
  template <class F>
  void for_each(F&& f) const {
    for (const listener_entry& e : places_)
      if (e.l != nullptr) f(e);
  }

  /// Tells `e` what differs between two views (`before`, `after`: exact flat ranges in address
  /// order), without the changes_begin / changes_end bracket. `before_event` / `after_event`
  /// make the exact event of a range on either side (a rebinding changes host pointers, not
  /// ranges); `top` is the last address of the space, where page spans are clamped.
  template <class Before, class After>
  static void tell(const listener_entry& e, std::span<const flat_range> before,
                   std::span<const flat_range> after, addr_t top, Before&& before_event,
                   After&& after_event) {
    if (e.page == 0) {
      diff_events(
          before.size(), after.size(), [&](std::size_t i) { return before_event(before[i]); },
          [&](std::size_t j) { return after_event(after[j]); }, *e.l);
      return;
    }
    std::vector<map_event> a, b;
    page_spans(before, e.page, top, before_event, [&](const map_event& x) { a.push_back(x); });
    page_spans(after, e.page, top, after_event, [&](const map_event& x) { b.push_back(x); });
    diff_events(
        a.size(), b.size(), [&](std::size_t i) { return a[i]; },
        [&](std::size_t j) { return b[j]; }, *e.l);
  }

  /// Tells `e`, a listener that has just registered, the whole current map `view` (one
  /// bracket).
  template <class Event>
  static void replay(const listener_entry& e, std::span<const flat_range> view, addr_t top,
                     Event&& event) {
    e.l->changes_begin();
    if (e.page == 0) {
      for (const flat_range& r : view) e.l->region_add(event(r));
    } else {
      page_spans(view, e.page, top, event, [&](const map_event& x) { e.l->region_add(x); });
    }
    e.l->changes_end();
  }

 private:
  std::array<listener_entry, capacity> places_{};
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
