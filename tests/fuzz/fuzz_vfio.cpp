// tests/fuzz/fuzz_vfio.cpp: what a kernel hands the VMM about a VFIO device, as raw bytes — the
// ioctl reply buffers of VFIO_DEVICE_GET_INFO and VFIO_DEVICE_GET_REGION_INFO, the CXL report
// built from them, the layout check run on that report, the bytes a pread of a region returns,
// and a passed-through function's configuration bytes — each judged by a reading of the uAPI
// (or the PCI rules) written here, sharing nothing with the library but its result types (and,
// for the configuration, the simulated device's bytes as the starting point):
//
//   buffers     every buffer is parsed or refused with a typed error (never `none`, described
//               by a non-empty sentence); the model below reads it from Linux
//               include/uapi/linux/vfio.h and the rules info.hpp's comment states (argsz within
//               the buffer and past the fixed header, 20 bytes for device info and 32 for region
//               info; a capability chain from cap_offset through each 8-byte header's `next`,
//               every offset past the header, a multiple of 8, its header inside argsz, never
//               revisited; a capability's extent runs to the next higher offset of the chain or
//               argsz; sparse-mmap (id 1) and type (id 2) are version 1 and once each; a
//               sparse-mmap capability holds 16 + 16 nr_areas bytes, on an MMAP region, each
//               area non-empty, page-aligned, inside the region and disjoint from the others;
//               offset + size of the region does not pass 2^64; the index is the one asked
//               for). Parsed and modelled must agree on acceptance, and, accepted, on every
//               field, every capability (offset, id, version, bytes, room, in chain order) and
//               the areas (sorted by offset).
//   CXL report  parse_cxl_report on a device and the regions that parsed, read as each
//               revision, against the per-revision layouts of cxl_uapi.hpp's file comment
//               (v2 32 bytes, v3 48, v4 16 plus a 32-byte COMP_REGS region capability; region
//               indices of v2/v3 past vfio-pci's nine fixed ones; the component BAR 0–5 and
//               non-empty; COMP_REGS inside it; v4: exactly one region of each CXL type, the
//               HDM size equal to COMP_REGS's and at least 0x30).
//   check       whatever report reaches it (parsed, or made directly from the input, areas
//               sorted and disjoint as the parser gives them), check_matches<bar2_v4 or v2, 2>
//               finds no mismatch exactly when the rules check.hpp's comment claims hold,
//               read from tests/unit/vfio/example_bars.hpp's geometry written out here: host
//               page 4 KiB, BAR 2 of 4 MiB, COMP_REGS at the revision's offset (v2 block +
//               0x1000, v3 the block, v4 the HDM block at 1 MiB + 0x1128), the HDM block there
//               and 0x50 bytes (2 decoders), and the mmappable bytes (the areas, the whole BAR
//               if MMAP without areas, nothing without MMAP) exactly the layout's passthrough
//               bytes (v2: all but the 64 KiB block at 1 MiB; v4: all but its decoder page).
//   region I/O  fd_region over a memfd holding some of the input: an access of a size other
//               than 1, 2, 4, 8 is bad_size; one not inside the region (or whose fd offset
//               wraps) out_of_region; at an fd offset past 2^63 - 1 an os_error (EINVAL; one
//               that runs past it may be refused so by the kernel too); a read the file cannot
//               fill is a short_transfer of the bytes it had; otherwise the little-endian value.
//   config      passthrough_function<F>::verify (config_passthrough.hpp) on the configuration
//               bytes of the simulated device of F (tests/unit/vfio/test_config_passthrough.cpp's
//               function) patched by the input, and on BAR sizes the input may change: accepted,
//               the device is F as the PCI rules read its bytes (vendor:device 10DE:2342, a
//               type-0 header, BAR 2 64-bit memory of 4 MiB, MSI-X (ID 0x11) at 0x7C on the
//               standard list, its read-only Table Size 7, the CXL DVSEC (ID 0x23, vendor
//               0x1E98, DVSEC ID 0) at 0x100); patched only in bytes verify has no reason to
//               read (the PCIe capability's body), it is accepted.
//
// Input: a byte choosing the mode, then:
//   0  a device-info buffer (the rest of the input)
//   1  a byte (page: 4 KiB, or 64 KiB if bit 0), 4 bytes of index, a region-info buffer
//   2  a byte (decoder count given if bit 2: 4 if bits 4-5 are 0, else 2; page 64 KiB if bit
//      3), a device-info buffer and up to 12 region-info buffers, each a 2-byte length then its
//      bytes (each region parsed for the index in its own bytes 8–11); the report is read as
//      each revision in turn
//   3  a report made from the input (fields and up to 8 areas as gaps and sizes in pages)
//   4  a byte of file length; fd offset and region size, each a byte then (if it is odd) 8 bytes
//      or (if even) 1; the file's bytes; then records
//      of an op byte (bit 0 write; bits 1-4 size; bit 5 a 64-bit offset, else 1 byte), the
//      offset, and 8 bytes of value for writes
//   5  a byte (bit 0: BAR (bits 1-7 mod 6) reported of another size: a byte, bit 0 a raw 8-byte
//      size else 2^(next byte mod 64)), then patches of 2 bytes of offset (mod 4 KiB) and a byte
#include <mmiotree/cxl/dvsec.hpp>
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/msix.hpp>
#include <mmiotree/vfio/check.hpp>
#include <mmiotree/vfio/config_passthrough.hpp>
#include <mmiotree/vfio/cxl_uapi.hpp>
#include <mmiotree/vfio/info.hpp>
#include <mmiotree/vfio/region_io.hpp>
#include <mmiotree/vfio/sim_device.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "../unit/vfio/example_bars.hpp"
#include "input.hpp"

namespace {

namespace vfio = mmiotree::vfio;
using u128 = unsigned __int128;

[[noreturn]] void fail(const char* what, std::uint64_t a = 0, std::uint64_t b = 0) {
  fuzz_input::fail("fuzz_vfio", what, a, b);
}

using fuzz_input::reader;

// ---- the model: the uAPI read from vfio.h ------------------------------------------------------

std::uint64_t le(std::span<const std::byte> b, std::size_t at, unsigned n) {
  std::uint64_t v = 0;
  for (unsigned k = 0; k < n; ++k)
    v |= std::uint64_t(static_cast<std::uint8_t>(b[at + k])) << (8 * k);
  return v;
}

struct m_cap {
  std::size_t offset, extent_end;
  std::uint16_t id, version;
};

/// The chain from `first` in `b` (cut to argsz), or nullopt if malformed.
std::optional<std::vector<m_cap>> m_chain(std::span<const std::byte> b, std::size_t header,
                                          std::uint64_t first) {
  std::vector<std::uint64_t> seen;
  for (std::uint64_t off = first; off != 0; off = le(b, off + 4, 4)) {
    if (off < header || off % 8 != 0 || off + 8 > b.size()) return std::nullopt;
    for (std::uint64_t s : seen)
      if (s == off) return std::nullopt;
    seen.push_back(off);
  }
  std::vector<m_cap> caps;
  for (std::uint64_t off : seen) {
    std::size_t end = b.size();
    for (std::uint64_t o : seen)
      if (o > off && o < end) end = o;
    caps.push_back({off, end, static_cast<std::uint16_t>(le(b, off, 2)),
                    static_cast<std::uint16_t>(le(b, off + 2, 2))});
  }
  return caps;
}

/// The library's capabilities against the model's, in chain order.
void compare_caps(const std::vector<vfio::capability_ref>& got, const std::vector<m_cap>& want,
                  std::span<const std::byte> b) {
  EXPECT(got.size() == want.size(), got.size(), want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    const auto& g = got[k];
    const auto& w = want[k];
    EXPECT(g.offset == w.offset, g.offset, w.offset);
    EXPECT(g.id == w.id && g.version == w.version, g.id, w.id);
    EXPECT(g.room == b.size() - w.offset, g.room, b.size() - w.offset);
    EXPECT(g.bytes.size() == w.extent_end - w.offset, g.bytes.size(), w.extent_end - w.offset);
    EXPECT(std::equal(g.bytes.begin(), g.bytes.end(), b.begin() + static_cast<long>(w.offset)));
  }
}

template <class T>
void refused_well(const vfio::parsed<T>& p) {
  EXPECT(p.error() != vfio::parse_error::none);
  EXPECT(!vfio::describe(p.failure()).empty());
}

/// VFIO_DEVICE_GET_INFO: {argsz, flags, num_regions, num_irqs, cap_offset}, all u32.
std::optional<vfio::device_info> device(std::span<const std::byte> buf) {
  const auto p = vfio::parse_device_info(buf);
  bool good = buf.size() >= 20 && le(buf, 0, 4) >= 20 && le(buf, 0, 4) <= buf.size();
  std::span<const std::byte> b;
  std::vector<m_cap> caps;
  if (good) {
    b = buf.first(le(buf, 0, 4));
    if (le(b, 4, 4) & (1U << 7)) {  // VFIO_DEVICE_FLAGS_CAPS
      const auto c = le(b, 16, 4) != 0 ? m_chain(b, 20, le(b, 16, 4)) : std::nullopt;
      good = c.has_value();
      if (good) caps = *c;
    }
  }
  EXPECT(p.ok() == good, p.ok(), static_cast<std::uint64_t>(p.error()));
  if (!p.ok()) {
    refused_well(p);
    return std::nullopt;
  }
  const vfio::device_info& d = p.value();
  EXPECT(d.flags == le(b, 4, 4) && d.num_regions == le(b, 8, 4) && d.num_irqs == le(b, 12, 4));
  compare_caps(d.caps, caps, b);
  return d;
}

/// VFIO_DEVICE_GET_REGION_INFO: {argsz, flags, index, cap_offset} u32, {size, offset} u64.
std::optional<vfio::region_info> region(std::span<const std::byte> buf, std::uint32_t index,
                                        std::uint64_t page) {
  const auto p = vfio::parse_region_info(buf, index, page);
  bool good = buf.size() >= 32 && le(buf, 0, 4) >= 32 && le(buf, 0, 4) <= buf.size();
  std::span<const std::byte> b;
  std::vector<m_cap> caps;
  std::vector<vfio::sparse_area> areas;
  std::optional<vfio::region_type> type;
  bool sparse = false;
  std::uint32_t flags = 0;
  std::uint64_t size = 0, offset = 0;
  if (good) {
    b = buf.first(le(buf, 0, 4));
    flags = static_cast<std::uint32_t>(le(b, 4, 4));
    size = le(b, 16, 8);
    offset = le(b, 24, 8);
    good = le(b, 8, 4) == index && u128{offset} + size <= (u128{1} << 64);
  }
  if (good && (flags & (1U << 3))) {  // VFIO_REGION_INFO_FLAG_CAPS
    const auto c = le(b, 12, 4) != 0 ? m_chain(b, 32, le(b, 12, 4)) : std::nullopt;
    good = c.has_value();
    if (good) caps = *c;
  }
  int sparse_caps = 0, type_caps = 0;
  for (const m_cap& c : caps) {
    if (!good) break;
    const std::size_t extent = c.extent_end - c.offset;
    if (c.id == 1) {  // VFIO_REGION_INFO_CAP_SPARSE_MMAP: nr_areas u32, reserved u32, areas
      const bool shape = c.version == 1 && extent >= 16 &&
                         16 + 16 * le(b, c.offset + 8, 4) <= extent && (flags & (1U << 2));
      if (!shape || ++sparse_caps > 1) {
        good = false;
        break;
      }
      sparse = true;
      for (std::uint64_t k = 0; k < le(b, c.offset + 8, 4); ++k) {
        const std::uint64_t o = le(b, c.offset + 16 + 16 * k, 8);
        const std::uint64_t s = le(b, c.offset + 24 + 16 * k, 8);
        if (s == 0 || o % page != 0 || s % page != 0 || u128{o} + s > size) good = false;
        for (const auto& a : areas)
          if (u128{o} < u128{a.offset} + a.size && u128{a.offset} < u128{o} + s) good = false;
        areas.push_back({o, s});
      }
    } else if (c.id == 2) {  // VFIO_REGION_INFO_CAP_TYPE: type u32, subtype u32
      if (c.version != 1 || extent < 16 || ++type_caps > 1) {
        good = false;
        break;
      }
      type = vfio::region_type{static_cast<std::uint32_t>(le(b, c.offset + 8, 4)),
                               static_cast<std::uint32_t>(le(b, c.offset + 12, 4))};
    }
  }
  EXPECT(p.ok() == good, p.ok(), static_cast<std::uint64_t>(p.error()));
  if (!p.ok()) {
    refused_well(p);
    return std::nullopt;
  }
  const vfio::region_info& r = p.value();
  EXPECT(r.index == index && r.flags == flags && r.size == size && r.offset == offset);
  EXPECT(r.sparse == sparse && r.type == type);
  std::sort(areas.begin(), areas.end(),
            [](const auto& x, const auto& y) { return x.offset < y.offset; });
  EXPECT(r.areas == areas, r.areas.size(), areas.size());
  for (const auto& a : r.areas) EXPECT(u128{a.offset} + a.size <= size, a.offset, a.size);
  compare_caps(r.caps, caps, b);
  return r;
}

// ---- check_matches' claims, for the example BARs ----------------------------------------------

constexpr std::uint64_t MiB = 1 << 20, KiB = 1 << 10;
constexpr std::uint64_t comp_at = 1 * MiB, bar_bytes = 4 * MiB;
constexpr std::uint64_t hdm_at = comp_at + 0x1000 + 0x128, hdm_bytes = 0x10 + 2 * 0x20;

struct span_ {
  std::uint64_t lo, end;  // [lo, end)
};

/// Whether [lo, end) is wholly covered by `spans`.
bool covered(u128 lo, u128 end, std::vector<span_> spans) {
  std::sort(spans.begin(), spans.end(), [](auto& x, auto& y) { return x.lo < y.lo; });
  for (const auto& s : spans)
    if (s.lo <= lo && s.end > lo) lo = s.end;
  return lo >= end;
}

/// The rules, for a layout of geometry v2 or v4 in BAR 2.
bool should_match(const vfio::cxl_report& r, bool v2_layout, std::uint64_t page,
                  std::optional<unsigned> decoders) {
  bool ok = page == 4 * KiB && r.component_bar == 2 && r.bar_size == bar_bytes;
  const std::uint64_t expect = r.revision == vfio::cxl_uapi::v2   ? comp_at + 0x1000
                               : r.revision == vfio::cxl_uapi::v3 ? comp_at
                                                                  : hdm_at;
  ok = ok && r.comp_regs_bar_offset == expect;
  ok = ok && (!r.hdm_bar_offset || *r.hdm_bar_offset == hdm_at);
  ok = ok && (!r.hdm_size || *r.hdm_size == hdm_bytes);
  ok = ok && (!decoders || *decoders == 2);
  // The layout's passthrough bytes: all of the BAR but what traps.
  const std::vector<span_> pass =
      v2_layout ? std::vector<span_>{{0, comp_at}, {comp_at + 64 * KiB, bar_bytes}}
                : std::vector<span_>{{0, comp_at + 0x1000}, {comp_at + 0x2000, bar_bytes}};
  std::vector<span_> mapped;
  if (r.bar_mmap) {
    for (const auto& a : r.bar_areas) mapped.push_back({a.offset, a.offset + a.size});
    if (r.bar_areas.empty()) mapped.push_back({0, r.bar_size});
  }
  for (const auto& m : mapped) ok = ok && covered(m.lo, u128{m.lo} + (m.end - m.lo), pass);
  for (const auto& s : pass) ok = ok && covered(s.lo, s.end, mapped);
  return ok;
}

void check(const vfio::cxl_report& r, std::uint64_t page, std::optional<unsigned> decoders) {
  const auto v4 = vfio::check_matches<example_bars::bar2_v4, 2>(r, page, decoders);
  EXPECT(v4.ok() == should_match(r, false, page, decoders), v4.ok(), v4.mismatches.size());
  const auto v2 = vfio::check_matches<example_bars::bar2_v2, 2>(r, page, decoders);
  EXPECT(v2.ok() == should_match(r, true, page, decoders), v2.ok(), v2.mismatches.size());
  for (const auto& s : v4.mismatches) EXPECT(!s.empty());
}

// ---- the CXL report ------------------------------------------------------------------------

constexpr std::uint16_t v4_cap_id = 0x4242;  // the v4 COMP_REGS capability ID of this target

/// The report parse_cxl_report should give, or nullopt.
std::optional<vfio::cxl_report> m_report(const vfio::device_info& d,
                                         const std::vector<vfio::region_info>& regions,
                                         vfio::cxl_uapi rev) {
  const vfio::capability_ref* c = nullptr;
  for (const auto& k : d.caps)
    if (k.id == 6 && c == nullptr) c = &k;
  const std::size_t want = rev == vfio::cxl_uapi::v2 ? 32 : rev == vfio::cxl_uapi::v3 ? 48 : 16;
  if (c == nullptr || !(d.flags & (1U << 9)) || c->version != 1 || c->bytes.size() != want)
    return std::nullopt;
  const auto at = [&](std::uint64_t index) -> const vfio::region_info* {
    for (const auto& r : regions)
      if (r.index == index) return &r;
    return nullptr;
  };
  vfio::cxl_report rep;
  rep.revision = rev;
  const std::span<const std::byte> b = c->bytes;
  const vfio::region_info* mem = nullptr;
  const vfio::region_info* comp = nullptr;
  if (rev == vfio::cxl_uapi::v2) {  // bar u8, resv u8[3], flags, offset u64, dpa idx, comp idx
    rep.component_bar = static_cast<std::uint32_t>(le(b, 8, 1));
    rep.firmware_committed = le(b, 12, 4) & 1;
    rep.cache_capable = (le(b, 12, 4) & 2) != 0;
    rep.comp_regs_bar_offset = le(b, 16, 8);
    if (le(b, 24, 4) < 9 || le(b, 28, 4) < 9) return std::nullopt;
    mem = at(le(b, 24, 4));
    comp = at(le(b, 28, 4));
  } else if (rev == vfio::cxl_uapi::v3) {  // flags, hdm idx, comp idx, bar, resv, pad, offset
    rep.firmware_committed = le(b, 8, 4) & 1;
    rep.component_bar = static_cast<std::uint32_t>(le(b, 20, 4));
    rep.comp_regs_bar_offset = le(b, 32, 8);
    if (le(b, 12, 4) < 9 || le(b, 16, 4) < 9) return std::nullopt;
    mem = at(le(b, 12, 4));
    comp = at(le(b, 16, 4));
  } else {  // flags; the regions by type; bar, resv, offset, size in COMP_REGS's capability
    rep.firmware_committed = le(b, 8, 4) & 1;
    for (const auto& r : regions) {
      if (!r.type || r.type->type != (0x80000000U | 0x1E98)) continue;
      const vfio::region_info** slot = r.type->subtype == 1   ? &mem
                                       : r.type->subtype == 2 ? &comp
                                                              : nullptr;
      if (slot == nullptr) continue;
      if (*slot != nullptr) return std::nullopt;
      *slot = &r;
    }
    if (mem == nullptr || comp == nullptr) return std::nullopt;
    const vfio::capability_ref* g = comp->find(v4_cap_id);
    if (g == nullptr || g->version != 1 || g->bytes.size() != 32) return std::nullopt;
    rep.component_bar = static_cast<std::uint32_t>(le(g->bytes, 8, 4));
    rep.comp_regs_bar_offset = le(g->bytes, 16, 8);
    rep.hdm_bar_offset = rep.comp_regs_bar_offset;
    rep.hdm_size = le(g->bytes, 24, 8);
  }
  if (mem == nullptr || comp == nullptr) return std::nullopt;
  const vfio::region_info* bar = rep.component_bar < 6 ? at(rep.component_bar) : nullptr;
  if (bar == nullptr || bar->size == 0) return std::nullopt;
  if (u128{rep.comp_regs_bar_offset} + comp->size > bar->size ||
      rep.comp_regs_bar_offset >= bar->size)
    return std::nullopt;
  if (rep.hdm_size && *rep.hdm_size != comp->size) return std::nullopt;
  if (rev == vfio::cxl_uapi::v4 && comp->size < 0x30) return std::nullopt;
  rep.bar_size = bar->size;
  rep.bar_areas = bar->areas;
  rep.bar_mmap = (bar->flags & 4) != 0;
  rep.comp_regs_region = comp->index;
  rep.comp_regs_size = comp->size;
  rep.comp_regs_fd_offset = comp->offset;
  rep.memory_region = mem->index;
  rep.memory_size = mem->size;
  rep.memory_fd_offset = mem->offset;
  rep.memory_mmap = (mem->flags & 4) != 0;
  return rep;
}

void same_report(const vfio::cxl_report& g, const vfio::cxl_report& w) {
  EXPECT(g.revision == w.revision && g.firmware_committed == w.firmware_committed &&
         g.cache_capable == w.cache_capable && g.component_bar == w.component_bar);
  EXPECT(g.bar_size == w.bar_size && g.bar_areas == w.bar_areas && g.bar_mmap == w.bar_mmap);
  EXPECT(g.comp_regs_region == w.comp_regs_region && g.comp_regs_size == w.comp_regs_size &&
         g.comp_regs_fd_offset == w.comp_regs_fd_offset);
  EXPECT(g.comp_regs_bar_offset == w.comp_regs_bar_offset, g.comp_regs_bar_offset,
         w.comp_regs_bar_offset);
  EXPECT(g.hdm_bar_offset == w.hdm_bar_offset && g.hdm_size == w.hdm_size);
  EXPECT(g.memory_region == w.memory_region && g.memory_size == w.memory_size &&
         g.memory_fd_offset == w.memory_fd_offset && g.memory_mmap == w.memory_mmap);
}

void run_report(reader& in) {
  const std::uint8_t opt = in.byte();
  const std::optional<unsigned> decoders =
      (opt & 4) ? std::optional<unsigned>((opt >> 4) & 3 ? 2 : 4) : std::nullopt;
  const std::uint64_t page = (opt & 8) ? 64 * KiB : 4 * KiB;
  const auto dbuf = in.take(in.word(2));
  const auto d = device(dbuf);
  std::vector<vfio::region_info> regions;
  for (int k = 0; k < 12 && !in.done(); ++k) {
    const auto rbuf = in.take(in.word(2));
    const auto index = rbuf.size() >= 12 ? static_cast<std::uint32_t>(le(rbuf, 8, 4)) : 0;
    if (auto r = region(rbuf, index, 4 * KiB)) regions.push_back(std::move(*r));
  }
  if (!d) return;
  vfio::v4_numbers v4;
  v4.comp_regs_cap_id = v4_cap_id;
  // Read as every revision: the kernel does not say which it is.
  for (const auto rev : {vfio::cxl_uapi::v2, vfio::cxl_uapi::v3, vfio::cxl_uapi::v4}) {
    const auto p = vfio::parse_cxl_report(*d, regions, rev, v4);
    const auto want = m_report(*d, regions, rev);
    EXPECT(p.ok() == want.has_value(), p.ok(), static_cast<std::uint64_t>(p.error()));
    if (!p.ok()) {
      refused_well(p);
      continue;
    }
    same_report(p.value(), *want);
    check(p.value(), page, decoders);
  }
}

/// A report made from the input: fields near the example's, areas sorted and disjoint.
void run_made_report(reader& in) {
  vfio::cxl_report r;
  const std::uint8_t opt = in.byte();
  r.revision = static_cast<vfio::cxl_uapi>((opt & 3) % 3);
  r.bar_mmap = (opt & 4) != 0;
  const auto near = [&](std::uint64_t base) {
    const std::uint8_t k = in.byte();
    return k < 0x80 ? base : k < 0xC0 ? base + static_cast<std::int8_t>(in.byte()) : in.word(8);
  };
  r.component_bar = static_cast<std::uint32_t>(near(2));
  r.bar_size = near(bar_bytes);
  r.comp_regs_bar_offset = near(r.revision == vfio::cxl_uapi::v2   ? comp_at + 0x1000
                                : r.revision == vfio::cxl_uapi::v3 ? comp_at
                                                                   : hdm_at);
  if (opt & 8) r.hdm_bar_offset = near(hdm_at);
  if (opt & 16) r.hdm_size = near(hdm_bytes);
  const std::optional<unsigned> decoders =
      (opt & 32) ? std::optional<unsigned>(static_cast<unsigned>(near(2))) : std::nullopt;
  const std::uint64_t page = (opt & 64) ? near(4 * KiB) : 4 * KiB;
  u128 at = 0;
  for (int k = 0, n = in.byte() % 9; k < n; ++k) {
    const u128 lo = at + u128{in.word(2)} * 4 * KiB;
    const u128 size = (u128{in.word(2)} + 1) * 4 * KiB;
    if (lo + size > (u128{1} << 64)) break;
    r.bar_areas.push_back({static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(size)});
    at = lo + size;
  }
  check(r, page, decoders);
}

// ---- region I/O --------------------------------------------------------------------------------

void run_io(reader& in) {
  static const int fd = memfd_create("fuzz_vfio", 0);
  if (fd < 0) fail("memfd_create", static_cast<std::uint64_t>(errno));
  const std::size_t len = in.byte();
  const std::uint64_t base = in.byte() & 1 ? in.word(8) : in.byte();
  const std::uint64_t size = in.byte() & 1 ? in.word(8) : in.byte();
  std::vector<std::byte> file = in.take(len);
  if (ftruncate(fd, 0) != 0 || (!file.empty() && pwrite(fd, file.data(), file.size(), 0) !=
                                                     static_cast<ssize_t>(file.size())))
    fail("memfd write", static_cast<std::uint64_t>(errno));
  vfio::fd_region io(fd, base, size);
  EXPECT(io.size() == size);
  for (int records = 0; records < 32 && !in.done(); ++records) {
    const std::uint8_t op = in.byte();
    const bool write = op & 1;
    const unsigned n = (op >> 1) & 15;
    const std::uint64_t off = op & 0x20 ? in.word(8) : in.byte();
    const std::uint64_t value = write ? in.word(8) : 0;
    const u128 at = u128{base} + off;
    const bool inside = u128{off} + n <= size && at < (u128{1} << 64);
    if (write && (n == 1 || n == 2 || n == 4 || n == 8) && inside && at + n > file.size())
      continue;  // would grow the file: nothing of the region's model
    const vfio::io_result r = write ? io.write(off, n, value) : io.read(off, n);
    if (n != 1 && n != 2 && n != 4 && n != 8) {
      EXPECT(r.error == vfio::io_error::bad_size, static_cast<std::uint64_t>(r.error), n);
      continue;
    }
    if (!inside) {
      EXPECT(r.error == vfio::io_error::out_of_region, static_cast<std::uint64_t>(r.error), off);
      continue;
    }
    if (at > u128{INT64_MAX}) {
      EXPECT(r.error == vfio::io_error::os_error && r.err == EINVAL,
             static_cast<std::uint64_t>(r.error), static_cast<std::uint64_t>(at));
      continue;
    }
    if (at + n > u128{INT64_MAX}) {  // the kernel refuses pos + count past 2^63 - 1 (EINVAL)
      EXPECT((r.error == vfio::io_error::os_error && r.err == EINVAL) ||
                 (!write && r.error == vfio::io_error::short_transfer && r.value == 0),
             static_cast<std::uint64_t>(r.error), static_cast<std::uint64_t>(at));
      continue;
    }
    const std::size_t have = at >= file.size() ? 0 : file.size() - static_cast<std::size_t>(at);
    if (write) {
      EXPECT(r.ok(), static_cast<std::uint64_t>(r.error), static_cast<std::uint64_t>(at));
      for (unsigned k = 0; k < n; ++k)
        file[static_cast<std::size_t>(at) + k] = static_cast<std::byte>(value >> (8 * k));
    } else if (have < n) {
      EXPECT(r.error == vfio::io_error::short_transfer && r.value == have,
             static_cast<std::uint64_t>(r.error), have);
    } else {
      EXPECT(r.ok(), static_cast<std::uint64_t>(r.error), static_cast<std::uint64_t>(at));
      EXPECT(r.value == le(file, static_cast<std::size_t>(at), n), r.value);
    }
  }
}

// ---- configuration passthrough: verify on the device's configuration bytes ---------------------

// The function of tests/unit/vfio/test_config_passthrough.cpp: IDs 10DE:2342 rev A1 class
// 120000; BAR 2 64-bit of 4 MiB; PCIe at 0x40, MSI-X (8 vectors) at 0x7C; the CXL Device DVSEC at
// 0x100, the Register Locator after it.
constexpr mmiotree::pci::ids device_ids{
    .vendor = 0x10DE, .device = 0x2342, .revision = 0xA1, .class_code = 0x12'00'00};
using msix8 = mmiotree::pci::msix_capability<"msix", 8, 2, 0x3000, 2, 0x3800>;
using device_fn = mmiotree::pci::function<
    device_ids, mmiotree::pci::bars<mmiotree::pci::mem64<2, example_bars::bar_size>>,
    mmiotree::pci::caps<mmiotree::pci::express_capability<>, msix8>,
    mmiotree::pci::ext_caps<mmiotree::cxl::device_dvsec<1ULL << 30>,
                            mmiotree::cxl::register_locator<2, example_bars::bar2_v4>>>;

/// A configuration region over 4 KiB of bytes (the device's, as the input patched them).
struct bytes_region final : vfio::region_io {
  std::array<std::byte, 4096> b{};
  [[nodiscard]] std::uint64_t size() const noexcept override { return b.size(); }
  vfio::io_result read(std::uint64_t off, unsigned n) override {
    if (off > b.size() || b.size() - off < n || n > 8) return {vfio::io_error::out_of_region, 0, 0};
    return {vfio::io_error::none, 0, le(b, off, n)};
  }
  vfio::io_result write(std::uint64_t, unsigned, std::uint64_t) override { return {}; }
};

struct config_rig {
  bytes_region device;                 ///< what verify reads
  std::array<std::byte, 4096> good{};  ///< the simulated device's bytes, which verify accepts
  std::array<std::uint64_t, 6> sizes{};
  vfio::passthrough_function<device_fn> cfg{device};
  config_rig() {
    vfio::sim::cxl_device<device_fn> sim;
    for (std::uint64_t at = 0; at < good.size(); at += 4) {
      const vfio::io_result r = sim.config_io().read(at, 4);
      if (!r.ok()) fail("the simulated device's configuration unreadable", at);
      for (unsigned k = 0; k < 4; ++k) good[at + k] = static_cast<std::byte>(r.value >> (8 * k));
    }
    for (std::uint32_t i = 0; i < 6; ++i) {
      const auto r = vfio::parse_region_info(sim.region_info_bytes(i), i);
      if (!r.ok()) fail("the simulated device's region info refused", i);
      sizes[i] = r.value().size;
    }
  }
};

/// What verify's acceptance implies, from the PCI rules and the function's declaration. (The
/// IDs it compares are vendor and device: revision and class code are the device's, passed
/// through, and may differ.)
void accepted_device(std::span<const std::byte> c, const std::array<std::uint64_t, 6>& sizes) {
  EXPECT(le(c, 0, 2) == 0x10DE && le(c, 2, 2) == 0x2342, le(c, 0, 4));
  EXPECT((le(c, 0x0E, 1) & 0x7F) == 0, le(c, 0x0E, 1));  // a type-0 header
  EXPECT(sizes[2] == example_bars::bar_size, sizes[2]);  // BAR 2's region
  EXPECT((le(c, 0x18, 4) & 7) == 4, le(c, 0x18, 4));     // memory, 64-bit
  // MSI-X at 0x7C on the standard list (Status bit 4; pointers masked to dwords, from 0x40).
  bool msix = false;
  std::vector<std::uint64_t> seen;
  for (std::uint64_t at = (le(c, 6, 2) & 0x10) ? le(c, 0x34, 1) & 0xFC : 0; at >= 0x40;
       at = le(c, at + 1, 1) & 0xFC) {
    if (std::find(seen.begin(), seen.end(), at) != seen.end()) break;
    seen.push_back(at);
    if (at == 0x7C) msix = le(c, at, 1) == 0x11;
  }
  EXPECT(msix);
  EXPECT((le(c, 0x7E, 2) & 0x7FF) == 7, le(c, 0x7E, 2));  // Table Size: 8 vectors, read-only
  // The DVSEC at 0x100, the extended list's first: ID 0x23, vendor CXL, DVSEC ID 0.
  EXPECT(le(c, 0x100, 2) == 0x23 && le(c, 0x104, 2) == 0x1E98 && le(c, 0x108, 2) == 0,
         le(c, 0x100, 4), le(c, 0x104, 4));
}

void run_config(reader& in) {
  static config_rig rig;
  rig.device.b = rig.good;
  std::array<std::uint64_t, 6> sizes = rig.sizes;
  const std::uint8_t opt = in.byte();
  if (opt & 1) sizes[opt / 2 % 6] = in.byte() & 1 ? in.word(8) : std::uint64_t{1} << in.byte() % 64;
  // Bytes verify never reads: the body of the PCIe capability (none of its registers is the
  // VMM's); patches only there keep the device the one the function describes.
  bool harmless = !(opt & 1);
  for (int k = 0; k < 64 && !in.done(); ++k) {
    const std::uint64_t at = in.word(2) & 0xFFF;
    rig.device.b[at] = std::byte{in.byte()};
    harmless = harmless && at >= 0x42 && at < 0x7C;
  }
  const vfio::match_result m = rig.cfg.verify(sizes);
  for (const auto& s : m.mismatches) EXPECT(!s.empty());
  if (m.ok()) accepted_device(rig.device.b, sizes);
  if (harmless && !m.ok()) {
    std::fprintf(stderr, "fuzz_vfio: verify: %s\n", m.mismatches.front().c_str());
    fail("a device patched only where verify does not look refused");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader in({data, size});
  switch (in.byte() % 6) {
    case 0: device(in.rest()); break;
    case 1: {
      const std::uint64_t page = in.byte() & 1 ? 64 * KiB : 4 * KiB;
      const auto index = static_cast<std::uint32_t>(in.word(4));
      region(in.rest(), index, page);
      break;
    }
    case 2: run_report(in); break;
    case 3: run_made_report(in); break;
    case 4: run_io(in); break;
    case 5: run_config(in); break;
  }
  return 0;
}
