// pci/capabilities.hpp: the capabilities a PCIe function needs, as `pci::capability` /
// `pci::ext_capability` bodies for `pci::function`: the PCI Express capability and the
// Designated Vendor-Specific Extended Capability (DVSEC).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/pci/config_space.hpp>
#include <mmiotree/regs/field.hpp>

#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace pci {

/// Device/Port Type of the PCI Express Capabilities register (PCIe r6 §7.5.3.2).
enum class port_type : std::uint8_t { endpoint = 0x0, legacy_endpoint = 0x1, rc_integrated = 0x9 };

/// What the PCI Express capability advertises (read-only registers).
struct express_info {
  port_type type = port_type::endpoint;
  std::uint32_t device_capabilities = 1U << 28;   ///< Function-Level Reset capable
  std::uint32_t link_capabilities = 0x0000'0041;  ///< 2.5 GT/s max, x4 max
  std::uint16_t link_status = 0x0041;             ///< 2.5 GT/s, x4 negotiated
  std::uint32_t device_capabilities2 = 0;
  std::uint32_t link_capabilities2 = 0x0000'0002;  ///< 2.5 GT/s supported
  [[nodiscard]] constexpr bool operator==(const express_info&) const = default;
};

namespace detail {
using namespace mmiotree::field_kinds;
}

// clang-format off
/// The PCI Express capability (ID 0x10, version 2, 0x3C bytes) of an endpoint (PCIe r6 §7.5.3):
/// control registers RW, status error bits RW1C, capability and link status registers RO as
/// `Info` gives them; slot and root registers are absent in an endpoint and read 0. Initiate
/// Function-Level Reset (Device Control bit 15) reads 0, so it is write-only here: a device
/// reacts to it in a hook.
// (Each a class derived from `capability<…>` rather than an alias, so that the name of a
// function type using it stays `express_capability<…>` instead of every register and field.)
template <express_info Info = express_info{}>
struct express_capability : capability<"pcie", 0x10, 0x3C,
    mmiotree::reg<"capabilities", 0x02, 16, 0x2U | (static_cast<unsigned>(Info.type) << 4),
        field<"version", 3, 0, detail::ro>, field<"port_type", 7, 4, detail::ro>,
        field<"slot_implemented", 8, 8, detail::ro>,
        field<"interrupt_message_number", 13, 9, detail::ro>, field<"rsvd", 15, 14, detail::rsvdp>>,
    mmiotree::reg<"device_capabilities", 0x04, 32, Info.device_capabilities,
        field<"device_capabilities", 31, 0, detail::ro>>,
    mmiotree::reg<"device_control", 0x08, 16, 0x2810,  // 512 B max read, relaxed ordering, no snoop
        field<"error_reporting", 3, 0, detail::rw>, field<"relaxed_ordering", 4, 4, detail::rw>,
        field<"max_payload", 7, 5, detail::rw>, field<"extended_tag", 8, 8, detail::rw>,
        field<"phantom_functions", 9, 9, detail::rw>, field<"aux_power_pm", 10, 10, detail::rw>,
        field<"no_snoop", 11, 11, detail::rw>, field<"max_read_request", 14, 12, detail::rw>,
        field<"initiate_flr", 15, 15, detail::wo>>,
    mmiotree::reg<"device_status", 0x0A, 16, 0,
        field<"errors_detected", 3, 0, detail::rw1c>, field<"aux_power", 4, 4, detail::ro>,
        field<"transactions_pending", 5, 5, detail::ro>,
        field<"emergency_power_reduction", 6, 6, detail::rw1c>,
        field<"rsvd", 15, 7, detail::rsvdz>>,
    mmiotree::reg<"link_capabilities", 0x0C, 32, Info.link_capabilities,
        field<"link_capabilities", 31, 0, detail::ro>>,
    mmiotree::reg<"link_control", 0x10, 16, 0,
        field<"aspm_control", 1, 0, detail::rw>, field<"rsvd2", 2, 2, detail::rsvdp>,
        field<"read_completion_boundary", 3, 3, detail::rw>, field<"rsvd4", 5, 4, detail::rsvdp>,
        field<"common_clock", 6, 6, detail::rw>, field<"extended_synch", 7, 7, detail::rw>,
        field<"clock_pm", 8, 8, detail::rw>, field<"autonomous_width_disable", 9, 9, detail::rw>,
        field<"rsvd", 15, 10, detail::rsvdp>>,
    mmiotree::reg<"link_status", 0x12, 16, Info.link_status,
        field<"link_status", 15, 0, detail::ro>>,
    mmiotree::reg<"device_capabilities2", 0x24, 32, Info.device_capabilities2,
        field<"device_capabilities2", 31, 0, detail::ro>>,
    mmiotree::reg<"device_control2", 0x28, 16, 0,
        field<"completion_timeout", 4, 0, detail::rw>, field<"rsvd5", 5, 5, detail::rsvdp>,
        field<"atomic_op_requester", 6, 6, detail::rw>, field<"rsvd7", 7, 7, detail::rsvdp>,
        field<"ido", 9, 8, detail::rw>, field<"ltr", 10, 10, detail::rw>,
        field<"rsvd", 15, 11, detail::rsvdp>>,
    mmiotree::reg<"link_capabilities2", 0x2C, 32, Info.link_capabilities2,
        field<"link_capabilities2", 31, 0, detail::ro>>,
    mmiotree::reg<"link_control2", 0x30, 16, 0x1,
        field<"target_link_speed", 3, 0, detail::rw>, field<"rsvd", 15, 4, detail::rsvdp>>,
    mmiotree::reg<"link_status2", 0x32, 16, 0, field<"link_status2", 15, 0, detail::ro>>> {};

/// A Designated Vendor-Specific Extended Capability (ID 0x23, version 1; PCIe r6 §7.9.6): DVSEC
/// Header 1 at +4 (vendor ID 15:0, revision 19:16, length 31:20 — the whole structure's bytes)
/// and Header 2 at +8 (DVSEC ID 15:0), both RO, then the vendor's registers from +0xA.
template <fixed_string Name, std::uint16_t Vendor, std::uint8_t Revision, std::uint16_t DvsecId,
          addr_t Length, class... Regs>
struct dvsec : ext_capability<Name, 0x23, 1, Length,
    mmiotree::reg<"header1", 0x4, 32,
        std::uint64_t{Vendor} | (std::uint64_t{Revision & 0xFU} << 16) |
            (std::uint64_t{Length & 0xFFFU} << 20),
        field<"vendor_id", 15, 0, detail::ro>, field<"revision", 19, 16, detail::ro>,
        field<"length", 31, 20, detail::ro>>,
    mmiotree::reg<"header2", 0x8, 16, DvsecId, field<"dvsec_id", 15, 0, detail::ro>>,
    Regs...> {};
// clang-format on

}  // namespace pci

MMIOTREE_END_NAMESPACE
