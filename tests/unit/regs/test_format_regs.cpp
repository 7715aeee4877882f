#include <mmiotree/format/regs.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {
using blk = register_block<
    "dev", 0x20, access::exactly<4>,
    reg<"id", 0x0, 32, 0x0001'0002, field<"rev", 15, 0, hwinit>, field<"vendor", 31, 16, hwinit>>,
    reg_array<
        "ch", 0x10, 2, 0x8,
        reg<"ctrl", 0x0, 32, 0, field<"mode", 1, 0, rw, enumerator<"off", 0>, enumerator<"on", 1>>,
            field<"rsvd", 31, 2, rsvdp>>>>;
}

TEST_CASE("dump decodes every field and names enumerated values", "[regs][format]") {
  register_state<blk> s;
  s.set<"ch/ctrl">(1, enum_val<"mode", "on">{});
  CHECK(dump(s) ==
        "dev (register block, 0x20 bytes)\n"
        "  0x000 id = 0x00010002  rev=0x2  vendor=0x1\n"
        "  0x010 ch[0].ctrl = 0x00000000  mode=0x0 (off)\n"
        "  0x018 ch[1].ctrl = 0x00000001  mode=0x1 (on)\n");
}

TEST_CASE("markdown table lists every field", "[regs][format]") {
  CHECK(markdown_table<blk>() ==
        "| offset | register | field | bits | access | reset |\n"
        "|---|---|---|---|---|---|\n"
        "| 0x0 | id | rev | 15:0 | HwInit | 0x2 |\n"
        "|  |  | vendor | 31:16 | HwInit | 0x1 |\n"
        "| 0x10 + 0x8·n | ch[n].ctrl | mode | 1:0 | RW | 0x0 |\n"
        "|  |  | rsvd | 31:2 | RsvdP | 0x0 |\n");
}
