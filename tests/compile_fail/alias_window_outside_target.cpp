// expect-error: mmiotree: the alias's window runs past the end of its target region
// expect-error: alias_window_outside_target<.*\{"ram-hi"\}, .*\{"ram"\}, .*\{"\[0x3000, 0x4fff\]"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::alias_window_outside_target<mmiotree::v0::fixed_string<6>\{"ram-hi"\}, mmiotree::v0::fixed_string<3>\{"ram"\}, mmiotree::v0::fixed_string<16>\{"\[0x3000, 0x4fff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::alias_window_outside_target<fixed_string<7UL - 1>\{"ram-hi"\}, fixed_string<4UL - 1>\{"ram"\}, fixed_string<16>\{"\[0x3000, 0x4fff\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): an alias's window [TargetOffset, TargetOffset + Size) lies inside its
// target. An 8 KiB window at 12 KiB into a 16 KiB region does not.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar0 = container<"bar0", 64_KiB,  //
                       at<0, passthrough<"ram", 16_KiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                       at<32_KiB, alias<"ram-hi", 8_KiB, "ram", 8_KiB>>>;
#else
                       at<32_KiB, alias<"ram-hi", 8_KiB, "ram", 12_KiB>>>;  // [12 KiB, 20 KiB)
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
