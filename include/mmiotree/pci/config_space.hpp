// pci/config_space.hpp: a PCI function's type-0 configuration space, described at compile time
// and generated as a 4 KiB register block of the regs layer.
//
//   using nic = pci::function<pci::ids{.vendor = 0x1af4, .device = 0x1041, .class_code = 0x020000},
//                             pci::bars<pci::mem64<0, 16_KiB>, pci::io_bar<2, 32>>,
//                             pci::caps<pci::express_capability<>>,
//                             pci::ext_caps<pci::dvsec<"cxl_device", 0x1e98, 2, 0, 0x3c>>>;
//   register_file<nic::config> cfg;   // ECAM or a test reads and writes it
//
// The header (PCI Local Bus 3.0 §6.2, PCIe r6 §7.5.1): IDs, Command (I/O-space enable writable
// only when the function has an I/O BAR, memory-space and bus-master enable, parity and SERR#
// response, interrupt disable), Status (Capabilities List set when there are capabilities; the
// error bits RW1C), revision and class code, header type, BAR0-5, subsystem IDs, the
// capabilities pointer, interrupt line (RW) and pin.
//
// BARs follow the sizing protocol through their field kinds alone: the address bits at and above
// log2(size) are RW, those below are read-only zero, and the type bits are read-only, so writing
// all-ones reads back the size mask with the type bits — nothing is special-cased. A 64-bit BAR
// takes two registers (the upper dword all address bits, less those below log2(size) for BARs
// over 4 GiB). Errors (compile-fail tests with positive twins, docs/diagnostics.md): a size not
// a power of two or below the minimum (16 bytes memory, 4 I/O), a BAR index past 5, a 64-bit BAR
// in BAR5, two BARs in one register (a 64-bit BAR's upper half included).
//
// Capabilities are laid out by the compiler: the standard list from 0x40 and the extended list
// from 0x100, each structure at the next dword after the one before (or at its declared offset,
// `at_offset<Offset, Cap>`), every next pointer (and the capabilities pointer) computed; one
// that does not fit (past 0xFF, past 0xFFF), overlaps the one before, or is not dword aligned
// does not compile.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/field.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

MMIOTREE_BEGIN_NAMESPACE

namespace pci {

using namespace mmiotree::literals;

/// Configuration accesses: 1, 2 or 4 bytes, naturally aligned (ECAM; PCIe r6 §7.2.2). The
/// configuration block's policy, and an ECAM region's (pci/ecam.hpp).
inline constexpr access_policy config_access{
    .valid = sizes(1, 4),
    .impl_min = 1,
    .impl_max = 4,
    .unaligned = false,
    .align = 4,
    .on_straddle = straddle::reject,
    .on_reentry = reentry::refuse,
};

/// What identifies a function (all read-only to the guest).
struct ids {
  std::uint16_t vendor = 0xFFFF;
  std::uint16_t device = 0xFFFF;
  std::uint8_t revision = 0;
  std::uint32_t class_code = 0;  ///< base class 23:16, subclass 15:8, programming interface 7:0
  std::uint16_t subsystem_vendor = 0;
  std::uint16_t subsystem = 0;
  std::uint8_t interrupt_pin = 0;  ///< 0 none, 1-4 INTA#-INTD#
  bool multifunction = false;      ///< header type bit 7
  [[nodiscard]] constexpr bool operator==(const ids&) const = default;
};

enum class bar_kind : std::uint8_t { mem32, mem64, io };

/// BAR `Index` (0-5): memory, 32- or 64-bit, prefetchable or not, or I/O; `Size` bytes.
template <unsigned Index, bar_kind Kind, std::uint64_t Size, bool Prefetchable = false>
struct bar {
  static constexpr unsigned index = Index;
  static constexpr bar_kind kind = Kind;
  static constexpr std::uint64_t size = Size;
  static constexpr bool prefetchable = Prefetchable;
};
template <unsigned Index, std::uint64_t Size, bool Prefetchable = false>
using mem32 = bar<Index, bar_kind::mem32, Size, Prefetchable>;
template <unsigned Index, std::uint64_t Size, bool Prefetchable = true>
using mem64 = bar<Index, bar_kind::mem64, Size, Prefetchable>;
template <unsigned Index, std::uint64_t Size>
using io_bar = bar<Index, bar_kind::io, Size>;

template <class... Bars>
struct bars {};

/// A standard capability (configuration space 0x40-0xFF): its ID, its size, and its registers
/// at offsets from its start. The header (ID at +0, next pointer at +1) is generated; the body
/// starts at +2.
template <fixed_string Name, std::uint8_t Id, addr_t Size, class... Regs>
struct capability {
  static constexpr auto name = Name;
  static constexpr std::uint32_t id = Id;
  static constexpr addr_t size = Size;
  static constexpr bool extended = false;
  using regs = mmiotree::detail::type_list<Regs...>;
};
/// An extended capability (0x100-0xFFF): the header dword (ID 15:0, version 19:16, next 31:20)
/// is generated; the body starts at +4.
template <fixed_string Name, std::uint16_t Id, std::uint8_t Version, addr_t Size, class... Regs>
struct ext_capability {
  static constexpr auto name = Name;
  static constexpr std::uint32_t id = Id;
  static constexpr std::uint8_t version = Version;
  static constexpr addr_t size = Size;
  static constexpr bool extended = true;
  using regs = mmiotree::detail::type_list<Regs...>;
};
/// A capability at a declared offset instead of the next free dword.
template <addr_t Offset, class Cap>
struct at_offset : Cap {
  static constexpr addr_t declared_offset = Offset;
};

template <class... Caps>
struct caps {};
template <class... Caps>
struct ext_caps {};

namespace diag {
template <unsigned Index, fixed_string Size>
struct bar_size_not_a_power_of_two {
  static_assert(mmiotree::diag::always_false_v<Index>,
                "mmiotree: a PCI BAR's size is a power of two: in "
                "bar_size_not_a_power_of_two<Index, Size>, BAR Index has Size bytes");
};
template <unsigned Index, fixed_string Size, fixed_string Minimum>
struct bar_size_below_minimum {
  static_assert(mmiotree::diag::always_false_v<Index>,
                "mmiotree: a PCI BAR has at least its minimum size: in "
                "bar_size_below_minimum<Index, Size, Minimum>, BAR Index has Size bytes, below "
                "Minimum (16 for a memory BAR, 4 for an I/O BAR)");
};
template <unsigned Index>
struct bar_index_past_5 {
  static_assert(mmiotree::diag::always_false_v<Index>,
                "mmiotree: a type-0 function has BAR0 to BAR5: in bar_index_past_5<Index>, a BAR "
                "is declared at Index");
};
template <unsigned Index>
struct bar64_in_bar5 {
  static_assert(mmiotree::diag::always_false_v<Index>,
                "mmiotree: a 64-bit BAR takes two registers, so it cannot start at BAR5: in "
                "bar64_in_bar5<Index>, a mem64 BAR is declared at Index 5");
};
template <unsigned Register, unsigned First, unsigned Second>
struct two_bars_in_one_register {
  static_assert(mmiotree::diag::always_false_v<Register>,
                "mmiotree: each BAR register holds one BAR: in "
                "two_bars_in_one_register<Register, First, Second>, BAR register Register is "
                "claimed by the BAR declared at index First and by the one at index Second (a "
                "64-bit BAR at index i also takes register i + 1)");
};
template <fixed_string Cap, fixed_string Offset, fixed_string Size, fixed_string Limit>
struct capability_does_not_fit {
  static_assert(
      mmiotree::diag::always_false_v<Offset>,
      "mmiotree: a capability lies inside its list's range: in "
      "capability_does_not_fit<Cap, Offset, Size, Limit>, capability Cap of Size bytes at "
      "Offset runs past Limit (0xFF for the standard list, 0xFFF for the extended list) "
      "or starts below the list (0x40, 0x100)");
};
template <fixed_string Cap, fixed_string Before, fixed_string Offset, fixed_string BeforeEnd>
struct capabilities_overlap {
  static_assert(mmiotree::diag::always_false_v<Offset>,
                "mmiotree: capabilities do not overlap: in "
                "capabilities_overlap<Cap, Before, Offset, BeforeEnd>, capability Cap declared at "
                "Offset starts before BeforeEnd, the end of capability Before listed ahead of it");
};
template <fixed_string Cap, fixed_string Offset>
struct capability_misaligned {
  static_assert(mmiotree::diag::always_false_v<Offset>,
                "mmiotree: a capability starts on a dword: in capability_misaligned<Cap, Offset>, "
                "capability Cap is declared at Offset, not a multiple of 4 (the low two bits of "
                "every capability pointer are reserved)");
};
}  // namespace diag

namespace detail {
using namespace mmiotree::field_kinds;
using mmiotree::detail::type_list;

/// One BAR register's shape: what to generate at register `r`.
struct bar_reg {
  enum class what : std::uint8_t { unused, mem_low, mem_high, io } role = what::unused;
  unsigned log2 = 0;  ///< log2 of the BAR's size
  bool is64 = false;
  bool prefetchable = false;
};

template <class... B>
struct bar_table {
  static constexpr std::size_t n = sizeof...(B);
  static constexpr std::array<unsigned, n + 1> index{B::index..., 0};
  static constexpr std::array<bar_kind, n + 1> kind{B::kind..., bar_kind::mem32};
  static constexpr std::array<std::uint64_t, n + 1> size{B::size..., 16};
  /// The first BAR register BAR K shares with a BAR declared before it: {register, that BAR's
  /// index, 1}, or {0, 0, 0}.
  static constexpr std::array<unsigned, 3> clash(std::size_t k) {
    const unsigned b_lo = index[k], b_hi = index[k] + (kind[k] == bar_kind::mem64 ? 1 : 0);
    for (std::size_t j = 0; j < k; ++j) {
      const unsigned a_lo = index[j], a_hi = index[j] + (kind[j] == bar_kind::mem64 ? 1 : 0);
      if (a_lo <= b_hi && b_lo <= a_hi) return {a_lo > b_lo ? a_lo : b_lo, index[j], 1};
    }
    return {0, 0, 0};
  }
};

template <class... B>
consteval bool check_bars() {
  using t = bar_table<B...>;
  bool ok = true;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto one = [&]<std::size_t K>() {
      constexpr unsigned i = t::index[K];
      constexpr std::uint64_t s = t::size[K];
      constexpr std::uint64_t min = t::kind[K] == bar_kind::io ? 4 : 16;
      if constexpr (i > 5) {
        (void)&mmiotree::diag::emit<diag::bar_index_past_5<i>>;
        ok = false;
      } else if constexpr (t::kind[K] == bar_kind::mem64 && i == 5) {
        (void)&mmiotree::diag::emit<diag::bar64_in_bar5<i>>;
        ok = false;
      } else if constexpr (!std::has_single_bit(s)) {
        (void)&mmiotree::diag::emit<diag::bar_size_not_a_power_of_two<i, mmiotree::diag::hex<s>>>;
        ok = false;
      } else if constexpr (s < min) {
        (void)&mmiotree::diag::emit<
            diag::bar_size_below_minimum<i, mmiotree::diag::hex<s>, mmiotree::diag::hex<min>>>;
        ok = false;
      } else if constexpr (constexpr auto c = t::clash(K); c[2] != 0) {
        (void)&mmiotree::diag::emit<diag::two_bars_in_one_register<c[0], c[1], i>>;
        ok = false;
      }
    };
    ((void)(ok && (one.template operator()<I>(), true)), ...);
    (void)one;
  }
  (std::make_index_sequence<t::n>{});
  return ok;
}

template <bool Ok, class... B>
consteval std::array<bar_reg, 6> bar_layout() {
  std::array<bar_reg, 6> r{};
  if constexpr (Ok) {
    auto one = [&]<class X>() {
      const unsigned lg = static_cast<unsigned>(std::countr_zero(X::size));
      if constexpr (X::kind == bar_kind::io) {
        r[X::index] = {bar_reg::what::io, lg, false, false};
      } else {
        const bool w = X::kind == bar_kind::mem64;
        r[X::index] = {bar_reg::what::mem_low, lg, w, X::prefetchable};
        if (w) r[X::index + 1] = {bar_reg::what::mem_high, lg, true, X::prefetchable};
      }
    };
    (one.template operator()<B>(), ...);
    (void)one;
  }
  return r;
}

/// `type_list<F>` when B, else `type_list<>`.
template <bool B, class F>
using opt = std::conditional_t<B, type_list<F>, type_list<>>;
template <class... L>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... A>
struct concat<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> {
  using type = typename concat<type_list<A..., B...>, Rest...>::type;
};
template <fixed_string Name, addr_t Offset, unsigned Width, std::uint64_t Reset, class Fields>
struct make_reg;
template <fixed_string Name, addr_t Offset, unsigned Width, std::uint64_t Reset, class... F>
struct make_reg<Name, Offset, Width, Reset, type_list<F...>> {
  using type = reg<Name, Offset, Width, Reset, F...>;
};

/// "bar<I>".
template <unsigned I>
inline constexpr auto bar_name = [] {
  fixed_string<4> f{};
  f.value[0] = 'b';
  f.value[1] = 'a';
  f.value[2] = 'r';
  f.value[3] = static_cast<char>('0' + I);
  return f;
}();

/// The register of BAR slot I, as `R` describes it.
template <unsigned I, bar_reg R>
struct bar_register {
  static constexpr addr_t off = 0x10 + 4 * I;
  static constexpr unsigned k = R.log2;
  using type = typename std::conditional_t<
      R.role == bar_reg::what::unused,
      std::type_identity<reg<bar_name<I>, off, 32, 0, field<"unused", 31, 0, ro>>>,
      std::conditional_t<
          R.role == bar_reg::what::io,
          make_reg<
              bar_name<I>, off, 32, 1,
              typename concat<type_list<field<"io_space", 0, 0, ro>, field<"rsvd", 1, 1, rsvdz>>,
                              opt<(k > 2 && k <= 32), field<"size", (k > 2 ? k - 1 : 2), 2, ro>>,
                              opt<(k < 32), field<"address", 31, (k < 32 ? k : 31), rw>>>::type>,
          std::conditional_t<
              R.role == bar_reg::what::mem_low,
              make_reg<bar_name<I>, off, 32,
                       (R.is64 ? 0x4U : 0x0U) | (R.prefetchable ? 0x8U : 0x0U),
                       typename concat<
                           type_list<field<"io_space", 0, 0, ro>, field<"type", 2, 1, ro>,
                                     field<"prefetchable", 3, 3, ro>>,
                           opt<(k > 4), field<"size", (k > 4 ? (k < 32 ? k - 1 : 31) : 4), 4, ro>>,
                           opt<(k < 32), field<"address", 31, (k < 32 ? k : 31), rw>>>::type>,
              // the upper dword of a 64-bit BAR
              make_reg<bar_name<I>, off, 32, 0,
                       typename concat<opt<(k > 32), field<"size", (k > 32 ? k - 33 : 0), 0, ro>>,
                                       type_list<field<"address", 31, (k > 32 ? k - 32 : 0), rw>>>::
                           type>>>>::type;
};

// Capability layout: each capability's offset and next pointer.
struct cap_place {
  addr_t offset = 0;
  addr_t next = 0;
};
template <class C>
consteval addr_t declared_offset() {
  if constexpr (requires { C::declared_offset; })
    return C::declared_offset;
  else
    return 0;  // auto
}
/// Offsets (auto: the next dword after the previous capability) and next pointers.
template <addr_t First, class... C>
consteval std::array<cap_place, sizeof...(C) + 1> place_caps() {
  std::array<cap_place, sizeof...(C) + 1> p{};
  constexpr std::array<addr_t, sizeof...(C) + 1> declared{declared_offset<C>()..., 0};
  constexpr std::array<addr_t, sizeof...(C) + 1> size{C::size..., 0};
  addr_t at = First;
  for (std::size_t i = 0; i < sizeof...(C); ++i) {
    p[i].offset = declared[i] != 0 ? declared[i] : at;
    at = (p[i].offset + size[i] + 3) / 4 * 4;
  }
  for (std::size_t i = 0; i + 1 < sizeof...(C); ++i) p[i].next = p[i + 1].offset;
  return p;
}
template <addr_t First, addr_t Limit, class... C>
consteval bool check_caps() {
  constexpr auto p = place_caps<First, C...>();
  constexpr std::array<addr_t, sizeof...(C) + 1> size{C::size..., 0};
  bool ok = true;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto one = [&]<std::size_t K, class Cap>() {
      constexpr addr_t o = p[K].offset;
      if constexpr (o % 4 != 0) {
        (void)&mmiotree::diag::emit<diag::capability_misaligned<Cap::name, mmiotree::diag::hex<o>>>;
        ok = false;
      } else if constexpr (o < First || size[K] == 0 || o + size[K] - 1 > Limit) {
        (void)&mmiotree::diag::emit<diag::capability_does_not_fit<Cap::name, mmiotree::diag::hex<o>,
                                                                  mmiotree::diag::hex<size[K]>,
                                                                  mmiotree::diag::hex<Limit>>>;
        ok = false;
      } else if constexpr (K > 0 && o < p[K - 1].offset + size[K - 1]) {
        using before = std::tuple_element_t<K - 1, std::tuple<C...>>;
        (void)&mmiotree::diag::emit<
            diag::capabilities_overlap<Cap::name, before::name, mmiotree::diag::hex<o>,
                                       mmiotree::diag::hex<p[K - 1].offset + size[K - 1]>>>;
        ok = false;
      }
    };
    ((void)(ok && (one.template operator()<I, C>(), true)), ...);
    (void)one;
  }
  (std::make_index_sequence<sizeof...(C)>{});
  return ok;
}

template <class T>
inline constexpr bool is_lock_if = false;
template <fixed_string N, fixed_string R, fixed_string... F>
inline constexpr bool is_lock_if<lock_if<N, R, F...>> = true;

/// A capability's items split: its registers (placed in its group) and its `lock_if`s (placed
/// at the block's level, their register paths written "capability/register").
template <class... R>
struct split_items {
  using regs = typename concat<opt<!is_lock_if<R>, R>...>::type;
  using locks = typename concat<opt<is_lock_if<R>, R>...>::type;
};

template <fixed_string N, addr_t Offset, class Header, class Regs>
struct make_group;
template <fixed_string N, addr_t Offset, class... H, class... R>
struct make_group<N, Offset, type_list<H...>, type_list<R...>> {
  using type = type_list<reg_array<N, Offset, 1, 0, H..., R...>>;
};

/// A capability's generated header registers: ID and next pointer (standard), or the header
/// dword (extended).
template <class Cap, cap_place P>
consteval auto cap_header() {
  if constexpr (Cap::extended) {
    return type_list<
        reg<"header", 0x0, 32,
            std::uint64_t{Cap::id} | (std::uint64_t{Cap::version & 0xFU} << 16) |
                (std::uint64_t{P.next} << 20),
            field<"id", 15, 0, ro>, field<"version", 19, 16, ro>, field<"next", 31, 20, ro>>>{};
  } else {
    return type_list<reg<"cap_id", 0x0, 8, Cap::id, field<"id", 7, 0, ro>>,
                     reg<"next", 0x1, 8, P.next, field<"next", 7, 0, ro>>>{};
  }
}

/// A capability's registers as a group at its offset (the generated header, then the body),
/// followed by its locks: a `type_list` of block items. Read from the capability's members, so
/// that a capability may be a class derived from `capability<…>` / `ext_capability<…>` (the
/// library's are, to keep the names of the types built from them short).
template <class Cap, cap_place P, class Regs = typename Cap::regs>
struct cap_group;
template <class Cap, cap_place P, class... R>
struct cap_group<Cap, P, type_list<R...>> {
  using type =
      typename concat<typename make_group<Cap::name, P.offset, decltype(cap_header<Cap, P>()),
                                          typename split_items<R...>::regs>::type,
                      typename split_items<R...>::locks>::type;
};

template <bool Ok, addr_t First, class... C>
struct cap_groups {
  using type = type_list<>;
};
template <addr_t First, class... C>
struct cap_groups<true, First, C...> {
  static constexpr auto p = place_caps<First, C...>();
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) ->
      typename concat<typename cap_group<C, p[I]>::type...>::type;
  using type = decltype(make(std::make_index_sequence<sizeof...(C)>{}));
};

template <ids Id, class Bars, class Caps, class ExtCaps>
struct config_of;
template <ids Id, class... B, class... C, class... E>
struct config_of<Id, bars<B...>, caps<C...>, ext_caps<E...>> {
  static constexpr bool bars_ok = check_bars<B...>();
  static constexpr auto layout = bar_layout<bars_ok, B...>();
  static constexpr bool has_io = ((B::kind == bar_kind::io) || ... || false);
  static constexpr bool caps_ok = check_caps<0x40, 0xFF, C...>();
  static constexpr bool ext_ok = check_caps<0x100, 0xFFF, E...>();
  static constexpr addr_t cap_ptr =
      sizeof...(C) != 0 && caps_ok ? place_caps<0x40, C...>()[0].offset : 0;

  using header = type_list<
      reg<"vendor_id", 0x00, 16, Id.vendor, field<"vendor_id", 15, 0, ro>>,
      reg<"device_id", 0x02, 16, Id.device, field<"device_id", 15, 0, ro>>,
      reg<"command", 0x04, 16, 0, field<"io_space", 0, 0, has_io ? rw : ro>,
          field<"memory_space", 1, 1, rw>, field<"bus_master", 2, 2, rw>,
          field<"special_cycles", 3, 3, ro>, field<"mwi", 4, 4, ro>, field<"vga_snoop", 5, 5, ro>,
          field<"parity_error_response", 6, 6, rw>, field<"rsvd7", 7, 7, rsvdp>,
          field<"serr", 8, 8, rw>, field<"fast_back_to_back", 9, 9, ro>,
          field<"interrupt_disable", 10, 10, rw>, field<"rsvd", 15, 11, rsvdp>>,
      reg<"status", 0x06, 16, (sizeof...(C) != 0 ? 0x10 : 0), field<"rsvd", 2, 0, rsvdz>,
          field<"interrupt_status", 3, 3, ro>, field<"capabilities_list", 4, 4, hwinit>,
          field<"mhz66", 5, 5, ro>, field<"rsvd6", 6, 6, rsvdz>,
          field<"fast_back_to_back", 7, 7, ro>, field<"master_data_parity_error", 8, 8, rw1c>,
          field<"devsel_timing", 10, 9, ro>, field<"signaled_target_abort", 11, 11, rw1c>,
          field<"received_target_abort", 12, 12, rw1c>,
          field<"received_master_abort", 13, 13, rw1c>,
          field<"signaled_system_error", 14, 14, rw1c>,
          field<"detected_parity_error", 15, 15, rw1c>>,
      reg<"revision_id", 0x08, 8, Id.revision, field<"revision_id", 7, 0, ro>>,
      reg<"prog_if", 0x09, 8, Id.class_code & 0xFF, field<"prog_if", 7, 0, ro>>,
      reg<"subclass", 0x0A, 8, (Id.class_code >> 8) & 0xFF, field<"subclass", 7, 0, ro>>,
      reg<"class_code", 0x0B, 8, (Id.class_code >> 16) & 0xFF, field<"class_code", 7, 0, ro>>,
      reg<"cache_line_size", 0x0C, 8, 0, field<"cache_line_size", 7, 0, rw>>,
      reg<"latency_timer", 0x0D, 8, 0, field<"latency_timer", 7, 0, ro>>,
      reg<"header_type", 0x0E, 8, Id.multifunction ? 0x80 : 0x00, field<"layout", 6, 0, ro>,
          field<"multifunction", 7, 7, ro>>,
      reg<"bist", 0x0F, 8, 0, field<"bist", 7, 0, ro>>, typename bar_register<0, layout[0]>::type,
      typename bar_register<1, layout[1]>::type, typename bar_register<2, layout[2]>::type,
      typename bar_register<3, layout[3]>::type, typename bar_register<4, layout[4]>::type,
      typename bar_register<5, layout[5]>::type,
      reg<"cardbus_cis", 0x28, 32, 0, field<"cardbus_cis", 31, 0, ro>>,
      reg<"subsystem_vendor_id", 0x2C, 16, Id.subsystem_vendor,
          field<"subsystem_vendor_id", 15, 0, ro>>,
      reg<"subsystem_id", 0x2E, 16, Id.subsystem, field<"subsystem_id", 15, 0, ro>>,
      reg<"expansion_rom", 0x30, 32, 0, field<"expansion_rom", 31, 0, ro>>,
      reg<"capabilities_pointer", 0x34, 8, cap_ptr, field<"pointer", 7, 2, ro>,
          field<"rsvd", 1, 0, rsvdp>>,
      reg<"interrupt_line", 0x3C, 8, 0, field<"interrupt_line", 7, 0, rw>>,
      reg<"interrupt_pin", 0x3D, 8, Id.interrupt_pin, field<"interrupt_pin", 7, 0, ro>>,
      reg<"min_gnt", 0x3E, 8, 0, field<"min_gnt", 7, 0, ro>>,
      reg<"max_lat", 0x3F, 8, 0, field<"max_lat", 7, 0, ro>>>;

  template <class... Items>
  static auto block_of(type_list<Items...>)
      -> register_block<"config", 4_KiB, config_access, Items...>;
  using type =
      decltype(block_of(typename concat<header, typename cap_groups<caps_ok, 0x40, C...>::type,
                                        typename cap_groups<ext_ok, 0x100, E...>::type>::type{}));
};
}  // namespace detail

/// A type-0 PCI function: its identity, BARs and capability lists. `config` is its 4 KiB
/// configuration space as a register block.
template <ids Id, class Bars = bars<>, class Caps = caps<>, class ExtCaps = ext_caps<>>
struct function {
  static constexpr ids identity = Id;
  using bar_list = Bars;
  /// (A class of its own rather than an alias, so that the symbols keyed on it are short.)
  struct config : detail::config_of<Id, Bars, Caps, ExtCaps>::type {};
  /// Each BAR register's role (unused, the low or high half of a memory BAR, an I/O BAR).
  static constexpr std::array<detail::bar_reg, 6> bar_registers =
      detail::config_of<Id, Bars, Caps, ExtCaps>::layout;
};

}  // namespace pci

MMIOTREE_END_NAMESPACE
