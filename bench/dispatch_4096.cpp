// bench/dispatch_4096.cpp: the dispatch benchmarks of 4096 leaves (uniform).
// One translation unit per large tree, so that the trees compile in parallel and apart.
#include "dispatch.hpp"

namespace bench {
void register_uniform_4096() { register_dispatch<shape::uniform, 4096>(); }
}  // namespace bench
