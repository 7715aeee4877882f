// bench/more/update_64.cpp: update/mmiotree/64 (see update_mmiotree.hpp).
#include "update_mmiotree.hpp"

namespace bench {
void register_mmiotree_64() { register_mmiotree<64>(); }
}  // namespace bench
