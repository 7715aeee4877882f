// cxl/type2_bar.hpp: the component-register BAR of a CXL Type-2 device passed through with
// VFIO, as one type — what the QEMU RFC "[RFC 6/9] hw/vfio/pci: Wire CXL component-register BAR
// with COMP_REGS overlay" builds at run time:
//
//   bar (container, the BAR's size)
//     bar_ops     io, the whole BAR, priority -1: the VFIO BAR region's pread/pwrite — whatever
//                 no mmap and no overlay covers traps here
//     <windows>   passthrough, priority 0: the accelerator's register windows, direct hardware
//                 mmaps (VFIO sparse-mmap areas)
//     comp_regs   the emulated overlay at priority 1, over the component block
//
// Two kernel geometries (reference cxl.md §7):
//   - `kernel_geometry::v2`: the whole 64 KiB component block is excluded from the mmaps, and
//     COMP_REGS starts at the capability array: the overlay is the component's whole
//     CXL.cache/mem range (array, HDM decoders, the other structures);
//   - `kernel_geometry::v4`: only the host page(s) holding the HDM decoder block trap, and
//     COMP_REGS starts at the HDM Decoder Capability register: the overlay is the decoder block
//     alone, inside a trapped page whose other bytes go to `bar_ops`.
// The compiler refuses a component block not 64 KiB aligned or not inside the BAR, and an
// accelerator window reaching what the kernel keeps trapped (the block in v2, the decoder
// pages in v4). Which spans are mmapped and which trap is `projection_v<bar, HostPage>`, which
// refuses to compile a window that shares a host page with trapped bytes.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

MMIOTREE_BEGIN_NAMESPACE

namespace cxl {

/// Which kernel draft's BAR geometry (reference cxl.md §7).
enum class kernel_geometry : std::uint8_t { v2, v4 };

/// What answers the COMP_REGS overlay: the VMM's typed emulation of the component registers
/// (`type2_component_bar`), or the kernel's COMP_REGS region, 4-byte accesses forwarded to it
/// as the RFC's overlay does (`type2_forwarding_bar`).
enum class comp_regs_backend : std::uint8_t { emulate, forward };

/// An accelerator register window: a VFIO sparse-mmap area of the BAR, passthrough.
template <fixed_string Name, addr_t Offset, addr_t Size>
struct accel_window {
  static constexpr auto name = Name;
  static constexpr addr_t offset = Offset;
  static constexpr addr_t size = Size;
  using placement = at<Offset, passthrough<Name, Size>>;
};

namespace diag {
// Offsets, sizes and ranges ("[Lo, Last]") in hexadecimal (layout/diagnostics.hpp).
template <fixed_string Offset>
struct component_block_not_64k_aligned {
  static_assert(mmiotree::diag::always_false_v<Offset>,
                "mmiotree: a CXL component register block sits at a 64 KiB multiple of its BAR: "
                "in component_block_not_64k_aligned<Offset>, the block's offset Offset is not "
                "(the Register Locator DVSEC gives offsets in 64 KiB units)");
};
template <fixed_string Offset, fixed_string BarSize>
struct component_block_outside_bar {
  static_assert(mmiotree::diag::always_false_v<Offset>,
                "mmiotree: a CXL component register block lies inside its BAR: in "
                "component_block_outside_bar<Offset, BarSize>, the 64 KiB block at Offset runs "
                "past the BAR's BarSize bytes");
};
template <fixed_string Window, fixed_string Range, fixed_string Trapped>
struct accel_window_reaches_trapped_component_registers {
  static_assert(mmiotree::diag::always_false_v<Window>,
                "mmiotree: an accelerator window never reaches what the kernel keeps trapped: in "
                "accel_window_reaches_trapped_component_registers<Window, Range, Trapped>, "
                "window Window at Range meets Trapped (the whole component block with "
                "kernel_geometry::v2, the host pages holding the HDM decoders with v4): no mmap "
                "may reach the decoder registers; end the window before Trapped or start it "
                "after it");
};
template <class Component>
struct component_has_no_hdm_decoder_capability {
  static_assert(mmiotree::diag::always_false_v<sizeof(Component*)>,
                "mmiotree: a Type-2 component-register BAR needs the HDM decoders: in "
                "component_has_no_hdm_decoder_capability<Component>, the component block lists no "
                "capability<cap_id::hdm_decoder, ...>");
};
}  // namespace diag

namespace detail {
template <class Component>
consteval bool has_hdm() {
  if constexpr (std::is_void_v<typename Component::template find<cap_id::hdm_decoder>>) {
    (void)&mmiotree::diag::emit<diag::component_has_no_hdm_decoder_capability<Component>>;
    return false;
  } else {
    return true;
  }
}

/// The bytes the kernel keeps trapped, BAR-relative and inclusive, and the overlay.
template <addr_t CompOffset, class Component, kernel_geometry G, addr_t Page,
          comp_regs_backend B = comp_regs_backend::emulate>
struct trapped_unit {
  using hdm = typename Component::template find<cap_id::hdm_decoder>;
  static constexpr addr_t hdm_lo = CompOffset + cachemem_offset + hdm::offset;
  static constexpr addr_t hdm_last = hdm_lo + hdm::type::size - 1;
  static constexpr addr_t lo = G == kernel_geometry::v2 ? CompOffset : hdm_lo / Page * Page;
  static constexpr addr_t last = G == kernel_geometry::v2 ? CompOffset + component_block_size - 1
                                                          : (hdm_last / Page + 1) * Page - 1;
  /// COMP_REGS, BAR-relative: v2, the CXL.cache/mem range from the capability array through
  /// the decoder block; v4, the decoder block.
  static constexpr addr_t comp_regs_lo =
      G == kernel_geometry::v2 ? CompOffset + cachemem_offset : hdm_lo;
  static constexpr addr_t comp_regs_size = hdm_last + 1 - comp_regs_lo;
  /// Emulated: v2, the whole CXL.cache/mem range; v4, the decoder block. Forwarded: COMP_REGS,
  /// as one io region taking the 4-byte accesses CXL.cache/mem registers take (CXL r3.1 8.2.2).
  using emulated =
      std::conditional_t<G == kernel_geometry::v2,
                         at<CompOffset + cachemem_offset, typename Component::cachemem, 1>,
                         at<hdm_lo, typename hdm::type, 1>>;
  using overlay = std::conditional_t<
      B == comp_regs_backend::emulate, emulated,
      at<comp_regs_lo, io<"comp_regs", comp_regs_size, access::refuse_reentry(access::exactly<4>)>,
         1>>;
};

template <addr_t BarSize, addr_t CompOffset, class Component, kernel_geometry G, addr_t Page,
          class... Windows>
consteval bool check_type2_bar() {
  if constexpr (CompOffset % component_block_size != 0) {
    (void)&mmiotree::diag::emit<
        diag::component_block_not_64k_aligned<mmiotree::diag::hex<CompOffset>>>;
    return false;
  } else if constexpr (CompOffset > BarSize || BarSize - CompOffset < component_block_size) {
    (void)&mmiotree::diag::emit<diag::component_block_outside_bar<mmiotree::diag::hex<CompOffset>,
                                                                  mmiotree::diag::hex<BarSize>>>;
    return false;
  } else if constexpr (!has_hdm<Component>()) {
    return false;
  } else {
    using t = trapped_unit<CompOffset, Component, G, Page>;
    bool ok = true;
    auto one = [&]<class W>() {
      if constexpr (W::offset <= t::last && t::lo <= W::offset + (W::size - 1)) {
        (void)&mmiotree::diag::emit<diag::accel_window_reaches_trapped_component_registers<
            W::name, mmiotree::diag::hex_range<W::offset, W::offset + (W::size - 1)>,
            mmiotree::diag::hex_range<t::lo, t::last>>>;
        ok = false;
      }
    };
    (one.template operator()<Windows>(), ...);
    (void)one;
    return ok;
  }
}

/// The decoder region's name; after a missing-capability error (void), a stand-in name, so that
/// the error stays one.
template <class Cap>
inline constexpr auto hdm_name_v = Cap::type::name;
template <>
inline constexpr auto hdm_name_v<void> = fixed_string{"hdm_decoders"};

/// The BAR's trapped background (VFIO region reads and writes): any access, re-entry refused.
inline constexpr access_policy bar_ops_access = access::refuse_reentry(access::any);

template <bool Ok, comp_regs_backend B, addr_t BarSize, addr_t CompOffset, class Component,
          kernel_geometry G, addr_t Page, class... Windows>
struct type2_tree {
  // After an error, a BAR with the background alone (the poison): no second error.
  using type = container<"bar", BarSize, at<0, io<"bar_ops", BarSize, bar_ops_access>, -1>>;
};
template <comp_regs_backend B, addr_t BarSize, addr_t CompOffset, class Component,
          kernel_geometry G, addr_t Page, class... Windows>
struct type2_tree<true, B, BarSize, CompOffset, Component, G, Page, Windows...> {
  using type = container<"bar", BarSize, at<0, io<"bar_ops", BarSize, bar_ops_access>, -1>,
                         typename Windows::placement...,
                         typename trapped_unit<CompOffset, Component, G, Page, B>::overlay>;
};

/// What both backends' BAR types tell a VMM about the geometry.
template <addr_t CompOffset, class Component, kernel_geometry G, addr_t Page>
struct type2_facts {
  using unit = trapped_unit<CompOffset, Component, G, Page>;
  static constexpr addr_t component_offset = CompOffset;
  static constexpr kernel_geometry geometry = G;
  static constexpr addr_t host_page = Page;
  using component = Component;
  using hdm_capability = typename Component::template find<cap_id::hdm_decoder>;
  /// BAR-relative bytes of the decoder block, and of what the kernel keeps trapped.
  static constexpr addr_t hdm_lo = unit::hdm_lo;
  static constexpr addr_t hdm_last = unit::hdm_last;
  static constexpr addr_t trapped_lo = unit::lo;
  static constexpr addr_t trapped_last = unit::last;
  /// BAR-relative bytes of the kernel's COMP_REGS region (`vfio::check_matches` checks it).
  static constexpr addr_t comp_regs_lo = unit::comp_regs_lo;
  static constexpr addr_t comp_regs_size = unit::comp_regs_size;
};
}  // namespace detail

/// The component-register BAR of a Type-2 device: `BarSize` bytes, the component block
/// `Component` (a `component_block<…>` with an HDM decoder capability) at `CompOffset`, the
/// kernel geometry `G`, the host page size `Page`, and the accelerator windows; the COMP_REGS
/// overlay is the VMM's typed emulation. A struct, so that every symbol keyed on the tree is
/// short (docs/benchmarks.md, "Compile time").
template <addr_t BarSize, addr_t CompOffset, class Component, kernel_geometry G, addr_t Page,
          class... Windows>
struct type2_component_bar
    : detail::type2_tree<
          detail::check_type2_bar<BarSize, CompOffset, Component, G, Page, Windows...>(),
          comp_regs_backend::emulate, BarSize, CompOffset, Component, G, Page, Windows...>::type,
      detail::type2_facts<CompOffset, Component, G, Page> {
  static constexpr comp_regs_backend backend = comp_regs_backend::emulate;
  /// The path of the emulated overlay's HDM decoder block, to bind the decoders there: the
  /// decoder region's own name (v4), or it under "cachemem/" (v2).
  static constexpr auto hdm_path = [] {
    constexpr auto& n = detail::hdm_name_v<typename type2_component_bar::hdm_capability>;
    if constexpr (G == kernel_geometry::v2) {
      constexpr std::string_view prefix = "cachemem/";
      fixed_string<prefix.size() + n.size()> f{};
      for (std::size_t i = 0; i < prefix.size(); ++i) f.value[i] = prefix[i];
      for (std::size_t i = 0; i < n.size(); ++i) f.value[prefix.size() + i] = n.value[i];
      return f;
    } else {
      return n;
    }
  }();
};

/// The same BAR with the RFC's overlay: an io region "comp_regs" over the kernel's COMP_REGS
/// range (`comp_regs_lo`, `comp_regs_size`), taking only 4-byte aligned accesses, for a handler
/// that forwards them to the COMP_REGS region (`vfio::comp_regs_forward`). The kernel's rules
/// then apply, deviations included; the typed emulation is what prevents them.
template <addr_t BarSize, addr_t CompOffset, class Component, kernel_geometry G, addr_t Page,
          class... Windows>
struct type2_forwarding_bar
    : detail::type2_tree<
          detail::check_type2_bar<BarSize, CompOffset, Component, G, Page, Windows...>(),
          comp_regs_backend::forward, BarSize, CompOffset, Component, G, Page, Windows...>::type,
      detail::type2_facts<CompOffset, Component, G, Page> {
  static constexpr comp_regs_backend backend = comp_regs_backend::forward;
  static constexpr fixed_string comp_regs_path{"comp_regs"};
};

}  // namespace cxl

MMIOTREE_END_NAMESPACE
