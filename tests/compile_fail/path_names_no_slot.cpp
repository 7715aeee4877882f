// expect-error: mmiotree: a transaction places slots; this path names a region that is not a
// expect-error: path_names_no_slot<.*\{"ram"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::path_names_no_slot<mmiotree::v0::fixed_string<3>\{"ram"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::path_names_no_slot<fixed_string<4UL - 1>\{"ram"\}>
// max-lines-gnu: 13
// max-lines-clang: 23
//
// Rule (DESIGN §2.6, slots): a transaction places and enables slots; a region placed with at<>
// has its offset fixed by the tree. "ram" is not a slot.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys = container<"sys", 4_GiB,  //
                      at<0, passthrough<"ram", 1_GiB>>,
                      at<2_GiB, container<"pci", 256_MiB, slot<passthrough<"bar0", 64_KiB>>>>>;

commit_result map_bar(address_space<sys>& as) {
#ifdef MMIOTREE_CF_POSITIVE
  return as.transaction().place<"pci/bar0">(2_GiB).commit();
#else
  return as.transaction().place<"ram">(2_GiB).commit();
#endif
}
