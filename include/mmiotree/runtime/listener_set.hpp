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
inline void diff_events(std::span<const map_event> a, std::span<const map_event> b,
                        map_listener& l) {
  const std::size_t na = a.size(), nb = b.size();
  for (int pass = 0; pass < 2; ++pass) {
    const bool adds = pass == 1;
    std::size_t i = 0, j = 0;
    while (i < na || j < nb) {
      if (j == nb || (i < na && a[i].lo < b[j].lo)) {
        if (!adds) l.region_del(a[i]);
        ++i;
      } else if (i == na || b[j].lo < a[i].lo) {
        if (adds) l.region_add(b[j]);
        ++j;
      } else {
        if (!(a[i] == b[j])) {
          if (adds)
            l.region_add(b[j]);
          else
            l.region_del(a[i]);
        }
        ++i;
        ++j;
      }
    }
  }
}

/// The listeners of one space: at most `capacity`, registered and removed by id.
///
/// Everything here takes the map as exact events (one per flat range, in address order), made
/// by the space; nothing is templated on the space's tree, so this code is compiled once per
/// translation unit rather than once per tree (docs/benchmarks.md, "Compile time").
class listener_set {
 public:
  static constexpr std::uint32_t capacity = 8;

  /// Takes a free place for `l` with the page size of `o`, and tells it the current map `now`
  /// (one bracket); or refuses (bad page size, no free place).
  listener_registration add(map_listener& l, const listener_options& o,
                            std::span<const map_event> now, addr_t top) {
    if (o.page_size != 0 && (o.page_size & (o.page_size - 1)) != 0)
      return {listener_status::bad_page_size, listener_id::none};
    for (std::uint32_t k = 0; k < capacity; ++k) {
      if (places_[k].l != nullptr) continue;
      places_[k] = {&l, o.page_size};
      replay(places_[k], now, top);
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

  /// Tells every listener, each in one bracket, what differs between two views (`before`,
  /// `after`: exact events in address order); `top` is the last address of the space, where
  /// page spans are clamped.
  void tell_all(std::span<const map_event> before, std::span<const map_event> after,
                addr_t top) const {
    for (const listener_entry& e : places_) {
      if (e.l == nullptr) continue;
      e.l->changes_begin();
      tell(e, before, after, top);
      e.l->changes_end();
    }
  }

  /// Tells every listener that leaf node `leaf` was rebound: `before` and `after` are the same
  /// ranges with the old and the new binding. An exact listener hears each of the leaf's
  /// ranges removed and added again, even when nothing it sees changed (a rebinding to the same
  /// memory); a page-granular one hears the difference of the page spans.
  void tell_rebind(std::span<const map_event> before, std::span<const map_event> after,
                   node_index leaf, addr_t top) const {
    for (const listener_entry& e : places_) {
      if (e.l == nullptr) continue;
      e.l->changes_begin();
      if (e.page == 0) {
        for (const map_event& x : before)
          if (x.leaf == leaf) e.l->region_del(x);
        for (const map_event& x : after)
          if (x.leaf == leaf) e.l->region_add(x);
      } else {
        tell(e, before, after, top);
      }
      e.l->changes_end();
    }
  }

  /// Tells `e` what differs between two views, without the changes_begin / changes_end
  /// bracket.
  static void tell(const listener_entry& e, std::span<const map_event> before,
                   std::span<const map_event> after, addr_t top) {
    if (e.page == 0) {
      diff_events(before, after, *e.l);
      return;
    }
    std::vector<map_event> a, b;
    page_spans(before, e.page, top, [&](const map_event& x) { a.push_back(x); });
    page_spans(after, e.page, top, [&](const map_event& x) { b.push_back(x); });
    diff_events(a, b, *e.l);
  }

  /// Tells `e`, a listener that has just registered, the whole current map `view` (one
  /// bracket).
  static void replay(const listener_entry& e, std::span<const map_event> view, addr_t top) {
    e.l->changes_begin();
    if (e.page == 0) {
      for (const map_event& x : view) e.l->region_add(x);
    } else {
      page_spans(view, e.page, top, [&](const map_event& x) { e.l->region_add(x); });
    }
    e.l->changes_end();
  }

 private:
  std::array<listener_entry, capacity> places_{};
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
