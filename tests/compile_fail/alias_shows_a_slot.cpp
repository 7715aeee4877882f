// expect-error: mmiotree: an alias may not show a slot
// expect-error: alias_shows_a_slot<.*\{"bar0-mirror"\}, .*\{"pci/bar0"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::alias_shows_a_slot<mmiotree::v0::fixed_string<11>\{"bar0-mirror"\}, mmiotree::v0::fixed_string<8>\{"pci/bar0"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::alias_shows_a_slot<fixed_string<12UL - 1>\{"bar0-mirror"\}, fixed_string<9UL - 1>\{"pci/bar0"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2, slots): an alias is resolved at compile time; a slot's position is decided
// at run time, so an alias may not show a slot, contain one or lie inside one.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys = container<"sys", 4_GiB,  //
                      at<0, passthrough<"ram", 1_GiB>>,
                      at<2_GiB, container<"pci", 256_MiB, slot<passthrough<"bar0", 64_KiB>>>>,
#ifdef MMIOTREE_CF_POSITIVE
                      at<3_GiB, alias<"low-ram", 64_KiB, "ram">>>;
#else
                      at<3_GiB, alias<"bar0-mirror", 64_KiB, "pci/bar0">>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
