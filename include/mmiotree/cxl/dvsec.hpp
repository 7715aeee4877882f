// cxl/dvsec.hpp: the CXL DVSECs a Type-2 device's PCI function carries, as `pci::dvsec` bodies:
// the PCIe DVSEC for CXL Devices (DVSEC ID 0) and the Register Locator (DVSEC ID 8).
//
//   using bar2 = cxl::type2_component_bar<…>;
//   using fn = pci::function<ids, pci::bars<pci::mem64<2, 4_MiB>>, pci::caps<…>,
//                            pci::ext_caps<cxl::device_dvsec<1_GiB>, cxl::register_locator<2,
//                            bar2>>>;
//
// The Register Locator is generated from the BAR type that places the component block, so the
// offset the guest reads and the place the block is emulated can never disagree.
//
// Layouts (reference cxl.md did not give them; taken from QEMU include/hw/cxl/cxl_pci.h
// `CXLDVSECDevice` / `CXLDVSECRegisterLocator` and Linux drivers/cxl/cxlpci.h, which agree):
// CXL Device DVSEC, 0x3C bytes, revision 3 (QEMU `PCIE_CXL_DEVICE_DVSEC_LENGTH`/`_REVID`):
//   0x0A capability (Cache_Capable 0, IO_Capable 1, Mem_Capable 2, Mem_HwInit_Mode 3,
//        HDM_Count 5:4), 0x0C control (Cache_Enable 0, IO_Enable 1, Mem_Enable 2),
//   0x0E status, 0x10 control2, 0x12 status2, 0x14 lock (CONFIG_LOCK bit 0), 0x16 capability2,
//   0x18/0x1C range 1 size high/low (Memory_Info_Valid 0, Memory_Active 1, size 31:28),
//   0x20/0x24 range 1 base high/low (base 31:28), 0x28-0x34 range 2, 0x38 capability3.
// Register Locator, revision 0: 0x0C + 8 per entry; an entry's low dword holds the BAR
// Indicator (BIR) in 2:0, the Register Block Identifier in 15:8 (1 = component registers) and
// offset bits 31:16, its high dword offset bits 63:32.
//
// Decided here: CONFIG_LOCK (RWO) locks the DVSEC's RWL fields (Mem_Enable, Cache_Enable and
// the range bases) and nothing else — not the HDM decoders (see cxl/hdm_decoder.hpp). Media type
// and memory class of the range registers are left 0 (not given by the references).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/regs/field.hpp>

#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace cxl {

inline constexpr std::uint16_t cxl_vendor_id = 0x1E98;

/// Register Block Identifiers of the Register Locator.
namespace register_block_id {
inline constexpr std::uint8_t component = 1;
inline constexpr std::uint8_t bar_virtualization = 2;
inline constexpr std::uint8_t device = 3;
}  // namespace register_block_id

namespace detail {
using namespace mmiotree::field_kinds;
using cfg_lock = lock<"config_lock">;

template <unsigned N>
constexpr std::uint64_t range_size_lo(std::uint64_t size) {
  // Memory_Info_Valid and Memory_Active: the device's memory is usable from reset.
  return N == 1 && size != 0 ? ((size & 0xF000'0000ULL) | 0x3) : 0;
}
}  // namespace detail

// clang-format off
/// The PCIe DVSEC for CXL Devices (DVSEC ID 0) of a Type-2 device with `MemSize` bytes of
/// device memory described by range 1 (HDM_Count 1), CXL.cache and CXL.mem capable.
template <std::uint64_t MemSize, bool CacheCapable = true>
struct device_dvsec : pci::dvsec<"cxl_device", cxl_vendor_id, 3, 0, 0x3C,
    reg<"capability", 0x0A, 16,
        (CacheCapable ? 0x1U : 0x0U) | 0x2U | 0x4U | (1U << 4),
        field<"cache_capable", 0, 0, detail::hwinit>, field<"io_capable", 1, 1, detail::hwinit>,
        field<"mem_capable", 2, 2, detail::hwinit>, field<"mem_hwinit_mode", 3, 3, detail::hwinit>,
        field<"hdm_count", 5, 4, detail::hwinit>, field<"rsvd", 15, 6, detail::rsvdp>>,
    reg<"control", 0x0C, 16, 0x2,
        field<"cache_enable", 0, 0, CacheCapable ? detail::rwl : detail::ro, detail::cfg_lock>,
        field<"io_enable", 1, 1, detail::ro>,
        field<"mem_enable", 2, 2, detail::rwl, detail::cfg_lock>,
        field<"rsvd", 15, 3, detail::rsvdp>>,
    reg<"status", 0x0E, 16, 0, field<"rsvd", 13, 0, detail::rsvdz>,
        field<"viral_status", 14, 14, detail::rw1c>, field<"rsvd_hi", 15, 15, detail::rsvdz>>,
    reg<"control2", 0x10, 16, 0, field<"control2", 15, 0, detail::rsvdp>>,
    reg<"status2", 0x12, 16, 0, field<"status2", 15, 0, detail::rsvdz>>,
    reg<"lock", 0x14, 16, 0, field<"config_lock", 0, 0, detail::rwo>,
        field<"rsvd", 15, 1, detail::rsvdp>>,
    reg<"capability2", 0x16, 16, 0, field<"capability2", 15, 0, detail::hwinit>>,
    reg<"range1_size_hi", 0x18, 32, (MemSize >> 32), field<"size", 31, 0, detail::hwinit>>,
    reg<"range1_size_lo", 0x1C, 32, detail::range_size_lo<1>(MemSize),
        field<"memory_info_valid", 0, 0, detail::hwinit>,
        field<"memory_active", 1, 1, detail::hwinit>,
        field<"media_type", 4, 2, detail::hwinit>, field<"memory_class", 7, 5, detail::hwinit>,
        field<"desired_interleave", 12, 8, detail::hwinit>,
        field<"memory_active_timeout", 15, 13, detail::hwinit>,
        field<"rsvd", 27, 16, detail::rsvdp>, field<"size", 31, 28, detail::hwinit>>,
    reg<"range1_base_hi", 0x20, 32, 0, field<"base", 31, 0, detail::rwl, detail::cfg_lock>>,
    reg<"range1_base_lo", 0x24, 32, 0, field<"rsvd", 27, 0, detail::rsvdp>,
        field<"base", 31, 28, detail::rwl, detail::cfg_lock>>,
    reg<"range2_size_hi", 0x28, 32, 0, field<"size", 31, 0, detail::hwinit>>,
    reg<"range2_size_lo", 0x2C, 32, 0, field<"range2_size_lo", 31, 0, detail::hwinit>>,
    reg<"range2_base_hi", 0x30, 32, 0, field<"base", 31, 0, detail::rwl, detail::cfg_lock>>,
    reg<"range2_base_lo", 0x34, 32, 0, field<"rsvd", 27, 0, detail::rsvdp>,
        field<"base", 31, 28, detail::rwl, detail::cfg_lock>>,
    reg<"capability3", 0x38, 16, 0, field<"capability3", 15, 0, detail::hwinit>>,
    lock_if<"config_lock", "cxl_device/lock", "config_lock">> {};

/// The Register Locator DVSEC (DVSEC ID 8) with one entry: the component registers of `Bar` (a
/// `type2_component_bar`) in BAR `BarIndex`, at the offset the BAR type places them.
template <unsigned BarIndex, class Bar>
struct register_locator : pci::dvsec<"register_locator", cxl_vendor_id, 0, 8, 0x14,
    reg<"rsvd", 0x0A, 16, 0, field<"rsvd", 15, 0, detail::rsvdp>>,
    reg<"block0_lo", 0x0C, 32,
        (BarIndex & 0x7U) | (std::uint64_t{register_block_id::component} << 8) |
            (Bar::component_offset & 0xFFFF'0000ULL),
        field<"bir", 2, 0, detail::hwinit>, field<"rsvd", 7, 3, detail::rsvdp>,
        field<"block_id", 15, 8, detail::hwinit>, field<"offset", 31, 16, detail::hwinit>>,
    reg<"block0_hi", 0x10, 32, (Bar::component_offset >> 32),
        field<"offset", 31, 0, detail::hwinit>>> {};
// clang-format on

}  // namespace cxl

MMIOTREE_END_NAMESPACE
