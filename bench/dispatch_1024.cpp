// bench/dispatch_1024.cpp: the dispatch benchmarks of 1024 leaves (uniform).
// One translation unit per large tree, so that the trees compile in parallel and apart.
#include "dispatch.hpp"

namespace bench {
void register_uniform_1024() { register_dispatch<shape::uniform, 1024>(); }
}  // namespace bench
