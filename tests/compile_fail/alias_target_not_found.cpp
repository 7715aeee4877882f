// expect-error: mmiotree: the alias's target path names no region of this tree
// expect-error: alias_target_not_found<.*\{"doorbell-mirror"\}, .*\{"regs/dorbell"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::alias_target_not_found<mmiotree::v0::fixed_string<15>\{"doorbell-mirror"\}, mmiotree::v0::fixed_string<12>\{"regs/dorbell"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::alias_target_not_found<fixed_string<16UL - 1>\{"doorbell-mirror"\}, fixed_string<13UL - 1>\{"regs/dorbell"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): an alias's target path ('/'-separated from the root, the root's own name
// excluded) names a region of the same tree. "dorbell" is misspelled.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using regs = container<"regs", 16_KiB, at<0, io<"ctrl", 4_KiB>>, at<4_KiB, io<"doorbell", 4_KiB>>>;
using bar0 = container<"bar0", 64_KiB,  //
                       at<0, regs>,
#ifdef MMIOTREE_CF_POSITIVE
                       at<32_KiB, alias<"doorbell-mirror", 4_KiB, "regs/doorbell">>>;
#else
                       at<32_KiB, alias<"doorbell-mirror", 4_KiB, "regs/dorbell">>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
