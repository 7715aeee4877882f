// expect-error: mmiotree: a child region does not fit inside its parent
// expect-error: child_does_not_fit_in_parent<.*\{"regs/doorbell"\}, .*\{"regs"\}, .*\{"\[0x3000, 0x4fff\]"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::child_does_not_fit_in_parent<mmiotree::v0::fixed_string<13>\{"regs/doorbell"\}, mmiotree::v0::fixed_string<4>\{"regs"\}, mmiotree::v0::fixed_string<16>\{"\[0x3000, 0x4fff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::child_does_not_fit_in_parent<fixed_string<13>\{"regs/doorbell"\}, fixed_string<5UL - 1>\{"regs"\}, fixed_string<16>\{"\[0x3000, 0x4fff\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): a child lies entirely inside its parent. The 8 KiB doorbell placed at
// 12 KiB in a 16 KiB block would end 4 KiB past it.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using regs = container<"regs", 16_KiB,  //
                       at<0, io<"ctrl", 4_KiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                       at<8_KiB, io<"doorbell", 8_KiB>>>;
#else
                       at<12_KiB, io<"doorbell", 8_KiB>>>;  // ends at 20 KiB
#endif
using bar0 = container<"bar0", 64_KiB, at<0, regs>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
