// Goldens of the register dump and the Markdown reference table: exact expected strings.
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

// The hard cases: a register array whose RWL fields a computed lock guards per element (the
// HDM decoder shape), a manual lock, RsvdP fields preserving non-zero values, RsvdZ fields.
// clang-format off
using dec = register_block<"dec", 0x30, access::exactly<4>,
    reg<"cfg", 0x0, 32, 0xA500'00F1,
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rwl, lock<"cfg">, enumerator<"fast", 1>>,
        field<"zero", 7, 4, rsvdz>,
        field<"keep", 31, 24, rsvdp>>,
    reg_array<"decoder", 0x10, 2, 0x10,
        reg<"base", 0x0, 32, 0,
            field<"rsvd", 27, 0, rsvdp>, field<"base", 31, 28, rwl, lock<"decoder">>>,
        reg<"ctrl", 0x4, 32, 0,
            field<"ig", 3, 0, rwl, lock<"decoder">, enumerator<"256B", 0>, enumerator<"2KiB", 3>>,
            field<"lock_on_commit", 8, 8, rwl, lock<"decoder">>,
            field<"commit", 9, 9, rwl, lock<"decoder">>,
            field<"committed", 10, 10, ro>,
            field<"zero", 15, 12, rsvdz>>>,
    lock_if<"decoder", "decoder/ctrl", "committed", "lock_on_commit">>;
// clang-format on
}  // namespace

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

TEST_CASE("dump: reset state shows preserved RsvdP values and no lock", "[regs][format]") {
  const register_state<dec> s;
  // cfg.zero's reset bits are RsvdZ: not stored, so not shown; cfg.keep preserves 0xa5.
  CHECK(dump(s) ==
        "dec (register block, 0x30 bytes)\n"
        "  0x000 cfg = 0xa5000001  enable=0x1  mode=0x0  keep=0xa5 [RsvdP]\n"
        "  0x010 decoder[0].base = 0x00000000  base=0x0\n"
        "  0x014 decoder[0].ctrl = 0x00000000  ig=0x0 (256B)  lock_on_commit=0x0  commit=0x0  "
        "committed=0x0\n"
        "  0x020 decoder[1].base = 0x00000000  base=0x0\n"
        "  0x024 decoder[1].ctrl = 0x00000000  ig=0x0 (256B)  lock_on_commit=0x0  commit=0x0  "
        "committed=0x0\n");
}

TEST_CASE("dump names the locks that hold, per element, and non-zero reserved fields",
          "[regs][format]") {
  register_file<dec> rf;
  // Decoder 0 commits with Lock-On-Commit: its computed lock holds. Decoder 1 commits without
  // it: same fields, no lock. (No hook: the test plays the device and sets committed.)
  rf.write(0x10, 4, 0x5000'0000);
  rf.write(0x14, 4, 0x303);
  rf.state().set<"decoder/ctrl">(0, val<"committed", 1>{});
  rf.write(0x20, 4, 0x6000'0000);
  rf.write(0x24, 4, 0x200);
  rf.state().set<"decoder/ctrl">(1, val<"committed", 1>{});
  // Device code stores a value in decoder 1's RsvdP bits, and (a device bug a dump must show)
  // bits in decoder 1's RsvdZ field, which the guest reads as 0.
  rf.state().set_field<"decoder/base", "rsvd">(0xAB00, 1);
  rf.state().set_field<"decoder/ctrl", "zero">(0x5, 1);
  // The manual lock: cfg.mode is frozen, whatever the guest writes.
  rf.write(0x0, 4, 0x3);
  rf.state().set_lock<"cfg">(true);
  rf.write(0x0, 4, 0x0);
  REQUIRE(rf.state().locked<"decoder">(0));
  REQUIRE_FALSE(rf.state().locked<"decoder">(1));
  CHECK(dump(rf.state()) ==
        "dec (register block, 0x30 bytes)\n"
        "  0x000 cfg = 0xa5000002  [locked: cfg]  enable=0x0  mode=0x1 (fast)  keep=0xa5 "
        "[RsvdP]\n"
        "  0x010 decoder[0].base = 0x50000000  [locked: decoder]  base=0x5\n"
        "  0x014 decoder[0].ctrl = 0x00000703  [locked: decoder]  ig=0x3 (2KiB)  "
        "lock_on_commit=0x1  commit=0x1  committed=0x1\n"
        "  0x020 decoder[1].base = 0x6000ab00  rsvd=0xab00 [RsvdP]  base=0x6\n"
        "  0x024 decoder[1].ctrl = 0x00000600  ig=0x0 (256B)  lock_on_commit=0x0  commit=0x1  "
        "committed=0x1  zero=0x5 [RsvdZ]\n");
  // Unlocked again: the clauses go, the values stay.
  rf.state().set_lock<"cfg">(false);
  rf.state().set<"decoder/ctrl">(0, val<"committed", 0>{});
  const std::string d = dump(rf.state());
  CHECK(d.find("locked") == std::string::npos);
  CHECK(d.find("  0x000 cfg = 0xa5000002  enable=0x0  mode=0x1 (fast)  keep=0xa5 [RsvdP]\n") !=
        std::string::npos);
}

TEST_CASE("markdown table names each RWL field's lock and says when each lock holds",
          "[regs][format]") {
  CHECK(markdown_table<dec>() ==
        "| offset | register | field | bits | access | reset |\n"
        "|---|---|---|---|---|---|\n"
        "| 0x0 | cfg | enable | 0 | RW | 0x1 |\n"
        "|  |  | mode | 2:1 | RWL (cfg) | 0x0 |\n"
        "|  |  | zero | 7:4 | RsvdZ | 0xf |\n"
        "|  |  | keep | 31:24 | RsvdP | 0xa5 |\n"
        "| 0x10 + 0x10·n | decoder[n].base | rsvd | 27:0 | RsvdP | 0x0 |\n"
        "|  |  | base | 31:28 | RWL (decoder) | 0x0 |\n"
        "| 0x14 + 0x10·n | decoder[n].ctrl | ig | 3:0 | RWL (decoder) | 0x0 |\n"
        "|  |  | lock_on_commit | 8 | RWL (decoder) | 0x0 |\n"
        "|  |  | commit | 9 | RWL (decoder) | 0x0 |\n"
        "|  |  | committed | 10 | RO | 0x0 |\n"
        "|  |  | zero | 15:12 | RsvdZ | 0x0 |\n"
        "\n"
        "Locks:\n"
        "- `decoder`: decoder[n].ctrl.lock_on_commit = 1 and decoder[n].ctrl.committed = 1\n"
        "- `cfg`: set by device code\n");
}
