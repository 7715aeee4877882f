// bench/dispatch_small.cpp: the dispatch benchmarks of 8 leaves (uniform), 64 leaves (uniform), 8
// leaves (mixed), 64 leaves (mixed). One translation unit per large tree, so that the trees compile
// in parallel and apart.
#include "dispatch.hpp"

namespace bench {
void register_uniform_8() { register_dispatch<shape::uniform, 8>(); }
void register_uniform_64() { register_dispatch<shape::uniform, 64>(); }
void register_mixed_8() { register_dispatch<shape::mixed, 8>(); }
void register_mixed_64() { register_dispatch<shape::mixed, 64>(); }
}  // namespace bench
