// machine.hpp: the demo machine's guest-physical map and its device, as types (the guest ABI of
// vmm-demo/README.md). One tree: RAM, the UART, the exit register, ECAM for bus 0, a 32-bit and a
// 64-bit PCI window whose unassigned space reads all-ones (a master abort), the CXL Type-2
// accelerator's component BAR as a slot of the 64-bit window, and the device memory as a slot of
// the CXL fixed memory window (CFMWS), whose space no committed decoder claims reads all-ones too.
#pragma once

#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/pci/ecam.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <type_traits>

namespace vmm_demo {

using namespace mmiotree;
using namespace mmiotree::literals;

// ---- the guest ABI --------------------------------------------------------------------------
inline constexpr addr_t ram_base = 0x4000'0000, ram_size = 128_MiB;
inline constexpr addr_t uart_base = 0x0900'0000, exit_base = 0x0910'0000;
inline constexpr addr_t ecam_base = 0x3F00'0000;
inline constexpr addr_t pci32_base = 0x1000'0000, pci32_size = 0x2F00'0000;
inline constexpr addr_t pci64_base = 0x80'0000'0000, pci64_size = 64_GiB;
inline constexpr addr_t cfmws_base = 0x100'0000'0000, cfmws_size = 16_GiB;
/// The accelerator's place on bus 0.
inline constexpr unsigned device_number = 1;

// ---- the device -----------------------------------------------------------------------------
/// Its component registers: RAS, and two HDM decoders where QEMU puts them.
using hdm = cxl::hdm_decoders<2>;
struct component
    : cxl::component_block<cxl::capability<cxl::cap_id::ras, 2, 0x80,
                                           stub<"ras", 0x58, stub_response::read_as_zero>>,
                           cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>> {};
inline constexpr addr_t bar_size = 4_MiB, comp_at = 1_MiB;
inline constexpr addr_t device_memory_size = 256_MiB;
/// BAR 2 as the v2 kernel traps it (the whole component block) and as the v4 kernel does (the
/// decoders' page): the accelerator's register windows are what each leaves to mmap. `B`: who
/// answers COMP_REGS — the VMM's typed decoder block, or the kernel's region (the RFC's way).
template <cxl::comp_regs_backend B, cxl::kernel_geometry G, class... Windows>
using bar2_with = std::conditional_t<
    B == cxl::comp_regs_backend::emulate,
    cxl::type2_component_bar<bar_size, comp_at, component, G, 4_KiB, Windows...>,
    cxl::type2_forwarding_bar<bar_size, comp_at, component, G, 4_KiB, Windows...>>;
/// Structs, as the component block and the machine: diagnostics and symbols name `bar2_v4<B>`,
/// not every capability of the block.
template <cxl::comp_regs_backend B>
struct bar2_v2
    : bar2_with<B, cxl::kernel_geometry::v2, cxl::accel_window<"accel_lo", 0, comp_at>,
                cxl::accel_window<"accel_hi", comp_at + 64_KiB, bar_size - comp_at - 64_KiB>> {};
template <cxl::comp_regs_backend B>
struct bar2_v4
    : bar2_with<B, cxl::kernel_geometry::v4, cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>,
                cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>> {};
/// The PCI function: a processing accelerator with the component BAR 2 and the CXL DVSECs (the
/// Register Locator's offset is the same in both geometries).
using function = pci::function<
    pci::ids{.vendor = 0x10DE, .device = 0x2342, .revision = 0xA1, .class_code = 0x12'00'00},
    pci::bars<pci::mem64<2, bar_size>>, pci::caps<pci::express_capability<>>,
    pci::ext_caps<cxl::device_dvsec<device_memory_size>,
                  cxl::register_locator<2, bar2_v4<cxl::comp_regs_backend::emulate>>>>;

// ---- the machine ----------------------------------------------------------------------------
using device_memory = passthrough<"dpa", device_memory_size>;
/// A struct, not a `using` alias: diagnostics and symbols name `machine<Bar>`, not every region.
template <class Bar>
struct machine
    : container<
          "machine", 0x200'0000'0000, at<uart_base, io<"uart", 4_KiB, access::adjusted<4, 4>>>,
          at<exit_base, io<"exit", 4_KiB, access::adjusted<4, 4>>>,
          at<pci32_base, container<"pci32", pci32_size, at<0, stub<"unassigned", pci32_size>, -1>>>,
          at<ecam_base, io<"ecam", pci::ecam<1>::size, pci::ecam_access>>,
          at<ram_base, passthrough<"ram", ram_size>>,
          at<pci64_base,
             container<"pci64", pci64_size, at<0, stub<"unassigned", pci64_size>, -1>, slot<Bar>>>,
          at<cfmws_base, container<"cfmws", cfmws_size, at<0, stub<"unassigned", cfmws_size>, -1>,
                                   slot<device_memory>>>> {};

}  // namespace vmm_demo
