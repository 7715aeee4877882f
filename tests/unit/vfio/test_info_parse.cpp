// The VFIO info parser (vfio/info.hpp) on hand-made buffers: good ones decode to what they say,
// and each class of malformed buffer is refused with its typed error at the byte that is wrong.
// The buffers are written here, field by field, from the layout of Linux's
// include/uapi/linux/vfio.h — not with the parser's own constants. Every truncation and every
// single-byte change of the good buffers is parsed too: under ASan/UBSan (the test command's
// asan-ubsan preset) that proves no input reads out of bounds.
#include <mmiotree/vfio/info.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "le_buffer.hpp"

using namespace mmiotree;
using vfio::parse_error;

namespace {

using buf = le_buffer;

constexpr std::uint32_t READ = 1, WRITE = 2, MMAP = 4, CAPS = 8;

/// vfio_region_info for region `index`: argsz, flags, index, cap_offset, size, offset.
buf region(std::uint32_t index, std::uint32_t flags, std::uint64_t size, std::uint64_t offset,
           std::uint32_t cap_offset = 0, std::size_t total = 32) {
  buf r(total);
  r.put(0, total, 4).put(4, flags, 4).put(8, index, 4).put(12, cap_offset, 4);
  r.put(16, size, 8).put(24, offset, 8);
  return r;
}

/// BAR 2 of 4 MiB with two sparse areas and a type capability (the shape of a component BAR).
buf good_bar() {
  buf r = region(2, READ | WRITE | MMAP | CAPS, 4 * 1024 * 1024, 0x20000000000ULL, 32, 96);
  // Sparse mmap at 32: nr_areas 2, reserved, areas {0, 1 MiB + 4 KiB}, {1 MiB + 8 KiB, rest}.
  r.cap(32, 1, 1, 80).put(40, 2, 4).put(44, 0, 4);
  r.put(48, 0, 8).put(56, 0x101000, 8);
  r.put(64, 0x102000, 8).put(72, 0x400000 - 0x102000, 8);
  // Type at 80: vendor type 0x1E98 | 1 << 31, subtype 2.
  r.cap(80, 2, 1, 0).put(88, 0x80001E98U, 4).put(92, 2, 4);
  return r;
}

vfio::parse_failure region_failure(const buf& r, std::uint32_t index = 2) {
  const auto p = vfio::parse_region_info(r.span(), index);
  REQUIRE_FALSE(p.ok());
  return p.failure();
}

}  // namespace

TEST_CASE("device info: flags, counts, and a capability chain", "[vfio][parse]") {
  buf d(20);
  d.argsz(20).put(4, 0x3, 4).put(8, 9, 4).put(12, 5, 4).put(16, 0, 4);
  const auto p = vfio::parse_device_info(d.span());
  REQUIRE(p.ok());
  CHECK(p->pci());
  CHECK(p->resettable());
  CHECK(p->num_regions == 9);
  CHECK(p->num_irqs == 5);
  CHECK(p->caps.empty());

  // Two capabilities, the chain not in address order: 40 first, then 24.
  buf c(56);
  c.argsz(56).put(4, 0x2 | 0x80, 4).put(8, 10, 4).put(12, 5, 4).put(16, 40, 4);
  c.cap(40, 6, 1, 24).put(48, 0xAA, 8);
  c.cap(24, 99, 7, 0).put(32, 0xBB, 8);
  const auto q = vfio::parse_device_info(c.span());
  REQUIRE(q.ok());
  REQUIRE(q->caps.size() == 2);
  CHECK(q->caps[0].offset == 40);
  CHECK(q->caps[0].id == 6);
  CHECK(q->caps[0].bytes.size() == 16);  // to argsz
  CHECK(q->caps[1].offset == 24);
  CHECK(q->caps[1].bytes.size() == 16);  // to the next capability above it, at 40
  CHECK(q->find(99) == &q->caps[1]);
}

TEST_CASE("region info: sparse areas sorted, region type read", "[vfio][parse]") {
  const auto p = vfio::parse_region_info(good_bar().span(), 2);
  REQUIRE(p.ok());
  CHECK(p->size == 0x400000);
  CHECK(p->offset == 0x20000000000ULL);
  CHECK(p->mmap());
  CHECK(p->sparse);
  REQUIRE(p->areas.size() == 2);
  CHECK(p->areas[0] == vfio::sparse_area{0, 0x101000});
  CHECK(p->areas[1] == vfio::sparse_area{0x102000, 0x2FE000});
  REQUIRE(p->type.has_value());
  CHECK(*p->type == vfio::region_type{0x80001E98U, 2});

  // Areas listed in descending order come back sorted.
  buf r = good_bar();
  r.put(48, 0x102000, 8).put(56, 0x2FE000, 8).put(64, 0, 8).put(72, 0x101000, 8);
  const auto q = vfio::parse_region_info(r.span(), 2);
  REQUIRE(q.ok());
  CHECK(q->areas[0].offset == 0);
  CHECK(q->areas[1].offset == 0x102000);

  // A region without capabilities: nothing sparse, no type.
  const auto plain = vfio::parse_region_info(region(0, READ | WRITE | MMAP, 0x1000, 0).span(), 0);
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->sparse);
  CHECK_FALSE(plain->type.has_value());
}

TEST_CASE("malformed headers and argsz are refused", "[vfio][parse]") {
  buf shortbuf(10);
  CHECK(vfio::parse_device_info(shortbuf.span()).error() == parse_error::buffer_below_header);
  buf small(20);
  small.argsz(16);
  CHECK(vfio::parse_device_info(small.span()).error() == parse_error::argsz_below_header);
  buf claims(64);
  claims.argsz(100);
  CHECK(vfio::parse_device_info(claims.span()).failure() ==
        vfio::parse_failure{parse_error::argsz_past_buffer, 0, 100});
  buf r = region(3, READ, 0x1000, 0);
  CHECK(region_failure(r, 2) == vfio::parse_failure{parse_error::region_index_mismatch, 8, 3});
  CHECK(region_failure(region(2, READ, 0x2000, ~std::uint64_t{0} - 0xFFF)).what ==
        parse_error::region_range_overflow);
  CHECK(region_failure(region(2, READ | CAPS, 0x1000, 0, 0)).what ==
        parse_error::caps_flag_without_offset);
}

TEST_CASE("malformed capability chains are refused", "[vfio][parse]") {
  const auto chain = [](std::uint32_t first) {
    buf d(64);
    d.argsz(64).put(4, 0x80, 4).put(16, first, 4);
    return d;
  };
  CHECK(vfio::parse_device_info(chain(8).span()).failure() ==
        vfio::parse_failure{parse_error::cap_offset_in_header, 0, 8});
  CHECK(vfio::parse_device_info(chain(36).span()).error() == parse_error::cap_offset_misaligned);
  CHECK(vfio::parse_device_info(chain(64).span()).error() == parse_error::cap_offset_outside);
  CHECK(vfio::parse_device_info(chain(0xFFFF'FFF8).span()).error() ==
        parse_error::cap_offset_outside);
  {
    buf d = chain(32);  // 32 → 48 → 32
    d.cap(32, 5, 1, 48).cap(48, 5, 1, 32);
    CHECK(vfio::parse_device_info(d.span()).failure() ==
          vfio::parse_failure{parse_error::cap_chain_loop, 52, 32});
  }
  {
    buf d = chain(24);  // a capability that names itself
    d.cap(24, 5, 1, 24);
    CHECK(vfio::parse_device_info(d.span()).error() == parse_error::cap_chain_loop);
  }
  {
    buf d = chain(24);  // the second link points back into the header
    d.cap(24, 5, 1, 16);
    CHECK(vfio::parse_device_info(d.span()).failure() ==
          vfio::parse_failure{parse_error::cap_offset_in_header, 28, 16});
  }
  {
    buf r = good_bar();  // a second capability header inside the sparse areas
    r.cap(32, 1, 1, 64).cap(64, 2, 1, 0).put(72, 0x80001E98U, 4).put(76, 2, 4);
    CHECK(region_failure(r) == vfio::parse_failure{parse_error::cap_headers_overlap, 32, 48});
  }
  {
    buf r = good_bar();  // the type capability's body past argsz
    r.put(0, 88, 4);
    CHECK(region_failure(r) == vfio::parse_failure{parse_error::cap_body_outside, 80, 16});
  }
  {
    buf r = good_bar();
    r.cap(80, 1, 2, 0);  // a second sparse-mmap capability, of version 2
    CHECK(region_failure(r) == vfio::parse_failure{parse_error::cap_unknown_version, 80, 2});
    r.cap(80, 2, 1, 32);  // the type capability links back to the first
    CHECK(region_failure(r).what == parse_error::cap_chain_loop);
    r.cap(80, 1, 1, 0).put(88, 0, 4);  // two sparse-mmap capabilities
    CHECK(region_failure(r) == vfio::parse_failure{parse_error::cap_duplicate, 80, 1});
  }
}

TEST_CASE("malformed sparse-mmap areas are refused", "[vfio][parse]") {
  const auto with = [](auto edit) {
    buf r = good_bar();
    edit(r);
    return region_failure(r);
  };
  CHECK(with([](buf& r) { r.put(40, 0xFFFF'FFFF, 4); }) ==
        vfio::parse_failure{parse_error::sparse_count_overflow, 40, 0xFFFF'FFFF});
  // Three areas fit the buffer but run over the type capability's header; four do not fit.
  CHECK(with([](buf& r) { r.put(40, 3, 4); }) ==
        vfio::parse_failure{parse_error::cap_headers_overlap, 32, 64});
  CHECK(with([](buf& r) { r.put(40, 4, 4); }).what == parse_error::sparse_count_overflow);
  CHECK(with([](buf& r) { r.put(48, 0x800, 8); }) ==
        vfio::parse_failure{parse_error::sparse_area_unaligned, 48, 0x800});
  CHECK(with([](buf& r) { r.put(56, 0x101001, 8); }).what == parse_error::sparse_area_unaligned);
  CHECK(with([](buf& r) { r.put(72, 0x2FF000, 8); }) ==
        vfio::parse_failure{parse_error::sparse_area_past_region, 64, 0x102000});
  CHECK(with([](buf& r) { r.put(64, 0xFFFF'FFFF'FFFF'F000ULL, 8); }).what ==
        parse_error::sparse_area_past_region);
  CHECK(with([](buf& r) { r.put(64, 0x100000, 8); }) ==
        vfio::parse_failure{parse_error::sparse_areas_overlap, 32, 0x100000});
  CHECK(with([](buf& r) { r.put(56, 0, 8); }) ==
        vfio::parse_failure{parse_error::sparse_area_empty, 48, 0});
  CHECK(with([](buf& r) { r.put(4, READ | WRITE | CAPS, 4); }).what ==
        parse_error::sparse_without_mmap);
  // A 64 KiB host page: the areas (4 KiB multiples) are not aligned to it.
  CHECK(vfio::parse_region_info(good_bar().span(), 2, 64 * 1024).error() ==
        parse_error::sparse_area_unaligned);
}

TEST_CASE("every truncation and every byte changed parses or is refused, never overread",
          "[vfio][parse]") {
  const buf good = good_bar();
  std::size_t refused = 0, parsed = 0;
  for (std::size_t n = 0; n <= good.b.size(); ++n) {
    // A copy of exactly n bytes, so that ASan sees any read past it.
    const std::vector<std::byte> cut(good.b.begin(), good.b.begin() + static_cast<long>(n));
    const auto p = vfio::parse_region_info(cut, 2);
    (p.ok() ? parsed : refused) += 1;
  }
  CHECK(parsed == 1);  // only the whole buffer: argsz says 96
  for (std::size_t i = 0; i < good.b.size(); ++i)
    for (unsigned v : {0x00U, 0x01U, 0x07U, 0x10U, 0x80U, 0xFFU}) {
      std::vector<std::byte> b = good.b;
      b[i] = static_cast<std::byte>(v);
      const auto p = vfio::parse_region_info(b, 2);
      if (!p.ok()) {
        CHECK(p.error() != parse_error::none);
        ++refused;
        continue;
      }
      ++parsed;
      // What is accepted is well formed: areas sorted, disjoint, aligned, inside the region.
      for (std::size_t k = 0; k < p->areas.size(); ++k) {
        const vfio::sparse_area& a = p->areas[k];
        CHECK(a.size != 0);
        CHECK(a.offset % 4096 == 0);
        CHECK(a.size % 4096 == 0);
        CHECK(a.offset + a.size <= p->size);
        if (k > 0) CHECK(p->areas[k - 1].offset + p->areas[k - 1].size <= a.offset);
      }
    }
  CHECK(refused > 100);
  CHECK(parsed > 100);
}
