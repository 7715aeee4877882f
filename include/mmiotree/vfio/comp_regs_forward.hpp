// vfio/comp_regs_forward.hpp: the RFC's COMP_REGS backend — the handler of the "comp_regs" io
// region of a `cxl::type2_forwarding_bar`, forwarding the guest's 4-byte accesses to the
// kernel's COMP_REGS region ("[RFC 6/9] hw/vfio/pci: Wire CXL component-register BAR with
// COMP_REGS overlay"), so that the kernel revision's rules answer them:
//
//   - v2 (reference cxl.md §3.4): a shadow the kernel emulates; the VMM adds nothing, and the
//     guest sees v2's departures from the spec (a write clearing Lock-On-Commit unlocks a locked
//     decoder);
//   - v3 and v4 (cxl.md §7): live reads of the host's decoders, writes absorbed. A decoder's
//     BASE then holds the host physical address the host's firmware committed it at, which
//     means nothing to the guest: this handler virtualises BASE Low/High of every decoder — the
//     guest reads the base the VMM committed (`firmware_commit`), or wrote while the decoder
//     was not locked.
//
// The access sizes the kernel refuses never reach it: the region's type takes only 4-byte
// aligned accesses, so the dispatcher refuses the rest before this handler runs. A failed
// forward (the kernel's errno) reads all-ones and is counted, as `vfio::forward` does.
// Linux-only, like region_io.hpp; not part of mmiotree.hpp.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/region_io.hpp>

#include <array>
#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio {

/// What `comp_regs_forward::firmware_commit` found after programming the decoder.
enum class forward_commit : std::uint8_t {
  committed,      ///< Committed and locked, at the base and size asked for
  io_failed,      ///< a forwarded access failed (`last_failure()` says how)
  no_decoder,     ///< the decoder number is past the capability's count
  not_committed,  ///< Committed reads 0 afterwards
  not_locked,     ///< committed, but Lock-On-Commit reads 0
  other_window,   ///< committed with a base or size other than the ones asked for
};

[[nodiscard]] constexpr std::string_view to_string(forward_commit c) noexcept {
  switch (c) {
    case forward_commit::committed: return "committed and locked";
    case forward_commit::io_failed: return "a COMP_REGS access failed";
    case forward_commit::no_decoder: return "no such decoder";
    case forward_commit::not_committed: return "the decoder does not read back committed";
    case forward_commit::not_locked: return "the decoder reads back committed but not locked";
    case forward_commit::other_window: return "the decoder reads back another base or size";
  }
  return "?";
}

/// The handler of a `type2_forwarding_bar`'s "comp_regs" region.
class comp_regs_forward {
 public:
  static constexpr unsigned max_decoders = 32;

  /// `io`: the COMP_REGS region; `rev`: the kernel's uAPI revision; `hdm_offset`: the HDM
  /// Decoder Capability's offset inside the region (v2: its offset in the CXL.cache/mem range;
  /// v3: that plus 0x1000; v4: 0); `decoders`: the capability's decoder count (at most 32).
  comp_regs_forward(region_io& io, cxl_uapi rev, std::uint64_t hdm_offset,
                    unsigned decoders) noexcept
      : io_(&io),
        hdm_(hdm_offset),
        decoders_(decoders < max_decoders ? decoders : max_decoders),
        virtual_base_(rev != cxl_uapi::v2) {}

  /// Whether BASE is the VMM's (v3, v4) rather than the kernel's (v2).
  [[nodiscard]] bool virtualises_base() const noexcept { return virtual_base_; }

  std::uint64_t read(addr_t off, unsigned size) {
    if (const base_reg b = base_at(off); b.n < decoders_ && virtual_base_)
      return b.high ? base_[b.n] >> 32 : base_[b.n] & 0xFFFF'FFFFU;
    const io_result r = io_->read(off, size);
    if (r.ok()) return r.value;
    failed(r);
    return mmiotree::detail::width_mask(size);
  }

  void write(addr_t off, unsigned size, std::uint64_t value) {
    if (const base_reg b = base_at(off); b.n < decoders_ && virtual_base_ && !locked(b.n)) {
      const std::uint64_t v = value & 0xFFFF'FFFFU;
      base_[b.n] = b.high ? (base_[b.n] & 0xFFFF'FFFFU) | v << 32
                          : (base_[b.n] & ~std::uint64_t{0xFFFF'FFFFU}) | (v & 0xF000'0000U);
    }
    const io_result r = io_->write(off, size, value);
    if (!r.ok()) failed(r);
  }

  /// RFC patch 7's machine-done step: program decoder `n` with `base` and `size` and set
  /// Commit and Lock-On-Commit through COMP_REGS — where BASE is virtualised, the guest's BASE
  /// becomes `base` whatever the host's lock — then read it back as the guest will see it.
  forward_commit firmware_commit(unsigned n, std::uint64_t base, std::uint64_t size) {
    if (n >= decoders_) return forward_commit::no_decoder;
    const std::uint64_t d = decoder(n);
    const std::uint64_t before = failures_;
    // v3/v4: the host's firmware committed and locked the decoder at a host address; the base
    // the guest sees is the VMM's to give, once, here.
    if (virtual_base_) base_[n] = base & ~std::uint64_t{0x0FFF'FFFF};
    write(hdm_ + 0x04, 4, read(hdm_ + 0x04, 4) | 0x2);  // HDM Decoder Enable
    write(d + 0x04, 4, base >> 32);
    write(d + 0x00, 4, base & 0xF000'0000U);
    write(d + 0x0C, 4, size >> 32);
    write(d + 0x08, 4, size & 0xF000'0000U);
    write(d + 0x10, 4, read(d + 0x10, 4) | ctrl_commit | ctrl_lock_on_commit);
    const std::uint64_t ctrl = read(d + 0x10, 4);
    const std::uint64_t got_base = read(d + 0x04, 4) << 32 | (read(d + 0x00, 4) & 0xF000'0000U);
    const std::uint64_t got_size = read(d + 0x0C, 4) << 32 | (read(d + 0x08, 4) & 0xF000'0000U);
    if (failures_ != before) return forward_commit::io_failed;
    if ((ctrl & ctrl_committed) == 0) return forward_commit::not_committed;
    if ((ctrl & ctrl_lock_on_commit) == 0) return forward_commit::not_locked;
    if (got_base != base || got_size != size) return forward_commit::other_window;
    return forward_commit::committed;
  }

  [[nodiscard]] std::uint64_t failures() const noexcept { return failures_; }
  [[nodiscard]] const io_result& last_failure() const noexcept { return last_; }

 private:
  static constexpr std::uint64_t ctrl_lock_on_commit = 1U << 8, ctrl_commit = 1U << 9,
                                 ctrl_committed = 1U << 10;
  struct base_reg {
    unsigned n = max_decoders;  ///< max_decoders: not a BASE register
    bool high = false;
  };
  [[nodiscard]] std::uint64_t decoder(unsigned n) const noexcept { return hdm_ + 0x10 + 0x20 * n; }
  [[nodiscard]] base_reg base_at(addr_t off) const noexcept {
    if (off < hdm_ + 0x10) return {};
    const std::uint64_t rel = off - hdm_ - 0x10, reg = rel % 0x20;
    if (rel / 0x20 >= decoders_ || (reg != 0x00 && reg != 0x04)) return {};
    return {static_cast<unsigned>(rel / 0x20), reg == 0x04};
  }
  /// Whether the kernel shows decoder `n` committed with Lock-On-Commit (a failed read counts
  /// as locked: nothing changes).
  [[nodiscard]] bool locked(unsigned n) {
    const io_result r = io_->read(decoder(n) + 0x10, 4);
    if (!r.ok()) {
      failed(r);
      return true;
    }
    return (r.value & ctrl_lock_on_commit) != 0 && (r.value & ctrl_committed) != 0;
  }
  void failed(const io_result& r) noexcept {
    ++failures_;
    last_ = r;
  }

  region_io* io_;
  std::uint64_t hdm_;
  unsigned decoders_;
  bool virtual_base_;
  std::array<std::uint64_t, max_decoders> base_{};
  std::uint64_t failures_ = 0;
  io_result last_{};
};

}  // namespace vfio

MMIOTREE_END_NAMESPACE
