// pci/function_device.hpp: a PCI function's configuration space at run time, and the one small
// adaptor that lets its BARs drive slots of an address space.
//
//   pci::function_device<nic> dev;                        // knows no machine
//   pci::bar_slots bars(dev, {space.slot<"pci32/nic_bar0">(), {}, space.slot<"pci32/nic_bar2">()});
//   ecam.attach(0, 0, 0, dev.config());                    // guest configuration accesses
//   space.attach_state(0x0000'0100, dev);                  // its configuration in snapshots
//
// `function_device` decodes its BARs after every guest write to Command or to a BAR register and
// tells its `bar_listener` the six BARs' decode state when it changed. What decodes is what real
// hardware decodes: a memory BAR while Memory Space Enable is set, an I/O BAR while I/O Space
// Enable is set, each at whatever its registers hold at that moment — so a BAR being sized with
// decoding on decodes at its size mask, and a 64-bit BAR between the writes of its two halves
// decodes at the mixed address (PCI Local Bus 3.0 §6.2.5.1 tells software to turn decoding off
// first; Linux does).
//
// `bar_slots` turns a change into one transaction of the address space: each BAR whose decode
// changed is placed at its new base or disabled; the listeners hear exactly what changed. A
// transaction the space refuses (a BAR outside its slot's window, or onto another BAR) is retried
// without the BAR the refusal names, which is disabled instead — still one valid transaction,
// the refused one having changed nothing. The BAR's register keeps what the guest wrote; the
// other BARs keep answering; its old range now reads as the window's background (all-ones for
// an unassigned window), never an ambiguous map.
//
// Snapshots: a `function_device` is a stateful handler — attached to the space under a key of
// the VMM's choosing (its bus/device/function number, say), its configuration space is saved
// and restored with the map. `bar_slots` registers a restore check: a blob in which a BAR that
// decodes is not where its slot is placed (or is placed while it does not decode) is refused
// as a whole (`restore_status::inconsistent`). The one disagreement that is not refused is the
// one `bar_slots` itself produces: a decoding BAR whose slot is disabled because placing it
// would be refused (outside its window, onto another slot) — in the restored map too.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/commit.hpp>
#include <mmiotree/runtime/restore_check.hpp>
#include <mmiotree/runtime/slot_handle.hpp>
#include <mmiotree/runtime/transaction.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

MMIOTREE_BEGIN_NAMESPACE

namespace pci {

/// One BAR's decode state: whether the function decodes it now, and where.
struct bar_decode {
  bool present = false;  ///< a BAR starts at this register
  bar_kind kind = bar_kind::mem32;
  bool enabled = false;  ///< decoding (Memory or I/O Space Enable set for its kind)
  addr_t base = 0;       ///< the address its registers hold (size-aligned)
  addr_t size = 0;
  [[nodiscard]] constexpr bool operator==(const bar_decode&) const = default;
};
using bar_decodes = std::array<bar_decode, 6>;

/// Told when the function's BAR decode state changes.
class bar_listener {
 public:
  virtual void bars_changed(const bar_decodes& old_state, const bar_decodes& new_state) = 0;

 protected:
  ~bar_listener() = default;
};

namespace detail {
template <fixed_string R>
concept bar_or_command =
    R.view() == "command" || R.view() == "bar0" || R.view() == "bar1" || R.view() == "bar2" ||
    R.view() == "bar3" || R.view() == "bar4" || R.view() == "bar5";
template <fixed_string R>
concept msix_control = R.view() == "msix/control";
/// Whether configuration block B has an MSI-X capability named "msix".
template <class B>
inline constexpr bool has_msix = mmiotree::detail::find_reg(block_tables_v<B>.regs,
                                                            "msix/control") != no_index;
template <class Device, class B>
using config_file = std::conditional_t<
    has_msix<B>,
    register_file<B, Device, after_write_to<"command">, after_write_to<"bar0">,
                  after_write_to<"bar1">, after_write_to<"bar2">, after_write_to<"bar3">,
                  after_write_to<"bar4">, after_write_to<"bar5">, after_write_to<"msix/control">>,
    register_file<B, Device, after_write_to<"command">, after_write_to<"bar0">,
                  after_write_to<"bar1">, after_write_to<"bar2">, after_write_to<"bar3">,
                  after_write_to<"bar4">, after_write_to<"bar5">>>;
}  // namespace detail

/// What `bar_slots` needs of a function, without naming its type.
class bar_source {
 public:
  /// The BARs' decode state now.
  [[nodiscard]] virtual bar_decodes decode() const noexcept = 0;
  /// The decode state that `saved` — this function's state as its `save_state` writes it, and
  /// its `validate_state` accepts it — holds.
  [[nodiscard]] virtual bar_decodes decode_saved(
      std::span<const std::byte> saved) const noexcept = 0;
  /// The object a snapshot section holds the state of (the function itself).
  [[nodiscard]] virtual const void* state_handler() const noexcept = 0;
  virtual void set_listener(bar_listener* l) noexcept = 0;

 protected:
  bar_source() = default;
  bar_source(const bar_source&) = default;
  bar_source& operator=(const bar_source&) = default;
  ~bar_source() = default;
};

/// The run-time configuration space of function type `F` (a `pci::function<…>`).
template <class F>
class function_device final : public bar_source {
 public:
  using config_block = typename F::config;
  /// Hooks on Command and the BAR registers, and on MSI-X Message Control when the function has
  /// an MSI-X capability named "msix".
  using file_type = detail::config_file<function_device, config_block>;

  explicit function_device(bar_listener* l = nullptr, msix_control_listener* m = nullptr) noexcept
      : listener_(l), msix_(m) {}
  function_device(const function_device&) = delete;
  function_device& operator=(const function_device&) = delete;

  void set_listener(bar_listener* l) noexcept override { listener_ = l; }
  void set_msix_listener(msix_control_listener* m) noexcept { msix_ = m; }
  /// The configuration space: bind it where configuration accesses arrive (ECAM).
  [[nodiscard]] file_type& config() noexcept { return file_; }
  [[nodiscard]] const register_state<config_block>& state() const noexcept { return file_.state(); }
  /// The BARs' decode state now.
  [[nodiscard]] bar_decodes decode() const noexcept override { return decode(file_.state()); }
  [[nodiscard]] bar_decodes decode_saved(std::span<const std::byte> saved) const noexcept override {
    register_state<config_block> s;
    if (saved.size() != sizeof s) return decode();
    std::memcpy(&s, saved.data(), sizeof s);
    return decode(s);
  }
  [[nodiscard]] const void* state_handler() const noexcept override { return this; }

  // A stateful handler (core/handler.hpp): the configuration space in a snapshot.
  [[nodiscard]] static constexpr std::size_t snapshot_size() noexcept {
    return file_type::snapshot_size();
  }
  void save_state(std::span<std::byte> out) const noexcept { file_.save_state(out); }
  [[nodiscard]] bool validate_state(std::span<const std::byte> in) const noexcept {
    return file_.validate_state(in);
  }
  /// Replaces the configuration space; the BAR decode state it remembers follows, and an MSI-X
  /// listener hears the restored Enable and Function Mask. The BAR listener hears nothing: the
  /// map comes from the same snapshot (and `bar_slots` checks that the two agree).
  void restore_state(std::span<const std::byte> in) noexcept {
    file_.restore_state(in);
    last_ = decode(file_.state());
    if constexpr (detail::has_msix<config_block>)
      if (msix_)
        msix_->control_changed(file_.template get<"msix/control", "enable">() != 0,
                               file_.template get<"msix/control", "function_mask">() != 0);
  }

  /// Every register to its reset value (a conventional reset, FLR): decoding stops, and the
  /// listener hears it.
  void reset() {
    file_.reset();
    changed();
    if constexpr (detail::has_msix<config_block>)
      if (msix_) msix_->control_changed(false, false);
  }

  /// The regs layer's hook for Command and the BAR registers.
  template <fixed_string R>
  requires detail::bar_or_command<R>
  void after_write(write_event<config_block, R>&) { changed(); }
  /// The hook for MSI-X Message Control (declared only when the function has MSI-X).
  template <fixed_string R>
  requires detail::msix_control<R>
  void after_write(write_event<config_block, R>& e) {
    if (msix_)
      msix_->control_changed(e.now.template get<"enable">() != 0,
                             e.now.template get<"function_mask">() != 0);
  }

  /// The decode state a configuration space holds.
  [[nodiscard]] static bar_decodes decode(const register_state<config_block>& s) noexcept {
    bar_decodes d{};
    const std::uint64_t cmd = s.template get<"command">().raw;
    const bool io_on = (cmd & 0x1) != 0, mem_on = (cmd & 0x2) != 0;
    const std::array<std::uint64_t, 6> r{
        s.template get<"bar0">().raw, s.template get<"bar1">().raw, s.template get<"bar2">().raw,
        s.template get<"bar3">().raw, s.template get<"bar4">().raw, s.template get<"bar5">().raw};
    for (std::size_t i = 0; i < 6; ++i) {
      const detail::bar_reg& b = F::bar_registers[i];
      if (b.role == detail::bar_reg::what::unused || b.role == detail::bar_reg::what::mem_high)
        continue;
      bar_decode& x = d[i];
      x.present = true;
      x.size = addr_t{1} << b.log2;
      if (b.role == detail::bar_reg::what::io) {
        x.kind = bar_kind::io;
        x.enabled = io_on;
        x.base = r[i] & ~addr_t{0x3};
      } else {
        x.kind = b.is64 ? bar_kind::mem64 : bar_kind::mem32;
        x.enabled = mem_on;
        x.base = (r[i] & ~addr_t{0xF}) | (b.is64 ? r[i + 1] << 32 : 0);
      }
    }
    return d;
  }

 private:
  void changed() {
    const bar_decodes now = decode(file_.state());
    if (now == last_) return;
    const bar_decodes was = last_;
    last_ = now;
    if (listener_) listener_->bars_changed(was, now);
  }

  file_type file_{*this};
  bar_decodes last_ = decode(register_state<config_block>{});
  bar_listener* listener_;
  msix_control_listener* msix_;
};

/// The adaptor: BAR i of a function drives slot `handles[i]` (an empty handle: the BAR is never
/// mapped — an I/O BAR on a machine without I/O space, or the upper register of a 64-bit BAR).
/// Each slot's region is the BAR's layout, its window the PCI window the machine declared it in.
/// Constructing it makes it the function's BAR listener, maps what the function decodes now, and
/// registers its restore check with the slots' space; destroying it unregisters the check and
/// leaves the function without a listener. The function must outlive it. Not copyable (the
/// function and the space hold its address).
class bar_slots final : public bar_listener, public restore_check {
 public:
  bar_slots(bar_source& function, const std::array<slot_handle, 6>& handles)
      : source_(&function), slots_(handles) {
    for (const slot_handle& h : slots_)
      if (h) space_ = h.space();
    function.set_listener(this);
    bars_changed(bar_decodes{}, function.decode());
    if (space_) space_->add_restore_check(*this);
  }
  bar_slots(const bar_slots&) = delete;
  bar_slots& operator=(const bar_slots&) = delete;
  ~bar_slots() {
    if (space_) space_->remove_restore_check(*this);
    source_->set_listener(nullptr);
  }

  /// A BAR that decodes must be where its slot is — or its slot disabled, if placing it there
  /// would be refused — and a BAR that does not decode must have its slot disabled.
  [[nodiscard]] bool consistent(const restore_view& v) const override {
    const auto saved = v.state_of(source_->state_handler());
    const bar_decodes d = saved ? source_->decode_saved(*saved) : source_->decode();
    for (std::size_t i = 0; i < 6; ++i) {
      if (!slots_[i] || !d[i].present) continue;
      const slot_placement p = v.placement(slots_[i].id());
      if (!d[i].enabled) {
        if (p.enabled) return false;
      } else if (p.enabled ? p.base != d[i].base : v.can_place(slots_[i].id(), d[i].base)) {
        return false;
      }
    }
    return true;
  }
  /// Which BARs the restored map leaves unmapped, from the restored registers.
  void restored() override {
    const bar_decodes d = source_->decode();
    for (std::size_t i = 0; i < 6; ++i)
      unmapped_[i] = slots_[i] && d[i].present && d[i].enabled && !slots_[i].placement().enabled;
  }

  void bars_changed(const bar_decodes& was, const bar_decodes& now) override {
    std::array<bool, 6> change{}, refused{};
    // A BAR left unmapped by an earlier refusal is tried again with any change: it decodes
    // whatever its registers hold, and what blocked it may have moved.
    for (std::size_t i = 0; i < 6; ++i)
      change[i] = slots_[i] && now[i].present &&
                  (was[i].enabled != now[i].enabled ||
                   (now[i].enabled && (was[i].base != now[i].base || unmapped_[i])));
    // At most one retry per BAR: each refusal names one more BAR to leave unmapped.
    for (std::size_t attempt = 0; attempt <= 6; ++attempt) {
      if (space_ == nullptr) return;
      transaction tx(*space_);
      for (std::size_t i = 0; i < 6; ++i) {
        if (!change[i]) continue;
        if (now[i].enabled && !refused[i])
          tx.place(slots_[i], now[i].base);
        else
          tx.disable(slots_[i]);
      }
      if (tx.size() == 0) return;
      last_ = tx.commit();
      if (last_.ok()) {
        for (std::size_t i = 0; i < 6; ++i) unmapped_[i] = change[i] ? refused[i] : unmapped_[i];
        return;
      }
      // Which of this function's BARs the refusal names; if none (a slot of another device
      // named alone), every BAR being placed is left unmapped.
      bool named = false;
      for (std::size_t i = 0; i < 6; ++i) {
        if (!change[i] || !now[i].enabled || refused[i]) continue;
        const node_index n = space_->slot_node(slots_[i].id());
        if (n == last_.a || n == last_.b) {
          refused[i] = true;
          named = true;
          break;
        }
      }
      if (!named)
        for (std::size_t i = 0; i < 6; ++i)
          refused[i] = refused[i] || (change[i] && now[i].enabled);
    }
  }

  /// The result of the last transaction committed or refused (the refused one before a retry
  /// is overwritten by the retry's).
  [[nodiscard]] const commit_result& last_result() const noexcept { return last_; }
  /// Whether BAR i is programmed and enabled but left unmapped by a refusal.
  [[nodiscard]] bool unmapped(std::size_t i) const noexcept { return unmapped_[i]; }

 private:
  bar_source* source_;
  std::array<slot_handle, 6> slots_;
  dynamic_space* space_ = nullptr;
  std::array<bool, 6> unmapped_{};
  commit_result last_{};
};

}  // namespace pci

MMIOTREE_END_NAMESPACE
