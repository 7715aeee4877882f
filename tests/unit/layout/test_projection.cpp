#include <mmiotree/layout/projection.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
// The CXL Type-2 component-register BAR (examples/cxl_type2_bar.cpp).
using region2 =
    container<"region", 4_MiB, at<0, io<"bar-ops", 4_MiB>, -1>, at<0, passthrough<"mmap0", 1_MiB>>,
              at<1_MiB + 64_KiB, passthrough<"mmap1", 4_MiB - 1_MiB - 64_KiB>>>;
using bar2 = container<"bar2", 4_MiB, at<0, region2>,
                       at<1_MiB + 0x1000, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>>;
}  // namespace

TEST_CASE("CXL BAR: the component block traps, the rest maps, at 4/16/64 KiB",
          "[layout][projection]") {
  // nodes: bar2 0, region 1, bar-ops 2, mmap0 3, mmap1 4, comp_regs 5
  constexpr auto& p4 = projection_v<bar2, 4_KiB>;
  constexpr auto& p16 = projection_v<bar2, 16_KiB>;
  constexpr auto& p64 = projection_v<bar2, 64_KiB>;
  STATIC_REQUIRE(p4.passthrough.size() == 2);
  STATIC_REQUIRE(p4.passthrough[0] == span_desc{0, 1_MiB - 1, 3, 0});
  STATIC_REQUIRE(p4.passthrough[1] == span_desc{1_MiB + 64_KiB, 4_MiB - 1, 4, 0});
  STATIC_REQUIRE(p4.trapped.size() == 1);
  STATIC_REQUIRE(p4.trapped[0] == span_desc{1_MiB, 1_MiB + 64_KiB - 1});
  STATIC_REQUIRE(p16.passthrough == p4.passthrough);
  STATIC_REQUIRE(p64.trapped == p4.trapped);
}

TEST_CASE("trap_partial_pages traps the pages a passthrough span shares", "[layout][projection]") {
  using t =
      container<"r", 64_KiB, at<0, passthrough<"ram", 64_KiB>>, at<0x5010, io<"reg", 0x10>, 1>>;
  constexpr auto& p = projection_v<t, 4_KiB, page_policy::trap_partial_pages>;
  STATIC_REQUIRE(p.passthrough.size() == 2);
  STATIC_REQUIRE(p.passthrough[0] == span_desc{0, 0x4FFF, 1, 0});
  STATIC_REQUIRE(p.passthrough[1] == span_desc{0x6000, 0xFFFF, 1, 0x6000});
  STATIC_REQUIRE(p.trapped.size() == 1);
  STATIC_REQUIRE(p.trapped[0] == span_desc{0x5000, 0x5FFF});
  // Under the default policy the same tree is refused; at run time `project` says which range.
  const auto r = project(nodes_v<t>, flat_view_v<t>, 4_KiB, page_policy::error);
  CHECK_FALSE(r.ok);
  CHECK(r.offending == flat_range{0, 0x500F, 1, 0});
}

TEST_CASE("host offsets must be page aligned too", "[layout][projection]") {
  // An alias that shows a RAM leaf from offset 0x800: page-aligned in the guest, not in the
  // host mapping, so it cannot be mmapped.
  using t = container<"r", 64_KiB, at<0, passthrough<"ram", 16_KiB>>,
                      at<32_KiB, alias<"win", 8_KiB, "ram", 0x800>>>;
  const auto r = project(nodes_v<t>, flat_view_v<t>, 4_KiB, page_policy::error);
  CHECK_FALSE(r.ok);
  CHECK(r.offending.lo == 32_KiB);
  constexpr auto& p = projection_v<t, 4_KiB, page_policy::trap_partial_pages>;
  STATIC_REQUIRE(p.passthrough.size() == 1);
  STATIC_REQUIRE(p.trapped.size() == 1);
  STATIC_REQUIRE(p.trapped[0] == span_desc{16_KiB, 64_KiB - 1});
}

TEST_CASE("adjacent spans of one leaf merge only when contiguous in host memory too",
          "[layout][projection]") {
  // Two windows onto one RAM leaf, back to back in the guest: offsets 0x2000.. then 0x0..
  using t = container<"r", 64_KiB, at<0, passthrough<"ram", 16_KiB>, -1>,
                      at<32_KiB, alias<"w0", 4_KiB, "ram", 0x2000>>,
                      at<36_KiB, alias<"w1", 4_KiB, "ram", 0x0>>,
                      at<40_KiB, alias<"w2", 4_KiB, "ram", 0x1000>>>;
  constexpr auto& p = projection_v<t, 4_KiB>;
  STATIC_REQUIRE(p.passthrough.size() == 3);
  STATIC_REQUIRE(p.passthrough[1] == span_desc{32_KiB, 36_KiB - 1, 1, 0x2000});
  STATIC_REQUIRE(p.passthrough[2] == span_desc{36_KiB, 44_KiB - 1, 1, 0});
}

TEST_CASE("projections tile the root, adjacent spans of one leaf merge", "[layout][projection]") {
  using t = container<"r", 1_MiB, at<0, passthrough<"ram", 512_KiB>>,
                      at<512_KiB, passthrough<"dev", 256_KiB>>>;
  constexpr auto& p = projection_v<t, 64_KiB>;
  STATIC_REQUIRE(p.passthrough.size() == 2);  // two leaves, two backings: never merged
  STATIC_REQUIRE(p.trapped.size() == 1);
  STATIC_REQUIRE(p.trapped[0] == span_desc{768_KiB, 1_MiB - 1});
}
