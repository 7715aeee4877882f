// cxl/decoder_slots.hpp: the one small adaptor that lets committed HDM decoders map device
// memory into an address space — the VMM's side of "map the device's memory at the decoder's
// HPA when, and only when, a commit succeeds" (RFC patch 7 does it once, at machine-done; here
// every commit, de-commit and reset does it).
//
//   cxl::hdm_decoders<1> hdm{1_GiB};                          // knows no machine
//   cxl::decoder_slots mem(hdm, {{space.slot<"cfmws/dev_mem">(), 0}});
//   // decoder 0 commits at HPA b → slot placed at b and enabled, in one transaction;
//   // de-commit or reset → slot disabled.
//
// Decoder n drives `slots[n]`: a slot whose region is device memory — its passthrough leaf bound
// to the DPA range [dpa_offset, dpa_offset + the slot's size) of the device (a memfd, the VFIO
// DPA region's mmap). A committed decoder is mapped when its window is exactly that: one way (an
// interleaved decoder's device holds only every ways-th granule, which no direct map can show),
// DPA base equal to `dpa_offset`, HPA size equal to the slot's size. A decoder committed with any
// other window is committed in its registers (the guest's protocol is the spec's, not the VMM's)
// but left unmapped, and `state(n)` says why; so is one whose placement the space refuses
// (outside the slot's window — the CXL fixed memory window — or onto another slot).
//
// Snapshots: the decoder block's registers are in the snapshot (its register file is bound at a
// leaf); the adaptor registers a restore check, so a blob whose decoders and device-memory slots
// disagree is refused as a whole — a committed, mappable decoder whose slot is not placed at
// its HPA (unless placing it there would be refused), or an enabled slot whose decoder is not
// committed with a mappable window.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/dynamic_space.hpp>
#include <mmiotree/runtime/restore_check.hpp>
#include <mmiotree/runtime/slot_handle.hpp>

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

namespace cxl {

/// The device memory decoder n maps: a slot, and the DPA its memory starts at.
struct memory_slot {
  slot_handle slot;
  addr_t dpa_offset = 0;
};

/// Where a decoder's device memory is.
enum class memory_state : std::uint8_t {
  unmapped,      ///< the decoder is not committed (or has no slot)
  mapped,        ///< committed, and its slot placed at its HPA
  not_mappable,  ///< committed with a window that is not its slot (ways, DPA base or size)
  refused,       ///< committed, mappable, but the space refused the placement
};

[[nodiscard]] constexpr std::string_view to_string(memory_state m) noexcept {
  switch (m) {
    case memory_state::unmapped: return "unmapped";
    case memory_state::mapped: return "mapped";
    case memory_state::not_mappable: return "committed window is not the slot's memory";
    case memory_state::refused: return "placement refused by the address space";
  }
  return "?";
}

/// Committed decoders drive device-memory slots. Constructing it makes it the decoders'
/// listener, maps what is committed now, and registers its restore check with the slots' space
/// (all its slots are in one space); destroying it unregisters the check and leaves the decoders
/// without a listener. The decoders must outlive it. Not copyable.
class decoder_slots final : public decoder_listener, public restore_check {
 public:
  /// Most decoders a component has (the count field's largest encoding).
  static constexpr std::size_t capacity = 32;

  /// `slots[n]` for decoder n; decoders past the list, or with an empty handle, map nothing.
  decoder_slots(decoder_source& decoders, std::initializer_list<memory_slot> slots)
      : source_(&decoders) {
    std::size_t n = 0;
    for (const memory_slot& m : slots)
      if (n < capacity) slots_[n++] = m;
    for (const memory_slot& m : slots_)
      if (m.slot) space_ = m.slot.space();
    decoders.set_listener(this);
    for (std::size_t d = 0; d < decoders.decoder_count() && d < capacity; ++d)
      if (const std::optional<hdm_window> w = decoders.committed(d)) decoder_committed(*w);
    if (space_) space_->add_restore_check(*this);
  }
  decoder_slots(const decoder_slots&) = delete;
  decoder_slots& operator=(const decoder_slots&) = delete;
  ~decoder_slots() {
    if (space_) space_->remove_restore_check(*this);
    source_->set_listener(nullptr);
  }

  /// Where decoder n's memory is now.
  [[nodiscard]] memory_state state(std::size_t n) const noexcept {
    return n < capacity ? state_[n] : memory_state::unmapped;
  }
  /// The result of the last placement or removal committed or refused.
  [[nodiscard]] const commit_result& last_result() const noexcept { return last_; }

  /// Whether decoder window `w` is exactly the memory of slot `m`.
  [[nodiscard]] static bool mappable(const hdm_window& w, const memory_slot& m) noexcept {
    const dynamic_space* s = m.slot.space();
    return s != nullptr && w.ways == 1 && w.dpa_base == m.dpa_offset &&
           w.hpa_size == s->slot_size(m.slot.id());
  }

  void decoder_committed(const hdm_window& w) override {
    if (w.decoder >= capacity || !slots_[w.decoder].slot) return;
    const memory_slot& m = slots_[w.decoder];
    if (!mappable(w, m)) {
      state_[w.decoder] = memory_state::not_mappable;
      return;
    }
    last_ = m.slot.place(w.hpa_base);
    state_[w.decoder] = last_.ok() ? memory_state::mapped : memory_state::refused;
  }
  void decoder_decommitted(const hdm_window& w) override {
    if (w.decoder >= capacity || !slots_[w.decoder].slot) return;
    if (state_[w.decoder] == memory_state::mapped) last_ = slots_[w.decoder].slot.disable();
    state_[w.decoder] = memory_state::unmapped;
  }

  /// For each decoder with a slot: committed and mappable ⇔ its slot enabled at its HPA, unless
  /// placing it there would be refused (then the slot is disabled).
  [[nodiscard]] bool consistent(const restore_view& v) const override {
    const auto saved = v.state_of(source_->state_handler());
    for (std::size_t n = 0; n < capacity && n < source_->decoder_count(); ++n) {
      const memory_slot& m = slots_[n];
      if (!m.slot) continue;
      const std::optional<hdm_window> w =
          saved ? source_->committed_in(*saved, n) : source_->committed(n);
      const slot_placement p = v.placement(m.slot.id());
      if (!w || !mappable(*w, m)) {
        if (p.enabled) return false;
      } else if (p.enabled ? p.base != w->hpa_base : v.can_place(m.slot.id(), w->hpa_base)) {
        return false;
      }
    }
    return true;
  }
  /// Each decoder's memory state, from the restored registers and map.
  void restored() override {
    for (std::size_t n = 0; n < capacity; ++n) {
      const memory_slot& m = slots_[n];
      const std::optional<hdm_window> w =
          n < source_->decoder_count() ? source_->committed(n) : std::nullopt;
      if (!m.slot || !w)
        state_[n] = memory_state::unmapped;
      else if (!mappable(*w, m))
        state_[n] = memory_state::not_mappable;
      else
        state_[n] = m.slot.placement().enabled ? memory_state::mapped : memory_state::refused;
    }
  }

 private:
  decoder_source* source_;
  std::array<memory_slot, capacity> slots_{};
  std::array<memory_state, capacity> state_{};
  dynamic_space* space_ = nullptr;
  commit_result last_{};
};

}  // namespace cxl

MMIOTREE_END_NAMESPACE
