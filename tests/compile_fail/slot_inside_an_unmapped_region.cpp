// expect-error: mmiotree: a slot may not lie inside an unmapped region
// expect-error: slot_inside_an_unmapped_region<.*\{"pci/bar0"\}, .*\{"pci"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_inside_an_unmapped_region<mmiotree::v0::fixed_string<8>\{"pci/bar0"\}, mmiotree::v0::fixed_string<3>\{"pci"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_inside_an_unmapped_region<fixed_string<9UL - 1>\{"pci/bar0"\}, fixed_string<4UL - 1>\{"pci"\}>
// max-lines-gnu: 15
// max-lines-clang: 33
//
// Rule (docs/concepts.md, unmapped regions): an unmapped region is seen only through aliases,
// and an alias cannot show a slot (its position is decided at run time), so a slot inside an
// unmapped region could never be seen.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys = container<"sys", 4_GiB,  //
                      at<0, passthrough<"ram", 1_GiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                      at<3_GiB, container<"pci", 1_GiB, slot<passthrough<"bar0", 64_KiB>>>>>;
#else
                      unmapped<container<"pci", 4_GiB, slot<passthrough<"bar0", 64_KiB>>>>,
                      at<3_GiB, alias<"pci-hole", 1_GiB, "./pci", 3_GiB>>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
