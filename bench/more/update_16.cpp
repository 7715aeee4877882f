// bench/more/update_16.cpp: update/mmiotree/16 (see update_mmiotree.hpp).
#include "update_mmiotree.hpp"

namespace bench {
void register_mmiotree_16() { register_mmiotree<16>(); }
}  // namespace bench
