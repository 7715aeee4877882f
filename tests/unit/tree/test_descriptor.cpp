#include <mmiotree/tree/descriptor.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using tree = container<"sys", 1_GiB,                                                //
                       at<0, passthrough<"ram", 256_MiB>>,                          // 1
                       at<256_MiB, container<"dev", 1_MiB,                          // 2
                                             at<0, io<"uart", 4_KiB>>,              // 3
                                             at<4_KiB, stub<"rsvd", 4_KiB>, -1>>>,  // 4
                       at<512_MiB, alias<"ram-hi", 1_MiB, "ram", 1_MiB>, 2>,        // 5
                       at<600_MiB, alias<"dev-alias", 8_KiB, "dev/uart">>>;         // 6
constexpr auto& n = nodes_v<tree>;
}  // namespace

TEST_CASE("descriptors are in pre-order with subtree ends", "[tree]") {
  STATIC_REQUIRE(n.size() == 7);
  STATIC_REQUIRE(n[0].name == "sys");
  STATIC_REQUIRE(n[0].end == 7);
  STATIC_REQUIRE(n[0].parent == npos);
  STATIC_REQUIRE(n[2].name == "dev");
  STATIC_REQUIRE(n[2].end == 5);
  STATIC_REQUIRE(n[3].parent == 2);
  STATIC_REQUIRE(n[3].depth == 2);
  STATIC_REQUIRE(n[4].priority == -1);
  STATIC_REQUIRE(n[4].offset == 4_KiB);
  STATIC_REQUIRE(n[5].priority == 2);
}

TEST_CASE("leaves are numbered in pre-order, containers and aliases are not leaves", "[tree]") {
  STATIC_REQUIRE(leaf_count_v<tree> == 3);
  STATIC_REQUIRE(n[1].leaf == 0);
  STATIC_REQUIRE(n[3].leaf == 1);
  STATIC_REQUIRE(n[4].leaf == 2);
  STATIC_REQUIRE(n[0].leaf == npos);
  STATIC_REQUIRE(n[5].leaf == npos);
}

TEST_CASE("alias targets resolve by path from the root", "[tree]") {
  STATIC_REQUIRE(n[5].alias_target == 1);
  STATIC_REQUIRE(n[5].alias_offset == 1_MiB);
  STATIC_REQUIRE(n[6].alias_target == 3);
  STATIC_REQUIRE(detail::find_path(n, "dev/rsvd") == 4);
  STATIC_REQUIRE(detail::find_path(n, "dev/nope") == npos);
  STATIC_REQUIRE(detail::find_path(n, "uart") == npos);  // paths start at the root
  STATIC_REQUIRE(detail::find_path(n, "") == 0);
}

namespace {
// A device declared on its own, its aliases naming their targets relative to themselves.
using dev = container<"dev", 64_KiB,                                                     // 0
                      at<0, container<"regs", 8_KiB,                                     // 1
                                      at<0, io<"ctrl", 4_KiB>>,                          // 2
                                      at<4_KiB, alias<"mirror", 4_KiB, "./ctrl">>>>,     // 3
                      at<8_KiB, passthrough<"sram", 16_KiB>>,                            // 4
                      at<32_KiB, container<"win", 16_KiB,                                // 5
                                           at<0, alias<"sram-view", 8_KiB, "../sram">>,  // 6
                                           at<8_KiB, alias<"ctrl-view", 4_KiB,
                                                           "../regs/ctrl">>>>>;  // 7
// The same device two containers down in a machine, and an alias of the machine naming a
// region inside it from the root.
using machine = container<"m", 1_GiB,                                             // 0
                          at<0, passthrough<"ram", 256_MiB>>,                     // 1
                          at<256_MiB, container<"bus", 1_MiB, at<64_KiB, dev>>>,  // 2, 3..10
                          at<512_MiB, alias<"up", 4_KiB, "bus/dev/regs/ctrl">>,   // 11
                          at<513_MiB, alias<"ram-view", 4_KiB, "./ram">>>;        // 12
}  // namespace

TEST_CASE("relative alias targets resolve from the alias's container", "[tree]") {
  // On its own: indices counted from the declaration above.
  constexpr auto& d = nodes_v<dev>;
  STATIC_REQUIRE(d[3].alias_target == 2);  // ./ctrl in regs
  STATIC_REQUIRE(d[6].alias_target == 4);  // ../sram from win
  STATIC_REQUIRE(d[7].alias_target == 2);  // ../regs/ctrl from win
  // Placed two containers down, the same aliases name the same regions (shifted by 3).
  constexpr auto& m = nodes_v<machine>;
  STATIC_REQUIRE(m[3].name == "dev");
  STATIC_REQUIRE(m[6].alias_target == 5);
  STATIC_REQUIRE(m[9].alias_target == 7);
  STATIC_REQUIRE(m[10].alias_target == 5);
  STATIC_REQUIRE(m[11].alias_target == 5);  // from the root
  STATIC_REQUIRE(m[12].alias_target == 1);  // "./" in the root's own children
  // The path rules, from a node at hand: leading "." and ".." only.
  STATIC_REQUIRE(detail::find_path(m, "./ram") == 1);
  STATIC_REQUIRE(detail::find_path(m, "../ram") == npos);  // above the root
  STATIC_REQUIRE(detail::find_path(m, "..", 4) == 3);
  STATIC_REQUIRE(detail::find_path(m, "../..", 4) == 2);
  STATIC_REQUIRE(detail::find_path(m, "./../../regs", 4) == npos);  // from bus: no regs
  STATIC_REQUIRE(detail::find_path(m, "../../dev/sram", 4) == 7);
  STATIC_REQUIRE(detail::find_path(m, "bus/../ram") == npos);  // ".." after a name is a name
  STATIC_REQUIRE(detail::find_path(m, ".", 5) == 5);
}

TEST_CASE("a region is looked up by path, at compile time or in an array at hand", "[tree]") {
  // The indices counted by hand from the declaration above (pre-order).
  STATIC_REQUIRE(node_index_v<tree, "ram"> == 1);
  STATIC_REQUIRE(node_index_v<tree, "dev"> == 2);
  STATIC_REQUIRE(node_index_v<tree, "dev/uart"> == 3);
  STATIC_REQUIRE(node_index_v<tree, "dev-alias"> == 6);
  STATIC_REQUIRE(node_index_v<tree, ""> == 0);
  STATIC_REQUIRE(find_node(n, "dev/rsvd") == 4);
  STATIC_REQUIRE(find_node(n, "dev//uart") == npos);  // an empty name names nothing
  STATIC_REQUIRE(find_node(n, "sys/ram") == npos);    // the root's own name is not part of a path
  STATIC_REQUIRE(find_node(n, "ram/x") == npos);      // a leaf has no children
  // A subtree's array answers paths from its own root: a slot's region, a device's BAR.
  using dev = container<"dev", 1_MiB, at<0, io<"uart", 4_KiB>>, at<4_KiB, stub<"rsvd", 4_KiB>, -1>>;
  STATIC_REQUIRE(find_node(nodes_v<dev>, "rsvd") == 2);
}

TEST_CASE("path_of measures and writes the path from the root", "[tree]") {
  STATIC_REQUIRE(path_of(n, 3) == 8);
  std::string s(path_of(n, 3), '\0');
  path_of(n, 3, s.data());
  CHECK(s == "dev/uart");
  std::string root(path_of(n, 0), '\0');
  path_of(n, 0, root.data());
  CHECK(root == "sys");
}
