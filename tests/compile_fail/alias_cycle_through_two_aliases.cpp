// expect-error: mmiotree: alias cycle: the alias reaches itself through its target
// expect-error: alias_cycle<.*\{"b/to-a"\}, .*\{"a"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::alias_cycle<mmiotree::v0::fixed_string<6>\{"b/to-a"\}, mmiotree::v0::fixed_string<1>\{"a"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::alias_cycle<fixed_string<6>\{"b/to-a"\}, fixed_string<2UL - 1>\{"a"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): no alias cycles. a/to-b shows b, whose b/to-a shows a again: neither
// alias targets its own ancestor, but together they loop.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using a = container<"a", 16_KiB,  //
                    at<0, passthrough<"ram", 8_KiB>>, at<8_KiB, alias<"to-b", 8_KiB, "b">>>;
using b = container<"b", 16_KiB,  //
                    at<0, io<"regs", 8_KiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                    at<8_KiB, alias<"to-a", 8_KiB, "a/ram">>>;
#else
                    at<8_KiB, alias<"to-a", 8_KiB, "a">>>;
#endif
using bar0 = container<"bar0", 64_KiB, at<0, a>, at<32_KiB, b>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
