// bench/dispatch_1024_mixed.cpp: the dispatch benchmarks of 1024 leaves (mixed).
// One translation unit per large tree, so that the trees compile in parallel and apart.
#include "dispatch.hpp"

namespace bench {
void register_mixed_1024() { register_dispatch<shape::mixed, 1024>(); }
}  // namespace bench
