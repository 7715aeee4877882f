// check_layout on typed trees that break each rule. Calling check_layout on nodes_v<Bad>
// does not instantiate verify<Bad>, so these compile; the compile errors themselves are
// tested in tests/compile_fail.
#include <mmiotree/layout/check.hpp>

#include <catch2/catch.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
template <class T>
constexpr layout_check check = check_layout(nodes_v<T>);
}

TEST_CASE("a good tree passes", "[layout][check]") {
  using t = container<"bar", 64_KiB, at<0, passthrough<"a", 64_KiB>>,
                      at<0x1000, io<"b", 0x100, access::exactly<4>>, 1>>;
  STATIC_REQUIRE(check<t>.ok());
}

TEST_CASE("zero-size region", "[layout][check]") {
  using t = container<"r", 16, at<0, io<"z", 0>>>;
  STATIC_REQUIRE(check<t> == layout_check{layout_error::zero_size, 1, npos, 0, 0});
}

TEST_CASE("offset + size past 2^64", "[layout][check]") {
  using t = container<"r", ~0ULL, at<~0ULL - 4, io<"z", 8>>>;
  STATIC_REQUIRE(check<t>.error == layout_error::offset_overflow);
  STATIC_REQUIRE(check<t>.a == 1);
}

TEST_CASE("child outside its parent", "[layout][check]") {
  using t = container<"r", 4_KiB, at<0xF00, io<"late", 0x200>>>;
  STATIC_REQUIRE(check<t> == layout_check{layout_error::child_outside_parent, 1, 0, 0xF00, 0x10FF});
}

TEST_CASE("alias target not found, out of range, cycle", "[layout][check]") {
  using missing = container<"r", 8_KiB, at<0, alias<"a", 16, "nowhere">>>;
  STATIC_REQUIRE(check<missing>.error == layout_error::alias_target_not_found);
  using range =
      container<"r", 8_KiB, at<0, io<"t", 0x100>>, at<0x1000, alias<"a", 0x80, "t", 0xC0>>>;
  STATIC_REQUIRE(check<range> ==
                 layout_check{layout_error::alias_target_out_of_range, 2, 1, 0xC0, 0x13F});
  // The alias sits inside the container it targets.
  using self = container<"r", 8_KiB, at<0, container<"c", 4_KiB, at<0, alias<"a", 16, "c">>>>>;
  STATIC_REQUIRE(check<self>.error == layout_error::alias_cycle);
  STATIC_REQUIRE(check<self>.a == 2);
  // Two aliases pointing at each other.
  using pair = container<"r", 8_KiB, at<0, alias<"a", 16, "b">>, at<16, alias<"b", 16, "a">>>;
  STATIC_REQUIRE(check<pair>.error == layout_error::alias_cycle);
  // An alias chain without a cycle is fine.
  using chain = container<"r", 8_KiB, at<0, io<"t", 16>>, at<16, alias<"a", 16, "t">>,
                          at<32, alias<"b", 16, "a">>>;
  STATIC_REQUIRE(check<chain>.ok());
}

TEST_CASE("relative alias targets: checked on their own and wherever placed", "[layout][check]") {
  using dev = container<"dev", 8_KiB, at<0, io<"ctrl", 4_KiB>>,
                        at<4_KiB, container<"win", 4_KiB, at<0, alias<"v", 4_KiB, "../ctrl">>>>>;
  STATIC_REQUIRE(check<dev>.ok());
  STATIC_REQUIRE(check<container<"r", 64_KiB, at<16_KiB, dev>>>.ok());
  // Climbing above the root finds nothing, whatever the names above would have been.
  using above = container<"dev", 8_KiB, at<0, io<"ctrl", 4_KiB>>,
                          at<4_KiB, alias<"v", 4_KiB, "../dev/ctrl">>>;
  STATIC_REQUIRE(check<above> == layout_check{layout_error::alias_target_not_found, 2});
  // Written from the root, the same alias finds nothing once the subtree is placed elsewhere.
  using rooted =
      container<"dev", 8_KiB, at<0, io<"ctrl", 4_KiB>>, at<4_KiB, alias<"v", 4_KiB, "ctrl">>>;
  STATIC_REQUIRE(check<rooted>.ok());
  STATIC_REQUIRE(check<container<"r", 64_KiB, at<0, rooted>>> ==
                 layout_check{layout_error::alias_target_not_found, 3});
  // "./" names the alias's own container: a cycle.
  using own = container<"r", 8_KiB, at<0, container<"c", 4_KiB, at<0, alias<"a", 16, ".">>>>>;
  STATIC_REQUIRE(check<own>.error == layout_error::alias_cycle);
}

TEST_CASE("duplicate sibling names, but equal names in different containers are fine",
          "[layout][check]") {
  using dup = container<"r", 8_KiB, at<0, io<"x", 16>>, at<16, io<"x", 16>>>;
  STATIC_REQUIRE(check<dup>.error == layout_error::duplicate_sibling_name);
  using cousins = container<"r", 8_KiB, at<0, container<"a", 16, at<0, io<"x", 16>>>>,
                            at<16, container<"b", 16, at<0, io<"x", 16>>>>>;
  STATIC_REQUIRE(check<cousins>.ok());
}

TEST_CASE("siblings overlapping at equal priority, with the contested range", "[layout][check]") {
  using t = container<"bar", 2_MiB, at<0, passthrough<"accel", 2_MiB>>,
                      at<0x101000, io<"comp_regs", 4_KiB>>>;
  STATIC_REQUIRE(check<t> ==
                 layout_check{layout_error::siblings_overlap, 1, 2, 0x101000, 0x101FFF});
  // Different priorities: fine.
  using ok = container<"bar", 2_MiB, at<0, passthrough<"accel", 2_MiB>>,
                       at<0x101000, io<"comp_regs", 4_KiB>, 1>>;
  STATIC_REQUIRE(check<ok>.ok());
  // A long sibling covering several later ones is caught against the third, not only the
  // neighbour (the sweep tracks the furthest reach).
  using reach = container<"r", 64_KiB, at<0, io<"long", 0x8000>>, at<0x9000, io<"b", 0x100>>,
                          at<0x100, io<"c", 0x100>, 1>, at<0x7F00, io<"d", 0x200>>>;
  STATIC_REQUIRE(check<reach> ==
                 layout_check{layout_error::siblings_overlap, 1, 4, 0x7F00, 0x7FFF});
  // Touching is not overlapping.
  using touch = container<"r", 64_KiB, at<0, io<"a", 0x100>>, at<0x100, io<"b", 0x100>>>;
  STATIC_REQUIRE(check<touch>.ok());
  // Ranges are absolute: the overlap inside a nested container is reported from the root.
  using nested = container<
      "r", 64_KiB,
      at<0x4000, container<"c", 0x1000, at<0, io<"a", 0x100>>, at<0x80, io<"b", 0x100>>>>>;
  STATIC_REQUIRE(check<nested> ==
                 layout_check{layout_error::siblings_overlap, 2, 3, 0x4080, 0x40FF});
}

TEST_CASE("placement misaligned for the access policy", "[layout][check]") {
  using t = container<"r", 64_KiB,
                      at<0x1000, container<"c", 0x100, at<2, io<"reg", 4, access::exactly<4>>>>>>;
  STATIC_REQUIRE(check<t> == layout_check{layout_error::misaligned_placement, 2, npos, 0x1002, 4});
}

TEST_CASE("inconsistent access policy", "[layout][check]") {
  using t = container<"r", 64_KiB, at<0, io<"x", 16, access_policy{.impl_min = 8, .impl_max = 2}>>>;
  STATIC_REQUIRE(check<t>.error == layout_error::bad_access_policy);
}
