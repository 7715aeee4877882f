// vfio/info.hpp: what a kernel reports about a VFIO device — device info, region info and their
// capability chains — as mmiotree's own types, decoded from raw bytes by a parser that refuses
// every malformed buffer with a typed error naming what is wrong and where.
//
// The buffers are what VFIO_DEVICE_GET_INFO and VFIO_DEVICE_GET_REGION_INFO fill in (Linux
// include/uapi/linux/vfio.h): a fixed header whose first word is `argsz` (the bytes the kernel
// reports, capabilities included), then, if the CAPS flag is set, a chain of capabilities, each
// an 8-byte header {id u16, version u16, next u32} followed by its body; `next` is the offset of
// the following capability from the start of the buffer, 0 ending the chain. The kernel places
// each capability at a multiple of 8 (vfio_info_cap_add aligns every capability to a u64), never
// inside the fixed header, and never twice.
//
// The CXL parts of the uAPI (vfio/cxl_uapi.hpp) are not in any released kernel and changed shape
// in every revision of the series; this header knows only what is stable.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/units.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace vfio {

/// Why a buffer was refused.
enum class parse_error : std::uint8_t {
  none,
  buffer_below_header,       ///< fewer bytes than the fixed header
  argsz_below_header,        ///< argsz smaller than the fixed header
  argsz_past_buffer,         ///< argsz claims more bytes than the buffer holds
  cap_offset_in_header,      ///< a capability offset points into the fixed header
  cap_offset_misaligned,     ///< a capability offset not a multiple of 8
  cap_offset_outside,        ///< a capability header not wholly inside argsz
  cap_chain_loop,            ///< a capability offset visited twice
  cap_headers_overlap,       ///< a capability header inside another capability
  cap_unknown_version,       ///< a known capability with a version this build does not read
  cap_body_outside,          ///< a known capability's body runs past argsz
  cap_duplicate,             ///< a capability that may appear once appears twice
  caps_flag_without_offset,  ///< the CAPS flag set with no first capability (offset 0)
  sparse_count_overflow,     ///< nr_areas × 16 overflows or exceeds the buffer
  sparse_area_empty,         ///< a sparse area of size 0
  sparse_area_unaligned,     ///< a sparse area not page-aligned
  sparse_area_past_region,   ///< a sparse area past the region's end (or overflowing)
  sparse_areas_overlap,      ///< two sparse areas share bytes
  sparse_without_mmap,       ///< a sparse-mmap capability on a region without the MMAP flag
  region_range_overflow,     ///< region offset + size passes 2^64
  region_index_mismatch,     ///< the region info is not for the index asked for
  revision_shape,            ///< a capability of the named uAPI revision has another length
  cxl_capability_missing,    ///< a CXL device without the CXL device capability
  cxl_not_a_cxl_device,      ///< the CXL capability on a device without the CXL flag
  cxl_bar_missing,           ///< the component-register BAR index names no BAR region
  cxl_hdm_outside_bar,       ///< the HDM decoder block does not lie inside its BAR
  cxl_region_missing,        ///< a COMP_REGS or device-memory region the report needs is absent
  cxl_region_ambiguous,      ///< two regions of the same CXL type and subtype
  cxl_region_too_small,      ///< the COMP_REGS region is too small to hold what it must
};

[[nodiscard]] constexpr std::string_view to_string(parse_error e) noexcept {
  switch (e) {
    case parse_error::none: return "none";
    case parse_error::buffer_below_header: return "buffer shorter than the fixed header";
    case parse_error::argsz_below_header: return "argsz smaller than the fixed header";
    case parse_error::argsz_past_buffer: return "argsz larger than the buffer";
    case parse_error::cap_offset_in_header: return "capability offset inside the fixed header";
    case parse_error::cap_offset_misaligned: return "capability offset not a multiple of 8";
    case parse_error::cap_offset_outside: return "capability header outside argsz";
    case parse_error::cap_chain_loop: return "capability chain revisits an offset";
    case parse_error::cap_headers_overlap: return "capability header inside another capability";
    case parse_error::cap_unknown_version: return "unknown version of a known capability";
    case parse_error::cap_body_outside: return "capability body runs past argsz";
    case parse_error::cap_duplicate: return "capability present twice";
    case parse_error::caps_flag_without_offset: return "CAPS flag set without a capability";
    case parse_error::sparse_count_overflow: return "nr_areas larger than the buffer holds";
    case parse_error::sparse_area_empty: return "sparse area of size 0";
    case parse_error::sparse_area_unaligned: return "sparse area not page-aligned";
    case parse_error::sparse_area_past_region: return "sparse area past the region's end";
    case parse_error::sparse_areas_overlap: return "sparse areas overlap";
    case parse_error::sparse_without_mmap: return "sparse-mmap capability without the MMAP flag";
    case parse_error::region_range_overflow: return "region offset + size overflows";
    case parse_error::region_index_mismatch: return "region info for another index";
    case parse_error::revision_shape: return "capability length does not fit the named revision";
    case parse_error::cxl_capability_missing: return "CXL device without the CXL capability";
    case parse_error::cxl_not_a_cxl_device: return "CXL capability without the CXL device flag";
    case parse_error::cxl_bar_missing: return "component-register BAR is not a BAR region";
    case parse_error::cxl_hdm_outside_bar: return "HDM decoder block outside its BAR";
    case parse_error::cxl_region_missing: return "CXL region missing";
    case parse_error::cxl_region_ambiguous: return "two CXL regions of one type and subtype";
    case parse_error::cxl_region_too_small: return "COMP_REGS region too small";
  }
  return "?";
}

/// A refusal: what, where (a byte offset in the buffer, or the index of an area or region) and
/// the value found there.
struct parse_failure {
  parse_error what = parse_error::none;
  std::uint64_t at = 0;
  std::uint64_t value = 0;
  [[nodiscard]] constexpr bool operator==(const parse_failure&) const = default;
};

namespace detail {
/// `v` in hexadecimal, "0x" first (the VFIO layer's messages).
[[nodiscard]] inline std::string hex(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}
}  // namespace detail

/// A person's reading of a refusal: "capability offset not a multiple of 8 (at 0x10: 0x1c)" —
/// what, at which byte (or area, or region), and the value found there.
[[nodiscard]] inline std::string describe(const parse_failure& f) {
  return std::string(to_string(f.what)) + " (at " + detail::hex(f.at) + ": " +
         detail::hex(f.value) + ")";
}

/// A value, or why there is none.
template <class T>
class parsed {
 public:
  parsed(T v) : value_(std::move(v)) {}     // NOLINT: implicit, as a result type
  parsed(parse_failure f) : failure_(f) {}  // NOLINT
  [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
  [[nodiscard]] explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const T& value() const& { return *value_; }
  [[nodiscard]] T& value() & { return *value_; }
  [[nodiscard]] const T* operator->() const { return &*value_; }
  [[nodiscard]] const parse_failure& failure() const noexcept { return failure_; }
  [[nodiscard]] parse_error error() const noexcept { return failure_.what; }

 private:
  std::optional<T> value_;
  parse_failure failure_{};
};

// ---- the stable uAPI (Linux include/uapi/linux/vfio.h) ------------------------------------

namespace uapi {
inline constexpr std::uint32_t device_flag_reset = 1U << 0;
inline constexpr std::uint32_t device_flag_pci = 1U << 1;
inline constexpr std::uint32_t device_flag_caps = 1U << 7;
inline constexpr std::uint32_t region_flag_read = 1U << 0;
inline constexpr std::uint32_t region_flag_write = 1U << 1;
inline constexpr std::uint32_t region_flag_mmap = 1U << 2;
inline constexpr std::uint32_t region_flag_caps = 1U << 3;
inline constexpr std::uint16_t region_cap_sparse_mmap = 1;  ///< version 1
inline constexpr std::uint16_t region_cap_type = 2;         ///< version 1
inline constexpr std::uint32_t region_type_pci_vendor = 1U << 31;
/// vfio-pci's fixed region indices: BARs 0–5, ROM, configuration space, VGA.
inline constexpr std::uint32_t pci_bar0_region = 0;
inline constexpr std::uint32_t pci_config_region = 7;
inline constexpr std::uint32_t pci_num_regions = 9;
/// Bytes of the fixed headers: vfio_device_info (argsz, flags, num_regions, num_irqs,
/// cap_offset) and vfio_region_info (argsz, flags, index, cap_offset, size, offset).
inline constexpr std::size_t device_info_bytes = 20;
inline constexpr std::size_t region_info_bytes = 32;
inline constexpr std::size_t cap_header_bytes = 8;
}  // namespace uapi

// ---- our types ------------------------------------------------------------------------------

/// One capability of a chain, as found: where, which, and its bytes (header included; up to the
/// next capability or argsz, since a capability's length is known only to its reader). A copy:
/// the parsed info does not borrow the buffer.
struct capability_ref {
  std::size_t offset = 0;
  std::uint16_t id = 0;
  std::uint16_t version = 0;
  std::vector<std::byte> bytes;  ///< from its header to the end of its extent
  std::size_t room = 0;          ///< bytes from its header to argsz (its extent, if it is the last)
};

/// VFIO_DEVICE_GET_INFO.
struct device_info {
  std::uint32_t flags = 0;
  std::uint32_t num_regions = 0;
  std::uint32_t num_irqs = 0;
  std::vector<capability_ref> caps;
  [[nodiscard]] bool pci() const noexcept { return (flags & uapi::device_flag_pci) != 0; }
  [[nodiscard]] bool resettable() const noexcept { return (flags & uapi::device_flag_reset) != 0; }
  [[nodiscard]] const capability_ref* find(std::uint16_t id) const noexcept {
    for (const capability_ref& c : caps)
      if (c.id == id) return &c;
    return nullptr;
  }
};

/// A VFIO_REGION_INFO_CAP_SPARSE_MMAP area: the part of the region that may be mmapped.
struct sparse_area {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  [[nodiscard]] constexpr std::uint64_t last() const noexcept { return offset + (size - 1); }
  [[nodiscard]] constexpr bool operator==(const sparse_area&) const = default;
};

/// A VFIO_REGION_INFO_CAP_TYPE.
struct region_type {
  std::uint32_t type = 0;
  std::uint32_t subtype = 0;
  [[nodiscard]] constexpr bool operator==(const region_type&) const = default;
};

/// VFIO_DEVICE_GET_REGION_INFO.
struct region_info {
  std::uint32_t index = 0;
  std::uint32_t flags = 0;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;  ///< of the region in the device fd (pread/pwrite/mmap)
  /// Sparse-mmap areas, sorted by offset; empty with `sparse` false: the whole region may be
  /// mmapped if `mmap()`.
  bool sparse = false;
  std::vector<sparse_area> areas;
  std::optional<region_type> type;
  std::vector<capability_ref> caps;  ///< every capability, known or not
  [[nodiscard]] bool readable() const noexcept { return (flags & uapi::region_flag_read) != 0; }
  [[nodiscard]] bool writable() const noexcept { return (flags & uapi::region_flag_write) != 0; }
  [[nodiscard]] bool mmap() const noexcept { return (flags & uapi::region_flag_mmap) != 0; }
  [[nodiscard]] const capability_ref* find(std::uint16_t id) const noexcept {
    for (const capability_ref& c : caps)
      if (c.id == id) return &c;
    return nullptr;
  }
};

// ---- the parser -------------------------------------------------------------------------------

namespace detail {

/// Little-endian reads at a checked offset (the caller checked `at + n <= b.size()`).
[[nodiscard]] inline std::uint64_t le(std::span<const std::byte> b, std::size_t at,
                                      unsigned n) noexcept {
  std::uint64_t v = 0;
  for (unsigned k = 0; k < n; ++k)
    v |= std::uint64_t(std::to_integer<std::uint8_t>(b[at + k])) << (8 * k);
  return v;
}

/// The buffer cut to argsz, or why not.
[[nodiscard]] inline parsed<std::span<const std::byte>> cut_to_argsz(std::span<const std::byte> b,
                                                                     std::size_t header) {
  if (b.size() < header) return parse_failure{parse_error::buffer_below_header, 0, b.size()};
  const std::uint64_t argsz = le(b, 0, 4);
  if (argsz < header) return parse_failure{parse_error::argsz_below_header, 0, argsz};
  if (argsz > b.size()) return parse_failure{parse_error::argsz_past_buffer, 0, argsz};
  return b.first(static_cast<std::size_t>(argsz));
}

/// Walks the capability chain from `first` in `b` (already cut to argsz), whose fixed header is
/// `header` bytes. Each capability's extent runs from its offset to the next higher capability
/// offset of the chain, or to argsz.
[[nodiscard]] inline parsed<std::vector<capability_ref>> walk_caps(std::span<const std::byte> b,
                                                                   std::size_t header,
                                                                   std::uint64_t first) {
  std::vector<std::size_t> offsets;
  for (std::uint64_t off = first, from = 0; off != 0;) {
    const std::uint64_t link_at = from;  // where the offset was read: 0 for the first
    if (off < header) return parse_failure{parse_error::cap_offset_in_header, link_at, off};
    if (off % 8 != 0) return parse_failure{parse_error::cap_offset_misaligned, link_at, off};
    if (off > b.size() || b.size() - off < uapi::cap_header_bytes)
      return parse_failure{parse_error::cap_offset_outside, link_at, off};
    if (std::find(offsets.begin(), offsets.end(), off) != offsets.end())
      return parse_failure{parse_error::cap_chain_loop, link_at, off};
    // Every header is 8 bytes at a multiple of 8: two headers that share a byte are the same
    // offset (a loop, above), so overlap is a header inside a known body, checked by the
    // capability's reader; here, a header inside the 8 bytes of another cannot happen.
    offsets.push_back(static_cast<std::size_t>(off));
    from = off + 4;
    off = le(b, static_cast<std::size_t>(off) + 4, 4);
  }
  std::vector<std::size_t> sorted = offsets;
  std::sort(sorted.begin(), sorted.end());
  std::vector<capability_ref> caps;
  caps.reserve(offsets.size());
  for (std::size_t off : offsets) {
    const auto next = std::upper_bound(sorted.begin(), sorted.end(), off);
    const std::size_t end = next == sorted.end() ? b.size() : *next;
    const std::span<const std::byte> extent = b.subspan(off, end - off);
    caps.push_back({off, static_cast<std::uint16_t>(le(b, off, 2)),
                    static_cast<std::uint16_t>(le(b, off + 2, 2)),
                    std::vector<std::byte>(extent.begin(), extent.end()), b.size() - off});
  }
  return caps;
}

/// Whether a known capability needing `body` bytes after its header fits its extent; the
/// failure names the capability's offset and the bytes it needs.
[[nodiscard]] inline std::optional<parse_failure> needs(const capability_ref& c, std::size_t body) {
  if (c.bytes.size() >= uapi::cap_header_bytes + body) return std::nullopt;
  // Its body would run past argsz, or over the next capability's header.
  return parse_failure{c.room < uapi::cap_header_bytes + body ? parse_error::cap_body_outside
                                                              : parse_error::cap_headers_overlap,
                       c.offset, uapi::cap_header_bytes + body};
}

}  // namespace detail

/// Decodes VFIO_DEVICE_GET_INFO's buffer. Capabilities are kept as found (their readers are
/// revision-specific: vfio/cxl_uapi.hpp).
[[nodiscard]] inline parsed<device_info> parse_device_info(std::span<const std::byte> buffer) {
  const auto b = detail::cut_to_argsz(buffer, uapi::device_info_bytes);
  if (!b) return b.failure();
  const std::span<const std::byte> s = b.value();
  device_info d;
  d.flags = static_cast<std::uint32_t>(detail::le(s, 4, 4));
  d.num_regions = static_cast<std::uint32_t>(detail::le(s, 8, 4));
  d.num_irqs = static_cast<std::uint32_t>(detail::le(s, 12, 4));
  const std::uint64_t first = detail::le(s, 16, 4);
  if (d.flags & uapi::device_flag_caps) {
    if (first == 0) return parse_failure{parse_error::caps_flag_without_offset, 16, 0};
    auto caps = detail::walk_caps(s, uapi::device_info_bytes, first);
    if (!caps) return caps.failure();
    d.caps = std::move(caps.value());
  }
  return d;
}

/// Decodes VFIO_DEVICE_GET_REGION_INFO's buffer for region `index` on a host of `page` bytes
/// (sparse areas must be page-aligned: they are mmapped). The sparse-mmap and type capabilities
/// are read (version 1; once each); others are kept as found.
[[nodiscard]] inline parsed<region_info> parse_region_info(std::span<const std::byte> buffer,
                                                           std::uint32_t index,
                                                           std::uint64_t page = 4096) {
  const auto b = detail::cut_to_argsz(buffer, uapi::region_info_bytes);
  if (!b) return b.failure();
  const std::span<const std::byte> s = b.value();
  region_info r;
  r.flags = static_cast<std::uint32_t>(detail::le(s, 4, 4));
  r.index = static_cast<std::uint32_t>(detail::le(s, 8, 4));
  const std::uint64_t first = detail::le(s, 12, 4);
  r.size = detail::le(s, 16, 8);
  r.offset = detail::le(s, 24, 8);
  if (r.index != index) return parse_failure{parse_error::region_index_mismatch, 8, r.index};
  if (r.size != 0 && r.offset + (r.size - 1) < r.offset)
    return parse_failure{parse_error::region_range_overflow, 24, r.offset};
  if (r.flags & uapi::region_flag_caps) {
    if (first == 0) return parse_failure{parse_error::caps_flag_without_offset, 12, 0};
    auto caps = detail::walk_caps(s, uapi::region_info_bytes, first);
    if (!caps) return caps.failure();
    r.caps = std::move(caps.value());
  }
  for (const capability_ref& c : r.caps) {
    if (c.id == uapi::region_cap_sparse_mmap) {
      if (c.version != 1)
        return parse_failure{parse_error::cap_unknown_version, c.offset, c.version};
      if (r.sparse) return parse_failure{parse_error::cap_duplicate, c.offset, c.id};
      if (const auto f = detail::needs(c, 8)) return *f;
      const std::uint64_t n = detail::le(c.bytes, 8, 4);
      // n < 2^32, so 16 + 16 n cannot overflow 64 bits; it can exceed the extent: past argsz
      // (the count is wrong) or over the next capability's header.
      if (16 + 16 * n > c.room)
        return parse_failure{parse_error::sparse_count_overflow, c.offset + 8, n};
      if (16 + 16 * n > c.bytes.size())
        return parse_failure{parse_error::cap_headers_overlap, c.offset, 16 + 16 * n};
      if (!r.mmap()) return parse_failure{parse_error::sparse_without_mmap, c.offset, r.flags};
      r.sparse = true;
      for (std::uint64_t k = 0; k < n; ++k) {
        const std::size_t at = 16 + 16 * static_cast<std::size_t>(k);
        const sparse_area a{detail::le(c.bytes, at, 8), detail::le(c.bytes, at + 8, 8)};
        const std::uint64_t where = c.offset + at;
        if (a.size == 0) return parse_failure{parse_error::sparse_area_empty, where, k};
        if (a.offset % page != 0 || a.size % page != 0)
          return parse_failure{parse_error::sparse_area_unaligned, where, a.offset};
        if (a.offset >= r.size || r.size - a.offset < a.size)
          return parse_failure{parse_error::sparse_area_past_region, where, a.offset};
        r.areas.push_back(a);
      }
      std::vector<sparse_area> sorted = r.areas;
      std::sort(sorted.begin(), sorted.end(),
                [](const sparse_area& x, const sparse_area& y) { return x.offset < y.offset; });
      for (std::size_t k = 1; k < sorted.size(); ++k)
        if (sorted[k].offset <= sorted[k - 1].last())
          return parse_failure{parse_error::sparse_areas_overlap, c.offset, sorted[k].offset};
      r.areas = std::move(sorted);
    } else if (c.id == uapi::region_cap_type) {
      if (c.version != 1)
        return parse_failure{parse_error::cap_unknown_version, c.offset, c.version};
      if (r.type) return parse_failure{parse_error::cap_duplicate, c.offset, c.id};
      if (const auto f = detail::needs(c, 8)) return *f;
      r.type = region_type{static_cast<std::uint32_t>(detail::le(c.bytes, 8, 4)),
                           static_cast<std::uint32_t>(detail::le(c.bytes, 12, 4))};
    }
  }
  return r;
}

}  // namespace vfio

MMIOTREE_END_NAMESPACE
