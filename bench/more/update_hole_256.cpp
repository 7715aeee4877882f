// bench/more/update_hole_256.cpp: update/mmiotree_hole/256 — the 256-BAR machine with its PCI
// space mapped nowhere and seen through a `pci-hole` alias (see update_mmiotree.hpp).
#include "update_mmiotree.hpp"

namespace bench {
void register_mmiotree_hole_256() { register_mmiotree<256, shape::hole>(); }
}  // namespace bench
