// unicorn_map.hpp: the VMM's Unicorn backend — a listener that mirrors the address space's map
// into a Unicorn engine. Every passthrough span becomes uc_mem_map_ptr of its host memory (the
// guest's accesses never leave the CPU emulator); every trapped span becomes uc_mmio_map whose
// callbacks dispatch through the address space. The listener is page-granular (4 KiB, Unicorn's
// mapping unit), so a span is whole pages by the projection's rule, and holes stay unmapped (a
// guest access there is a data abort). Nothing is mapped beside it: a BAR programmed, a decoder
// committed, a reset — each reaches Unicorn only as the space's region_del/region_add.
#pragma once

#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/listener.hpp>

#include <fmt/core.h>
#include <unicorn/unicorn.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace vmm_demo {

/// Unicorn's page: mappings are multiples of it.
inline constexpr std::uint64_t uc_page = 4096;

/// One trapped access the guest made, for `--trace` and the exit report.
struct trapped_access {
  std::uint64_t addr;
  unsigned size;
  bool write;
  std::uint64_t value;
  mmiotree::access_status status;
};

template <class Space>
class unicorn_map final : public mmiotree::map_listener {
 public:
  /// Called after every trapped access (may be empty).
  using access_hook = void (*)(void* ctx, const trapped_access& a);

  explicit unicorn_map(uc_engine* uc, Space& space) noexcept : uc_(uc), space_(space) {}
  unicorn_map(const unicorn_map&) = delete;
  unicorn_map& operator=(const unicorn_map&) = delete;

  void set_access_hook(access_hook h, void* ctx) noexcept {
    hook_ = h;
    hook_ctx_ = ctx;
  }

  void region_del(const mmiotree::map_event& e) override {
    if (const uc_err r = uc_mem_unmap(uc_, e.lo, e.size()); r != UC_ERR_OK)
      fail(fmt::format("uc_mem_unmap [{:#x}, {:#x}]: {}", e.lo, e.last, uc_strerror(r)));
    traps_.erase(e.lo);
    ++unmaps_;
  }
  void region_add(const mmiotree::map_event& e) override {
    uc_err r;
    if (e.kind == mmiotree::region_kind::passthrough && e.host != nullptr) {
      r = uc_mem_map_ptr(uc_, e.lo, e.size(), UC_PROT_ALL, e.host);
      ++direct_maps_;
    } else {
      auto t = std::make_unique<trap>(trap{this, e.lo});
      r = uc_mmio_map(uc_, e.lo, e.size(), &read_cb, t.get(), &write_cb, t.get());
      traps_[e.lo] = std::move(t);
      ++trap_maps_;
    }
    if (r != UC_ERR_OK)
      fail(fmt::format("mapping [{:#x}, {:#x}] in Unicorn: {}", e.lo, e.last, uc_strerror(r)));
  }

  /// The first mapping Unicorn refused (empty: none). A listener cannot refuse a change, so the
  /// VMM checks this after every change it makes and stops the run.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] std::uint64_t direct_maps() const noexcept { return direct_maps_; }
  [[nodiscard]] std::uint64_t trap_maps() const noexcept { return trap_maps_; }
  [[nodiscard]] std::uint64_t unmaps() const noexcept { return unmaps_; }

 private:
  struct trap {
    unicorn_map* self;
    std::uint64_t base;
  };
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
  std::map<std::uint64_t, std::unique_ptr<trap>> traps_;
  access_hook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
  std::string error_;
  std::uint64_t direct_maps_ = 0, trap_maps_ = 0, unmaps_ = 0;
};

}  // namespace vmm_demo
