// expect-error: mmiotree: an unmapped region must be shown by an alias
// expect-error: unmapped_region_shown_by_no_alias<.*\{"rom"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::unmapped_region_shown_by_no_alias<mmiotree::v0::fixed_string<3>\{"rom"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::unmapped_region_shown_by_no_alias<fixed_string<4UL - 1>\{"rom"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (docs/concepts.md, unmapped regions): an unmapped region is seen only through aliases
// that target it or a region inside it; with none, none of its bytes is visible.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys = container<"sys", 4_GiB,  //
                      unmapped<passthrough<"ram", 8_GiB>>, unmapped<passthrough<"rom", 128_KiB>>,
                      at<0, alias<"ram-below-4g", 3_GiB, "./ram">>,
#ifdef MMIOTREE_CF_POSITIVE
                      at<0xFFFE'0000, alias<"bios", 128_KiB, "./rom">>>;
#else
                      at<0xFFFE'0000, alias<"bios", 128_KiB, "./ram">>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
