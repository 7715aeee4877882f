// cxl/hdm_decoder.hpp: the HDM Decoder Capability structure as a typed register block, and the
// commit protocol a VMM emulates for its guest.
//
// Since the RFC, the kernel drafts no longer emulate the decoders for the guest (their COMP_REGS
// region is read-only or absorbs writes): the VMM must. `hdm_decoders` is that emulation — the
// register map of CXL r3.1 §8.2.4.20 (docs/pci-cxl.md, "HDM decoders", has the table) with the
// field rules applied by the regs layer, and the commit, lock and reset rules in one hook.
//
//   struct my_device : cxl::decoder_listener { ... };
//   cxl::hdm_decoders<2> hdm{dpa_bytes, &dev};   // 2 device decoders (DPA skip)
//   space.bind<"bar2/hdm">(hdm.regs());           // the guest programs it through the BAR
//
// Decisions where the references leave a rule open (each tested in tests/unit/cxl):
//   - Commit 0→1 validates (`check_commit`) and sets Committed, or Error Not Committed with the
//     decoder inactive; Commit 1→0 de-commits. Both transitions clear Error Not Committed (QEMU
//     hw/cxl/cxl-component-utils.c `dumb_hdm_handler`; Linux `cxl_decoder_commit` clears Commit
//     after an error before it retries). A write that leaves Commit as it was changes neither.
//   - While a decoder is committed its programming fields (base, size, IG, IW, Lock-On-Commit,
//     Target Range Type, DPA skip / target list) are read-only and only Commit is honoured
//     (the v3 kernel emulation's reading of CXL r4.0 §8.2.4.20.5): a committed decoder's range
//     never changes under the VMM's mapping. With Lock-On-Commit, Commit is read-only too, until
//     reset (the reviewer ruling on the v2/v3 drafts, reference cxl.md §7).
//   - Decoders commit in order: decoder m only when decoders 0..m-1 are committed (CXL 2.0
//     8.2.5.12.20 as Linux drivers/cxl/core/hdm.c `cxl_decoder_commit` cites it, -EBUSY
//     otherwise). De-commit order is not enforced: the rule covers commit only, hardware has no
//     error bit for a de-commit, and Linux's `cxl_decoder_reset` only logs an out-of-order reset.
//   - The size must be a multiple of ways × 256 MiB, so that each device's share (size / ways,
//     the DPA length) is a 256 MiB multiple: Linux refuses other DPA sizes (region.c
//     `alloc_hpa`, `dpa_size_store`); `init_hdm_decoder` checks `size % ways` at least.
//   - IG/IW: reserved encodings are refused, and so are ways the capability register does not
//     advertise (3/6/12 need bit 11, 16 bit 12) and interleaves whose selecting HPA bits
//     [IG + 8, IG + 8 + log2(ways without its factor 3)) are not interleave-capable (bits 11:8
//     need bit 8, 14:12 bit 9) — Linux region.c `check_interleave_cap`.
//   - HDM Decoder Enable (Global Control bit 1) is stored and reported but gates nothing here:
//     QEMU never reads it (it commits and decodes without it), and what it selects (HDM decoders
//     rather than the DVSEC range registers) is the DVSEC's business. `firmware_commit` sets it,
//     as platform firmware does, so that a Linux guest sees the decoders as firmware-owned
//     (drivers/cxl/core/pci.c).
//   - The DVSEC's CONFIG_LOCK does not lock the decoders: neither Linux nor QEMU reads it so;
//     it locks the DVSEC's own RWL fields, and Lock-On-Commit is the decoders' lock.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/field.hpp>
#include <mmiotree/regs/register_file.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

MMIOTREE_BEGIN_NAMESPACE

namespace cxl {

using namespace mmiotree::literals;

/// Decoder base and size are multiples of this (their low 28 bits are RsvdP).
inline constexpr addr_t hdm_granule = 256_MiB;

/// What a decoder's words 0x14/0x18 hold: a device (endpoint) decoder's DPA skip, or a switch,
/// host-bridge or root-port decoder's target list.
enum class decoder_kind : std::uint8_t { device, port };

/// What the HDM Decoder Capability register advertises beside the decoder count.
struct hdm_capabilities {
  bool interleave_11_8 = true;    ///< A11to8 Interleave Capable (HPA bits 11:8)
  bool interleave_14_12 = false;  ///< A14to12 Interleave Capable (HPA bits 14:12)
  bool poison_on_decode_error = false;
  bool ways_3_6_12 = false;
  bool ways_16 = false;
  std::uint8_t target_count = 1;  ///< target ports per decoder (4 bits)
  [[nodiscard]] constexpr bool operator==(const hdm_capabilities&) const = default;
};

/// The Decoder Count field's encoding of `count` decoders (CXL r3.1 §8.2.4.20.1; QEMU's table —
/// Linux decodes `field ? 2 * field : 1`, wrong above 16), or 0xFF when `count` has none.
[[nodiscard]] constexpr std::uint32_t decoder_count_encoding(std::size_t count) noexcept {
  constexpr std::array<std::size_t, 13> counts{1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32};
  for (std::uint32_t e = 0; e < counts.size(); ++e)
    if (counts[e] == count) return e;
  return 0xFF;
}
/// The number of decoders an encoding stands for (0 for a reserved encoding).
[[nodiscard]] constexpr std::size_t decoder_count_of(std::uint32_t encoding) noexcept {
  constexpr std::array<std::size_t, 13> counts{1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32};
  return encoding < counts.size() ? counts[encoding] : 0;
}
/// The most decoders a component of `kind` may have: 10 for devices (counts above 10 are for
/// switches and host bridges only), 32 for ports.
[[nodiscard]] constexpr std::size_t max_decoders(decoder_kind kind) noexcept {
  return kind == decoder_kind::device ? 10 : 32;
}

/// Interleave ways of an IW encoding (1, 2, 4, 8, 16, 3, 6, 12), 0 if reserved.
[[nodiscard]] constexpr unsigned ways_of(std::uint32_t iw) noexcept {
  switch (iw) {
    case 0: return 1;
    case 1: return 2;
    case 2: return 4;
    case 3: return 8;
    case 4: return 16;
    case 8: return 3;
    case 9: return 6;
    case 0xA: return 12;
    default: return 0;
  }
}
/// Interleave granularity in bytes of an IG encoding (256 B << IG for 0..6), 0 if reserved.
[[nodiscard]] constexpr addr_t granularity_of(std::uint32_t ig) noexcept {
  return ig <= 6 ? addr_t{256} << ig : 0;
}

namespace diag {
template <std::size_t Count, decoder_kind Kind>
struct decoder_count_not_encodable {
  static_assert(mmiotree::diag::always_false_v<Count>,
                "mmiotree: an HDM decoder block has a decoder count the capability register can "
                "encode: in decoder_count_not_encodable<Count, Kind>, Count is not 1, 2, 4, 6, "
                "8 or 10 for Kind device, nor one of those or 12, 14, 16, 20, 24, 28 or 32 for "
                "Kind port (counts above 10 are for switches and host bridges)");
};
}  // namespace diag

namespace detail {
using namespace mmiotree::field_kinds;

/// The capability register's value (all its fields are HwInit).
constexpr std::uint64_t capability_value(std::size_t count, const hdm_capabilities& c) {
  const std::uint32_t enc = decoder_count_encoding(count);
  return (enc == 0xFF ? 0 : enc) | (std::uint64_t{c.target_count & 0xFU} << 4) |
         (std::uint64_t{c.interleave_11_8} << 8) | (std::uint64_t{c.interleave_14_12} << 9) |
         (std::uint64_t{c.poison_on_decode_error} << 10) | (std::uint64_t{c.ways_3_6_12} << 11) |
         (std::uint64_t{c.ways_16} << 12);
}

/// Reports an unencodable count once; the block is then built with one decoder (the poison),
/// so the error is not followed by others.
template <std::size_t Count, decoder_kind Kind>
consteval std::size_t checked_count() {
  if constexpr (decoder_count_encoding(Count) == 0xFF || Count > max_decoders(Kind)) {
    (void)&mmiotree::diag::emit<diag::decoder_count_not_encodable<Count, Kind>>;
    return 1;
  } else {
    return Count;
  }
}

// The RWL programming fields lock while the decoder is committed; Commit locks when it is
// committed with Lock-On-Commit (see the header comment).
using prog = lock<"programming">;

// 0x24/0x28 + 0x20 n: DPA skip (device) — bits 31:28 of the low word, 256 MiB granular — or the
// target list (port) — one port ID per byte, way i in byte i.
template <decoder_kind Kind>
struct decoder_tail;
template <>
struct decoder_tail<decoder_kind::device> {
  using lo =
      reg<"skip_lo", 0x14, 32, 0, field<"rsvd", 27, 0, rsvdp>, field<"skip", 31, 28, rwl, prog>>;
  using hi = reg<"skip_hi", 0x18, 32, 0, field<"skip", 31, 0, rwl, prog>>;
};
template <>
struct decoder_tail<decoder_kind::port> {
  using lo =
      reg<"target_lo", 0x14, 32, 0, field<"way0", 7, 0, rwl, prog>, field<"way1", 15, 8, rwl, prog>,
          field<"way2", 23, 16, rwl, prog>, field<"way3", 31, 24, rwl, prog>>;
  using hi =
      reg<"target_hi", 0x18, 32, 0, field<"way4", 7, 0, rwl, prog>, field<"way5", 15, 8, rwl, prog>,
          field<"way6", 23, 16, rwl, prog>, field<"way7", 31, 24, rwl, prog>>;
};

// clang-format off
template <std::size_t N, decoder_kind Kind, hdm_capabilities Caps>
struct hdm_block : register_block<"hdm_decoders", 0x10 + 0x20 * N,
    access::refuse_reentry(access::exactly<4>),
    reg<"capability", 0x0, 32, capability_value(N, Caps),
        field<"decoder_count", 3, 0, hwinit>,
        field<"target_count", 7, 4, hwinit>,
        field<"interleave_11_8", 8, 8, hwinit>,
        field<"interleave_14_12", 9, 9, hwinit>,
        field<"poison_on_decode_error", 10, 10, hwinit>,
        field<"ways_3_6_12", 11, 11, hwinit>,
        field<"ways_16", 12, 12, hwinit>,
        field<"uio", 13, 13, hwinit>,
        field<"rsvd", 15, 14, rsvdp>,
        field<"uio_decoder_count", 19, 16, hwinit>,
        field<"memdata_nxm", 20, 20, hwinit>,
        field<"coherency_models", 22, 21, hwinit>,
        field<"rsvd_hi", 31, 23, rsvdp>>,
    // Poison On Decode Error Enable is writable only where the capability says so.
    reg<"global_control", 0x4, 32, 0,
        field<"poison_on_decode_error", 0, 0, Caps.poison_on_decode_error ? rw : ro>,
        field<"enable", 1, 1, rw>,
        field<"rsvd", 31, 2, rsvdp>>,
    reg_array<"decoder", 0x10, N, 0x20,
        reg<"base_lo", 0x0, 32, 0, field<"rsvd", 27, 0, rsvdp>, field<"base", 31, 28, rwl, prog>>,
        reg<"base_hi", 0x4, 32, 0, field<"base", 31, 0, rwl, prog>>,
        reg<"size_lo", 0x8, 32, 0, field<"rsvd", 27, 0, rsvdp>, field<"size", 31, 28, rwl, prog>>,
        reg<"size_hi", 0xC, 32, 0, field<"size", 31, 0, rwl, prog>>,
        // BI, UIO, UIG, UIW and ISP (bits 13, 14, 16-27) are reserved in a component that
        // advertises neither UIO nor back-invalidation, as this block does.
        reg<"ctrl", 0x10, 32, 0,
            field<"ig", 3, 0, rwl, prog,
                  enumerator<"256B", 0>, enumerator<"512B", 1>, enumerator<"1KiB", 2>,
                  enumerator<"2KiB", 3>, enumerator<"4KiB", 4>, enumerator<"8KiB", 5>,
                  enumerator<"16KiB", 6>>,
            field<"iw", 7, 4, rwl, prog,
                  enumerator<"1", 0>, enumerator<"2", 1>, enumerator<"4", 2>, enumerator<"8", 3>,
                  enumerator<"16", 4>, enumerator<"3", 8>, enumerator<"6", 9>,
                  enumerator<"12", 0xA>>,
            field<"lock_on_commit", 8, 8, rwl, prog>,
            field<"commit", 9, 9, rwl, lock<"commit">>,
            field<"committed", 10, 10, ro>,
            field<"error_not_committed", 11, 11, ro>,
            field<"target_range_type", 12, 12, rwl, prog,
                  enumerator<"device_coherent", 0>, enumerator<"host_only", 1>>,
            field<"rsvd", 31, 13, rsvdp>>,
        typename decoder_tail<Kind>::lo,
        typename decoder_tail<Kind>::hi>,
    lock_if<"programming", "decoder/ctrl", "committed">,
    lock_if<"commit", "decoder/ctrl", "committed", "lock_on_commit">> {};
// clang-format on
}  // namespace detail

/// The HDM Decoder Capability structure of `Count` decoders as a register block
/// (0x10 + 0x20 × Count bytes, 4-byte accesses only).
template <std::size_t Count, decoder_kind Kind = decoder_kind::device,
          hdm_capabilities Caps = hdm_capabilities{}>
using hdm_block = detail::hdm_block<detail::checked_count<Count, Kind>(), Kind, Caps>;

/// A committed decoder: the host-physical range it decodes and, for a device decoder, the
/// device-physical range behind it.
struct hdm_window {
  std::size_t decoder = 0;
  addr_t hpa_base = 0;
  addr_t hpa_size = 0;
  addr_t dpa_base = 0;  ///< device decoders: where its DPA starts (after the skip)
  addr_t dpa_size = 0;  ///< device decoders: hpa_size / ways
  unsigned ways = 1;
  addr_t granularity = 256;
  bool locked = false;  ///< committed with Lock-On-Commit
  [[nodiscard]] constexpr bool operator==(const hdm_window&) const = default;
};

/// Why a commit was refused (the decoder then shows Error Not Committed).
enum class commit_refusal : std::uint8_t {
  none,
  size_zero,
  out_of_order,           ///< a lower decoder is not committed
  overlap,                ///< its HPA range meets another committed decoder's
  address_overflow,       ///< base + size passes 2^64
  bad_ways,               ///< IW reserved, or not advertised in the capability register
  bad_granularity,        ///< IG reserved, or its address bits not interleave-capable
  size_not_way_multiple,  ///< size is not a multiple of ways × 256 MiB
  dpa_exhausted,          ///< the DPA range runs past the device's memory
  locked,                 ///< (firmware_commit) the decoder is committed and locked
  no_such_decoder,        ///< (firmware_commit) n >= the decoder count
};

[[nodiscard]] constexpr std::string_view to_string(commit_refusal r) noexcept {
  switch (r) {
    case commit_refusal::none: return "none";
    case commit_refusal::size_zero: return "size is zero";
    case commit_refusal::out_of_order: return "a lower decoder is not committed";
    case commit_refusal::overlap: return "HPA range overlaps a committed decoder";
    case commit_refusal::address_overflow: return "base + size passes 2^64";
    case commit_refusal::bad_ways: return "interleave ways reserved or not supported";
    case commit_refusal::bad_granularity: return "interleave granularity reserved or unsupported";
    case commit_refusal::size_not_way_multiple: return "size not a multiple of ways x 256 MiB";
    case commit_refusal::dpa_exhausted: return "DPA range past the device's memory";
    case commit_refusal::locked: return "decoder committed and locked";
    case commit_refusal::no_such_decoder: return "no such decoder";
  }
  return "?";
}

/// Told when a decoder starts or stops decoding, so that the VMM maps the device's memory at
/// the decoder's HPA when, and only when, a commit succeeds, and unmaps it on de-commit or
/// reset. Called from inside the guest's register write (a VMM that commits an address-space
/// transaction from here gets the behaviour of runtime/transaction.hpp: it takes effect when
/// the current access completes).
class decoder_listener {
 public:
  virtual void decoder_committed(const hdm_window& w) = 0;
  virtual void decoder_decommitted(const hdm_window& w) = 0;

 protected:
  ~decoder_listener() = default;
};

/// What `decoder_slots` (cxl/decoder_slots.hpp) needs of a decoder block, without its type.
class decoder_source {
 public:
  [[nodiscard]] virtual std::size_t decoder_count() const noexcept = 0;
  /// Decoder n's window if it is committed now.
  [[nodiscard]] virtual std::optional<hdm_window> committed(std::size_t n) const noexcept = 0;
  /// Decoder n's window if it is committed in `saved` — the register file's state as its
  /// `save_state` writes it and its `validate_state` accepts it.
  [[nodiscard]] virtual std::optional<hdm_window> committed_in(std::span<const std::byte> saved,
                                                               std::size_t n) const noexcept = 0;
  /// The object a snapshot section holds the decoders' state of (the register file).
  [[nodiscard]] virtual const void* state_handler() const noexcept = 0;
  virtual void set_listener(decoder_listener* l) noexcept = 0;

 protected:
  decoder_source() = default;
  decoder_source(const decoder_source&) = default;
  decoder_source& operator=(const decoder_source&) = default;
  ~decoder_source() = default;
};

/// The emulated decoders of one component: the register block's state with the commit
/// protocol. `regs()` is the register file to bind at the block's place in an address space.
/// Not copyable or movable (the register file points at it).
///
/// In a snapshot (the register file is a stateful handler), a state is accepted only if every
/// decoder's Commit / Committed / Error Not Committed are a combination the protocol produces
/// (none; Commit and Committed; Commit and Error Not Committed) and every committed decoder
/// obeys the commit rules that still hold after later writes (`check_own`: size, address
/// range, ways, granularity, no overlap with another committed decoder) — so Lock-On-Commit,
/// which locks only a committed decoder, cannot be restored onto a range the guest could not
/// have committed. The rules that relate a decoder to the lower decoders' *current* registers
/// (commit order, the DPA range) are not required: de-commit order is free, so a committed
/// decoder may sit above a de-committed, reprogrammed one.
///
/// A device decoder's DPA base is latched when it commits (the sum of the lower decoders' skips
/// and sizes / ways then, and its own skip), as the decode logic of a device holds it: a lower
/// decoder de-committed and reprogrammed later moves nothing that is committed. The latched
/// bases travel in the snapshot after the registers (8 bytes each, little-endian; 0 for a
/// decoder not committed), and a state is accepted only if each committed decoder's latched
/// range lies within the device's memory.
template <std::size_t Count, decoder_kind Kind = decoder_kind::device,
          hdm_capabilities Caps = hdm_capabilities{}>
class hdm_decoders final : public decoder_source {
 public:
  using block = hdm_block<Count, Kind, Caps>;
  using file_type = register_file<block, hdm_decoders, after_write_to<"decoder/ctrl">>;
  static constexpr std::size_t count = Count;
  static constexpr decoder_kind kind = Kind;
  static constexpr hdm_capabilities capabilities = Caps;

  /// `dpa_capacity`: bytes of device memory behind the decoders (device kind; a commit whose
  /// DPA range runs past it is refused). `listener` may be null.
  explicit hdm_decoders(addr_t dpa_capacity = ~addr_t{0},
                        decoder_listener* listener = nullptr) noexcept
      : dpa_capacity_(dpa_capacity), listener_(listener) {}
  hdm_decoders(const hdm_decoders&) = delete;
  hdm_decoders& operator=(const hdm_decoders&) = delete;

  void set_listener(decoder_listener* l) noexcept override { listener_ = l; }
  [[nodiscard]] file_type& regs() noexcept { return file_; }
  [[nodiscard]] const register_state<block>& state() const noexcept { return file_.state(); }

  /// Decoder n's decode range while it is committed (its DPA as latched at commit).
  [[nodiscard]] std::optional<hdm_window> window(std::size_t n) const noexcept {
    if (n >= Count || file_.template get<"decoder/ctrl", "committed">(n) == 0) return std::nullopt;
    return latched_window(file_.state(), dpa_latched_, n);
  }
  [[nodiscard]] std::size_t decoder_count() const noexcept override { return Count; }
  [[nodiscard]] std::optional<hdm_window> committed(std::size_t n) const noexcept override {
    return window(n);
  }
  [[nodiscard]] std::optional<hdm_window> committed_in(std::span<const std::byte> saved,
                                                       std::size_t n) const noexcept override {
    register_state<block> s;
    if (saved.size() != file_type::snapshot_size() || n >= Count) return std::nullopt;
    std::memcpy(&s, saved.data(), sizeof s);
    if (s.template get<"decoder/ctrl", "committed">(n) == 0) return std::nullopt;
    return latched_window(s, read_latches(saved.subspan(sizeof s)), n);
  }
  [[nodiscard]] const void* state_handler() const noexcept override { return &file_; }

  /// Bytes of the latched DPA bases in a snapshot, after the registers (device decoders).
  static constexpr std::size_t extra_state_size = Kind == decoder_kind::device ? 8 * Count : 0;
  void save_extra_state(std::span<std::byte> out) const noexcept {
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::byte>(dpa_latched_[i / 8] >> (8 * (i % 8)));
  }
  void restore_extra_state(std::span<const std::byte> in) noexcept {
    dpa_latched_ = read_latches(in);
  }
  /// The register file's check of a restored state (see the class comment).
  [[nodiscard]] bool valid_state(const register_state<block>& s,
                                 std::span<const std::byte> extra) const noexcept {
    if (extra.size() != extra_state_size) return false;
    const std::array<addr_t, Count> latched = read_latches(extra);
    for (std::size_t n = 0; n < Count; ++n) {
      const bool commit = s.template get<"decoder/ctrl", "commit">(n) != 0;
      const bool committed = s.template get<"decoder/ctrl", "committed">(n) != 0;
      const bool error = s.template get<"decoder/ctrl", "error_not_committed">(n) != 0;
      if (committed && (error || !commit || check_own(s, n) != commit_refusal::none)) return false;
      if (!committed && commit != error) return false;
      if constexpr (Kind == decoder_kind::device) {
        const hdm_window w = latched_window(s, latched, n);
        if (!committed && latched[n] != 0) return false;
        if (committed && (w.dpa_base > dpa_capacity_ || dpa_capacity_ - w.dpa_base < w.dpa_size))
          return false;
      }
    }
    return true;
  }
  /// After a restore: the reason of each refused commit, as the restored registers give it.
  void state_restored() noexcept {
    const register_state<block>& s = file_.state();
    for (std::size_t n = 0; n < Count; ++n)
      refusal_[n] = s.template get<"decoder/ctrl", "error_not_committed">(n) != 0
                        ? check_commit(s, n)
                        : commit_refusal::none;
  }

  /// Why decoder n's last commit attempt was refused (`none` after a success or a de-commit).
  [[nodiscard]] commit_refusal last_refusal(std::size_t n) const noexcept {
    return n < Count ? refusal_[n] : commit_refusal::none;
  }

  /// What platform firmware does before the OS runs (RFC patch 7, `setup_locked_hdm`): programs
  /// decoder n with `base` and `size` (256 MiB multiples; lower bits are dropped, as the
  /// registers drop them), one way, and sets Commit and Lock-On-Commit, with HDM Decoder Enable.
  /// The commit follows the guest's rules; the listener hears it. A decoder already committed
  /// and locked is left alone (`locked`); one committed unlocked is de-committed first.
  commit_refusal firmware_commit(std::size_t n, addr_t base, addr_t size, bool lock = true) {
    if (n >= Count) return commit_refusal::no_such_decoder;
    register_state<block>& s = file_.state();
    if (s.template locked<"commit">(n)) return commit_refusal::locked;
    if (s.template get<"decoder/ctrl", "committed">(n) != 0) decommit(n);
    s.template set_field<"decoder/base_lo", "base">((base >> 28) & 0xF, n);
    s.template set_field<"decoder/base_hi", "base">(base >> 32, n);
    s.template set_field<"decoder/size_lo", "size">((size >> 28) & 0xF, n);
    s.template set_field<"decoder/size_hi", "size">(size >> 32, n);
    s.template set<"decoder/ctrl">(n, val<"ig", 0>{}, val<"iw", 0>{});
    s.template set_field<"decoder/ctrl", "lock_on_commit">(lock ? 1 : 0, n);
    s.template set_field<"decoder/ctrl", "commit">(1, n);
    s.template set<"global_control">(val<"enable", 1>{});
    attempt_commit(n);
    return refusal_[n];
  }

  /// Reset (FLR, CXL reset, D3hot→D0, a conventional reset): every register back to its reset
  /// value — decoders uncommitted and unlocked — and a de-commit reported, highest decoder
  /// first, for each decoder that was committed, so that the VMM drops the device memory.
  void reset() {
    std::array<std::optional<hdm_window>, Count> was{};
    for (std::size_t n = 0; n < Count; ++n) was[n] = window(n);
    file_.reset();
    refusal_ = {};
    dpa_latched_ = {};
    for (std::size_t n = Count; n-- > 0;)
      if (was[n] && listener_) listener_->decoder_decommitted(*was[n]);
  }

  /// The commit rules (§2.5 of reference cxl.md) for decoder n as `s` holds it, the other
  /// decoders' committed state included.
  [[nodiscard]] commit_refusal check_commit(const register_state<block>& s,
                                            std::size_t n) const noexcept {
    return check_rules(s, n, true);
  }
  /// The commit rules that hold for a committed decoder whatever happened after its commit:
  /// all but commit order and the DPA range, which depend on the lower decoders' registers.
  [[nodiscard]] commit_refusal check_own(const register_state<block>& s,
                                         std::size_t n) const noexcept {
    return check_rules(s, n, false);
  }

  // The regs layer's hook (declared in file_type): Commit's transitions.
  void after_write(write_event<block, "decoder/ctrl">& e) {
    if (e.now.template rose<"commit">(e.old)) {
      attempt_commit(e.element);
    } else if (e.now.template fell<"commit">(e.old)) {
      decommit(e.element);
    }
  }

 private:
  /// `check_commit` (`history`: with commit order and the DPA range) or `check_own`.
  [[nodiscard]] commit_refusal check_rules(const register_state<block>& s, std::size_t n,
                                           bool history) const noexcept {
    const hdm_window w = window_of(s, n);
    const std::uint32_t iw = static_cast<std::uint32_t>(s.template get<"decoder/ctrl", "iw">(n));
    const std::uint32_t ig = static_cast<std::uint32_t>(s.template get<"decoder/ctrl", "ig">(n));
    if (w.hpa_size == 0) return commit_refusal::size_zero;
    for (std::size_t m = 0; history && m < n; ++m)
      if (s.template get<"decoder/ctrl", "committed">(m) == 0) return commit_refusal::out_of_order;
    if (w.hpa_base + (w.hpa_size - 1) < w.hpa_base) return commit_refusal::address_overflow;
    for (std::size_t m = 0; m < Count; ++m) {
      if (m == n || s.template get<"decoder/ctrl", "committed">(m) == 0) continue;
      const hdm_window o = window_of(s, m);
      if (w.hpa_base <= o.hpa_base + (o.hpa_size - 1) &&
          o.hpa_base <= w.hpa_base + (w.hpa_size - 1))
        return commit_refusal::overlap;
    }
    if (!ways_supported(iw)) return commit_refusal::bad_ways;
    if (!granularity_supported(ig, w.ways)) return commit_refusal::bad_granularity;
    if (w.hpa_size % (hdm_granule * w.ways) != 0) return commit_refusal::size_not_way_multiple;
    if constexpr (Kind == decoder_kind::device) {
      if (history && (w.dpa_base > dpa_capacity_ || dpa_capacity_ - w.dpa_base < w.dpa_size))
        return commit_refusal::dpa_exhausted;
    }
    return commit_refusal::none;
  }

  [[nodiscard]] static constexpr addr_t saturating_add(addr_t a, addr_t b) noexcept {
    return a > ~b ? ~addr_t{0} : a + b;
  }
  [[nodiscard]] static constexpr bool ways_supported(std::uint32_t iw) noexcept {
    const unsigned w = ways_of(iw);
    if (w == 0) return false;
    if (w == 16) return Caps.ways_16;
    if (w % 3 == 0) return Caps.ways_3_6_12;
    return true;
  }
  // A decoder of `ways` > 1 selects its target with the HPA bits above the granularity:
  // bits [8 + IG, 8 + IG + log2(ways / (3 if a multiple of 3))) must all be interleave-capable
  // (bits 11:8 with A11to8, 14:12 with A14to12). One way uses no address bit.
  [[nodiscard]] static constexpr bool granularity_supported(std::uint32_t ig,
                                                            unsigned ways) noexcept {
    if (granularity_of(ig) == 0) return false;
    unsigned bits = 0;
    for (unsigned p = ways % 3 == 0 ? ways / 3 : ways; p > 1; p /= 2) ++bits;
    for (unsigned b = 8 + ig; b < 8 + ig + bits; ++b) {
      const bool ok = (b >= 8 && b <= 11 && Caps.interleave_11_8) ||
                      (b >= 12 && b <= 14 && Caps.interleave_14_12);
      if (!ok) return false;
    }
    return true;
  }

  /// Decoder n's registers as a window (whether or not it is committed). The DPA of a device
  /// decoder starts after the lower decoders' DPA (each its skip plus size / ways) and its own
  /// skip (QEMU `cxl_type3_dpa`, Linux `init_hdm_decoder`). A sum past 2^64 - 1 stays there
  /// (no wrap to a small DPA): such a range is past any device's memory.
  [[nodiscard]] static hdm_window window_of(const register_state<block>& s,
                                            std::size_t n) noexcept {
    hdm_window w;
    w.decoder = n;
    w.hpa_base = (s.template get<"decoder/base_hi", "base">(n) << 32) |
                 (s.template get<"decoder/base_lo", "base">(n) << 28);
    w.hpa_size = (s.template get<"decoder/size_hi", "size">(n) << 32) |
                 (s.template get<"decoder/size_lo", "size">(n) << 28);
    const std::uint32_t iw = static_cast<std::uint32_t>(s.template get<"decoder/ctrl", "iw">(n));
    w.ways = ways_of(iw) == 0 ? 1 : ways_of(iw);
    w.granularity =
        granularity_of(static_cast<std::uint32_t>(s.template get<"decoder/ctrl", "ig">(n)));
    w.locked = s.template get<"decoder/ctrl", "lock_on_commit">(n) != 0;
    if constexpr (Kind == decoder_kind::device) {
      addr_t dpa = 0;
      for (std::size_t m = 0; m <= n; ++m) {
        const addr_t skip = (s.template get<"decoder/skip_hi", "skip">(m) << 32) |
                            (s.template get<"decoder/skip_lo", "skip">(m) << 28);
        dpa = saturating_add(dpa, skip);
        if (m == n) break;
        const unsigned mw =
            ways_of(static_cast<std::uint32_t>(s.template get<"decoder/ctrl", "iw">(m)));
        const addr_t msize = (s.template get<"decoder/size_hi", "size">(m) << 32) |
                             (s.template get<"decoder/size_lo", "size">(m) << 28);
        dpa = saturating_add(dpa, msize / (mw == 0 ? 1 : mw));
      }
      w.dpa_base = dpa;
      w.dpa_size = w.hpa_size / w.ways;
    }
    return w;
  }

  void attempt_commit(std::size_t n) {
    register_state<block>& s = file_.state();
    const commit_refusal r = check_commit(s, n);
    refusal_[n] = r;
    if (r == commit_refusal::none) {
      s.template set<"decoder/ctrl">(n, val<"committed", 1>{}, val<"error_not_committed", 0>{});
      const hdm_window w = window_of(s, n);
      if constexpr (Kind == decoder_kind::device) dpa_latched_[n] = w.dpa_base;
      if (listener_) listener_->decoder_committed(w);
    } else {
      s.template set<"decoder/ctrl">(n, val<"committed", 0>{}, val<"error_not_committed", 1>{});
    }
  }
  void decommit(std::size_t n) {
    register_state<block>& s = file_.state();
    const bool was = s.template get<"decoder/ctrl", "committed">(n) != 0;
    const hdm_window w = latched_window(s, dpa_latched_, n);
    s.template set<"decoder/ctrl">(n, val<"commit", 0>{}, val<"committed", 0>{},
                                   val<"error_not_committed", 0>{});
    refusal_[n] = commit_refusal::none;
    dpa_latched_[n] = 0;
    if (was && listener_) listener_->decoder_decommitted(w);
  }

  /// Decoder n's window with the DPA base latched at its commit (device decoders).
  [[nodiscard]] static hdm_window latched_window(const register_state<block>& s,
                                                 const std::array<addr_t, Count>& latched,
                                                 std::size_t n) noexcept {
    hdm_window w = window_of(s, n);
    if constexpr (Kind == decoder_kind::device) w.dpa_base = latched[n];
    return w;
  }
  [[nodiscard]] static std::array<addr_t, Count> read_latches(
      std::span<const std::byte> in) noexcept {
    std::array<addr_t, Count> l{};
    for (std::size_t i = 0; i < in.size() && i / 8 < Count; ++i)
      l[i / 8] |= static_cast<addr_t>(in[i]) << (8 * (i % 8));
    return l;
  }

  file_type file_{*this};
  std::array<commit_refusal, Count> refusal_{};
  std::array<addr_t, Count> dpa_latched_{};  ///< device decoders: the DPA base at commit
  addr_t dpa_capacity_;
  decoder_listener* listener_;
};

}  // namespace cxl

MMIOTREE_END_NAMESPACE
