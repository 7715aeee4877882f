// runtime/address_space.hpp: the runtime state of one tree and the dispatch of guest accesses
// (DESIGN §2.6).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/hash.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/diagnostics.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/lookup.hpp>
#include <mmiotree/runtime/access_plan.hpp>
#include <mmiotree/runtime/binding.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/dynamic_space.hpp>
#include <mmiotree/runtime/ids.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/runtime/listener_set.hpp>
#include <mmiotree/runtime/live_map.hpp>
#include <mmiotree/runtime/page_view.hpp>
#include <mmiotree/runtime/reclaim.hpp>
#include <mmiotree/runtime/route_cache.hpp>
#include <mmiotree/runtime/seqlock.hpp>
#include <mmiotree/runtime/slot_handle.hpp>
#include <mmiotree/runtime/slot_map.hpp>
#include <mmiotree/runtime/snapshot.hpp>
#include <mmiotree/runtime/space_base.hpp>
#include <mmiotree/runtime/stats.hpp>
#include <mmiotree/runtime/transaction.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// A registered listener and the page size it wants (0: exact ranges).
/// `Path[0]`: the path of element 0 of a slot array at `Path`.
template <fixed_string Path>
inline constexpr auto element0_path = [] {
  fixed_string<Path.size() + 3> f{};
  for (std::size_t i = 0; i < Path.size(); ++i) f.value[i] = Path.value[i];
  f.value[Path.size()] = '[';
  f.value[Path.size() + 1] = '0';
  f.value[Path.size() + 2] = ']';
  return f;
}();

/// Node index of `Path` in Tree, or npos.
template <region Tree, fixed_string Path>
constexpr node_index path_index_v = find_path(tree_nodes_v<Tree>, Path.view());

}  // namespace detail

namespace diag {
template <fixed_string Path>
struct bind_host_memory_to_a_non_passthrough_region {
  static_assert(always_false_v<Path>,
                "mmiotree: host memory binds only to a passthrough region; an io region takes "
                "a handler, a container/alias/stub takes nothing");
};
template <fixed_string Path>
struct bind_non_register_file_to_a_register_block {
  static_assert(always_false_v<Path>,
                "mmiotree: a register block region binds a register_file of its block type");
};
template <fixed_string Path>
struct register_file_block_differs_from_the_region {
  static_assert(always_false_v<Path>,
                "mmiotree: the register_file's block type is not the block declared at this path");
};
template <fixed_string Path>
struct slot_region_differs_from_the_handle_type {
  static_assert(always_false_v<Path>,
                "mmiotree: slot<Region, Path>() makes a handle of type slot_ref<Region>, but the "
                "region declared at Path has another shape (names, sizes, kinds, offsets, "
                "policies); name the region type the machine declares there");
};
template <fixed_string Path>
struct path_names_no_slot {
  static_assert(always_false_v<Path>,
                "mmiotree: a transaction places slots; this path names a region that is not a "
                "slot (declare it with slot<region, priority, ...> in its window)");
};
template <fixed_string Path>
struct path_names_no_slot_array {
  static_assert(always_false_v<Path>,
                "mmiotree: no slot_array is declared at this path (its elements would be the "
                "slots Path[0], Path[1], ...; a single slot is found with slot_of<Path>())");
};
template <fixed_string Path>
struct bind_handler_to_a_non_io_region {
  static_assert(always_false_v<Path>,
                "mmiotree: a handler binds only to an io region; a passthrough region takes "
                "host memory, a container/alias/stub takes nothing");
};
}  // namespace diag

/// The runtime state of one region tree, and the dispatcher of guest accesses to it.
///
/// Holds one binding per leaf (host memory for passthrough, a handler for io); everything
/// about the layout — the flat view, the lookup table, each leaf's policy — is compile-time
/// data in read-only memory. `read`/`write` allocate nothing, take no lock and make no virtual
/// call: a bucket lookup, a policy check against a per-tile mask, and one indirect call.
///
/// Addresses are offsets from the root's byte 0 (guest-physical for a system map).
///
/// Concurrency. Any number of threads may `read`/`write` at once (if the handlers allow it).
/// Commits, restores, binds and unbinds — the writers — are serialised by the space, one at a
/// time, and never block a reader. Each access is planned whole (every piece of a straddling
/// access, with the binding of each piece) against one consistent map, before any handler
/// runs: it sees the map before or after a concurrent change, never a mixture. A writer may
/// run from a handler or a register hook (a device moving its own BAR): it takes effect for
/// accesses that begin after it, and the rest of the access that made it goes where that
/// access was planned. A listener must not call back into the space (it runs with the writer
/// lock held). After a commit or an unbind, `synchronize()` (runtime/reclaim.hpp) waits until
/// no access that could still use what was removed is running on an enrolled thread; then host
/// memory may be unmapped and a handler destroyed. `restore` replaces handler state in place:
/// call it with the vCPUs stopped, as a VMM does for a snapshot load.
template <region Tree, space_options Options = space_options{}>
class address_space final : public detail::space_base {
  // Not a constraint: a failed constraint would make the variable an `int` and every later use
  // an error of its own.
  static_assert(detail::verdict_of<Tree>::value || true);

 public:
  using tree = Tree;
  static constexpr std::span<const node> nodes = nodes_v<Tree>;
  static constexpr std::size_t leaf_count = leaf_count_v<Tree>;
  /// Most listeners registered at once.
  static constexpr std::size_t max_listeners = detail::listener_set::capacity;

  /// Stubs answer from the start; passthrough and io leaves answer `unbound` until bound.
  address_space() noexcept {
    for (std::size_t l = 0; l <= leaf_count; ++l) bindings_[l] = initial_binding_of(l);
  }

  address_space(const address_space&) = delete;  // handlers and host memory are borrowed
  address_space& operator=(const address_space&) = delete;

  /// Binds host memory (an mmap of a BAR, a memfd, RAM) to the passthrough region `Path`.
  /// The memory must outlive the binding and hold at least the region's size. Registered
  /// listeners hear the change where the region is visible (its host pointer changes).
  template <fixed_string Path>
  [[nodiscard]] bind_status bind(std::span<std::byte> host, mem_attrs attrs = {}) noexcept {
    constexpr node_index i = checked_path<Path>();
    if constexpr (i == npos || nodes_v<Tree>[i].kind != region_kind::passthrough) {
      if constexpr (i != npos)
        (void)&diag::emit<diag::bind_host_memory_to_a_non_passthrough_region<Path>>;
      return bind_status::null_host_memory;
    } else {
      return bind_memory(static_cast<leaf_id>(nodes_v<Tree>[i].leaf), host, attrs);
    }
  }

  /// Binds a handler to the io region `Path`, or a `register_file` to the register block
  /// region `Path` (its block type must be the one declared there). The handler must outlive
  /// the binding. Every way this can fail is a compile error, so it returns `ok`; the status
  /// is there so that a bind reads alike whatever it binds and wherever (a slot handle's bind
  /// can meet an empty handle).
  template <fixed_string Path, io_handler H>
  [[nodiscard]] bind_status bind(H& handler) noexcept {
    constexpr node_index i = checked_path<Path>();
    if constexpr (i == npos) {
      return bind_status::not_a_handler_leaf;
    } else if constexpr (nodes_v<Tree>[i].kind == region_kind::regs) {
      if constexpr (!requires { typename H::block; }) {
        (void)&diag::emit<diag::bind_non_register_file_to_a_register_block<Path>>;
        return bind_status::not_a_handler_leaf;
      } else if constexpr (nodes_v<Tree>[i].type_id != &detail::type_tag<typename H::block>) {
        (void)&diag::emit<diag::register_file_block_differs_from_the_region<Path>>;
        return bind_status::not_a_handler_leaf;
      } else {
        return bind_handler<i>(handler);
      }
    } else if constexpr (nodes_v<Tree>[i].kind != region_kind::io) {
      (void)&diag::emit<diag::bind_handler_to_a_non_io_region<Path>>;
      return bind_status::not_a_handler_leaf;
    } else {
      return bind_handler<i>(handler);
    }
  }

  /// Removes the binding of leaf `Path`; its accesses answer `unbound` again.
  template <fixed_string Path>
  void unbind() noexcept {
    constexpr node_index i = checked_path<Path>();
    if constexpr (i != npos && takes_binding(nodes_v<Tree>[i].kind))
      unbind(static_cast<leaf_id>(nodes_v<Tree>[i].leaf));
  }

  template <fixed_string Path>
  [[nodiscard]] bool is_bound() const noexcept {
    constexpr node_index i = checked_path<Path>();
    if constexpr (i == npos || !is_leaf(nodes_v<Tree>[i].kind)) {
      return false;
    } else {
      return bindings_[nodes_v<Tree>[i].leaf].bound;
    }
  }

  /// A guest read of `size` bytes at `addr`. Never fails silently: a hole or a decode-error
  /// stub gives `decode_error`, a size/alignment/straddle the policy forbids gives
  /// `access_error`, an unbound leaf `unbound`; in each case no handler runs and the value is
  /// the policy's error value (all ones) cut to the access width.
  [[nodiscard]] read_result read(addr_t addr, unsigned size) const {
    if constexpr (Options.stats) {
      const read_result r = dispatch_read(addr, size);
      count(addr, false, r.status);
      return r;
    } else {
      return dispatch_read(addr, size);
    }
  }

  /// A guest write of the low `size` bytes of `value` at `addr`; statuses as for `read`, and
  /// a write that is refused changes nothing.
  access_status write(addr_t addr, unsigned size, std::uint64_t value) {
    if constexpr (Options.stats) {
      const access_status r = dispatch_write(addr, size, value);
      count(addr, true, r);
      return r;
    } else {
      return dispatch_write(addr, size, value);
    }
  }

  /// `read` through a route cache (runtime/route_cache.hpp): the same answer; while the map and
  /// the bindings do not change, repeated accesses to the bytes of one leaf skip the lookup.
  [[nodiscard]] read_result read(addr_t addr, unsigned size, route_cache& cache) const {
    detail::route& r = detail::route_access::of(cache);
    read_result v;
    if (routed(r, addr, size)) [[likely]]
      v = r.read(r.ctx, addr - r.origin, size);
    else
      v = route_read(addr, size, r);
    if constexpr (Options.stats) count(addr, false, v.status);
    return v;
  }
  /// `write` through a route cache, as `read` above.
  access_status write(addr_t addr, unsigned size, std::uint64_t value, route_cache& cache) {
    detail::route& r = detail::route_access::of(cache);
    access_status v;
    if (routed(r, addr, size)) [[likely]]
      v = r.write(r.ctx, addr - r.origin, size, value & detail::width_mask(size));
    else
      v = route_write(addr, size, value, r);
    if constexpr (Options.stats) count(addr, true, v);
    return v;
  }

  /// The counters of leaf `Path` (all zero unless `space_options::stats`).
  template <fixed_string Path>
  [[nodiscard]] access_counters counters() const noexcept {
    constexpr node_index i = checked_path<Path>();
    if constexpr (i == npos || !is_leaf(nodes_v<Tree>[i].kind))
      return {};
    else
      return counters_of_leaf(nodes_v<Tree>[i].leaf);
  }
  /// The counters of leaf node `leaf` (a node index), or of accesses that hit no leaf (npos).
  [[nodiscard]] access_counters counters_of(node_index leaf) const noexcept {
    return counters_of_leaf(leaf == npos ? static_cast<std::uint32_t>(leaf_count)
                                         : nodes_v<Tree>[leaf].leaf);
  }

 private:
  // The fast path: one bounds check, one bucket load, one tile load, the tile's policy check
  // and one indirect call. Written as early exits to a cold, out-of-line slow path, so that
  // g++ lays the fast path out as straight-line code (with the `if (…) [[likely]] {…}` form
  // it jumped out to the fast path and back).
  [[gnu::always_inline]] read_result dispatch_read(addr_t addr, unsigned size) const {
    if (addr > lookup_.root_last) [[unlikely]]
      return slow_read_cold(addr, size);
    const lookup_tile& t = lookup_.tiles[find(addr)];
    if constexpr (has_slots) {
      // In a slot window (where a VMM's device accesses are): the slots' fast path first.
      if (t.dyn != 0) return slot_read(t, addr, size);
    }
    if (!fast(t, addr, size)) [[unlikely]]
      return slow_read_cold(addr, size);
    const auto [ctx, fn] = thunk_of<false>(t.leaf);
    return fn(ctx, addr - t.origin, size);
  }

  [[gnu::always_inline]] access_status dispatch_write(addr_t addr, unsigned size,
                                                      std::uint64_t value) {
    if (addr > lookup_.root_last) [[unlikely]]
      return slow_write_cold(addr, size, value);
    const lookup_tile& t = lookup_.tiles[find(addr)];
    if constexpr (has_slots) {
      if (t.dyn != 0) return slot_write(t, addr, size, value);
    }
    if (!fast(t, addr, size)) [[unlikely]]
      return slow_write_cold(addr, size, value);
    const auto [ctx, fn] = thunk_of<true>(t.leaf);
    return fn(ctx, addr - t.origin, size, value & detail::width_mask(size));
  }

  /// An access inside a slot window (tile `t`): the leaf and offset from the slots' fast path
  /// and the leaf's thunk, all in one read section, then the call; the general path when the
  /// fast path does not take it. The section's results are locals of one iteration, so g++
  /// keeps them in registers.
  [[gnu::always_inline]] read_result slot_read(const lookup_tile& t, addr_t addr,
                                               unsigned size) const {
    for (;;) {
      const std::uint64_t s = published_.read_begin();
      addr_t off = 0;
      const std::uint32_t l = slot_leaf(t, addr, size, off);
      thunk<false> c{};
      if (l != no_id) c = load_thunk<false>(l);
      if (!published_.retry(s)) [[likely]] {
        if (l != no_id) [[likely]]
          return c.fn(c.ctx, off, size);
        return slow_read_cold(addr, size);
      }
    }
  }
  [[gnu::always_inline]] access_status slot_write(const lookup_tile& t, addr_t addr, unsigned size,
                                                  std::uint64_t value) {
    for (;;) {
      const std::uint64_t s = published_.read_begin();
      addr_t off = 0;
      const std::uint32_t l = slot_leaf(t, addr, size, off);
      thunk<true> c{};
      if (l != no_id) c = load_thunk<true>(l);
      if (!published_.retry(s)) [[likely]] {
        if (l != no_id) [[likely]]
          return c.fn(c.ctx, off, size, value & detail::width_mask(size));
        return slow_write_cold(addr, size, value);
      }
    }
  }

  /// Whether route `r` takes an access of `size` bytes at `addr`: found in this space under the
  /// sequence number in force now (nothing written since), the bytes inside it, and a size and
  /// alignment its leaf takes as they come. The sequence number is the access's one load of
  /// shared memory: the route's binding was read under it.
  [[gnu::always_inline]] bool routed(const detail::route& r, addr_t addr,
                                     unsigned size) const noexcept {
    return r.seq == published_.read_begin() && r.space == this && addr - r.lo <= r.last - r.lo &&
           r.last - addr >= size - 1 && size < 16 && ((r.fast_sizes >> size) & 1U) != 0 &&
           (addr & (size - 1) & r.align_check) == 0;
  }
  /// An access the route cache does not take: its route, if it has one, replaces the cached one
  /// and serves it; otherwise the ordinary dispatch (the cache keeps its route).
  [[gnu::noinline]] read_result route_read(addr_t addr, unsigned size, detail::route& r) const {
    if (find_route(addr, size, r)) return r.read(r.ctx, addr - r.origin, size);
    return dispatch_read(addr, size);
  }
  [[gnu::noinline]] access_status route_write(addr_t addr, unsigned size, std::uint64_t value,
                                              detail::route& r) {
    if (find_route(addr, size, r))
      return r.write(r.ctx, addr - r.origin, size, value & detail::width_mask(size));
    return dispatch_write(addr, size, value);
  }
  /// The route of an access the fast path takes — a static leaf's tile, or a range of a placed
  /// slot — found and its binding read in one read section, into `out`; false (and `out`
  /// untouched) for any other access, or static content under a slot window's cells.
  bool find_route(addr_t addr, unsigned size, detail::route& out) const noexcept {
    if (addr > lookup_.root_last) return false;
    const std::size_t i = find(addr);
    const lookup_tile& t = lookup_.tiles[i];
    for (;;) {
      const std::uint64_t s = published_.read_begin();
      detail::route r{};
      std::uint32_t l = no_id;
      if (t.dyn == 0) {
        if (fast(t, addr, size)) {
          l = t.leaf;
          r.lo = i == 0 ? 0 : lookup_.tiles[i - 1].last + 1;
          r.last = t.last;
          r.origin = t.origin;
          r.fast_sizes = t.fast_sizes;
          r.align_check = t.align_check;
        }
      } else if constexpr (has_slots) {
        addr_t off = 0;
        l = slot_leaf(t, addr, size, off, &r);
        if (r.lo > r.last) l = no_id;  // static content under the cells: no route
      }
      if (l != no_id) {
        const detail::binding b = load_binding(l);
        r.ctx = b.ctx;
        r.read = b.read;
        r.write = b.write;
      }
      if (!published_.retry(s)) {
        if (l == no_id) return false;
        r.space = this;
        r.seq = s;
        out = r;
        return true;
      }
    }
  }

  /// Inside a read section, the fast path in a slot window (tile `t`): the window's cells name
  /// the slot under `addr` in one load, the slot's own ranges (compile-time, slot-relative) the
  /// leaf. The leaf's number, and in `off` the offset into it; no_id when the access is not one
  /// unit of one range taken as it comes, or the window is not clean or not indexed: then the
  /// general path decides. With `route`, a slot's range found is also described there.
  [[gnu::always_inline]] std::uint32_t slot_leaf(const lookup_tile& t, addr_t addr, unsigned size,
                                                 addr_t& off,
                                                 detail::route* route = nullptr) const noexcept {
    if (t.dyn == 255 || size >= 16) return no_id;
    // With one window (a PCI MMIO window, a CXL window) its number is a constant, and so is
    // the shape of its cell index.
    const std::size_t w = slot_map<Tree>::appearance_count == 1 ? 0 : t.dyn - 1u;
    std::uint32_t slot = no_id;
    addr_t base = 0;
    if (!slots_.find_fast(w, addr, slot, base)) return no_id;
    if (slot != no_id) return in_slot(slot, base, addr, size, off, route);
    // Static content under the window's slots, if no slot's cell is under the access's last
    // byte either (cells are at least 8 bytes: an access of up to 8 bytes can hold no whole
    // cell).
    std::uint32_t slot2 = no_id;
    addr_t base2 = 0;
    if (!slots_.find_fast(w, addr + (size - 1), slot2, base2) || slot2 != no_id) return no_id;
    lookup_tile under = t;
    const lookup_tile& l = leaf_tiles_[t.leaf];
    under.fast_sizes = l.fast_sizes;
    under.align_check = l.align_check;
    if (!fast(under, addr, size)) return no_id;
    off = addr - t.origin;
    return t.leaf;
  }

  /// Inside slot `slot` placed at `base`: the leaf of the range of its own flat view holding
  /// the access, and the offset into it; no_id for a hole, a straddle or a size or alignment
  /// the leaf does not take as it comes. With `route`, the range is also described there.
  [[gnu::always_inline]] std::uint32_t in_slot(std::uint32_t slot, addr_t base, addr_t addr,
                                               unsigned size, addr_t& off,
                                               detail::route* route = nullptr) const noexcept {
    if constexpr (has_slots) {
      const slot_span& d = slot_spans_[slot];
      const addr_t o = addr - base;
      if (o >= d.size || d.size - o < size) return no_id;
      const slot_unit* r = slot_units_.data() + d.first;
      const slot_unit* const e = r + d.count;
      for (; r != e && r->last < o; ++r) {
      }
      if (r == e || r->lo > o || r->last - o < size - 1) return no_id;  // a hole, or straddles
      if (((r->fast_sizes >> size) & 1U) == 0 || (addr & (size - 1) & r->align_check) != 0)
        return no_id;
      off = r->offset + (o - r->lo);
      if (route != nullptr) {
        route->lo = base + r->lo;
        route->last = base + r->last;
        route->origin = base + r->lo - r->offset;
        route->fast_sizes = r->fast_sizes;
        route->align_check = r->align_check;
      }
      return r->leaf;
    } else {
      (void)slot, (void)base, (void)addr, (void)size, (void)off, (void)route;
      return no_id;
    }
  }

  /// What a call needs of a leaf's binding: its context and its read (`Write` false) or write
  /// thunk. Two words, returned in registers.
  template <bool Write>
  struct thunk {
    void* ctx;
    std::conditional_t<Write, detail::binding::write_fn, detail::binding::read_fn> fn;
  };
  /// Leaf `leaf`'s context and thunk, read in one section of the sequence lock: never half of
  /// one binding and half of the next, whatever a concurrent rebind does.
  template <bool Write>
  [[gnu::always_inline]] thunk<Write> thunk_of(std::uint32_t leaf) const noexcept {
    for (;;) {
      const std::uint64_t s = published_.read_begin();
      const thunk<Write> t = load_thunk<Write>(leaf);
      if (!published_.retry(s)) [[likely]]
        return t;
    }
  }
  /// The same inside a read section.
  template <bool Write>
  [[gnu::always_inline]] thunk<Write> load_thunk(std::uint32_t leaf) const noexcept {
    const detail::binding& w = bindings_[leaf];
    if constexpr (Write)
      return {detail::seqlock::load(w.ctx), detail::seqlock::load(w.write)};
    else
      return {detail::seqlock::load(w.ctx), detail::seqlock::load(w.read)};
  }
  /// The binding's words, inside a read section.
  detail::binding load_binding(std::uint32_t leaf) const noexcept {
    const detail::binding& w = bindings_[leaf];
    return {detail::seqlock::load(w.ctx), detail::seqlock::load(w.read),
            detail::seqlock::load(w.write), detail::seqlock::load(w.bound)};
  }

  [[gnu::cold, gnu::noinline]] read_result slow_read_cold(addr_t addr, unsigned size) const {
    return slow_read(addr, size);
  }
  [[gnu::cold, gnu::noinline]] access_status slow_write_cold(addr_t addr, unsigned size,
                                                             std::uint64_t value) {
    return slow_write(addr, size, value);
  }

  struct counter {
    std::atomic<std::uint64_t> reads{0}, writes{0}, errors{0};
  };
  void count(addr_t addr, bool write, access_status s) const noexcept {
    const std::uint32_t l = addr <= lookup_.root_last ? locked_tile_at(addr).leaf
                                                      : static_cast<std::uint32_t>(leaf_count);
    counter& c = counters_[l];
    (write ? c.writes : c.reads).fetch_add(1, std::memory_order_relaxed);
    if (s != access_status::ok) c.errors.fetch_add(1, std::memory_order_relaxed);
  }
  access_counters counters_of_leaf(std::uint32_t l) const noexcept {
    if constexpr (!Options.stats) {
      (void)l;
      return {};
    } else {
      const counter& c = counters_[l];
      return {c.reads.load(std::memory_order_relaxed), c.writes.load(std::memory_order_relaxed),
              c.errors.load(std::memory_order_relaxed)};
    }
  }

 public:
  /// The leaf (node index) that decodes `addr`, or npos for a hole / outside the root.
  [[nodiscard]] node_index leaf_at(addr_t addr) const noexcept {
    if (addr > lookup_.root_last) return npos;
    const std::uint32_t l = locked_tile_at(addr).leaf;
    return l == static_cast<std::uint32_t>(leaf_count) ? npos : leaf_nodes_[l];
  }

  // ---- slots, transactions, listeners -----------------------------------------------------

  static constexpr std::size_t num_slots = slot_tables_v<Tree>.slots.size();
  static constexpr bool has_slots = num_slots != 0;

  /// The id of slot `Path` (a compile error if `Path` names no slot).
  template <fixed_string Path>
  [[nodiscard]] static consteval slot_id slot_of() {
    return static_cast<slot_id>(slot_index<Path>());
  }

  /// A handle on slot `Path`, for a device that moves it (see runtime/slot_handle.hpp).
  template <fixed_string Path>
  [[nodiscard]] slot_handle slot() noexcept {
    return slot_handle(*this, slot_of<Path>());
  }
  /// A handle on slot `Path` that also binds its leaves by paths inside `Region`; `Region` must
  /// be the region declared at `Path` (same shape: checked at compile time).
  template <region Region, fixed_string Path>
  [[nodiscard]] slot_ref<Region> slot() noexcept {
    constexpr std::uint32_t s = slot_index<Path>();
    if constexpr (s < num_slots && shape_hash(nodes_v<Tree>, slot_tables_v<Tree>.slots[s].node) !=
                                       shape_hash(nodes_v<Region>))
      (void)&diag::emit<diag::slot_region_differs_from_the_handle_type<Path>>;
    return slot_ref<Region>::of(*this, static_cast<slot_id>(s));
  }

  /// The number of elements of the slot array at `Path` (declared `slot_array<Region, N>` in
  /// its window, so its elements are the slots `Path[0]` ... `Path[N - 1]`); a compile error if
  /// none is declared there.
  template <fixed_string Path>
  [[nodiscard]] static consteval std::size_t slot_array_size() {
    constexpr node_index i = detail::path_index_v<Tree, detail::element0_path<Path>>;
    if constexpr (i == npos) {
      (void)&diag::emit<diag::path_names_no_slot_array<Path>>;
      return 0;
    } else {
      constexpr std::string_view p = Path.view();
      return slot_array_extent(nodes_v<Tree>, i, p.substr(p.rfind('/') + 1));
    }
  }

  /// The id of element `k` of the slot array at `Path`, found at run time (a device of an
  /// array of devices); slot_id::none when `k` is past the array's end. The elements' ids are
  /// consecutive.
  template <fixed_string Path>
  [[nodiscard]] static constexpr slot_id slot_of(std::size_t k) noexcept {
    constexpr std::size_t n = slot_array_size<Path>();
    if constexpr (n == 0) {
      (void)k;
      return slot_id::none;
    } else {
      constexpr std::uint32_t first = slot_index<detail::element0_path<Path>>();
      return k < n ? static_cast<slot_id>(first + k) : slot_id::none;
    }
  }

  /// A handle on element `k` of the slot array at `Path` that binds leaves by paths inside
  /// `Region` (the array's region type, checked at compile time); empty past the array's end.
  template <region Region, fixed_string Path>
  [[nodiscard]] slot_ref<Region> slot(std::size_t k) noexcept {
    constexpr std::size_t n = slot_array_size<Path>();
    if constexpr (n != 0) {
      constexpr std::uint32_t s = slot_index<detail::element0_path<Path>>();
      if constexpr (shape_hash(nodes_v<Tree>, slot_tables_v<Tree>.slots[s].node) !=
                    shape_hash(nodes_v<Region>))
        (void)&diag::emit<diag::slot_region_differs_from_the_handle_type<Path>>;
    }
    return slot_ref<Region>::of(*this, slot_of<Path>(k));
  }

  /// A transaction on this space that also takes slots by path:
  /// `as.transaction().place<"pci/bar0">(0xfe00'0000).disable<"pci/bar2">().commit()`.
  class typed_transaction : public mmiotree::transaction {
    using base = mmiotree::transaction;

   public:
    explicit typed_transaction(address_space& as) noexcept : base(as) {}
    // The untyped forms (a slot_id or a slot_handle), returning this type so that chains go on.
    template <class Slot>
    typed_transaction& place(const Slot& s, addr_t gpa) noexcept {
      base::place(s, gpa);
      return *this;
    }
    template <class Slot>
    typed_transaction& place_in_window(const Slot& s, addr_t offset) noexcept {
      base::place_in_window(s, offset);
      return *this;
    }
    template <class Slot>
    typed_transaction& enable(const Slot& s, bool on = true) noexcept {
      base::enable(s, on);
      return *this;
    }
    template <class Slot>
    typed_transaction& disable(const Slot& s) noexcept {
      base::disable(s);
      return *this;
    }
    template <fixed_string Path>
    typed_transaction& place(addr_t gpa) noexcept {
      base::place(slot_of<Path>(), gpa);
      return *this;
    }
    template <fixed_string Path>
    typed_transaction& place_in_window(addr_t offset) noexcept {
      base::place_in_window(slot_of<Path>(), offset);
      return *this;
    }
    template <fixed_string Path>
    typed_transaction& enable(bool on = true) noexcept {
      base::enable(slot_of<Path>(), on);
      return *this;
    }
    template <fixed_string Path>
    typed_transaction& disable() noexcept {
      base::disable(slot_of<Path>());
      return *this;
    }
  };

  /// The space's state now — slot placements, bindings, the flat view — taken under the
  /// writer lock (so not from a listener, which runs with it held). Allocates.
  [[nodiscard]] live_map live() const {
    std::lock_guard<std::mutex> writer(writer_);
    live_map m;
    m.view = whole_view();
    for (std::uint32_t s = 0; s < num_slots; ++s) {
      m.slot_nodes.push_back(slot_node(static_cast<slot_id>(s)));
      m.slots.push_back(placement(static_cast<slot_id>(s)));
    }
    m.bound.resize(leaf_count);
    for (std::size_t l = 0; l < leaf_count; ++l) m.bound[l] = bindings_[l].bound;
    return m;
  }

  /// Opens a transaction (collecting changes takes no lock; `commit` serialises).
  [[nodiscard]] typed_transaction transaction() noexcept { return typed_transaction(*this); }

  /// Where slot `Path` is (guest-physical base, enabled).
  template <fixed_string Path>
  [[nodiscard]] slot_placement placement() const noexcept {
    return placement(slot_of<Path>());
  }

  // dynamic_space

  commit_result commit(std::span<const slot_op> ops) override {
    std::lock_guard<std::mutex> writer(writer_);
    return commit_locked(ops);
  }
  [[nodiscard]] std::size_t slot_count() const noexcept override { return num_slots; }
  [[nodiscard]] slot_placement placement(slot_id s) const noexcept override {
    if constexpr (has_slots) {
      if (index_of(s) >= num_slots) return {};
      const window_placement p = slots_.placement(index_of(s));
      return {window_lo(index_of(s)) + p.base, p.enabled, placed_[index_of(s)]};
    } else {
      (void)s;
      return {};
    }
  }
  [[nodiscard]] window_extent window(slot_id s) const noexcept override {
    if constexpr (has_slots) {
      if (index_of(s) >= num_slots) return {};
      const std::uint32_t w = slot_tables_v<Tree>.slots[index_of(s)].window_index;
      const addr_t h = slot_map<Tree>::home(w);
      return {h, h + (slot_tables_v<Tree>.windows[w].size - 1)};
    } else {
      (void)s;
      return {};
    }
  }
  [[nodiscard]] node_index slot_node(slot_id s) const noexcept override {
    if constexpr (has_slots) {
      return index_of(s) < num_slots ? slot_tables_v<Tree>.slots[index_of(s)].node : npos;
    } else {
      (void)s;
      return npos;
    }
  }
  [[nodiscard]] addr_t slot_size(slot_id s) const noexcept override {
    if constexpr (has_slots) {
      return index_of(s) < num_slots ? slot_tables_v<Tree>.slots[index_of(s)].size : 0;
    } else {
      (void)s;
      return 0;
    }
  }
  [[nodiscard]] leaf_id slot_first_leaf(slot_id s) const noexcept override {
    return index_of(s) < num_slots ? static_cast<leaf_id>(slot_leaves_[index_of(s)].first)
                                   : leaf_id::none;
  }
  [[nodiscard]] std::uint32_t slot_leaf_count(slot_id s) const noexcept override {
    return index_of(s) < num_slots ? slot_leaves_[index_of(s)].second : 0;
  }
  /// Computed when asked (a handle made at run time), in time linear in the slot's nodes: a
  /// table of every slot's shape made at compile time cost more than a second of compile time
  /// for a 1,024-element slot array.
  [[nodiscard]] std::uint64_t shape(slot_id s) const noexcept override {
    if constexpr (has_slots) {
      if (index_of(s) < num_slots)
        return shape_hash(nodes, slot_tables_v<Tree>.slots[index_of(s)].node);
    }
    return 0;
  }
  bind_status bind_memory(leaf_id l, std::span<std::byte> host, mem_attrs attrs) override {
    const std::uint32_t leaf = index_of(l);
    if (leaf >= leaf_count || nodes_v<Tree>[leaf_nodes_[leaf]].kind != region_kind::passthrough)
      return bind_status::not_a_slot_leaf;
    if (host.data() == nullptr) return bind_status::null_host_memory;
    if (host.size() < nodes_v<Tree>[leaf_nodes_[leaf]].size)
      return bind_status::host_memory_too_small;
    rebind(leaf, {host.data(), &detail::passthrough_read, &detail::passthrough_write, true}, attrs,
           {});
    return bind_status::ok;
  }
  bind_status bind_handler(leaf_id l, const detail::binding& b,
                           const detail::state_ops& ops) override {
    const std::uint32_t leaf = index_of(l);
    if (leaf >= leaf_count) return bind_status::not_a_handler_leaf;
    const region_kind k = nodes_v<Tree>[leaf_nodes_[leaf]].kind;
    if (k != region_kind::io && k != region_kind::regs) return bind_status::not_a_handler_leaf;
    rebind(leaf, b, {}, ops);
    return bind_status::ok;
  }
  void unbind(leaf_id l) override {
    const std::uint32_t leaf = index_of(l);
    if (leaf >= leaf_count || !takes_binding(nodes_v<Tree>[leaf_nodes_[leaf]].kind)) return;
    rebind(leaf, initial_binding_of(leaf), {}, {});
  }

  /// Registers `l` (see dynamic_space::add_listener): it is told the current map at once.
  listener_registration add_listener(map_listener& l, listener_options o = {}) override {
    std::lock_guard<std::mutex> writer(writer_);
    events_of(whole_view(), events_after_);
    return listeners_.add(l, o, events_after_, top);
  }

  // ---- snapshot and restore ------------------------------------------------------------

  /// Format version of `save`; `restore` reads exactly this version (runtime/snapshot.hpp).
  static constexpr std::uint32_t snapshot_version = detail::snapshot_format::version;

  /// A hash of everything the layout declares — every node (names, kinds, sizes, offsets,
  /// priorities, policies, slot parameters, register blocks' registers and fields) and the
  /// flat view. A snapshot restores only into a tree with the same fingerprint.
  static constexpr std::uint64_t fingerprint = [] {
    detail::fnv1a f;
    for (const node& n : nodes_v<Tree>) detail::hash_node(f, n, 0, false);
    for (const flat_range& r : flat_view_v<Tree>) {
      f.u64(r.lo);
      f.u64(r.last);
      f.u64(r.leaf);
      f.u64(r.offset);
    }
    return f.h;
  }();

  /// Bytes `save` writes now: a header, every slot's placement, a section for each leaf bound
  /// to a `stateful_handler` (register files) and for each attached state, and a checksum
  /// (runtime/snapshot.hpp).
  [[nodiscard]] std::size_t snapshot_size() const noexcept {
    namespace snap = detail::snapshot_format;
    std::size_t n = snap::header_bytes + snap::slot_bytes * num_slots + snap::trailer_bytes;
    for (std::size_t l = 0; l < leaf_count; ++l)
      if (state_ops_[l].size)
        n += snap::section_header_bytes + snap::pad8(state_ops_[l].size(bindings_[l].ctx));
    for (const detail::attached_state& a : attached_)
      n += snap::section_header_bytes + snap::pad8(a.ops.size(a.handler));
    return n;
  }

  /// Writes the snapshot to `out`, which must be exactly `snapshot_size()` bytes long;
  /// returns false (writing nothing) otherwise.
  bool save(std::span<std::byte> out) const noexcept {
    namespace snap = detail::snapshot_format;
    if (out.size() != snapshot_size()) return false;
    std::fill(out.begin(), out.end(), std::byte{0});
    snap::writer w{out};
    std::uint32_t sections = 0;
    for (std::size_t l = 0; l < leaf_count; ++l) sections += state_ops_[l].size != nullptr;
    sections += static_cast<std::uint32_t>(attached_.size());
    for (char c : snap::magic) w.put(static_cast<std::uint8_t>(c), 1);
    w.put(snap::version, 4);
    w.put(sections, 4);
    w.put(fingerprint, 8);
    w.put(out.size(), 8);
    for (std::uint32_t s = 0; s < num_slots; ++s) {
      const window_placement p = window_placement_of(s);
      w.put(p.base, 8);
      w.put(snap::slot_flags(p.enabled, placed_[s]), 8);
    }
    for (std::uint32_t l = 0; l < leaf_count; ++l) {
      if (!state_ops_[l].size) continue;
      const std::size_t len = state_ops_[l].size(bindings_[l].ctx);
      w.put(l, 4);
      w.put(len, 4);
      state_ops_[l].save(bindings_[l].ctx, out.subspan(w.at, len));
      w.at += snap::pad8(len);
    }
    for (const detail::attached_state& a : attached_) {
      const std::size_t len = a.ops.size(a.handler);
      w.put(snap::attached_bit | a.key, 4);
      w.put(len, 4);
      a.ops.save(a.handler, out.subspan(w.at, len));
      w.at += snap::pad8(len);
    }
    w.put(snap::checksum(out.first(w.at)), 8);
    return true;
  }

  /// The snapshot as a new byte vector (allocates; not for the dispatch path).
  [[nodiscard]] std::vector<std::byte> save() const {
    std::vector<std::byte> v(snapshot_size());
    save(v);
    return v;
  }

  /// Restores slot placements and handler state from `blob`. Everything is validated first —
  /// header, version, layout fingerprint, length, checksum, every slot placement (as a commit
  /// would be), every section (by its handler), and then every registered `restore_check`
  /// against the whole restored state — and only then applied; on any error nothing changes
  /// and no listener is called. Registered listeners hear the map change; the checks are told
  /// `restored()` last.
  restore_status restore(std::span<const std::byte> blob) {
    namespace snap = detail::snapshot_format;
    std::lock_guard<std::mutex> writer(writer_);
    snap::reader r{blob};
    if (blob.size() < snap::header_bytes + snap::trailer_bytes) return restore_status::truncated;
    for (char c : snap::magic)
      if (r.get(1) != static_cast<std::uint8_t>(c)) return restore_status::bad_magic;
    if (r.get(4) != snap::version) return restore_status::unsupported_version;
    const std::uint64_t sections = r.get(4);
    if (r.get(8) != fingerprint) return restore_status::wrong_layout;
    if (r.get(8) != blob.size()) return restore_status::truncated;
    const std::size_t body_end = blob.size() - snap::trailer_bytes;
    if (snap::checksum(blob.first(body_end)) != snap::stored_checksum(blob))
      return restore_status::corrupt;
    if (body_end - r.at < snap::slot_bytes * num_slots) return restore_status::truncated;
    proposal p{*this, blob};
    for (std::uint32_t s = 0; s < num_slots; ++s) {
      const addr_t base = r.get(8);
      bool enabled = false;
      if (!snap::read_slot_flags(r.get(8), enabled, p.placed[s])) return restore_status::bad_slot;
      p.want[s] = {base, enabled};
      if (!(p.want[s] == window_placement_of(s))) p.changes[p.nchanges++] = {s, p.want[s]};
    }
    if constexpr (has_slots)
      if (!slots_.check(std::span(p.changes.data(), p.nchanges)).ok())
        return restore_status::bad_slot;
    for (std::uint64_t k = 0; k < sections; ++k) {
      if (body_end - r.at < snap::section_header_bytes) return restore_status::truncated;
      const std::uint64_t id = r.get(4), len = r.get(4);
      // A leaf bound to a stateful handler, or a state attached under a key: each seen once.
      void* ctx = nullptr;
      const detail::state_ops* ops = nullptr;
      char* seen = nullptr;
      std::pair<std::size_t, std::size_t>* found = nullptr;
      if (id < leaf_count && state_ops_[id].size) {
        ctx = bindings_[id].ctx;
        ops = &state_ops_[id];
        seen = &p.leaf_seen[id];
        found = &p.leaf_found[id];
      } else if (const std::size_t a = attached_index(id); a < attached_.size()) {
        ctx = attached_[a].handler;
        ops = &attached_[a].ops;
        seen = &p.attached_seen[a];
        found = &p.attached_found[a];
      }
      if (ops == nullptr || *seen) return restore_status::bad_section;
      if (len != ops->size(ctx) || body_end - r.at < snap::pad8(len))
        return restore_status::bad_section;
      if (!ops->validate(ctx, blob.subspan(r.at, len))) return restore_status::state_rejected;
      *seen = 1;
      *found = {r.at, len};
      r.at += snap::pad8(len);
    }
    if (r.at != body_end) return restore_status::truncated;
    for (std::size_t l = 0; l < leaf_count; ++l)
      if (state_ops_[l].size && !p.leaf_seen[l]) return restore_status::missing_section;
    for (std::size_t a = 0; a < attached_.size(); ++a)
      if (!p.attached_seen[a]) return restore_status::missing_section;
    for (const restore_check* c : checks_)
      if (!c->consistent(p)) return restore_status::inconsistent;
    // Everything checked: apply.
    if constexpr (has_slots) {
      auto set_placed = [&] { std::copy_n(p.placed.begin(), num_slots, placed_.begin()); };
      if (p.nchanges != 0)
        (void)apply_changes(std::span(p.changes.data(), p.nchanges), set_placed);
      else
        set_placed();
    }
    for (std::size_t l = 0; l < leaf_count; ++l)
      if (p.leaf_seen[l])
        state_ops_[l].restore(bindings_[l].ctx,
                              blob.subspan(p.leaf_found[l].first, p.leaf_found[l].second));
    for (std::size_t a = 0; a < attached_.size(); ++a)
      attached_[a].ops.restore(attached_[a].handler,
                               blob.subspan(p.attached_found[a].first, p.attached_found[a].second));
    for (restore_check* c : checks_) c->restored();
    return restore_status::ok;
  }

 private:
  template <fixed_string Path>
  static consteval std::uint32_t slot_index() {
    constexpr node_index i = checked_path<Path>();
    constexpr std::uint32_t s = [] {
      for (std::uint32_t k = 0; k < num_slots; ++k)
        if (slot_tables_v<Tree>.slots[k].node == detail::path_index_v<Tree, Path>) return k;
      return std::uint32_t{0xFFFFFFFF};
    }();
    // (A tree that breaks a layout rule has no slot tables; its one error is reported.)
    if constexpr (i != npos && s == 0xFFFFFFFF && detail::verdict_of<Tree>::value)
      (void)&diag::emit<diag::path_names_no_slot<Path>>;
    return s == 0xFFFFFFFF ? 0 : s;
  }

  /// What a blob being restored says, as `restore` decodes it: the slots' placements (and the
  /// changes from now), the sections found — and the view the restore checks get.
  struct proposal final : restore_view {
    proposal(address_space& as, std::span<const std::byte> b)
        : space(as),
          blob(b),
          attached_seen(as.attached_.size()),
          attached_found(as.attached_.size()) {}
    address_space& space;  // slot_map::check uses the map's scratch space
    std::span<const std::byte> blob;
    std::array<window_placement, num_slots + 1> want{};
    std::array<bool, num_slots + 1> placed{};
    std::array<typename slot_map<Tree>::change, num_slots + 1> changes{};
    std::size_t nchanges = 0;
    std::array<char, leaf_count + 1> leaf_seen{};
    std::array<std::pair<std::size_t, std::size_t>, leaf_count + 1> leaf_found{};  // at, length
    std::vector<char> attached_seen;
    std::vector<std::pair<std::size_t, std::size_t>> attached_found;

    [[nodiscard]] slot_placement placement(slot_id s) const noexcept override {
      const std::uint32_t k = index_of(s);
      if (k >= num_slots) return {};
      return {window_lo(k) + want[k].base, want[k].enabled, placed[k] != 0};
    }
    [[nodiscard]] bool can_place(slot_id s, addr_t gpa) const noexcept override {
      if constexpr (has_slots) {
        const std::uint32_t k = index_of(s);
        if (k >= num_slots || gpa < window_lo(k)) return false;
        std::array<typename slot_map<Tree>::change, num_slots + 1> c = changes;
        std::size_t n = nchanges, at = 0;
        while (at < n && c[at].first != k) ++at;
        if (at == n) ++n;
        c[at] = {k, window_placement{gpa - window_lo(k), true}};
        return space.slots_.check(std::span(c.data(), n)).ok();
      } else {
        (void)s;
        (void)gpa;
        return false;
      }
    }
    [[nodiscard]] std::optional<std::span<const std::byte>> state_of(
        const void* handler) const noexcept override {
      for (std::size_t l = 0; l < leaf_count; ++l)
        if (leaf_seen[l] && space.bindings_[l].ctx == handler)
          return blob.subspan(leaf_found[l].first, leaf_found[l].second);
      for (std::size_t a = 0; a < attached_found.size(); ++a)
        if (attached_seen[a] && space.attached_[a].handler == handler)
          return blob.subspan(attached_found[a].first, attached_found[a].second);
      return std::nullopt;
    }
  };

  window_placement window_placement_of(std::uint32_t s) const noexcept {
    if constexpr (has_slots) return slots_.placement(s);
    (void)s;
    return {};
  }

  /// The last address of the space (page spans are clamped there).
  static constexpr addr_t top = nodes_v<Tree>[0].size - 1;
  static constexpr addr_t window_lo(std::uint32_t s) noexcept {
    return slot_map<Tree>::home(slot_tables_v<Tree>.slots[s].window_index);
  }

  static bool mergeable(node_index leaf) noexcept { return !nodes_v<Tree>[leaf].keep_separate; }

  /// The exact event of flat range `r`, with the binding `b` / attributes `a` of its leaf.
  map_event event_with(const flat_range& r, const detail::binding& b,
                       const mem_attrs& a) const noexcept {
    const node& n = nodes_v<Tree>[r.leaf];
    map_event e{r.lo, r.last, r.leaf, n.kind, r.offset, nullptr, {}};
    if (n.kind == region_kind::passthrough) {
      if (b.bound) e.host = static_cast<std::byte*>(b.ctx) + r.offset;
      e.attrs = a;
    }
    return e;
  }
  map_event event_of(const flat_range& r) const noexcept {
    return event_with(r, bindings_[nodes_v<Tree>[r.leaf].leaf], attrs_[nodes_v<Tree>[r.leaf].leaf]);
  }

  /// The commit behind `dynamic_space::commit`, with the writer lock held: ops → placements.
  commit_result commit_locked(std::span<const slot_op> ops) {
    if constexpr (!has_slots) {
      if (ops.empty()) return {};
      return {commit_error::no_such_slot, npos, npos, index_of(ops[0].slot), index_of(ops[0].slot)};
    } else {
      std::array<typename slot_map<Tree>::change, mmiotree::transaction::capacity> changes;
      std::array<bool, mmiotree::transaction::capacity> placing{};  // changes[k] places its slot
      std::size_t n = 0;
      if (ops.size() > changes.size())
        return {commit_error::too_many_changes, npos, npos, ops.size(), ops.size()};
      for (const slot_op& op : ops) {
        const std::uint32_t s = index_of(op.slot);
        if (s >= num_slots) return {commit_error::no_such_slot, npos, npos, s, s};
        std::size_t k = 0;
        while (k < n && changes[k].first != s) ++k;
        if (k == n) changes[n++] = {s, slots_.placement(s)};
        window_placement& p = changes[k].second;
        const slot_desc& d = slot_tables_v<Tree>.slots[s];
        const addr_t wlo = window_lo(s);
        switch (op.op) {
          case slot_op::kind::place:
            // Below the window: refused as outside it, named at the address asked for.
            if (op.addr < wlo)
              return {commit_error::slot_outside_window, d.node, npos, op.addr,
                      op.addr + (d.size - 1)};
            p = {op.addr - wlo, true};
            placing[k] = true;
            break;
          case slot_op::kind::place_in_window:
            p = {op.addr, true};
            placing[k] = true;
            break;
          case slot_op::kind::enable:
            p.enabled = true;
            placing[k] = true;
            break;
          case slot_op::kind::disable: p.enabled = false; break;
        }
      }
      return apply_changes(std::span<const typename slot_map<Tree>::change>(changes.data(), n),
                           [&] {
                             for (std::size_t k = 0; k < n; ++k)
                               if (placing[k]) placed_[changes[k].first] = true;
                           });
    }
  }

  /// Commits window placements and tells every listener (writer lock held).
  /// `applied` runs once the map has changed, before the listeners hear of it.
  template <class Applied>
  commit_result apply_changes(std::span<const typename slot_map<Tree>::change> changes,
                              Applied&& applied) {
    if constexpr (!has_slots) {
      (void)changes;
      (void)applied;
      return {};
    } else {
      const commit_result r = slots_.commit(
          changes, listeners_.largest_page(), [](node_index leaf) { return mergeable(leaf); },
          published_);
      if (!r.ok()) return r;
      applied();
      if (!listeners_.empty()) {
        const auto v = slots_.views();
        events_of(v.before, events_before_);
        events_of(v.after, events_after_);
        listeners_.tell_all(events_before_, events_after_, top);
      }
      return r;
    }
  }

  /// The whole current view, exact and merged as listeners get it.
  std::vector<flat_range> whole_view() const {
    std::vector<flat_range> v;
    if constexpr (has_slots) {
      slots_.for_each_range([&](const flat_range& r) { v.push_back(r); },
                            [](node_index leaf) { return mergeable(leaf); });
    } else {
      v.assign(flat_view_v<Tree>.begin(), flat_view_v<Tree>.end());
    }
    return v;
  }

  /// Stores leaf `leaf`'s binding for readers (writer lock held).
  void publish_binding(std::uint32_t leaf, const detail::binding& b) noexcept {
    detail::binding& w = bindings_[leaf];
    published_.write_begin();
    detail::seqlock::store(w.ctx, b.ctx);
    detail::seqlock::store(w.read, b.read);
    detail::seqlock::store(w.write, b.write);
    detail::seqlock::store(w.bound, b.bound);
    published_.write_end();
  }

  /// Changes leaf `leaf`'s binding (and passthrough attributes, snapshot operations), telling
  /// the listeners where the leaf is visible: its host pointer or attributes change there.
  void rebind(std::uint32_t leaf, const detail::binding& b, const mem_attrs& attrs,
              const detail::state_ops& ops) {
    std::lock_guard<std::mutex> writer(writer_);
    const bool passthrough = nodes_v<Tree>[leaf_nodes_[leaf]].kind == region_kind::passthrough;
    if (!passthrough || listeners_.empty()) {
      publish_binding(leaf, b);
      attrs_[leaf] = attrs;
      state_ops_[leaf] = ops;
      return;
    }
    const std::vector<flat_range> v = whole_view();
    const detail::binding old_b = bindings_[leaf];
    const mem_attrs old_a = attrs_[leaf];
    publish_binding(leaf, b);
    attrs_[leaf] = attrs;
    state_ops_[leaf] = ops;
    const node_index node = leaf_nodes_[leaf];
    events_before_.clear();
    for (const flat_range& f : v)
      events_before_.push_back(f.leaf == node ? event_with(f, old_b, old_a) : event_of(f));
    events_of(v, events_after_);
    listeners_.tell_rebind(events_before_, events_after_, node, top);
  }

  /// The exact events of `ranges` (as listeners hear them), into `out`: one of the writer's
  /// buffers, reused so that a commit allocates nothing once they have grown.
  void events_of(std::span<const flat_range> ranges, std::vector<map_event>& out) const {
    out.clear();
    for (const flat_range& f : ranges) out.push_back(event_of(f));
  }

  /// What the slot fast path reads, packed: each slot's size and ranges, and each range of a
  /// slot's own flat view (slot-relative) with its leaf's policy bits, so that finding the
  /// leaf under an address in a placed slot touches one or two cache lines.
  struct slot_span {
    addr_t size = 0;
    std::uint32_t first = 0, count = 0;
  };
  struct slot_unit {
    addr_t lo = 0, last = 0, offset = 0;
    std::uint32_t leaf = 0;
    std::uint16_t fast_sizes = 0;
    std::uint8_t align_check = 0;
  };
  static constexpr auto slot_spans_ = [] {
    std::array<slot_span, num_slots + 1> a{};
    for (std::size_t k = 0; k < num_slots; ++k) {
      const slot_desc& d = slot_tables_v<Tree>.slots[k];
      a[k] = {d.size, d.first_range, d.range_count};
    }
    return a;
  }();

  /// Per-leaf fast sizes and alignment check (a tile for a leaf found in the slot overlay).
  static constexpr auto leaf_tiles_ = [] {
    std::array<lookup_tile, leaf_count + 1> a{};
    for (const node& n : nodes_v<Tree>)
      if (is_leaf(n.kind)) a[n.leaf] = detail::leaf_tile(n, 0, 0);
    a[leaf_count] = detail::hole_tile(0, static_cast<std::uint32_t>(leaf_count));
    return a;
  }();
  static constexpr auto slot_units_ = [] {
    constexpr auto& ranges = slot_tables_v<Tree>.ranges;
    std::array<slot_unit, ranges.size() + 1> a{};
    for (std::size_t k = 0; k < ranges.size(); ++k) {
      const flat_range& r = ranges[k];
      const lookup_tile& l = leaf_tiles_[nodes_v<Tree>[r.leaf].leaf];
      a[k] = {r.lo, r.last, r.offset, l.leaf, l.fast_sizes, l.align_check};
    }
    return a;
  }();

  /// `tile_at` in a read section of its own.
  lookup_tile locked_tile_at(addr_t addr) const noexcept {
    for (;;) {
      const std::uint64_t s = published_.read_begin();
      const lookup_tile t = tile_at(addr);
      if (!published_.retry(s)) return t;
    }
  }

  /// The tile in force at `addr` (<= root_last): the static one, or in a slot window the
  /// overlay range covering it, or the static one clipped to the next overlay range. Inside a
  /// read section (the caller retries).
  lookup_tile tile_at(addr_t addr) const noexcept {
    lookup_tile t = lookup_.tiles[find(addr)];
    if constexpr (has_slots) {
      if (t.dyn) {
        flat_range r{};
        addr_t next = 0;
        if (slots_.find(addr, r, next)) {
          // Torn by an overlapping commit (the section will retry): keep every index in
          // bounds and the tile covering addr.
          if (r.leaf >= nodes_v<Tree>.size() || !is_leaf(nodes_v<Tree>[r.leaf].kind) ||
              r.lo > addr || r.last < addr)
            return hole_tile(addr);
          lookup_tile o = leaf_tiles_[nodes_v<Tree>[r.leaf].leaf];
          o.last = r.last;
          o.origin = r.lo - r.offset;
          return o;
        }
        if (next <= addr) return hole_tile(addr);  // torn
        const lookup_tile& l = leaf_tiles_[t.leaf];
        t.fast_sizes = l.fast_sizes;
        t.align_check = l.align_check;
        t.dyn = 0;
        if (next - 1 < t.last) t.last = next - 1;
      }
    }
    return t;
  }

  /// A one-byte hole at `addr`: what a torn lookup returns (its section retries).
  static lookup_tile hole_tile(addr_t addr) noexcept {
    lookup_tile t = leaf_tiles_[leaf_count];
    t.last = addr;
    t.origin = addr;
    return t;
  }

  static constexpr const auto& lookup_ = lookup_v<Tree>;

  /// Node index of each leaf number.
  static constexpr auto leaf_nodes_ = [] {
    std::array<node_index, leaf_count + 1> a{};
    for (node_index i = 0; i < nodes_v<Tree>.size(); ++i)
      if (is_leaf(nodes_v<Tree>[i].kind)) a[nodes_v<Tree>[i].leaf] = i;
    a[leaf_count] = npos;
    return a;
  }();

  template <fixed_string Path>
  static consteval node_index checked_path() {
    // (Not through node_index_v: one level less in the diagnostic's "required from" chain.)
    constexpr node_index i = detail::path_index_v<Tree, Path>;
    if constexpr (i == npos) (void)&diag::emit<diag::no_region_at_path<Path>>;
    return i;
  }

  template <node_index I, class H>
  bind_status bind_handler(H& handler) noexcept {
    rebind(nodes_v<Tree>[I].leaf, detail::handler_binding<nodes_v<Tree>[I].access>(handler), {},
           detail::state_ops_of<H>());
    return bind_status::ok;
  }

  /// Each leaf's error value (all ones for holes, the last entry), pointed to by the `ctx` of
  /// the unbound, stub and hole thunks.
  static constexpr auto error_reads_ = [] {
    std::array<std::uint64_t, leaf_count + 1> a{};
    const node* const nd = nodes_v<Tree>.data();
    for (std::size_t i = 0; i < nodes_v<Tree>.size(); ++i)
      if (is_leaf(nd[i].kind)) a.data()[nd[i].leaf] = nd[i].access.error_read;
    a.data()[leaf_count] = ~std::uint64_t{0};
    return a;
  }();

  /// The binding leaf `leaf` starts with (`leaf_count`: the holes), restored by `unbind`.
  /// Computed when asked, not kept as a constexpr table: such a table holds one relocation per
  /// leaf against `error_reads_`, whose mangled name spells the whole tree (21 KB at 256 BAR
  /// slots), and made g++ write 33 MB of assembly for a 256-slot machine. Per-node code in the
  /// constructor would be as bad the other way (one huge function, slow to compile at -O2).
  static detail::binding initial_binding_of(std::size_t leaf) noexcept {
    if (leaf == leaf_count)
      return detail::initial_binding(true, stub_response::decode_error,
                                     error_reads_.data() + leaf_count);
    const node& n = nodes_v<Tree>[leaf_nodes_[leaf]];
    return detail::initial_binding(n.kind == region_kind::stub, n.response,
                                   error_reads_.data() + leaf);
  }

  static std::size_t find(addr_t addr) noexcept {
    std::size_t i = lookup_.start(addr);
    if constexpr (lookup_.max_scan == 1) {
      return i;  // every bucket lies inside one tile: nothing to scan or compare
    } else if constexpr (lookup_.max_scan <= 8) {
      while (lookup_.tiles[i].last < addr) ++i;
    } else {
      const auto* const begin = lookup_.tiles.data() + i;
      const auto* const end =
          lookup_.tiles.data() + std::min(lookup_.tiles.size(), i + lookup_.max_scan);
      i = static_cast<std::size_t>(
          std::partition_point(begin, end, [&](const lookup_tile& t) { return t.last < addr; }) -
          lookup_.tiles.data());
    }
    return i;
  }

  static bool fast(const lookup_tile& t, addr_t addr, unsigned size) noexcept {
    return size < 16 && ((t.fast_sizes >> size) & 1U) != 0 &&
           (addr & (size - 1) & t.align_check) == 0 && t.last - addr >= size - 1;
  }

  // ---- the general path: size adjustment, straddling, and every refusal -----------------
  // (runtime/access_plan.hpp; the rules: docs/access.md)

  /// The plan of an access in one read section: every piece against one map, with the
  /// bindings of that map, whatever commits or rebinds run meanwhile.
  detail::access_plan consistent_plan(addr_t addr, unsigned size) const noexcept {
    for (;;) {
      const std::uint64_t s = published_.read_begin();
      const detail::access_plan p = detail::plan_access(
          addr, size, lookup_.root_last, static_cast<std::uint32_t>(leaf_count),
          [this](addr_t a) { return tile_at(a); },
          [](std::uint32_t l) -> const node& { return nodes_v<Tree>[leaf_nodes_[l]]; },
          [this](std::uint32_t l) { return load_binding(l); });
      if (!published_.retry(s)) return p;
    }
  }

  /// In a slot window, an access that one overlay range takes as it comes: its binding and
  /// the offset into its leaf, from one read section; false otherwise.
  bool slot_fast(addr_t addr, unsigned size, detail::binding& b, addr_t& offset) const noexcept {
    if constexpr (has_slots) {
      if (addr <= lookup_.root_last) {
        for (;;) {
          const std::uint64_t s = published_.read_begin();
          const lookup_tile t = tile_at(addr);
          const bool ok = fast(t, addr, size);
          if (ok) b = load_binding(t.leaf);
          offset = addr - t.origin;
          if (!published_.retry(s)) return ok;
        }
      }
    }
    (void)addr, (void)size, (void)b, (void)offset;
    return false;
  }

  read_result slow_read(addr_t addr, unsigned size) const {
    detail::binding fb;
    addr_t off = 0;
    if (slot_fast(addr, size, fb, off)) return fb.read(fb.ctx, off, size);
    return detail::run_read(consistent_plan(addr, size), size);
  }

  access_status slow_write(addr_t addr, unsigned size, std::uint64_t value) {
    detail::binding fb;
    addr_t off = 0;
    if (slot_fast(addr, size, fb, off))
      return fb.write(fb.ctx, off, size, value & detail::width_mask(size));
    return detail::run_write(consistent_plan(addr, size), size, value);
  }

  std::array<detail::binding, leaf_count + 1> bindings_;
  std::array<mem_attrs, leaf_count + 1> attrs_{};
  mutable std::array<counter, Options.stats ? leaf_count + 1 : 0> counters_{};
  std::array<detail::state_ops, leaf_count + 1> state_ops_{};
  struct no_slots {};
  [[no_unique_address]] std::conditional_t<has_slots, slot_map<Tree>, no_slots> slots_{};

  /// Each slot's first leaf and leaf count (a slot's leaves are consecutive, pre-order).
  static constexpr auto slot_leaves_ = [] {
    std::array<std::pair<std::uint32_t, std::uint32_t>, num_slots + 1> a{};
    if constexpr (has_slots) {
      const auto& nd = nodes_v<Tree>;
      for (std::size_t s = 0; s < num_slots; ++s) {
        const node_index root = slot_tables_v<Tree>.slots[s].node;
        std::uint32_t first = no_id, count = 0;
        for (node_index i = root; i < nd[root].end; ++i)
          if (is_leaf(nd[i].kind)) {
            if (first == no_id) first = nd[i].leaf;
            ++count;
          }
        a[s] = {first, count};
      }
    }
    return a;
  }();
  /// Whether each slot has ever been placed (slot_placement::placed); written by commits and
  /// restores under the writer lock.
  std::array<bool, num_slots + 1> placed_{};
};

MMIOTREE_END_NAMESPACE
