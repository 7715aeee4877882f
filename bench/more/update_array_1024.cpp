// bench/more/update_array_1024.cpp: update/mmiotree_array/1024 — the 1,024-BAR machine declared
// with one slot array (see update_mmiotree.hpp).
#include "update_mmiotree.hpp"

namespace bench {
void register_mmiotree_array_1024() { register_mmiotree<1024, shape::array>(); }
}  // namespace bench
