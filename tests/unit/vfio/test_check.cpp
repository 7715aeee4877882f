// check_matches (vfio/check.hpp): the kernel's report against the layout type. Reports here are
// written as the kernels of each revision would fill them for the BARs of the CXL example —
// sparse areas as the v2 kernel computes them (all but the 64 KiB block) and as the v4 kernel
// does (all but the page of the decoders) — then broken one way at a time, each mismatch
// explained in a sentence that names the bytes.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/vfio/check.hpp>

#include <catch2/catch.hpp>

#include <string>

#include "example_bars.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using namespace example_bars;

vfio::cxl_report v4_report() {
  vfio::cxl_report r;
  r.revision = vfio::cxl_uapi::v4;
  r.component_bar = 2;
  r.bar_size = bar_size;
  r.bar_mmap = true;
  // All but the page holding the decoders.
  r.bar_areas = {{0, comp_at + 0x1000}, {comp_at + 0x2000, bar_size - comp_at - 0x2000}};
  r.comp_regs_bar_offset = hdm_at;
  r.hdm_bar_offset = hdm_at;
  r.hdm_size = 0x50;
  r.comp_regs_size = 0x50;
  return r;
}
vfio::cxl_report v2_report() {
  vfio::cxl_report r = v4_report();
  r.revision = vfio::cxl_uapi::v2;
  r.bar_areas = {{0, comp_at}, {comp_at + 64_KiB, bar_size - comp_at - 64_KiB}};
  r.comp_regs_bar_offset = comp_at + 0x1000;  // the CXL.cache/mem range
  r.hdm_bar_offset.reset();
  r.hdm_size.reset();
  r.comp_regs_size = 0x128 + 0x50;
  return r;
}
bool says(const vfio::match_result& m, const std::string& part) {
  for (const std::string& s : m.mismatches)
    if (s.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("the reports of both kernels match their layouts", "[vfio][check]") {
  CHECK(vfio::check_matches<bar2_v4, 2>(v4_report(), 4_KiB, 2).ok());
  CHECK(vfio::check_matches<bar2_v2, 2>(v2_report(), 4_KiB, 2).ok());
  // And not each other's: the v2 kernel lets nothing in the block be mmapped, where the v4
  // layout maps the block's other pages; the v4 kernel mmaps them, where the v2 layout traps.
  const auto a = vfio::check_matches<bar2_v4, 2>(v2_report(), 4_KiB);
  CHECK_FALSE(a.ok());
  CHECK(a.mismatches ==
        std::vector<std::string>{"the layout mmaps [0x100000, 0x100fff] (accel_lo), but BAR 2 "
                                 "has no sparse-mmap area there",
                                 "the layout mmaps [0x102000, 0x10ffff] (accel_hi), but BAR 2 "
                                 "has no sparse-mmap area there"});
  const auto b = vfio::check_matches<bar2_v2, 2>(v4_report(), 4_KiB);
  CHECK(b.mismatches == std::vector<std::string>{
                            "sparse area 0 [0x0, 0x100fff] of BAR 2 is not passthrough in the "
                            "layout: [0x100000, 0x100fff] is bar_ops",
                            "sparse area 1 [0x102000, 0x3fffff] of BAR 2 is not passthrough in "
                            "the layout: [0x102000, 0x10ffff] is bar_ops"});
}

TEST_CASE("each wrong report explained", "[vfio][check]") {
  {
    vfio::cxl_report r = v4_report();  // the HDM block shifted by a decoder
    r.hdm_bar_offset = hdm_at + 0x20;
    r.comp_regs_bar_offset = hdm_at + 0x20;
    const auto m = vfio::check_matches<bar2_v4, 2>(r, 4_KiB);
    CHECK(says(m, "the HDM decoder block is at 0x101148 of BAR 2, the layout's at 0x101128"));
  }
  {
    vfio::cxl_report r = v4_report();  // the upper area missing
    r.bar_areas.pop_back();
    const auto m = vfio::check_matches<bar2_v4, 2>(r, 4_KiB);
    REQUIRE(m.mismatches.size() == 1);
    CHECK(m.mismatches[0] ==
          "the layout mmaps [0x102000, 0x3fffff] (accel_hi), but BAR 2 has no sparse-mmap area "
          "there");
  }
  {
    vfio::cxl_report r = v4_report();  // an extra area over the decoder page
    r.bar_areas.push_back({comp_at + 0x1000, 0x1000});
    const auto m = vfio::check_matches<bar2_v4, 2>(r, 4_KiB);
    REQUIRE(m.mismatches.size() == 1);
    CHECK(m.mismatches[0] ==
          "sparse area 2 [0x101000, 0x101fff] of BAR 2 is not passthrough in the layout: "
          "[0x101000, 0x101127] is bar_ops, [0x101128, 0x101177] is hdm_decoders, "
          "[0x101178, 0x101fff] is bar_ops");
  }
  {
    vfio::cxl_report r = v4_report();
    r.bar_size = 8_MiB;
    const auto m = vfio::check_matches<bar2_v4, 2>(r, 4_KiB);
    CHECK(says(m, "BAR 2 is 0x800000 bytes, the layout's 0x400000"));
  }
  CHECK(says(vfio::check_matches<bar2_v4, 2>(v4_report(), 4_KiB, 4),
             "the device has 4 HDM decoders, the layout 2"));
  CHECK(says(vfio::check_matches<bar2_v4, 0>(v4_report(), 4_KiB),
             "the component registers are in BAR 2, the layout's are in BAR 0"));
  CHECK(says(vfio::check_matches<bar2_v4, 2>(v4_report(), 64_KiB),
             "host page 0x10000 but the layout is projected for 0x1000"));
  {
    vfio::cxl_report r = v4_report();  // the BAR not mmappable at all
    r.bar_mmap = false;
    r.bar_areas.clear();
    const auto m = vfio::check_matches<bar2_v4, 2>(r, 4_KiB);
    CHECK(m.mismatches.size() == 2);
    CHECK(says(m, "the layout mmaps [0x0, 0x100fff] (accel_lo), but BAR 2 cannot be mmapped"));
  }
}
