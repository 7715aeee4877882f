// expect-error: mmiotree: sibling regions overlap at equal priority
// expect-error: siblings_overlap_at_equal_priority<.*\{"lo"\}, .*\{"hi"\}, .*\{"\[0x2000, 0x27ff\]"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::siblings_overlap_at_equal_priority<mmiotree::v0::fixed_string<2>\{"lo"\}, mmiotree::v0::fixed_string<2>\{"hi"\}, mmiotree::v0::fixed_string<16>\{"\[0x2000, 0x27ff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::siblings_overlap_at_equal_priority<fixed_string<3UL - 1>\{"lo"\}, fixed_string<3UL - 1>\{"hi"\}, fixed_string<16>\{"\[0x2000, 0x27ff\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2, docs/design.md "The tie rule"): siblings of equal priority must not both
// claim a byte; holes claim nothing. "lo" and "hi" share priority and all 16 KiB of range,
// and their leaves interleave — which is fine — but "c" runs 2 KiB into "b": the message
// names exactly those bytes, not the 16 KiB the two containers share.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using lo = container<"lo", 16_KiB, at<0, io<"a", 4_KiB>>, at<8_KiB, io<"b", 4_KiB>>>;
#ifdef MMIOTREE_CF_POSITIVE
using hi = container<"hi", 16_KiB, at<4_KiB, io<"c", 4_KiB>>, at<12_KiB, io<"d", 4_KiB>>>;
#else
using hi = container<"hi", 16_KiB, at<4_KiB, io<"c", 6_KiB>>, at<12_KiB, io<"d", 4_KiB>>>;
#endif
using dev = container<"dev", 16_KiB, at<0, lo>, at<0, hi>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<dev>;
