// expect-error: mmiotree: no region has this path in the tree
// expect-error: no_region_at_path<.*\{"B/F"\}>
// max-lines-gnu: 10
// max-lines-clang: 17
//
// Rule: `node_index_v<Tree, "path">` looks a region up by path at compile time; a path that
// names no region is one error naming the path, and the uses of the index that follow add no
// error of their own (npos, used as an index, would add one per use).
#include <mmiotree/tree/descriptor.hpp>

using namespace mmiotree;

using a = container<"A", 0x8000, at<0, io<"C", 0x6000>, 1>,
                    at<0x2000, container<"B", 0x4000, at<0, io<"D", 0x1000>>>, 2>>;

// A later use of the index adds no error of its own.
#ifdef MMIOTREE_CF_POSITIVE
constexpr node_index d = node_index_v<a, "B/D">;
#else
constexpr node_index d = node_index_v<a, "B/F">;
#endif
constexpr auto leaf_of_d = nodes_v<a>[d].leaf;
node_index leaf_number() { return leaf_of_d; }
