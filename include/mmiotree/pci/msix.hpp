// pci/msix.hpp: MSI-X — the capability in configuration space, the table and the Pending Bit
// Array as register blocks placed over the BAR that holds them, and the interrupt logic.
//
//   using fn = pci::function<ids, pci::bars<pci::mem64<0, 64_KiB>>,
//                            pci::caps<pci::msix_capability<"msix", 8, 0, 0x8000, 0, 0x9000>>>;
//   using bar0 = container<"bar0", 64_KiB, at<0, passthrough<"mmio", 64_KiB>>,
//                          at<0x8000, pci::msix_table<8>, 1>, at<0x9000, pci::msix_pba<8>, 1>>;
//   pci::msix<8> vectors{&vmm};                       // vmm: a pci::msi_target
//   pci::function_device<fn> dev{&bars, &vectors};     // Message Control writes reach it
//   bar.bind<"msix_table">(vectors.table()); bar.bind<"msix_pba">(vectors.pba());
//   vectors.raise(3);                                  // the device signals vector 3
//
// This is the case of reference cxl.md §5 — QEMU lays its MSI-X table and PBA over a mmapped BAR
// and they win by insertion order at equal priority; here they are typed overlay regions at an
// explicit priority, and the compiler proves what they hide.
//
// Semantics (PCIe r6 §6.1.4, §7.7.2): a vector raised while MSI-X is enabled and neither the
// function (Function Mask) nor the vector (Vector Control bit 0) is masked is delivered — the
// VMM's `msi_target` gets the entry's address and data; while masked, its Pending bit is set
// instead, and it is delivered, and the bit cleared, when the masks clear. While MSI-X is
// disabled a raised vector is dropped (the function would use INTx; none is modelled) and
// counted. Vector Control's mask is set at reset; the Pending Bit Array is read-only.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/field.hpp>
#include <mmiotree/regs/register_file.hpp>

#include <cstddef>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace pci {

namespace detail {
using namespace mmiotree::field_kinds;
}

/// MSI-X table and PBA accesses: 4 or 8 bytes, naturally aligned (PCIe r6 §6.1.4.2).
inline constexpr access_policy msix_access{
    .valid = static_cast<size_mask>(size_bit(4) | size_bit(8)),
    .impl_min = 4,
    .impl_max = 8,
    .unaligned = false,
    .align = 8,
    .on_straddle = straddle::reject,
    .on_reentry = reentry::refuse,
};

// clang-format off
/// The MSI-X capability (ID 0x11, 12 bytes): Message Control (Table Size = Vectors - 1, RO;
/// Function Mask and MSI-X Enable, RW), and the table's and the PBA's BAR and offset (RO; the
/// offsets are 8-byte aligned, their low 3 bits being the BAR indicator).
template <fixed_string Name, std::uint16_t Vectors, unsigned TableBar, addr_t TableOffset,
          unsigned PbaBar, addr_t PbaOffset>
  requires(Vectors >= 1 && Vectors <= 2048 && TableBar <= 5 && PbaBar <= 5 &&
           TableOffset % 8 == 0 && PbaOffset % 8 == 0)
struct msix_capability : capability<Name, 0x11, 12,
    mmiotree::reg<"control", 0x2, 16, Vectors - 1U,
        field<"table_size", 10, 0, detail::ro>, field<"rsvd", 13, 11, detail::rsvdp>,
        field<"function_mask", 14, 14, detail::rw>, field<"enable", 15, 15, detail::rw>>,
    mmiotree::reg<"table", 0x4, 32, TableBar | TableOffset,
        field<"bir", 2, 0, detail::ro>, field<"offset", 31, 3, detail::ro>>,
    mmiotree::reg<"pba", 0x8, 32, PbaBar | PbaOffset,
        field<"bir", 2, 0, detail::ro>, field<"offset", 31, 3, detail::ro>>> {};

/// The MSI-X table of `Vectors` entries (16 bytes each): message address (low bits 1:0 zero),
/// upper address, data, and Vector Control (Mask Bit, set at reset).
template <std::uint16_t Vectors>
struct msix_table : register_block<"msix_table", 16 * addr_t{Vectors}, msix_access,
    reg_array<"entry", 0x0, Vectors, 16,
        mmiotree::reg<"address_lo", 0x0, 32, 0, field<"zero", 1, 0, detail::ro>,
            field<"address", 31, 2, detail::rw>>,
        mmiotree::reg<"address_hi", 0x4, 32, 0, field<"address", 31, 0, detail::rw>>,
        mmiotree::reg<"data", 0x8, 32, 0, field<"data", 31, 0, detail::rw>>,
        mmiotree::reg<"vector_control", 0xC, 32, 1, field<"mask", 0, 0, detail::rw>,
            field<"rsvd", 31, 1, detail::rsvdp>>>> {};

/// The Pending Bit Array: one bit per vector, in 64-bit words, read-only.
template <std::uint16_t Vectors>
struct msix_pba : register_block<"msix_pba", 8 * ((addr_t{Vectors} + 63) / 64), msix_access,
    reg_array<"pending", 0x0, (Vectors + 63) / 64, 8,
        mmiotree::reg<"bits", 0x0, 64, 0, field<"bits", 63, 0, detail::ro>>>> {};
// clang-format on

/// Where a function's MSI-X messages go: the VMM (an interrupt controller, KVM_SIGNAL_MSI).
class msi_target {
 public:
  virtual void deliver(addr_t address, std::uint32_t data) = 0;

 protected:
  ~msi_target() = default;
};

/// Told when Message Control changes (`function_device` calls it for a function with MSI-X).
class msix_control_listener {
 public:
  virtual void control_changed(bool enable, bool function_mask) = 0;

 protected:
  ~msix_control_listener() = default;
};

/// The MSI-X state of a function with `Vectors` vectors: the table and PBA register files, and
/// the interrupt logic.
template <std::uint16_t Vectors>
class msix final : public msix_control_listener {
 public:
  using table_block = msix_table<Vectors>;
  using pba_block = msix_pba<Vectors>;
  using table_file = register_file<table_block, msix, after_write_to<"entry/vector_control">>;
  using pba_file = register_file<pba_block>;

  explicit msix(msi_target* target = nullptr) noexcept : target_(target) {}
  msix(const msix&) = delete;
  msix& operator=(const msix&) = delete;

  void set_target(msi_target* t) noexcept { target_ = t; }
  [[nodiscard]] table_file& table() noexcept { return table_; }
  [[nodiscard]] pba_file& pba() noexcept { return pba_; }
  [[nodiscard]] bool enabled() const noexcept { return enable_; }
  [[nodiscard]] bool function_masked() const noexcept { return function_mask_; }
  [[nodiscard]] bool pending(std::size_t v) const noexcept {
    return v < Vectors && ((pba_.state().template get<"pending/bits">(v / 64).raw >> (v % 64)) & 1);
  }
  /// Raised vectors dropped because MSI-X was disabled.
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }

  /// The device signals vector `v`.
  void raise(std::size_t v) {
    if (v >= Vectors) return;
    if (!enable_) {
      ++dropped_;
      return;
    }
    if (masked(v))
      set_pending(v, true);
    else
      send(v);
  }

  /// Message Control changed (from the function's configuration space).
  void control_changed(bool enable, bool function_mask) override {
    enable_ = enable;
    function_mask_ = function_mask;
    flush();
  }

  /// Reset: table and PBA to their reset values (every vector masked, nothing pending), MSI-X
  /// disabled (the function's Message Control resets with its configuration space).
  void reset() noexcept {
    table_.reset();
    pba_.reset();
    enable_ = false;
    function_mask_ = false;
  }

  // The regs layer's hook: a vector unmasked delivers what it has pending.
  void after_write(write_event<table_block, "entry/vector_control">& e) {
    if (e.old.template get<"mask">() != 0 && e.now.template get<"mask">() == 0)
      flush_one(e.element);
  }

 private:
  [[nodiscard]] bool masked(std::size_t v) const noexcept {
    return function_mask_ || table_.state().template get<"entry/vector_control", "mask">(v) != 0;
  }
  void set_pending(std::size_t v, bool on) noexcept {
    auto& s = pba_.state();
    std::uint64_t w = s.template get<"pending/bits">(v / 64).raw;
    w = on ? (w | (std::uint64_t{1} << (v % 64))) : (w & ~(std::uint64_t{1} << (v % 64)));
    s.template set_raw<"pending/bits">(w, v / 64);
  }
  void send(std::size_t v) {
    const auto& s = table_.state();
    const addr_t address = (s.template get<"entry/address_hi">(v).raw << 32) |
                           (s.template get<"entry/address_lo">(v).raw & ~addr_t{0x3});
    const auto data = static_cast<std::uint32_t>(s.template get<"entry/data">(v).raw);
    if (target_) target_->deliver(address, data);
  }
  void flush_one(std::size_t v) {
    if (enable_ && !masked(v) && pending(v)) {
      set_pending(v, false);
      send(v);
    }
  }
  void flush() {
    for (std::size_t v = 0; v < Vectors; ++v) flush_one(v);
  }

  table_file table_{*this};
  pba_file pba_;
  msi_target* target_;
  bool enable_ = false;
  bool function_mask_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace pci

MMIOTREE_END_NAMESPACE
