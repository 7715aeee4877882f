// expect-error: mmiotree: two sibling regions have the same name; typed paths need unique names among siblings
// expect-error: duplicate_sibling_name<.*\{"regs/ctrl"\}, .*\{"regs/ctrl"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::duplicate_sibling_name<mmiotree::v0::fixed_string<9>\{"regs/ctrl"\}, mmiotree::v0::fixed_string<9>\{"regs/ctrl"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::duplicate_sibling_name<fixed_string<9>\{"regs/ctrl"\}, fixed_string<9>\{"regs/ctrl"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): sibling names are unique, so that a typed path ("regs/ctrl") names one
// region. A copy-pasted placement kept the old name.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using regs = container<"regs", 16_KiB,  //
                       at<0, io<"ctrl", 4_KiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                       at<4_KiB, io<"status", 4_KiB>>>;
#else
                       at<4_KiB, io<"ctrl", 4_KiB>>>;
#endif
using bar0 = container<"bar0", 64_KiB, at<0, regs>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
