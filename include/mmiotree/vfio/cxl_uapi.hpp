// vfio/cxl_uapi.hpp: what a kernel of the "vfio-cxl" series reports about a CXL Type-2 device,
// decoded per uAPI revision into one revision-independent type, `cxl_report`.
//
// None of this is in a released kernel (Debian's <linux/vfio.h>, 6.1, has no CXL definitions),
// and the shape changed in every revision (reference cxl.md §1.2, updates-2026-12.md §1.3):
//
//   v2 (the RFC's)  device capability 6 v1, 32 bytes: hdm_regs_bar_index u8, reserved u8[3],
//                   flags u32, hdm_regs_offset u64 (the BAR offset of the component block's
//                   CXL.cache/mem range, block + 0x1000), dpa_region_index u32,
//                   comp_regs_region_index u32. COMP_REGS starts at the capability array; the
//                   HDM block is found by walking it. Flags: FIRMWARE_COMMITTED 1<<0,
//                   CACHE_CAPABLE 1<<1. Sources: sforshee/NV-Kernels include/uapi/linux/vfio.h
//                   @23b4e643; QEMU RFC patch 3.
//   v3              device capability 6 v1, 48 bytes: flags u32, hdm_region_idx u32,
//                   comp_reg_region_idx u32, comp_reg_bar u32, __resv u32, (4 bytes of
//                   alignment), comp_reg_offset u64 (the component block), comp_reg_size u64.
//                   COMP_REGS starts at the component block (the array at +0x1000, as the v3
//                   selftest reads it). Flags: HOST_FIRMWARE_COMMITTED 1<<0. Source: "[PATCH
//                   v3 05/11] vfio: UAPI for CXL Type-2 device passthrough" (2026-06-25).
//   v4 (drafts)     device capability 6 v1 with flags only (16 bytes with its padding); regions
//                   found by their type capability (subtypes CXL_MEM and CXL_COMP_REGS); a
//                   region capability on COMP_REGS carries the BAR and the BAR offset of the HDM
//                   decoder block, where COMP_REGS starts (its size: the block's). Source: the
//                   legoater/linux selftest vfio_cxl_type2_test.c @e7bb6daf; the region
//                   capability's fields follow the v4 plan in the v3 thread (bar, offset, size).
//
// Region types: v2 and v3 use PCI_VENDOR_TYPE | 0x1E98 with subtypes 1 (device memory) and 2
// (COMP_REGS). The v4 drafts disagree — some keep that, some name a VFIO_REGION_TYPE_CXL — and
// no public header gives the number of VFIO_REGION_TYPE_CXL, of the v4 subtypes, or of the
// region capability's ID: a VMM passes them (`v4_numbers`) from the kernel headers it builds
// against. The revision is named by the VMM: v2, v3 and v4 share the device capability's ID and
// version, so no reliable detection exists; a capability whose length does not fit the named
// revision is refused (`parse_error::revision_shape`).
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/vfio/info.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio {

/// The uAPI revisions this build decodes.
enum class cxl_uapi : std::uint8_t { v2, v3, v4 };

[[nodiscard]] constexpr std::string_view to_string(cxl_uapi r) noexcept {
  switch (r) {
    case cxl_uapi::v2: return "v2";
    case cxl_uapi::v3: return "v3";
    case cxl_uapi::v4: return "v4";
  }
  return "?";
}

namespace uapi {
inline constexpr std::uint32_t device_flag_cxl = 1U << 9;
inline constexpr std::uint16_t device_cap_cxl = 6;  ///< version 1 in every revision
inline constexpr std::uint16_t pci_vendor_cxl = 0x1E98;
/// v2 and v3 (and some v4 drafts): the CXL regions' type, and their subtypes.
inline constexpr std::uint32_t cxl_vendor_region_type = region_type_pci_vendor | pci_vendor_cxl;
inline constexpr std::uint32_t cxl_subtype_memory = 1;
inline constexpr std::uint32_t cxl_subtype_comp_regs = 2;
/// Bytes of the device capability, header included, in each revision (the kernel pads each
/// capability to a multiple of 8).
inline constexpr std::size_t cxl_cap_bytes_v2 = 32;
inline constexpr std::size_t cxl_cap_bytes_v3 = 48;
inline constexpr std::size_t cxl_cap_bytes_v4 = 16;
/// The v4 COMP_REGS region capability: header, bar u32, reserved u32, offset u64, size u64.
inline constexpr std::size_t comp_regs_cap_bytes_v4 = 32;
/// Offset of the CXL.cache/mem range in the component block.
inline constexpr std::uint64_t cachemem_offset = 0x1000;
}  // namespace uapi

/// The numbers of a v4 kernel that no public header gives (see the file comment).
struct v4_numbers {
  std::uint32_t region_type = uapi::cxl_vendor_region_type;
  std::uint32_t memory_subtype = uapi::cxl_subtype_memory;
  std::uint32_t comp_regs_subtype = uapi::cxl_subtype_comp_regs;
  std::uint16_t comp_regs_cap_id = 0;  ///< required: 0 is no capability
  std::uint16_t comp_regs_cap_version = 1;
};

/// What a VMM needs to know about a passed-through CXL Type-2 device, whatever the revision.
struct cxl_report {
  cxl_uapi revision = cxl_uapi::v4;
  bool firmware_committed = false;  ///< the host's decoder was committed by platform firmware
  bool cache_capable = false;       ///< v2 only: CXL.cache (the VMM owns WB+Invalidate)
  std::uint32_t component_bar = 0;  ///< BAR index of the component registers
  std::uint64_t bar_size = 0;
  std::vector<sparse_area> bar_areas;  ///< the BAR's sparse-mmap areas (empty: none mmappable)
  bool bar_mmap = false;               ///< the BAR region has the MMAP flag
  std::uint32_t comp_regs_region = 0;  ///< region index of COMP_REGS
  std::uint64_t comp_regs_size = 0;
  std::uint64_t comp_regs_fd_offset = 0;  ///< of the region in the device fd
  /// The BAR offset that COMP_REGS offset 0 shows: the CXL.cache/mem range (v2), the
  /// component block (v3), the HDM decoder block (v4).
  std::uint64_t comp_regs_bar_offset = 0;
  /// The HDM decoder block: known from the report in v4; in v2 and v3, from the capability
  /// array read through COMP_REGS (vfio/region_io.hpp), until then nullopt.
  std::optional<std::uint64_t> hdm_bar_offset;
  std::optional<std::uint64_t> hdm_size;
  std::uint32_t memory_region = 0;  ///< region index of the device memory (DPA)
  std::uint64_t memory_size = 0;
  std::uint64_t memory_fd_offset = 0;
  bool memory_mmap = false;
};

namespace detail {

/// The CXL device capability of `d`, checked against revision `r`'s length.
[[nodiscard]] inline parsed<const capability_ref*> cxl_cap(const device_info& d, cxl_uapi r) {
  const capability_ref* c = d.find(uapi::device_cap_cxl);
  const bool flagged = (d.flags & uapi::device_flag_cxl) != 0;
  if (c == nullptr)
    return parse_failure{
        flagged ? parse_error::cxl_capability_missing : parse_error::cxl_not_a_cxl_device, 4,
        d.flags};
  if (!flagged) return parse_failure{parse_error::cxl_not_a_cxl_device, c->offset, d.flags};
  if (c->version != 1)
    return parse_failure{parse_error::cap_unknown_version, c->offset, c->version};
  const std::size_t want = r == cxl_uapi::v2   ? uapi::cxl_cap_bytes_v2
                           : r == cxl_uapi::v3 ? uapi::cxl_cap_bytes_v3
                                               : uapi::cxl_cap_bytes_v4;
  if (c->bytes.size() != want)
    return parse_failure{parse_error::revision_shape, c->offset, c->bytes.size()};
  return c;
}

/// The one region (by index) whose type capability is `t`, or why not.
[[nodiscard]] inline parsed<const region_info*> region_of_type(std::span<const region_info> regions,
                                                               region_type t) {
  const region_info* found = nullptr;
  for (const region_info& r : regions)
    if (r.type && *r.type == t) {
      if (found) return parse_failure{parse_error::cxl_region_ambiguous, r.index, t.subtype};
      found = &r;
    }
  if (!found) return parse_failure{parse_error::cxl_region_missing, t.type, t.subtype};
  return found;
}

[[nodiscard]] inline const region_info* region_at(std::span<const region_info> regions,
                                                  std::uint64_t index) {
  for (const region_info& r : regions)
    if (r.index == index) return &r;
  return nullptr;
}

}  // namespace detail

/// Decodes the CXL report of a device: its device info and the info of its regions (any
/// order; BAR regions 0–5 and every device-specific region the device has), as revision `r`
/// lays them out. `v4` gives the numbers a v4 kernel uses (required for `cxl_uapi::v4`: a zero
/// capability ID finds nothing).
[[nodiscard]] inline parsed<cxl_report> parse_cxl_report(const device_info& device,
                                                         std::span<const region_info> regions,
                                                         cxl_uapi r, const v4_numbers& v4 = {}) {
  const auto cap = detail::cxl_cap(device, r);
  if (!cap) return cap.failure();
  const std::span<const std::byte> c = cap.value()->bytes;
  const std::uint64_t at = cap.value()->offset;
  cxl_report rep;
  rep.revision = r;
  std::uint64_t mem_index = 0, comp_index = 0;
  const region_info* mem = nullptr;
  const region_info* comp = nullptr;
  switch (r) {
    case cxl_uapi::v2: {
      rep.component_bar = static_cast<std::uint32_t>(detail::le(c, 8, 1));
      const std::uint64_t flags = detail::le(c, 12, 4);
      rep.firmware_committed = (flags & 1U) != 0;
      rep.cache_capable = (flags & 2U) != 0;
      rep.comp_regs_bar_offset = detail::le(c, 16, 8);
      mem_index = detail::le(c, 24, 4);
      comp_index = detail::le(c, 28, 4);
      break;
    }
    case cxl_uapi::v3: {
      rep.firmware_committed = (detail::le(c, 8, 4) & 1U) != 0;
      mem_index = detail::le(c, 12, 4);
      comp_index = detail::le(c, 16, 4);
      rep.component_bar = static_cast<std::uint32_t>(detail::le(c, 20, 4));
      rep.comp_regs_bar_offset = detail::le(c, 32, 8);
      break;
    }
    case cxl_uapi::v4: {
      rep.firmware_committed = (detail::le(c, 8, 4) & 1U) != 0;
      const auto m = detail::region_of_type(regions, {v4.region_type, v4.memory_subtype});
      if (!m) return m.failure();
      const auto k = detail::region_of_type(regions, {v4.region_type, v4.comp_regs_subtype});
      if (!k) return k.failure();
      mem = m.value();
      comp = k.value();
      const capability_ref* g = comp->find(v4.comp_regs_cap_id);
      if (v4.comp_regs_cap_id == 0 || g == nullptr)
        return parse_failure{parse_error::cxl_capability_missing, comp->index, v4.comp_regs_cap_id};
      if (g->version != v4.comp_regs_cap_version)
        return parse_failure{parse_error::cap_unknown_version, g->offset, g->version};
      if (g->bytes.size() != uapi::comp_regs_cap_bytes_v4)
        return parse_failure{parse_error::revision_shape, g->offset, g->bytes.size()};
      rep.component_bar = static_cast<std::uint32_t>(detail::le(g->bytes, 8, 4));
      rep.comp_regs_bar_offset = detail::le(g->bytes, 16, 8);
      rep.hdm_bar_offset = rep.comp_regs_bar_offset;
      rep.hdm_size = detail::le(g->bytes, 24, 8);
      break;
    }
  }
  if (r != cxl_uapi::v4) {
    mem = detail::region_at(regions, mem_index);
    comp = detail::region_at(regions, comp_index);
    if (mem == nullptr || mem_index < uapi::pci_num_regions)
      return parse_failure{parse_error::cxl_region_missing, at, mem_index};
    if (comp == nullptr || comp_index < uapi::pci_num_regions)
      return parse_failure{parse_error::cxl_region_missing, at, comp_index};
  }
  const region_info* bar =
      rep.component_bar < 6 ? detail::region_at(regions, rep.component_bar) : nullptr;
  if (bar == nullptr || bar->size == 0)
    return parse_failure{parse_error::cxl_bar_missing, at, rep.component_bar};
  rep.bar_size = bar->size;
  rep.bar_areas = bar->areas;
  rep.bar_mmap = bar->mmap();
  rep.comp_regs_region = comp->index;
  rep.comp_regs_size = comp->size;
  rep.comp_regs_fd_offset = comp->offset;
  rep.memory_region = mem->index;
  rep.memory_size = mem->size;
  rep.memory_fd_offset = mem->offset;
  rep.memory_mmap = mem->mmap();
  // What COMP_REGS shows lies inside the BAR; in v4 it is the HDM block, of its size.
  const std::uint64_t o = rep.comp_regs_bar_offset;
  if (o >= rep.bar_size || rep.bar_size - o < rep.comp_regs_size)
    return parse_failure{parse_error::cxl_hdm_outside_bar, comp->index, o};
  if (rep.hdm_size && *rep.hdm_size != rep.comp_regs_size)
    return parse_failure{parse_error::cxl_region_too_small, comp->index, rep.comp_regs_size};
  // An HDM block holds at least its capability registers and one decoder (0x10 + 0x20).
  if (r == cxl_uapi::v4 && rep.comp_regs_size < 0x30)
    return parse_failure{parse_error::cxl_region_too_small, comp->index, rep.comp_regs_size};
  return rep;
}

}  // namespace vfio

MMIOTREE_END_NAMESPACE
