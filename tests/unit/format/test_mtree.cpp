#include <mmiotree/format/mtree.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using region2 =
    container<"region", 4_MiB, at<0, io<"bar-ops", 4_MiB>, -1>, at<0, passthrough<"mmap0", 1_MiB>>,
              at<1_MiB + 64_KiB, passthrough<"mmap1", 4_MiB - 1_MiB - 64_KiB>>>;
using bar2 = container<"bar2", 4_MiB, at<0, region2>,
                       at<1_MiB + 0x1000, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>,
                       at<3_MiB, alias<"peek", 4_KiB, "region/mmap0", 0x2000>, 2>>;
}  // namespace

TEST_CASE("info mtree style", "[format]") {
  CHECK(mtree_text<bar2>(0x8000'0000) ==
        "0000000080000000-00000000803fffff (prio 0, container): bar2\n"
        "  0000000080000000-00000000803fffff (prio 0, container): region\n"
        "    0000000080000000-00000000803fffff (prio -1, io): bar-ops\n"
        "    0000000080000000-00000000800fffff (prio 0, passthrough): mmap0\n"
        "    0000000080110000-00000000803fffff (prio 0, passthrough): mmap1\n"
        "  0000000080101000-0000000080101fff (prio 1, io): comp_regs\n"
        "  0000000080300000-0000000080300fff (prio 2, alias): peek @region/mmap0 "
        "0000000000002000-0000000000002fff\n");
}

TEST_CASE("info mtree -f style", "[format]") {
  CHECK(flat_view_text<bar2>() ==
        "FlatView of bar2 (7 ranges)\n"
        "  0000000000000000-00000000000fffff (prio 0, passthrough): region/mmap0\n"
        "  0000000000100000-0000000000100fff (prio -1, io): region/bar-ops @0000000000100000\n"
        "  0000000000101000-0000000000101fff (prio 1, io): comp_regs\n"
        "  0000000000102000-000000000010ffff (prio -1, io): region/bar-ops @0000000000102000\n"
        "  0000000000110000-00000000002fffff (prio 0, passthrough): region/mmap1\n"
        "  0000000000300000-0000000000300fff (prio 0, passthrough): region/mmap0 "
        "@0000000000002000\n"
        "  0000000000301000-00000000003fffff (prio 0, passthrough): region/mmap1 "
        "@00000000001f1000\n");
}

TEST_CASE("projection listing", "[format]") {
  CHECK(projection_text<bar2, 4_KiB>() ==
        "Projection of bar2 for 4 KiB host pages: 4 mmap, 1 trap\n"
        "  mmap 0000000000000000-00000000000fffff (0x100000 bytes): region/mmap0 "
        "@0000000000000000\n"
        "  trap 0000000000100000-000000000010ffff (0x10000 bytes)\n"
        "  mmap 0000000000110000-00000000002fffff (0x1f0000 bytes): region/mmap1 "
        "@0000000000000000\n"
        "  mmap 0000000000300000-0000000000300fff (0x1000 bytes): region/mmap0 "
        "@0000000000002000\n"
        "  mmap 0000000000301000-00000000003fffff (0xff000 bytes): region/mmap1 "
        "@00000000001f1000\n");
}

TEST_CASE("enums format by name", "[format]") {
  CHECK(fmt::format("{} {}", region_kind::passthrough, access_status::decode_error) ==
        "passthrough decode_error");
}
