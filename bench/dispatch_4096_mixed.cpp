// bench/dispatch_4096_mixed.cpp: the dispatch benchmarks of 4096 leaves (mixed).
// One translation unit per large tree, so that the trees compile in parallel and apart.
#include "dispatch.hpp"

namespace bench {
void register_mixed_4096() { register_dispatch<shape::mixed, 4096>(); }
}  // namespace bench
