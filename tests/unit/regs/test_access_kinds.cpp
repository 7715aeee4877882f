// What a guest read and write do to each field kind, including partial-width accesses.
#include <mmiotree/regs/register_file.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

namespace {
// One 32-bit register per kind: the kind's field is bits 15:0, bits 31:16 are a RW field, so
// every test also sees that a neighbouring field is unaffected. Reset 0x0000A5A5.
template <field_access K>
using one = reg<"r", 0, 32, 0xA5A5, field<"f", 15, 0, K>, field<"hi", 31, 16, rw>>;
template <field_access K>
using block_of = register_block<"b", 8, access::any, one<K>>;

template <field_access K>
struct rig {
  register_file<block_of<K>> rf;
  std::uint64_t raw() const { return rf.state().value[0]; }
};
}  // namespace

TEST_CASE("RW takes the written value, reads return it", "[regs][kinds]") {
  rig<rw> t;
  CHECK(t.rf.read(0, 4) == 0xA5A5);
  t.rf.write(0, 4, 0x1234'5678);
  CHECK(t.rf.read(0, 4) == 0x1234'5678);
}

TEST_CASE("RO and HwInit ignore guest writes, the device can set them", "[regs][kinds]") {
  rig<ro> a;
  a.rf.write(0, 4, 0xFFFF'FFFF);
  CHECK(a.rf.read(0, 4) == 0xFFFF'A5A5);
  a.rf.state().set_field<"r", "f">(0x1111);
  CHECK(a.rf.read(0, 4) == 0xFFFF'1111);
  rig<hwinit> b;
  b.rf.write(0, 4, 0);
  CHECK(b.rf.read(0, 4) == 0xA5A5);
}

TEST_CASE("RW1C clears only the bits written as 1", "[regs][kinds]") {
  rig<rw1c> t;
  t.rf.write(0, 4, 0x0000'0021);  // clears bits 0 and 5
  CHECK(t.rf.read(0, 4) == 0xA584);
  t.rf.write(0, 4, 0);
  CHECK(t.rf.read(0, 4) == 0xA584);
}

TEST_CASE("RW1S sets only the bits written as 1", "[regs][kinds]") {
  rig<rw1s> t;
  t.rf.write(0, 4, 0x0000'4242);
  CHECK(t.rf.read(0, 4) == 0xE7E7);
}

TEST_CASE("RC returns the value then clears it, writes are ignored", "[regs][kinds]") {
  rig<rc> t;
  t.rf.write(0, 4, 0xFFFF);
  CHECK(t.rf.read(0, 4) == 0xA5A5);
  CHECK(t.rf.read(0, 4) == 0);
}

TEST_CASE("RsvdP preserves on write, RsvdZ reads 0 and ignores writes", "[regs][kinds]") {
  rig<rsvdp> p;
  p.rf.write(0, 4, 0xFFFF'0000);
  CHECK(p.rf.read(0, 4) == 0xFFFF'A5A5);
  // RsvdZ: the reset bits are not stored, and a write does not make them appear.
  using z =
      register_block<"b", 4, access::any,
                     reg<"r", 0, 32, 0xFFFF, field<"f", 15, 0, rsvdz>, field<"hi", 31, 16, rw>>>;
  register_file<z> rz;
  CHECK(rz.state().value[0] == 0);  // a reset value in RsvdZ bits is not stored
  rz.write(0, 4, 0xFFFF'FFFF);
  CHECK(rz.read(0, 4) == 0xFFFF'0000);
  CHECK(rz.state().value[0] == 0xFFFF'0000);
}

TEST_CASE("WO stores for the device and reads as 0", "[regs][kinds]") {
  rig<wo> t;
  t.rf.write(0, 4, 0x0000'1234);
  CHECK(t.rf.read(0, 4) == 0);
  CHECK(t.rf.get<"r", "f">() == 0x1234);
}

TEST_CASE("RWO takes the first write after reset only", "[regs][kinds]") {
  rig<rwo> t;
  t.rf.write(0, 4, 0x1111);
  t.rf.write(0, 4, 0x2222);
  CHECK(t.rf.read(0, 4) == 0x1111);
  t.rf.reset();
  t.rf.write(0, 4, 0x3333);
  CHECK(t.rf.read(0, 4) == 0x3333);
}

TEST_CASE("bits outside every field read 0 and ignore writes", "[regs][kinds]") {
  using b = register_block<"b", 4, access::any, reg<"r", 0, 32, 0, field<"f", 7, 0, rw>>>;
  register_file<b> rf;
  rf.write(0, 4, 0xFFFF'FFFF);
  CHECK(rf.read(0, 4) == 0xFF);
  CHECK(rf.state().value[0] == 0xFF);
}

TEST_CASE("partial-width accesses touch only the bytes accessed", "[regs][partial]") {
  SECTION("RW: a byte write changes one byte") {
    rig<rw> t;
    t.rf.write(1, 1, 0x00);
    CHECK(t.rf.read(0, 4) == 0x00A5);
    t.rf.write(2, 2, 0xBEEF);
    CHECK(t.rf.read(0, 4) == 0xBEEF'00A5);
    CHECK(t.rf.read(2, 2) == 0xBEEF);
    CHECK(t.rf.read(3, 1) == 0xBE);
  }
  SECTION("RW1C: a 1 in an unwritten byte clears nothing") {
    rig<rw1c> t;
    t.rf.write(1, 1, 0xFF);  // clears bits 15:8 only
    CHECK(t.rf.read(0, 4) == 0x00A5);
  }
  SECTION("RC: a byte read clears only that byte") {
    rig<rc> t;
    CHECK(t.rf.read(0, 1) == 0xA5);
    CHECK(t.rf.read(0, 4) == 0xA500);
  }
  SECTION("RWO: writing one byte consumes only that byte's write-once") {
    rig<rwo> t;
    t.rf.write(0, 1, 0x11);
    t.rf.write(0, 2, 0x2222);
    CHECK(t.rf.read(0, 2) == 0x2211);
  }
  SECTION("an access spanning two registers reaches both") {
    using b = register_block<"b", 8, access::any, reg<"a", 0, 32, 0, field<"f", 31, 0, rw>>,
                             reg<"c", 4, 32, 0, field<"f", 31, 0, rw>>>;
    register_file<b> rf;
    rf.write(2, 4, 0xAABB'CCDD);
    CHECK(rf.read(0, 8) == 0x0000'AABB'CCDD'0000);
  }
  SECTION("bytes of the block no register covers read 0") {
    using b = register_block<"b", 16, access::any, reg<"a", 8, 32, 0x1234, field<"f", 31, 0, rw>>>;
    register_file<b> rf;
    CHECK(rf.read(0, 8) == 0);
    rf.write(0, 8, ~0ULL);
    CHECK(rf.read(8, 4) == 0x1234);
    CHECK(rf.read(6, 4) == 0x1234'0000);
  }
}

TEST_CASE("64-bit and 8-bit registers", "[regs][kinds]") {
  using b = register_block<"b", 16, access::any, reg<"q", 0, 64, 0, field<"f", 63, 0, rw>>,
                           reg<"c", 8, 8, 0x5A, field<"f", 7, 0, rw1c>>>;
  register_file<b> rf;
  rf.write(0, 8, 0x0123'4567'89AB'CDEF);
  CHECK(rf.read(0, 8) == 0x0123'4567'89AB'CDEF);
  CHECK(rf.read(4, 4) == 0x0123'4567);
  rf.write(8, 1, 0x0A);
  CHECK(rf.read(8, 1) == 0x50);
}
