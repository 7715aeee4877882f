// address_space: bad input and access policies (DESIGN §2.4, docs/access.md).
//
// The sweep tests compare every access with oracle::expect_access, an independent reading of
// docs/access.md on the test's own description of each tree (tests/property/model.hpp); the
// named tests spell out the expected handler calls and values by hand.
#include <mmiotree/layout/check.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <span>
#include <vector>

#include "harness.hpp"
#include "model.hpp"
#include "oracle.hpp"
#include "typed.hpp"

using namespace mmiotree;
using harness::call;
using harness::io_value;
using model::answer;
using model::kind;
namespace mb = model::build;

namespace {

// Policies, each exercising one rule.
constexpr model::policy wide{.impl_min = 4, .impl_max = 4};                       // widen+split
constexpr model::policy big16{.impl_min = 1, .impl_max = 2, .big_endian = true};  // split, BE
constexpr model::policy big64{.impl_min = 8, .impl_max = 8, .big_endian = true};  // widen, BE
constexpr model::policy mem4{.impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4};
constexpr model::policy rejecting{.reject_straddle = true};
constexpr model::policy adjusted4{
    .impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4, .reject_straddle = true};
constexpr model::policy only4{.sizes = 0x4,
                              .impl_min = 4,
                              .impl_max = 4,
                              .unaligned = false,
                              .align = 4,
                              .error_read = 0x1122'3344'5566'7788};

constexpr std::array policies_d{
    mb::container("dev", 0x2000),                                      // 0
    mb::leaf(kind::io, "any", 0x100, 0x000, 0, 0),                     // 1
    mb::leaf(kind::io, "wide", 0x100, 0x100, 0, 0, wide),              // 2
    mb::leaf(kind::io, "exact4", 0x100, 0x200, 0, 0, mb::exactly(4)),  // 3
    mb::leaf(kind::io, "big", 0x100, 0x300, 0, 0, big16),              // 4
    mb::leaf(kind::passthrough, "mem", 0x100, 0x400, 0, 0),            // 5
    mb::leaf(kind::passthrough, "memw", 0x100, 0x500, 0, 0, mem4),     // 6
    mb::stub("raz", 0x40, 0x600, 0, 0, answer::zeros),                 // 7
    mb::stub("rao", 0x40, 0x640, 0, 0, answer::ones),                  // 8
    mb::stub("dec", 0x40, 0x680, 0, 0, answer::decode_error),          // 9
    mb::leaf(kind::io, "unb_io", 0x100, 0x700, 0, 0),                  // 10
    mb::leaf(kind::passthrough, "unb_mem", 0x100, 0x800, 0, 0),        // 11
    mb::leaf(kind::io, "rej", 0x100, 0x900, 0, 0, rejecting),          // 12
    mb::leaf(kind::io, "split", 0x100, 0xa00, 0, 0),                   // 13
    mb::leaf(kind::io, "err", 0x100, 0xb00, 0, 0, only4),              // 14
    mb::leaf(kind::io, "big8", 0x100, 0xc00, 0, 0, big64),             // 15
    mb::leaf(kind::io, "adj", 0x100, 0xd00, 0, 0, adjusted4),          // 16
    mb::leaf(kind::io, "odd", 6, 0xe00, 0, 0, wide),                   // 17
};
// 0x6c0-0x6ff and 0xe06-0x1fff are holes.
using policies = typed::tree_t<policies_d>;

// A root that ends at the top of the 64-bit space; its last leaf is flush with the end.
constexpr addr_t top_size = ~addr_t{0};
constexpr std::array top_d{
    mb::container("space", top_size),                                  // 0
    mb::leaf(kind::io, "low", 0x100, 0, 0, 0, wide),                   // 1
    mb::leaf(kind::passthrough, "hi", 0x100, top_size - 0x201, 0, 0),  // 2
    mb::leaf(kind::io, "last", 0x100, top_size - 0x101, 0, 0, big64),  // 3
    mb::stub("end", 0x1, top_size - 0x1, 1, 0, answer::ones),          // 4: 2^64 - 2
};
using top = typed::tree_t<top_d>;

/// Every address class around `points`: each point and the 8 bytes on either side.
std::vector<addr_t> around(std::initializer_list<addr_t> points) {
  std::vector<addr_t> v;
  for (const addr_t p : points)
    for (int d = -8; d <= 7; ++d) v.push_back(p + static_cast<addr_t>(d));  // wraps on purpose
  return v;
}

/// Every access of `where` × size 0..16, read then write, against the oracle; with `cache`,
/// all through that one route cache (so each access either takes the route the previous one
/// left, or must refuse it).
template <const auto& D>
void sweep(harness::rig<D>& rig, const std::vector<addr_t>& where, route_cache* cache = nullptr) {
  for (const addr_t a : where) {
    for (unsigned size = 0; size <= 16; ++size) {
      const std::string r = rig.check(a, size, false, 0, cache);
      INFO(r);
      REQUIRE(r.empty());
      const std::string w = rig.check(a, size, true, 0xF0E1'D2C3'B4A5'9687ULL ^ a, cache);
      INFO(w);
      REQUIRE(w.empty());
    }
  }
  CHECK(rig.memory_matches());
  CHECK(rig.violations() == 0);
}

}  // namespace

TEST_CASE("every address class, size 0..16 and alignment gives the policy's result",
          "[runtime][policy]") {
  SECTION("a 0x2000-byte device with one leaf per policy") {
    harness::rig<policies_d> rig({10, 11});  // unb_io, unb_mem stay unbound
    std::vector<addr_t> points;
    for (const model::region& r : policies_d)
      if (r.parent == 0) points.push_back(r.offset), points.push_back(r.offset + r.size);
    auto where = around({0, 0x1fff, 0x6c0, 0x6d0, 0x1000, 0x2000, ~addr_t{0}, ~addr_t{0} - 8});
    for (const addr_t p : points)
      for (int d = -8; d <= 7; ++d) where.push_back(p + static_cast<addr_t>(d));
    sweep(rig, where);
    // The same accesses through one route cache: consecutive accesses to one leaf take its
    // route, and every size, alignment or byte it does not take as it comes must still get the
    // policy's answer.
    route_cache cache;
    sweep(rig, where, &cache);
  }
  SECTION("a root whose last byte is 2^64 - 2") {
    harness::rig<top_d> rig;
    const auto where = around(
        {0, 0x100, top_size - 0x201, top_size - 0x101, top_size - 1, top_size, top_size / 2});
    sweep(rig, where);
    route_cache cache;
    sweep(rig, where, &cache);
  }
}

TEST_CASE("sizes the region declares valid and implements go straight to the handler",
          "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  for (const unsigned s : {1U, 2U, 4U, 8U}) {
    rig.log().clear();
    const read_result r = as.read(0x10, s);
    CHECK(r.status == access_status::ok);
    CHECK(r.value == (io_value(1, 0x10, s) & oracle::low_bytes(s)));
    CHECK(rig.log() == std::vector<call>{{false, 1, 0x10, s, 0}});
    rig.log().clear();
    CHECK(as.write(0x10, s, ~std::uint64_t{0}) == access_status::ok);
    CHECK(rig.log() == std::vector<call>{{true, 1, 0x10, s, oracle::low_bytes(s)}});
  }
  for (const unsigned s : {0U, 3U, 5U, 6U, 7U, 9U, 16U, 1000U}) {
    rig.log().clear();
    const read_result r = as.read(0x10, s);
    CHECK(r.status == access_status::access_error);
    CHECK(r.value == (s >= 8 ? ~std::uint64_t{0} : oracle::low_bytes(s)));
    CHECK(as.write(0x10, s, 0) == access_status::access_error);
    CHECK(rig.log().empty());
  }
}

TEST_CASE("a narrow access is widened: reads extract, writes read-modify-write",
          "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  const std::uint64_t unit = io_value(2, 0x4, 4) & 0xFFFF'FFFF;
  const read_result r = as.read(0x106, 1);  // "wide" implements 4 bytes only
  CHECK(r == read_result{(unit >> 16) & 0xFF, access_status::ok});
  CHECK(rig.log() == std::vector<call>{{false, 2, 0x4, 4, 0}});
  rig.log().clear();
  CHECK(as.write(0x105, 2, 0xBBAA) == access_status::ok);
  const std::uint64_t merged = (unit & ~0x00FF'FF00ULL) | 0x00BB'AA00ULL;
  CHECK(rig.log() == std::vector<call>{{false, 2, 0x4, 4, 0}, {true, 2, 0x4, 4, merged}});
  // Big-endian and 8 bytes wide: guest byte k is byte k of the byte-swapped handler value.
  rig.log().clear();
  const std::uint64_t be = oracle::swap_bytes(io_value(15, 0x8, 8), 8);
  CHECK(as.read(0xc0b, 1) == read_result{(be >> 24) & 0xFF, access_status::ok});
  CHECK(rig.log() == std::vector<call>{{false, 15, 0x8, 8, 0}});
  // A widened unit may not leave the region: "odd" is 6 bytes of 4-byte units.
  rig.log().clear();
  CHECK(as.read(0xe03, 1).status == access_status::ok);
  CHECK(as.read(0xe05, 1).status == access_status::access_error);
  CHECK(as.write(0xe04, 2, 0) == access_status::access_error);
  CHECK(rig.log() == std::vector<call>{{false, 17, 0x0, 4, 0}});
}

TEST_CASE("a wide access is split into implementation units, composed little-endian",
          "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  // "big" implements 1..2 bytes, big-endian: 8 bytes are four 2-byte calls, each swapped.
  std::uint64_t want = 0;
  for (unsigned k = 0; k < 4; ++k)
    want |= oracle::swap_bytes(io_value(4, 0x10 + 2 * k, 2) & 0xFFFF, 2) << (16 * k);
  CHECK(as.read(0x310, 8) == read_result{want, access_status::ok});
  CHECK(rig.log() == std::vector<call>{{false, 4, 0x10, 2, 0},
                                       {false, 4, 0x12, 2, 0},
                                       {false, 4, 0x14, 2, 0},
                                       {false, 4, 0x16, 2, 0}});
  rig.log().clear();
  CHECK(as.write(0x310, 4, 0x4433'2211) == access_status::ok);
  CHECK(rig.log() == std::vector<call>{{true, 4, 0x10, 2, 0x1122}, {true, 4, 0x12, 2, 0x3344}});
  // "wide" implements 4 bytes: an unaligned 4-byte access is one call as it is, an unaligned
  // 8-byte write is the three aligned units that cover it, the partial ones read first.
  rig.log().clear();
  CHECK(as.write(0x102, 4, 0xDDCC'BBAA) == access_status::ok);
  CHECK(rig.log() == std::vector<call>{{true, 2, 2, 4, 0xDDCC'BBAA}});
  rig.log().clear();
  CHECK(as.write(0x102, 8, 0x8877'6655'4433'2211) == access_status::ok);
  const std::uint64_t u0 = io_value(2, 0, 4) & 0xFFFF'FFFF, u8 = io_value(2, 8, 4) & 0xFFFF'FFFF;
  CHECK(rig.log() == std::vector<call>{{false, 2, 0, 4, 0},
                                       {true, 2, 0, 4, (u0 & 0xFFFF) | 0x2211'0000},
                                       {true, 2, 4, 4, 0x6655'4433},
                                       {false, 2, 8, 4, 0},
                                       {true, 2, 8, 4, (u8 & ~0xFFFFULL) | 0x8877}});
}

TEST_CASE("alignment: a region that forbids unaligned accesses refuses them", "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  CHECK(as.read(0x204, 4).status == access_status::ok);
  for (const addr_t a : {0x201, 0x202, 0x203, 0x205}) {
    CHECK(as.read(a, 4) == read_result{0xFFFF'FFFF, access_status::access_error});
    CHECK(as.write(a, 4, 0) == access_status::access_error);
  }
  CHECK(as.read(0x204, 2).status == access_status::access_error);  // exactly<4>: size
  CHECK(as.read(0xd02, 2).status == access_status::ok);            // adjusted<4>: widened
  CHECK(as.read(0xd01, 2).status == access_status::access_error);  // but aligned only
  CHECK(as.read(0xd04, 8).status == access_status::access_error);  // 8 at 4 mod 8
  CHECK(rig.log() == std::vector<call>{{false, 3, 0x4, 4, 0}, {false, 16, 0x0, 4, 0}});
}

TEST_CASE("straddling two leaves: split pieces under each policy, or reject", "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  SECTION("split: any -> wide") {
    CHECK(as.write(0x0fe, 4, 0x4433'2211) == access_status::ok);
    const std::uint64_t u0 = io_value(2, 0, 4) & 0xFFFF'FFFF;
    CHECK(rig.log() == std::vector<call>{{true, 1, 0xfe, 2, 0x2211},
                                         {false, 2, 0x0, 4, 0},
                                         {true, 2, 0x0, 4, (u0 & ~0xFFFFULL) | 0x4433}});
  }
  SECTION("split: passthrough -> passthrough pieces of 1, 2, 4 bytes") {
    const read_result r = as.read(0x4fd, 8);  // mem [0x4fd, 0x4ff] then memw [0x500, 0x504]
    CHECK(r.status == access_status::ok);
    std::uint64_t want = 0;
    for (unsigned k = 0; k < 3; ++k)
      want |= std::uint64_t{std::to_integer<std::uint8_t>(rig.host(5)[0xfd + k])} << (8 * k);
    for (unsigned k = 0; k < 5; ++k)
      want |= std::uint64_t{std::to_integer<std::uint8_t>(rig.host(6)[k])} << (8 * (3 + k));
    CHECK(r.value == want);
  }
  SECTION("reject: either side says reject") {
    CHECK(as.read(0x9fe, 4) == read_result{0xFFFF'FFFF, access_status::access_error});
    CHECK(as.write(0x9fe, 4, 0) == access_status::access_error);
    CHECK(as.read(0x8fe, 4).status == access_status::access_error);  // split side, then rej
    CHECK(as.read(0x9fc, 4).status == access_status::ok);            // inside rej: fine
    CHECK(rig.log() == std::vector<call>{{false, 12, 0xfc, 4, 0}});
  }
  SECTION("into a hole or past the root: decode error, nothing happens") {
    CHECK(as.read(0x6be, 4) == read_result{0xFFFF'FFFF, access_status::decode_error});
    CHECK(as.write(0xe08, 8, 0) == access_status::decode_error);
    CHECK(as.write(0xe04, 8, 0) == access_status::access_error);  // odd's widened unit first
    CHECK(as.read(0x1ffe, 4).status == access_status::decode_error);
    CHECK(rig.log().empty());
  }
}

TEST_CASE("passthrough accesses are exact-width at any alignment", "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  for (addr_t a = 0x400; a < 0x410; ++a) {
    for (const unsigned s : {1U, 2U, 4U, 8U}) {
      std::uint64_t want = 0;
      for (unsigned k = 0; k < s; ++k)
        want |= std::uint64_t{std::to_integer<std::uint8_t>(rig.host(5)[a - 0x400 + k])} << (8 * k);
      CHECK(as.read(a, s) == read_result{want, access_status::ok});
    }
  }
  CHECK(as.write(0x403, 8, 0x8877'6655'4433'2211) == access_status::ok);
  CHECK(std::to_integer<int>(rig.host(5)[3]) == 0x11);
  CHECK(std::to_integer<int>(rig.host(5)[10]) == 0x88);
  CHECK(as.read(0x403, 8).value == 0x8877'6655'4433'2211);
  // memw: 4-byte units, aligned only; a byte write is a read-modify-write of host memory.
  CHECK(as.write(0x501, 1, 0xAB) == access_status::ok);
  CHECK(std::to_integer<int>(rig.host(6)[1]) == 0xAB);
  CHECK(as.read(0x502, 4).status == access_status::access_error);
}

TEST_CASE("stubs and holes answer as declared", "[runtime][policy]") {
  harness::rig<policies_d> rig;
  auto& as = rig.space();
  CHECK(as.read(0x600, 8) == read_result{0, access_status::ok});
  CHECK(as.write(0x600, 8, 1) == access_status::ok);
  CHECK(as.read(0x640, 2) == read_result{0xFFFF, access_status::ok});
  CHECK(as.write(0x640, 2, 1) == access_status::ok);
  CHECK(as.read(0x680, 4) == read_result{0xFFFF'FFFF, access_status::decode_error});
  CHECK(as.write(0x680, 4, 1) == access_status::decode_error);
  CHECK(as.read(0x6c0, 1) == read_result{0xFF, access_status::decode_error});
  CHECK(as.write(0x6c0, 1, 1) == access_status::decode_error);
  CHECK(as.read(0x1000, 8) == read_result{~std::uint64_t{0}, access_status::decode_error});
  CHECK(as.read(0x2000, 8) == read_result{~std::uint64_t{0}, access_status::decode_error});
  CHECK(as.read(~addr_t{0}, 1) == read_result{0xFF, access_status::decode_error});
  CHECK(as.write(~addr_t{0} - 3, 8, 1) == access_status::decode_error);
  // The declared error value: "err" reads as 0x1122334455667788 when refused.
  CHECK(as.read(0xb00, 2) == read_result{0x7788, access_status::access_error});
  CHECK(as.read(0xb01, 4) == read_result{0x5566'7788, access_status::access_error});
  CHECK(as.read(0xb00, 3) == read_result{0x66'7788, access_status::access_error});
  CHECK(rig.log().empty());
}

TEST_CASE("binding: unbound leaves, bind errors, unbind", "[runtime][bind]") {
  address_space<policies> as;
  CHECK(as.read(0x700, 4) == read_result{0xFFFF'FFFF, access_status::unbound});
  CHECK(as.write(0x700, 4, 0) == access_status::unbound);
  CHECK(as.read(0x800, 8) == read_result{~std::uint64_t{0}, access_status::unbound});
  CHECK(as.read(0x803, 3).status == access_status::access_error);  // size before binding
  CHECK(as.read(0x600, 4) == read_result{0, access_status::ok});   // stubs need nothing
  CHECK_FALSE(as.is_bound<"unb_mem">());
  CHECK(as.is_bound<"raz">());

  std::vector<std::byte> small(0xff), mem(0x100, std::byte{0x5A});
  CHECK(as.bind<"unb_mem">(std::span<std::byte>{}) == bind_status::null_host_memory);
  CHECK(as.bind<"unb_mem">(std::span(small)) == bind_status::host_memory_too_small);
  CHECK_FALSE(as.is_bound<"unb_mem">());
  CHECK(as.read(0x800, 1).status == access_status::unbound);
  CHECK(as.bind<"unb_mem">(std::span(mem)) == bind_status::ok);
  CHECK(as.is_bound<"unb_mem">());
  CHECK(as.read(0x8ff, 1) == read_result{0x5A, access_status::ok});
  CHECK(as.write(0x8ff, 1, 0xA5) == access_status::ok);
  CHECK(mem[0xff] == std::byte{0xA5});

  std::vector<call> log;
  int violations = 0;
  harness::recorder h{10, &policies_d[10], &log, &violations};
  REQUIRE(as.bind<"unb_io">(h) == bind_status::ok);
  CHECK(as.read(0x7fc, 4) == read_result{io_value(10, 0xfc, 4) & 0xFFFF'FFFF, access_status::ok});
  as.unbind<"unb_io">();
  as.unbind<"unb_mem">();
  CHECK_FALSE(as.is_bound<"unb_io">());
  CHECK(as.read(0x7fc, 4).status == access_status::unbound);
  CHECK(as.write(0x8ff, 1, 0x00) == access_status::unbound);
  CHECK(mem[0xff] == std::byte{0xA5});  // the refused write changed nothing
  CHECK(log == std::vector<call>{{false, 10, 0xfc, 4, 0}});
  CHECK(violations == 0);
}

TEST_CASE("leaf_at names the decoding leaf, or npos", "[runtime]") {
  const address_space<policies> as;
  CHECK(as.leaf_at(0) == 1);
  CHECK(as.leaf_at(0xff) == 1);
  CHECK(as.leaf_at(0x100) == 2);
  CHECK(as.leaf_at(0x680) == 9);  // a decode-error stub is still a leaf
  CHECK(as.leaf_at(0x6c0) == npos);
  CHECK(as.leaf_at(0xe05) == 17);
  CHECK(as.leaf_at(0xe06) == npos);
  CHECK(as.leaf_at(0x1fff) == npos);
  CHECK(as.leaf_at(0x2000) == npos);
  CHECK(as.leaf_at(~addr_t{0}) == npos);
  const address_space<top> tp;
  CHECK(tp.leaf_at(top_size - 2) == 3);
  CHECK(tp.leaf_at(top_size - 1) == 4);  // the root's last byte, 2^64 - 2
  CHECK(tp.leaf_at(top_size) == npos);   // the root's size is 2^64 - 1
}

namespace {
template <addr_t TargetOffset, addr_t ChainOffset = 0>
constexpr std::array aliased_regs_d{
    mb::container("r", 0x2000),                                    // 0
    mb::container("blk", 0x100, 0, 0, 0),                          // 1
    mb::leaf(kind::io, "regs", 0x80, 0x80, 0, 1, mb::exactly(4)),  // 2
    mb::alias("win", 0x80, 0x1000, 0, 0, "blk", TargetOffset),     // 3
    mb::alias("win2", 0x40, 0x1800, 0, 0, "win", ChainOffset),     // 4
};
template <addr_t TargetOffset, addr_t ChainOffset = 0>
using aliased_regs = typed::tree_t<aliased_regs_d<TargetOffset, ChainOffset>>;
}  // namespace

TEST_CASE("an alias may not show a region off the alignment its policy needs",
          "[runtime][policy]") {
  // Two bytes off, an exactly<4> handler would be called at offset 2 with 4 bytes.
  STATIC_REQUIRE(check_layout(nodes_v<aliased_regs<2>>) ==
                 layout_check{layout_error::misaligned_placement, 3, 1, 0x1000, 4});
  STATIC_REQUIRE(check_layout(nodes_v<aliased_regs<0, 6>>) ==
                 layout_check{layout_error::misaligned_placement, 4, 3, 0x1800, 4});
  STATIC_REQUIRE(check_layout(nodes_v<aliased_regs<4, 0x40>>).ok());
  // Accepted, the handler sees only aligned 4-byte calls, whatever the guest tries.
  harness::rig<aliased_regs_d<4, 0x40>> rig;
  sweep(rig, around({0x80, 0x1000, 0x107c, 0x1080, 0x1800, 0x1840}));
}
