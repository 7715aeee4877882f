// bench/more/update_1024.cpp: update/mmiotree/1024 (see update_mmiotree.hpp).
#include "update_mmiotree.hpp"

namespace bench {
void register_mmiotree_1024() { register_mmiotree<1024>(); }
}  // namespace bench
