// bench/more/update_256.cpp: update/mmiotree/256 (see update_mmiotree.hpp).
#include "update_mmiotree.hpp"

namespace bench {
void register_mmiotree_256() { register_mmiotree<256>(); }
}  // namespace bench
