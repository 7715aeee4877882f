// What each region kind and placement does once placed in a tree, seen where a user sees it:
// the flat view (which leaf answers each byte) and the projection (what is mapped, what traps).
// The layout algorithms themselves are tested in tests/unit/layout; here the question is what
// each declaration of tree/region.hpp means.
#include <mmiotree/layout/check.hpp>
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/tree/descriptor.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <string_view>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
// One of each kind, placed so that each one's effect shows:
//   0x0000 ram (passthrough, 16 KiB), its 0x2000–0x2FFF hidden by "guard" (unassigned, prio 1)
//   0x4000 uart (io)   0x5000 rom (stub, default response)   0x6000–0x7FFF nothing
//   0x8000 ram-hi: an alias of ram's 0x1000–0x2FFF   0xA000–0xBFFF nothing
//   0xC000 dev (container, 16 KiB) holding only timer at +0x1000, over mmio (prio -1)
// clang-format off
using sys = container<"sys", 64_KiB,
    at<0x0000, passthrough<"ram", 16_KiB>>,
    at<0x4000, io<"uart", 4_KiB, access::exactly<4>>>,
    at<0x5000, stub<"rom", 4_KiB>>,
    at<0x8000, alias<"ram-hi", 8_KiB, "ram", 4_KiB>>,
    at<0xC000, container<"dev", 16_KiB, at<0x1000, io<"timer", 4_KiB>>>>,
    at<0xC000, passthrough<"mmio", 16_KiB>, -1>,
    at<0x2000, unassigned<"guard", 4_KiB>, 1>>;
// clang-format on
constexpr auto& nodes = nodes_v<sys>;
constexpr auto& fv = flat_view_v<sys>;

/// The node named `name` (names are unique in `sys`).
constexpr node_index node_named(std::string_view name) {
  for (node_index i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return i;
  return npos;
}
constexpr flat_range range(addr_t lo, addr_t last, std::string_view leaf, addr_t offset) {
  return {lo, last, node_named(leaf), offset};
}
constexpr span_desc mapped(addr_t lo, addr_t last, std::string_view leaf, addr_t offset) {
  return {lo, last, node_named(leaf), offset};
}
constexpr span_desc trapped(addr_t lo, addr_t last) { return {lo, last, npos, 0}; }
}  // namespace

TEST_CASE("each kind in a tree: who answers each byte", "[tree]") {
  // Leaves (passthrough, io, stub, unassigned) claim their bytes at their offset for their
  // size; a container and an alias claim none of their own; bytes nobody claims are absent.
  STATIC_REQUIRE(fv.size() == 9);
  STATIC_REQUIRE(fv[0] == range(0x0000, 0x1FFF, "ram", 0));
  STATIC_REQUIRE(fv[1] == range(0x2000, 0x2FFF, "guard", 0));  // priority 1 hides ram
  STATIC_REQUIRE(fv[2] == range(0x3000, 0x3FFF, "ram", 0x3000));
  STATIC_REQUIRE(fv[3] == range(0x4000, 0x4FFF, "uart", 0));
  STATIC_REQUIRE(fv[4] == range(0x5000, 0x5FFF, "rom", 0));
  // The alias shows its target's bytes from target_offset on, translated — ram's own bytes,
  // not the guard that hides them at the root.
  STATIC_REQUIRE(fv[5] == range(0x8000, 0x9FFF, "ram", 0x1000));
  // The container's holes let the lower-priority sibling show; its child wins where it is.
  STATIC_REQUIRE(fv[6] == range(0xC000, 0xCFFF, "mmio", 0));
  STATIC_REQUIRE(fv[7] == range(0xD000, 0xDFFF, "timer", 0));
  STATIC_REQUIRE(fv[8] == range(0xE000, 0xFFFF, "mmio", 0x2000));
}

TEST_CASE("each kind in a tree: what is mapped and what traps", "[tree]") {
  // Passthrough bytes (directly, or through an alias) are mapped with their host offset; io,
  // stubs, unassigned regions and holes trap.
  constexpr auto& p = projection_v<sys, 4_KiB>;
  STATIC_REQUIRE(p.passthrough.size() == 5);
  STATIC_REQUIRE(p.passthrough[0] == mapped(0x0000, 0x1FFF, "ram", 0));
  STATIC_REQUIRE(p.passthrough[1] == mapped(0x3000, 0x3FFF, "ram", 0x3000));
  STATIC_REQUIRE(p.passthrough[2] == mapped(0x8000, 0x9FFF, "ram", 0x1000));
  STATIC_REQUIRE(p.passthrough[3] == mapped(0xC000, 0xCFFF, "mmio", 0));
  STATIC_REQUIRE(p.passthrough[4] == mapped(0xE000, 0xFFFF, "mmio", 0x2000));
  STATIC_REQUIRE(p.trapped.size() == 4);
  STATIC_REQUIRE(p.trapped[0] == trapped(0x2000, 0x2FFF));  // guard
  STATIC_REQUIRE(p.trapped[1] == trapped(0x4000, 0x7FFF));  // uart, rom, nothing
  STATIC_REQUIRE(p.trapped[2] == trapped(0xA000, 0xBFFF));  // nothing
  STATIC_REQUIRE(p.trapped[3] == trapped(0xD000, 0xDFFF));  // timer
}

TEST_CASE("the defaults a declaration leaves out", "[tree]") {
  // Access policy any for passthrough, io and stubs; a stub reads as ones unless told;
  // unassigned answers with a decode error. (What each response does on the bus:
  // tests/unit/runtime, "stubs and holes answer as declared".)
  STATIC_REQUIRE(nodes[node_named("ram")].access == access::any);
  STATIC_REQUIRE(nodes[node_named("timer")].access == access::any);
  STATIC_REQUIRE(nodes[node_named("rom")].access == access::any);
  STATIC_REQUIRE(nodes[node_named("rom")].response == stub_response::read_as_ones);
  STATIC_REQUIRE(nodes[node_named("guard")].response == stub_response::decode_error);
  // Priority 0 by default: it ties with an explicit 0 (an error), beats -1, loses to 1.
  using tie = container<"r", 32, at<0, io<"a", 16>>, at<8, io<"b", 16>, 0>>;
  STATIC_REQUIRE(check_layout(nodes_v<tie>).error == layout_error::siblings_overlap);
  using above = container<"r", 32, at<0, io<"a", 16>>, at<8, io<"b", 16>, -1>>;
  STATIC_REQUIRE(flat_view_v<above>[0] == flat_range{0, 15, 1, 0});
  STATIC_REQUIRE(flat_view_v<above>[1] == flat_range{16, 23, 2, 8});
  using below = container<"r", 32, at<0, io<"a", 16>>, at<8, io<"b", 16>, 1>>;
  STATIC_REQUIRE(flat_view_v<below>[0] == flat_range{0, 7, 1, 0});
  STATIC_REQUIRE(flat_view_v<below>[1] == flat_range{8, 23, 2, 0});
}

TEST_CASE("what is a region, what is a placement", "[tree]") {
  STATIC_REQUIRE(region<passthrough<"p", 1>> && region<io<"i", 1>> && region<stub<"s", 1>> &&
                 region<alias<"a", 1, "p">> && region<container<"c", 1>>);
  STATIC_REQUIRE(!region<int>);
  STATIC_REQUIRE(placement<at<0x1000, io<"x", 16>>>);
  STATIC_REQUIRE(placement<slot<io<"x", 16>>>);
  STATIC_REQUIRE(!placement<io<"x", 16>>);
}

TEST_CASE("kind predicates", "[tree]") {
  STATIC_REQUIRE(is_leaf(region_kind::passthrough));
  STATIC_REQUIRE(is_leaf(region_kind::io));
  STATIC_REQUIRE(is_leaf(region_kind::stub));
  STATIC_REQUIRE(!is_leaf(region_kind::container));
  STATIC_REQUIRE(!is_leaf(region_kind::alias));
  STATIC_REQUIRE(takes_binding(region_kind::io));
  STATIC_REQUIRE(!takes_binding(region_kind::stub));
  STATIC_REQUIRE(is_direct(region_kind::passthrough));
  STATIC_REQUIRE(!is_direct(region_kind::io));
}

TEST_CASE("access policies", "[core]") {
  STATIC_REQUIRE(sizes(1, 8) == 0x0F);
  STATIC_REQUIRE(sizes(2, 4) == 0x06);
  STATIC_REQUIRE(well_formed(access::any));
  STATIC_REQUIRE(well_formed(access::exactly<8>));
  STATIC_REQUIRE(well_formed(access::adjusted<4>));
  STATIC_REQUIRE(!well_formed(access_policy{.valid = 0}));
  STATIC_REQUIRE(!well_formed(access_policy{.impl_min = 8, .impl_max = 4}));
  STATIC_REQUIRE(!well_formed(access_policy{.impl_max = 16}));
  STATIC_REQUIRE(!well_formed(access_policy{.align = 3}));
  // Aligned-only accesses need the region aligned to the widest implemented size.
  STATIC_REQUIRE(!well_formed(access_policy{.impl_min = 4, .impl_max = 4, .unaligned = false}));
  STATIC_REQUIRE(
      well_formed(access_policy{.impl_min = 4, .impl_max = 4, .unaligned = false, .align = 4}));
}
