// unicorn_map.hpp: the VMM's Unicorn backend — a listener that mirrors the address space's map
// into a Unicorn engine. Every passthrough span becomes uc_mem_map_ptr of its host memory (the
// guest's accesses never leave the CPU emulator); every trapped span is uc_mmio_map whose
// callbacks dispatch through the address space. The listener is page-granular (4 KiB, Unicorn's
// mapping unit), so a span is whole pages by the projection's rule, and holes stay unmapped (a
// guest access there is a data abort). Nothing is mapped beside it: a BAR programmed, a decoder
// committed, a reset — each reaches Unicorn only as the space's region_del/region_add.
//
// Two things Unicorn 2.0.1 does shape this (both measured, see vmm-demo/README.md):
//   - unmapping costs a TLB flush per 4 KiB page: 15.6 s for a 64 GiB PCI window's background.
//     A trapped span of `lazy_threshold` bytes or more is therefore not mapped whole: its pages
//     are mapped one by one the first time the guest touches them (UC_HOOK_MEM_UNMAPPED, the
//     hook Unicorn offers for mapping on demand), and only those pages are unmapped later;
//   - a map change made from inside a trapped access (a BAR write, a decoder commit) cannot be
//     applied under the executing instruction: it is queued and the run stopped; Unicorn has
//     then completed the instruction (both halves of a split 8-byte access included) but left PC
//     on it, so the VMM applies the queue and resumes at the next instruction (`resume_pc`);
//   - uc_mmio_map callbacks see an 8-byte access as two 4-byte ones (and a 16-byte one as four),
//     so a register that takes only 4-byte accesses would accept the halves of an 8-byte access
//     and one that takes only 8 would see none. The trapped mappings therefore also carry
//     UC_HOOK_MEM_READ/WRITE hooks, which Unicorn calls first with the size the guest used: a
//     read wider than 4 bytes is dispatched whole there (16 bytes as two 8-byte halves, as QEMU
//     splits them) and its pieces answer from that one dispatch; a wide write's pieces are
//     gathered and each 8-byte half dispatched whole once its last piece arrives;
//   - Unicorn tests every such hook's range on every data access the guest makes, RAM included
//     (8 instructions a hook, measured): one hook covers each run of trapped mappings that no
//     host-memory mapping interrupts (`sync_hooks`), not one hook per mapping.
#pragma once

#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/listener.hpp>

#include <fmt/core.h>
#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace vmm_demo {

/// Unicorn's page: mappings are multiples of it.
inline constexpr std::uint64_t uc_page = 4096;
/// Trapped spans this large are mapped page by page on first touch.
inline constexpr std::uint64_t lazy_threshold = 64ULL << 20;

/// One trapped access the guest made, for `--trace`.
struct trapped_access {
  std::uint64_t addr;
  unsigned size;
  bool write;
  std::uint64_t value;
  mmiotree::access_status status;
};

/// An access to nothing: where, and what kind.
struct guest_fault {
  bool seen = false;
  std::uint64_t addr = 0;
  uc_mem_type type = UC_MEM_READ_UNMAPPED;
};

template <class Space>
class unicorn_map final : public mmiotree::map_listener {
 public:
  /// Called after every trapped access (may be empty).
  using access_hook = void (*)(void* ctx, const trapped_access& a);

  unicorn_map(uc_engine* uc, Space& space) : uc_(uc), space_(space) {
    if (const uc_err r = uc_hook_add(uc_, &unmapped_hook_, UC_HOOK_MEM_UNMAPPED,
                                     reinterpret_cast<void*>(&on_unmapped), this, 1, 0);
        r != UC_ERR_OK)
      fail(fmt::format("uc_hook_add: {}", uc_strerror(r)));
  }
  unicorn_map(const unicorn_map&) = delete;
  unicorn_map& operator=(const unicorn_map&) = delete;

  void set_access_hook(access_hook h, void* ctx) noexcept {
    hook_ = h;
    hook_ctx_ = ctx;
  }

  // ---- the listener ---------------------------------------------------------------------------
  void region_del(const mmiotree::map_event& e) override {
    if (running_) return defer(false, e);
    unmap(e);
  }
  void region_add(const mmiotree::map_event& e) override {
    if (running_) return defer(true, e);
    map(e);
  }

  // ---- the run loop's side --------------------------------------------------------------------
  /// Set while uc_emu_start runs: changes are queued (see the file comment).
  void set_running(bool on) noexcept { running_ = on; }
  /// Whether the run stopped to apply queued changes.
  [[nodiscard]] bool pending() const noexcept { return !pending_.empty(); }
  /// Applies the queued changes, in order.
  void apply_pending() {
    std::vector<std::pair<bool, mmiotree::map_event>> q;
    q.swap(pending_);
    for (const auto& [add, e] : q) add ? map(e) : unmap(e);
  }
  /// Where the guest resumes after a stop for queued changes: the instruction after the access
  /// that made them (aarch64 instructions are 4 bytes).
  [[nodiscard]] static std::uint64_t resume_pc(std::uint64_t pc) noexcept { return pc + 4; }

  /// The guest's access to nothing, if any stopped the run.
  [[nodiscard]] const guest_fault& fault() const noexcept { return fault_; }
  /// The first mapping Unicorn refused (empty: none). A listener cannot refuse a change, so the
  /// VMM checks this after every change it makes and stops the run.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  /// Pages of lazily mapped spans the guest touched.
  [[nodiscard]] std::uint64_t lazy_pages() const noexcept { return lazy_pages_mapped_; }
  /// The UC_HOOK_MEM_READ/WRITE hooks that see the guest's access sizes: one per run of
  /// trapped mappings that no host mapping interrupts.
  [[nodiscard]] std::size_t size_hooks() const noexcept { return hooks_.size(); }

 private:
  struct trap {
    unicorn_map* self;
    std::uint64_t base;  ///< the guest address of the mapping's offset 0
    std::uint64_t last;  ///< its last byte
    /// Where this mapping's last access went: the next one to the same leaf skips the lookup.
    mmiotree::route_cache route{};
  };
  /// A UC_HOOK_MEM_READ/WRITE hook over one run of trapped mappings.
  struct size_hook {
    std::uint64_t last;
    uc_hook hook;
  };
  /// The access wider than 4 bytes being executed: dispatched whole, its pieces answered.
  struct wide_access {
    std::uint64_t lo = 0, last = 0;  ///< the guest's bytes; empty when lo > last
    bool write = false;
    std::uint8_t bytes[16] = {};  ///< the value, little-endian (a write's: gathered so far)
    unsigned gathered[2] = {};    ///< a write's bytes gathered, per 8-byte half
  };
  struct lazy_span {
    std::uint64_t last;
    std::set<std::uint64_t> pages;  ///< pages mapped so far
  };

  void defer(bool add, const mmiotree::map_event& e) {
    if (pending_.empty()) uc_emu_stop(uc_);
    pending_.push_back({add, e});
  }
  void unmap(const mmiotree::map_event& e) {
    if (const auto l = lazy_.find(e.lo); l != lazy_.end()) {
      for (const std::uint64_t p : l->second.pages) unmap_range(p, uc_page);
      lazy_.erase(l);
      return;
    }
    unmap_range(e.lo, e.size());
  }
  void unmap_range(std::uint64_t lo, std::uint64_t size) {
    if (const uc_err r = uc_mem_unmap(uc_, lo, size); r != UC_ERR_OK)
      fail(fmt::format("uc_mem_unmap [{:#x}, {:#x}]: {}", lo, lo + size - 1, uc_strerror(r)));
    traps_.erase(lo);
    host_.erase(lo);
    sync_hooks();
  }
  void map(const mmiotree::map_event& e) {
    if (e.kind == mmiotree::region_kind::passthrough && e.host != nullptr) {
      if (const uc_err r = uc_mem_map_ptr(uc_, e.lo, e.size(), UC_PROT_ALL, e.host);
          r != UC_ERR_OK) {
        fail(fmt::format("uc_mem_map_ptr [{:#x}, {:#x}]: {}", e.lo, e.last, uc_strerror(r)));
        return;
      }
      host_[e.lo] = e.last;
      sync_hooks();
      return;
    }
    if (e.size() >= lazy_threshold) {
      lazy_[e.lo] = {e.last, {}};
      return;
    }
    map_trap(e.lo, e.size());
  }
  bool map_trap(std::uint64_t lo, std::uint64_t size) {
    auto t = std::make_unique<trap>(trap{this, lo, lo + size - 1});
    if (const uc_err r = uc_mmio_map(uc_, lo, size, &read_cb, t.get(), &write_cb, t.get());
        r != UC_ERR_OK) {
      fail(fmt::format("uc_mmio_map [{:#x}, {:#x}]: {}", lo, lo + size - 1, uc_strerror(r)));
      return false;
    }
    traps_[lo] = std::move(t);
    sync_hooks();
    return true;
  }
  /// Makes the size hooks cover exactly the runs of trapped mappings that no host mapping
  /// interrupts (gaps between them are unmapped: Unicorn calls no access hook there), keeping
  /// the hooks whose run is unchanged.
  void sync_hooks() {
    std::map<std::uint64_t, std::uint64_t> runs;
    auto host = host_.begin();
    for (auto t = traps_.begin(); t != traps_.end();) {
      const std::uint64_t lo = t->first;
      while (host != host_.end() && host->first < lo) ++host;  // the first host mapping after
      std::uint64_t last = t->second->last;
      for (++t; t != traps_.end() && (host == host_.end() || t->first < host->first); ++t)
        last = t->second->last;
      runs[lo] = last;
    }
    for (auto h = hooks_.begin(); h != hooks_.end();) {
      if (const auto r = runs.find(h->first); r != runs.end() && r->second == h->second.last) {
        runs.erase(r);
        ++h;
        continue;
      }
      uc_hook_del(uc_, h->second.hook);
      h = hooks_.erase(h);
    }
    for (const auto& [lo, last] : runs) {
      uc_hook h{};
      if (const uc_err r = uc_hook_add(uc_, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                                       reinterpret_cast<void*>(&on_access), this, lo, last);
          r != UC_ERR_OK) {
        fail(fmt::format("uc_hook_add [{:#x}, {:#x}]: {}", lo, last, uc_strerror(r)));
        continue;
      }
      hooks_[lo] = {last, h};
    }
  }

  /// Called before the mmio callbacks with the guest's own size, for every access in a run of
  /// trapped mappings: a narrow one is left to its callback; a wide one is dispatched whole.
  static bool on_access(uc_engine*, uc_mem_type type, std::uint64_t addr, int size, std::int64_t,
                        void* user) {
    unicorn_map& self = *static_cast<unicorn_map*>(user);
    if (size <= 4) {
      self.wide_.lo = 1, self.wide_.last = 0;
      return true;
    }
    self.begin_wide(type == UC_MEM_WRITE, addr, static_cast<unsigned>(size));
    return true;
  }
  /// A wide access starting in a trapped mapping: remembered, and a read dispatched now.
  [[gnu::noinline]] void begin_wide(bool write, std::uint64_t addr, unsigned size) {
    wide_access& w = wide_;
    w.lo = 1, w.last = 0;
    auto t = traps_.upper_bound(addr);
    if (t == traps_.begin() || addr > std::prev(t)->second->last) return;  // not trapped
    trap& at = *std::prev(t)->second;
    w.lo = addr;
    w.last = addr + size - 1;
    w.write = write;
    w.gathered[0] = w.gathered[1] = 0;
    // A write's value arrives in its pieces (the hook has 8 bytes of it at most).
    if (!write)
      for (unsigned h = 0; h * 8 < size; ++h) {
        const std::uint64_t v = dispatch_read(at, addr + 8 * h, 8);
        std::memcpy(w.bytes + 8 * h, &v, 8);
      }
  }
  std::uint64_t dispatch_read(trap& t, std::uint64_t addr, unsigned size) {
    const mmiotree::read_result r = space_.read(addr, size, t.route);
    if (hook_) hook_(hook_ctx_, {addr, size, false, r.value, r.status});
    return r.value;
  }
  void dispatch_write(trap& t, std::uint64_t addr, unsigned size, std::uint64_t value) {
    const mmiotree::access_status s = space_.write(addr, size, value, t.route);
    if (hook_) hook_(hook_ctx_, {addr, size, true, value, s});
  }
  /// Whether [a, a + size) is a piece of the wide access being executed.
  [[nodiscard]] bool piece_of_wide(std::uint64_t a, unsigned size, bool write) const noexcept {
    return wide_.lo <= wide_.last && write == wide_.write && a >= wide_.lo &&
           a + size - 1 <= wide_.last;
  }

  /// Unicorn found nothing at `addr`: a page of a lazily mapped span is mapped and the access
  /// retried; anything else is the guest's fault and stops the run.
  static bool on_unmapped(uc_engine*, uc_mem_type type, std::uint64_t addr, int, std::int64_t,
                          void* user) {
    auto& self = *static_cast<unicorn_map*>(user);
    if (type != UC_MEM_FETCH_UNMAPPED) {
      auto l = self.lazy_.upper_bound(addr);
      if (l != self.lazy_.begin() && addr <= std::prev(l)->second.last) {
        const std::uint64_t page = addr & ~(uc_page - 1);
        if (self.map_trap(page, uc_page)) {
          std::prev(l)->second.pages.insert(page);
          ++self.lazy_pages_mapped_;
          return true;
        }
      }
    }
    self.fault_ = {true, addr, type};
    return false;
  }
  // The callbacks: an access that is not a piece of a wide one, with no trace hook, goes
  // straight to the address space (a tail call); the rest takes the out-of-line path.
  static std::uint64_t read_cb(uc_engine*, std::uint64_t offset, unsigned size, void* user) {
    trap& t = *static_cast<trap*>(user);
    unicorn_map& self = *t.self;
    const std::uint64_t a = t.base + offset;
    if (self.wide_.lo <= self.wide_.last || self.hook_) [[unlikely]]
      return self.read_piece_or_traced(t, a, size);
    return self.space_.read(a, size, t.route).value;
  }
  static void write_cb(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                       void* user) {
    trap& t = *static_cast<trap*>(user);
    unicorn_map& self = *t.self;
    const std::uint64_t a = t.base + offset;
    if (self.wide_.lo <= self.wide_.last || self.hook_) [[unlikely]]
      return self.write_piece_or_traced(t, a, size, value);
    self.space_.write(a, size, value, t.route);
  }
  [[gnu::noinline]] std::uint64_t read_piece_or_traced(trap& t, std::uint64_t a, unsigned size) {
    if (!piece_of_wide(a, size, false)) return dispatch_read(t, a, size);
    std::uint64_t v = 0;
    std::memcpy(&v, wide_.bytes + (a - wide_.lo), size);
    return v;
  }
  [[gnu::noinline]] void write_piece_or_traced(trap& t, std::uint64_t a, unsigned size,
                                               std::uint64_t value) {
    if (!piece_of_wide(a, size, true)) return dispatch_write(t, a, size, value);
    wide_access& w = wide_;
    const std::uint64_t at = a - w.lo;
    std::memcpy(w.bytes + at, &value, size);
    const unsigned half = static_cast<unsigned>(at / 8);
    if ((w.gathered[half] += size) == 8) {
      std::uint64_t v = 0;
      std::memcpy(&v, w.bytes + 8 * half, 8);
      dispatch_write(t, w.lo + 8 * half, 8, v);
    }
  }
  void fail(std::string s) {
    if (error_.empty()) error_ = std::move(s);
  }

  uc_engine* uc_;
  Space& space_;
  uc_hook unmapped_hook_{};
  std::map<std::uint64_t, std::unique_ptr<trap>> traps_;
  std::map<std::uint64_t, std::uint64_t> host_;  ///< host mappings: first byte → last byte
  std::map<std::uint64_t, size_hook> hooks_;     ///< by the first byte of their run
  std::map<std::uint64_t, lazy_span> lazy_;
  access_hook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
  bool running_ = false;
  std::vector<std::pair<bool, mmiotree::map_event>> pending_;
  guest_fault fault_;
  wide_access wide_{1, 0, false, {}};
  std::uint64_t lazy_pages_mapped_ = 0;
  std::string error_;
};

}  // namespace vmm_demo
