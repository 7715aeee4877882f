#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/layout/projection.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
template <class T>
constexpr bool same_view(std::initializer_list<flat_range> want) {
  const auto& v = flat_view_v<T>;
  if (v.size() != want.size()) return false;
  std::size_t i = 0;
  for (const flat_range& r : want)
    if (!(v[i++] == r)) return false;
  return true;
}
}  // namespace

TEST_CASE("QEMU's memory.rst example: B's holes show C", "[layout][flatten]") {
  // A (0x8000) holds C (io, 0x6000 at 0, prio 1) and B (container 0x4000 at 0x2000, prio 2)
  // with D (0x1000 at 0) and E (0x1000 at 0x2000). Seen: C D C E C, then a hole.
  using a = container<
      "A", 0x8000, at<0, io<"C", 0x6000>, 1>,
      at<0x2000, container<"B", 0x4000, at<0, io<"D", 0x1000>>, at<0x2000, io<"E", 0x1000>>>, 2>>;
  // nodes: A0 C1 B2 D3 E4
  STATIC_REQUIRE(same_view<a>({{0x0000, 0x1FFF, 1, 0x0000},
                               {0x2000, 0x2FFF, 3, 0x0000},
                               {0x3000, 0x3FFF, 1, 0x3000},
                               {0x4000, 0x4FFF, 4, 0x0000},
                               {0x5000, 0x5FFF, 1, 0x5000}}));
  // A range's `leaf` is the node index a path gives, not the leaf's number among the leaves
  // (D is leaf 1 but node 3).
  STATIC_REQUIRE(node_index_v<a, "B/D"> == 3);  // counted by hand, as in the view above
  STATIC_REQUIRE(flat_view_v<a>[1].leaf == node_index_v<a, "B/D">);
  STATIC_REQUIRE(nodes_v<a>[flat_view_v<a>[3].leaf].name == "E");
  STATIC_REQUIRE(nodes_v<a>[node_index_v<a, "B/D">].leaf == 1);
}

TEST_CASE("equal-priority containers whose leaves interleave: either order, one view",
          "[layout][flatten]") {
  // The tie rule is judged by bytes (DESIGN §2.2): "lo" and "hi" share priority and range, but
  // no byte, so they may be declared in either order, and QEMU's scan gives the same answer
  // both ways — here the leaves in address order, and "lo"'s hole at 0x3000 falls through to
  // "base" at priority -1.
  using lo = container<"lo", 0x4000, at<0, io<"a", 0x1000>>, at<0x2000, io<"b", 0x1000>>>;
  using hi = container<"hi", 0x4000, at<0x1000, io<"c", 0x1000>>>;
  using base = io<"base", 0x4000>;
  using lo_first = container<"r", 0x4000, at<0, lo>, at<0, hi>, at<0, base, -1>>;
  using hi_first = container<"r", 0x4000, at<0, hi>, at<0, lo>, at<0, base, -1>>;
  // lo_first: r0 lo1 a2 b3 hi4 c5 base6; hi_first: r0 hi1 c2 lo3 a4 b5 base6
  STATIC_REQUIRE(same_view<lo_first>({{0x0000, 0x0FFF, 2, 0},
                                      {0x1000, 0x1FFF, 5, 0},
                                      {0x2000, 0x2FFF, 3, 0},
                                      {0x3000, 0x3FFF, 6, 0x3000}}));
  STATIC_REQUIRE(same_view<hi_first>({{0x0000, 0x0FFF, 4, 0},
                                      {0x1000, 0x1FFF, 2, 0},
                                      {0x2000, 0x2FFF, 5, 0},
                                      {0x3000, 0x3FFF, 6, 0x3000}}));
}

TEST_CASE("priorities are local to a container", "[layout][flatten]") {
  // X (prio 5) holds a low-priority leaf; Y (prio 1) a very high one. X still wins where they
  // overlap: Y's priority 100 counts only against Y's own siblings.
  using t = container<"r", 0x100, at<0, container<"X", 0x80, at<0, io<"x", 0x80>, -100>>, 5>,
                      at<0x40, container<"Y", 0x80, at<0, io<"y", 0x80>, 100>>, 1>>;
  STATIC_REQUIRE(same_view<t>({{0x00, 0x7F, 2, 0}, {0x80, 0xBF, 4, 0x40}}));
}

TEST_CASE("aliases render their target's subtree, translated and clipped", "[layout][flatten]") {
  using t = container<"r", 0x10000,                                    //
                      at<0, container<"dev", 0x1000,                   // 1
                                      at<0, io<"lo", 0x800>>,          // 2
                                      at<0x800, io<"hi", 0x800>>>>,    // 3
                      at<0x8000, alias<"win", 0x400, "dev", 0x600>>>;  // 4
  STATIC_REQUIRE(same_view<t>({{0x0000, 0x07FF, 2, 0},
                               {0x0800, 0x0FFF, 3, 0},
                               {0x8000, 0x81FF, 2, 0x600},
                               {0x8200, 0x83FF, 3, 0}}));
}

TEST_CASE("a subtree with relative aliases shows the same view wherever it is placed",
          "[layout][flatten]") {
  // dev: ctrl (io) at 0, sram (passthrough) at 0x2000, win at 0x8000 holding views of sram's
  // second half and of ctrl.
  using dev = container<
      "dev", 0x10000, at<0, io<"ctrl", 0x1000>>, at<0x2000, passthrough<"sram", 0x4000>>,
      at<0x8000, container<"win", 0x3000, at<0, alias<"sram-hi", 0x2000, "../sram", 0x2000>>,
                           at<0x2000, alias<"ctrl-v", 0x1000, "../ctrl">>>>>;
  // nodes: dev0 ctrl1 sram2 win3 sram-hi4 ctrl-v5
  STATIC_REQUIRE(same_view<dev>({{0x0000, 0x0FFF, 1, 0},
                                 {0x2000, 0x5FFF, 2, 0},
                                 {0x8000, 0x9FFF, 2, 0x2000},
                                 {0xA000, 0xAFFF, 1, 0}}));
  // m0 ram1 pci2 dev3 ctrl4 sram5 win6 sram-hi7 ctrl-v8: the same ranges, 0x40000 up.
  using m = container<"m", 0x100000, at<0, passthrough<"ram", 0x40000>, -1>,
                      at<0x30000, container<"pci", 0x20000, at<0x10000, dev>>>>;
  STATIC_REQUIRE(same_view<m>({{0x00000, 0x3FFFF, 1, 0},  // pci's hole shows ram
                               {0x40000, 0x40FFF, 4, 0},
                               {0x42000, 0x45FFF, 5, 0},
                               {0x48000, 0x49FFF, 5, 0x2000},
                               {0x4A000, 0x4AFFF, 4, 0}}));
}

TEST_CASE("an alias's holes fall through to lower-priority siblings", "[layout][flatten]") {
  using t = container<"r", 0x1000,                                       //
                      at<0, io<"bg", 0x1000>, -1>,                       // 1
                      at<0x800, container<"c", 0x800,                    // 2
                                          at<0x100, io<"in", 0x100>>>>,  // 3
                      at<0, alias<"view", 0x800, "c">, 1>>;              // 4
  STATIC_REQUIRE(same_view<t>({{0x000, 0x0FF, 1, 0x000},
                               {0x100, 0x1FF, 3, 0x000},
                               {0x200, 0x8FF, 1, 0x200},
                               {0x900, 0x9FF, 3, 0x000},
                               {0xA00, 0xFFF, 1, 0xA00}}));
}

TEST_CASE("adjacent ranges of one leaf with contiguous offsets merge", "[layout][flatten]") {
  // Two aliases of consecutive halves of one leaf, placed back to back: one range.
  using t = container<"r", 0x1000, at<0, io<"t", 0x200>>, at<0x800, alias<"a", 0x100, "t", 0>>,
                      at<0x900, alias<"b", 0x100, "t", 0x100>>>;
  STATIC_REQUIRE(same_view<t>({{0x000, 0x1FF, 1, 0}, {0x800, 0x9FF, 1, 0}}));
  // Same leaf but not contiguous in offset: two ranges.
  using u = container<"r", 0x1000, at<0, io<"t", 0x200>>, at<0x800, alias<"a", 0x100, "t", 0x100>>,
                      at<0x900, alias<"b", 0x100, "t", 0>>>;
  STATIC_REQUIRE(
      same_view<u>({{0x000, 0x1FF, 1, 0}, {0x800, 0x8FF, 1, 0x100}, {0x900, 0x9FF, 1, 0}}));
}

TEST_CASE("merge_policy::keep_separate keeps a leaf's adjacent ranges apart", "[layout][flatten]") {
  using t =
      container<"r", 0x1000,
                at<0, passthrough<"m", 0x200, access::any, merge_policy::keep_separate>>,
                at<0x800, alias<"a", 0x100, "m", 0>>, at<0x900, alias<"b", 0x100, "m", 0x100>>>;
  STATIC_REQUIRE(
      same_view<t>({{0x000, 0x1FF, 1, 0}, {0x800, 0x8FF, 1, 0}, {0x900, 0x9FF, 1, 0x100}}));
}

TEST_CASE("a root that ends at the top of the 64-bit space", "[layout][flatten]") {
  // Sizes are 64-bit, so the largest root is 2^64 - 1 bytes: its last byte is 2^64 - 2.
  using t = container<"sys", ~0ULL, at<0, passthrough<"ram", 1_GiB>>,
                      at<~0ULL - 0x1000, io<"top", 0x1000>>>;
  STATIC_REQUIRE(same_view<t>({{0, 1_GiB - 1, 1, 0}, {~0ULL - 0x1000, ~0ULL - 1, 2, 0}}));
}

TEST_CASE("flatten runs at run time on the same descriptors", "[layout][flatten]") {
  // The same tree as QEMU's example above, flattened by the run-time entry point: the same
  // ranges as written out by hand there.
  using t = container<
      "A", 0x8000, at<0, io<"C", 0x6000>, 1>,
      at<0x2000, container<"B", 0x4000, at<0, io<"D", 0x1000>>, at<0x2000, io<"E", 0x1000>>>, 2>>;
  const std::vector<flat_range> want{{0x0000, 0x1FFF, 1, 0x0000},
                                     {0x2000, 0x2FFF, 3, 0x0000},
                                     {0x3000, 0x3FFF, 1, 0x3000},
                                     {0x4000, 0x4FFF, 4, 0x0000},
                                     {0x5000, 0x5FFF, 1, 0x5000}};
  CHECK(flatten(nodes_v<t>) == want);
}

TEST_CASE("a keep_separate leaf is one range per occurrence, however others cut it",
          "[layout][flatten]") {
  // m (keep_separate) hides a lower-priority io leaf whose boundaries fall inside it, and an
  // alias shows m's own middle again, at the same addresses and offsets: three occurrences
  // whose offsets run on. Before 2026-12 the sweep split m at the hidden leaf's boundaries,
  // and the projection merged the three occurrences into one span: both wrong for a backend
  // that maps and unmaps occurrences one by one.
  using t = container<"r", 0x4000,
                      at<0, passthrough<"m", 0x4000, access::any, merge_policy::keep_separate>>,
                      at<0x1000, io<"low", 0x800>, -1>,                     // hidden, cuts m
                      at<0x2000, alias<"again", 0x1000, "m", 0x2000>, 1>>;  // m over m
  STATIC_REQUIRE(same_view<t>(
      {{0x0000, 0x1FFF, 1, 0}, {0x2000, 0x2FFF, 1, 0x2000}, {0x3000, 0x3FFF, 1, 0x3000}}));
  constexpr auto& p = projection_v<t, 4096>;
  STATIC_REQUIRE(p.passthrough.size() == 3);
  STATIC_REQUIRE(p.passthrough[0] == span_desc{0x0000, 0x1FFF, 1, 0});
  STATIC_REQUIRE(p.passthrough[1] == span_desc{0x2000, 0x2FFF, 1, 0x2000});
  STATIC_REQUIRE(p.passthrough[2] == span_desc{0x3000, 0x3FFF, 1, 0x3000});
  STATIC_REQUIRE(p.trapped.size() == 0);
}
