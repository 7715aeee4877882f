// expect-error: mmiotree: a slot.s alignment must be a power of two
// expect-error: slot_alignment_not_a_power_of_two<.*\{"pci/bar0"\}, .*\{"0x3"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_alignment_not_a_power_of_two<mmiotree::v0::fixed_string<8>\{"pci/bar0"\}, mmiotree::v0::fixed_string<3>\{"0x3"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_alignment_not_a_power_of_two<fixed_string<8>\{"pci/bar0"\}, fixed_string<4UL - 1>\{"0x3"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2, slots): a slot's base is a multiple of its alignment, a power of two (0,
// the default, is the natural alignment: the size rounded up to a power of two, as PCI BARs).
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys =
    container<"sys", 4_GiB,  //
              at<0, passthrough<"ram", 1_GiB>>,
#ifdef MMIOTREE_CF_POSITIVE
              at<2_GiB, container<"pci", 256_MiB, slot<passthrough<"bar0", 64_KiB>, 0, 4_KiB>>>>;
#else
              at<2_GiB, container<"pci", 256_MiB, slot<passthrough<"bar0", 64_KiB>, 0, 3>>>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
