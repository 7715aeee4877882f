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

// The tie rule (DESIGN §2.2, docs/design.md "The tie rule"): siblings of equal priority tie
// only on bytes both claim — a leaf claims itself, a container what its children claim, an
// alias what its target claims in its window, a container holding slots all of itself.
// Expected indices and ranges are counted from the declarations (pre-order numbering).
TEST_CASE("ties judged by bytes: holes do not tie", "[layout][check]") {
  // Two equal-priority containers over the same 16 KiB whose leaves interleave: no byte is
  // claimed twice, so no tie, in either declaration order.
  using interleave = container<"r", 64_KiB,                                     //
                               at<0, container<"lo", 16_KiB,                    //
                                               at<0x0000, io<"a", 0x1000>>,     //
                                               at<0x2000, io<"b", 0x1000>>>>,   //
                               at<0, container<"hi", 16_KiB,                    //
                                               at<0x1000, io<"c", 0x1000>>,     //
                                               at<0x3000, io<"d", 0x1000>>>>>;  //
  STATIC_REQUIRE(check<interleave>.ok());
  // One leaf of "hi" reaches into a leaf of "lo": exactly those bytes are contested
  // (nodes: r 0, lo 1, a 2, b 3, hi 4, c 5, d 6).
  using touch = container<"r", 64_KiB,                                     //
                          at<0, container<"lo", 16_KiB,                    //
                                          at<0x0000, io<"a", 0x1000>>,     //
                                          at<0x2000, io<"b", 0x1000>>>>,   //
                          at<0, container<"hi", 16_KiB,                    //
                                          at<0x1000, io<"c", 0x1800>>,     //
                                          at<0x3000, io<"d", 0x1000>>>>>;  //
  STATIC_REQUIRE(check<touch> ==
                 layout_check{layout_error::siblings_overlap, 1, 4, 0x2000, 0x27FF});
  // A run of contested bytes is named whole, across the edge between two adjacent leaves of
  // one sibling: "lo" claims [0x2000, 0x3FFF] through b and e, "hi" [0x2800, 0x37FF].
  using across = container<"r", 64_KiB,                                     //
                           at<0, container<"lo", 16_KiB,                    //
                                           at<0x2000, io<"b", 0x1000>>,     //
                                           at<0x3000, io<"e", 0x1000>>>>,   //
                           at<0, container<"hi", 16_KiB,                    //
                                           at<0x2800, io<"c", 0x1000>>>>>;  //
  STATIC_REQUIRE(check<across> ==
                 layout_check{layout_error::siblings_overlap, 1, 4, 0x2800, 0x37FF});
  // An alias claims what its target claims in its window: "b" has content only at 0x2000, so
  // the alias over [0, 0x3FFF] ties with nothing in "a" ([0, 0xFFF])...
  using through = container<"r", 1_MiB,                                             //
                            at<0, container<"a", 0x4000, at<0, io<"r", 0x1000>>>>,  //
                            at<0, alias<"w", 0x4000, "b">>,                         //
                            at<0x10000, container<"b", 0x4000,                      //
                                                  at<0x2000, io<"x", 0x1000>>>>>;
  STATIC_REQUIRE(check<through>.ok());
  // ...but once "b" has content at 0x800, the alias claims [0x800, 0x17FF] and ties with "a"
  // over [0x800, 0xFFF] (nodes: r 0, a 1, r 2, w 3, b 4, x 5).
  using through_tie = container<"r", 1_MiB,                                             //
                                at<0, container<"a", 0x4000, at<0, io<"r", 0x1000>>>>,  //
                                at<0, alias<"w", 0x4000, "b">>,                         //
                                at<0x10000, container<"b", 0x4000,                      //
                                                      at<0x800, io<"x", 0x1000>>>>>;
  STATIC_REQUIRE(check<through_tie> ==
                 layout_check{layout_error::siblings_overlap, 1, 3, 0x800, 0xFFF});
  // A container that holds slots claims all of itself (a commit may place a slot anywhere in
  // it), though it has no static content (nodes: r 0, w 1, s 2, z 3).
  using window = container<"r", 64_KiB,                                           //
                           at<0, container<"w", 0x4000, slot<io<"s", 0x1000>>>>,  //
                           at<0x3000, io<"z", 0x100>>>;
  STATIC_REQUIRE(check<window> ==
                 layout_check{layout_error::siblings_overlap, 1, 3, 0x3000, 0x30FF});
  // Three siblings (their runs merged pairwise, the third on its own in the first round):
  // "hi"'s e lies in "lo"'s b, with "mid" between them in declaration order
  // (nodes: r 0, lo 1, a 2, b 3, mid 4, c 5, hi 6, d 7, e 8).
  using three = container<"r", 64_KiB,                                                   //
                          at<0, container<"lo", 16_KiB,                                  //
                                          at<0x0000, io<"a", 0x1000>>,                   //
                                          at<0x3000, io<"b", 0x1000>>>>,                 //
                          at<0, container<"mid", 16_KiB, at<0x1000, io<"c", 0x1000>>>>,  //
                          at<0, container<"hi", 16_KiB,                                  //
                                          at<0x2000, io<"d", 0x1000>>,                   //
                                          at<0x3800, io<"e", 0x100>>>>>;
  STATIC_REQUIRE(check<three> ==
                 layout_check{layout_error::siblings_overlap, 1, 6, 0x3800, 0x38FF});
  // Claims count whatever the claimer's inner priorities: "lo"'s low-priority leaf under its
  // own high one still claims its bytes (nodes: r 0, lo 1, top 2, under 3, hi 4, c 5).
  using inner = container<"r", 64_KiB,                                            //
                          at<0, container<"lo", 16_KiB,                           //
                                          at<0x0000, io<"top", 0x1000>, 1>,       //
                                          at<0x0000, io<"under", 0x2000>, -1>>>,  //
                          at<0, container<"hi", 16_KiB, at<0x1800, io<"c", 0x100>>>>>;
  STATIC_REQUIRE(check<inner> ==
                 layout_check{layout_error::siblings_overlap, 1, 4, 0x1800, 0x18FF});
}

// An alias inside an unmapped child may show that child's parent: the parent does not render
// the child, so there is no cycle. The alignment pass once followed unmapped children while
// looking for slots and recursed forever on this tree (found by the property test).
TEST_CASE("an alias inside an unmapped child that shows the child's parent", "[layout][check]") {
  using t = container<"r", 64_KiB,                                     //
                      at<0, container<"p", 0x1000,                     //
                                      at<0, io<"x", 0x100>>,           //
                                      unmapped<container<"u", 0x2000,  //
                                                         at<0, alias<"a", 0x1000, "p">>>>>>,
                      at<0x4000, alias<"w", 0x2000, "p/u">>>;
  STATIC_REQUIRE(check<t>.ok());
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
