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
//     on it, so the VMM applies the queue and resumes at the next instruction (`resume_pc`).
#pragma once

#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/listener.hpp>

#include <fmt/core.h>
#include <unicorn/unicorn.h>

#include <cstdint>
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

 private:
  struct trap {
    unicorn_map* self;
    std::uint64_t base;  ///< the guest address of the mapping's offset 0
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
  }
  void map(const mmiotree::map_event& e) {
    if (e.kind == mmiotree::region_kind::passthrough && e.host != nullptr) {
      if (const uc_err r = uc_mem_map_ptr(uc_, e.lo, e.size(), UC_PROT_ALL, e.host); r != UC_ERR_OK)
        fail(fmt::format("uc_mem_map_ptr [{:#x}, {:#x}]: {}", e.lo, e.last, uc_strerror(r)));
      return;
    }
    if (e.size() >= lazy_threshold) {
      lazy_[e.lo] = {e.last, {}};
      return;
    }
    map_trap(e.lo, e.size());
  }
  bool map_trap(std::uint64_t lo, std::uint64_t size) {
    auto t = std::make_unique<trap>(trap{this, lo});
    if (const uc_err r = uc_mmio_map(uc_, lo, size, &read_cb, t.get(), &write_cb, t.get());
        r != UC_ERR_OK) {
      fail(fmt::format("uc_mmio_map [{:#x}, {:#x}]: {}", lo, lo + size - 1, uc_strerror(r)));
      return false;
    }
    traps_[lo] = std::move(t);
    return true;
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
  static std::uint64_t read_cb(uc_engine*, std::uint64_t offset, unsigned size, void* user) {
    const trap& t = *static_cast<trap*>(user);
    const mmiotree::read_result r = t.self->space_.read(t.base + offset, size);
    if (t.self->hook_)
      t.self->hook_(t.self->hook_ctx_, {t.base + offset, size, false, r.value, r.status});
    return r.value;
  }
  static void write_cb(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                       void* user) {
    const trap& t = *static_cast<trap*>(user);
    const mmiotree::access_status s = t.self->space_.write(t.base + offset, size, value);
    if (t.self->hook_) t.self->hook_(t.self->hook_ctx_, {t.base + offset, size, true, value, s});
  }
  void fail(std::string s) {
    if (error_.empty()) error_ = std::move(s);
  }

  uc_engine* uc_;
  Space& space_;
  uc_hook unmapped_hook_{};
  std::map<std::uint64_t, std::unique_ptr<trap>> traps_;
  std::map<std::uint64_t, lazy_span> lazy_;
  access_hook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
  bool running_ = false;
  std::vector<std::pair<bool, mmiotree::map_event>> pending_;
  guest_fault fault_;
  std::uint64_t lazy_pages_mapped_ = 0;
  std::string error_;
};

}  // namespace vmm_demo
