// 64-bit-only component registers (issue 10, point 7; CXL r3.1 §8.2.2: "accessed as an 8-byte
// quantity; partial reads are not permitted"). The Link capability, declared with
// cxl::qword_structure, is reached only by whole, aligned 8-byte accesses: every other access is
// refused before the handler — never widened into an 8-byte read the guest did not make, never
// split into 4-byte pieces — while the HDM decoders beside it keep their 4-byte rule.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace mmiotree;

namespace {
using hdm = cxl::hdm_decoders<2>;
using component = cxl::component_block<
    cxl::capability<cxl::cap_id::link, 2, 0xD8, cxl::qword_structure<"link", 0x38>>,
    cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
constexpr addr_t link_at = 0x1000 + 0xD8;

/// The device's Link registers, as the BAR's pread/pwrite would reach them: records each access.
struct link_registers {
  struct access {
    addr_t offset;
    unsigned size;
    bool write;
    std::uint64_t value;
  };
  std::vector<access> seen;
  std::uint64_t read(addr_t off, unsigned size) {
    seen.push_back({off, size, false, 0});
    return 0x1122'3344'5566'7788ULL + off;
  }
  void write(addr_t off, unsigned size, std::uint64_t v) { seen.push_back({off, size, true, v}); }
};
}  // namespace

TEST_CASE("the Link capability takes whole aligned 8-byte accesses only", "[cxl][qword]") {
  address_space<component> as;
  link_registers link;
  hdm decoders;
  register_file<component::array> array;
  REQUIRE(as.bind<"cachemem/capability_array">(array) == bind_status::ok);
  REQUIRE(as.bind<"cachemem/link">(link) == bind_status::ok);
  REQUIRE(as.bind<"cachemem/hdm_decoders">(decoders.regs()) == bind_status::ok);

  // The array names it: ID 4, version 2, at 0xD8.
  CHECK(as.read(0x1000 + 4, 4).value == (0x4U | 2U << 16 | 0xD8U << 20));

  const read_result whole = as.read(link_at + 8, 8);
  CHECK(whole == read_result{0x1122'3344'5566'7790ULL, access_status::ok});
  REQUIRE(link.seen.size() == 1);
  CHECK(link.seen[0].offset == 8);
  CHECK(link.seen[0].size == 8);
  CHECK(as.write(link_at + 0x10, 8, 0xAB) == access_status::ok);
  REQUIRE(link.seen.size() == 2);
  CHECK((link.seen[1].offset == 0x10 && link.seen[1].size == 8 && link.seen[1].write));

  // Partial and misaligned accesses: refused, and the device sees nothing.
  for (unsigned size : {1U, 2U, 4U}) {
    CHECK(as.read(link_at, size).status == access_status::access_error);
    CHECK(as.read(link_at + 4, size).status == access_status::access_error);
    CHECK(as.write(link_at, size, 0) == access_status::access_error);
  }
  CHECK(as.read(link_at + 4, 8).status == access_status::access_error);  // misaligned
  CHECK(as.write(link_at + 2, 8, 0) == access_status::access_error);
  // The last register's 8 bytes end the structure: an access running past it is refused too.
  CHECK(as.read(link_at + 0x34, 8).status == access_status::access_error);
  CHECK(link.seen.size() == 2);

  // The decoders beside it keep their own rule: 4 bytes, and 8 refused.
  CHECK(as.read(0x1000 + 0x128, 4).status == access_status::ok);
  CHECK(as.read(0x1000 + 0x128, 8).status == access_status::access_error);
}
