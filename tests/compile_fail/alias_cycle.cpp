// expect-error: mmiotree: alias cycle: the alias reaches itself through its target
// expect-error: alias_cycle<.*\{"window/mirror"\}, .*\{"window"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::alias_cycle<mmiotree::v0::fixed_string<13>\{"window/mirror"\}, mmiotree::v0::fixed_string<6>\{"window"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::alias_cycle<fixed_string<13>\{"window/mirror"\}, fixed_string<7UL - 1>\{"window"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): no alias cycles. "mirror" targets its own parent, so the target's
// subtree contains the alias itself: resolving an address in it would never end.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar0 = container<"bar0", 64_KiB,
                       at<0, container<"window", 32_KiB,  //
                                       at<0, passthrough<"ram", 16_KiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                                       at<16_KiB, alias<"mirror", 16_KiB, "window/ram">>>>>;
#else
                                       at<16_KiB, alias<"mirror", 16_KiB, "window">>>>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
