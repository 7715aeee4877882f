// expect-error: mmiotree: the region's access policy is inconsistent
// expect-error: access_policy_is_inconsistent<.*\{"regs/fifo"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::access_policy_is_inconsistent<mmiotree::v0::fixed_string<9>\{"regs/fifo"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::access_policy_is_inconsistent<fixed_string<9>\{"regs/fifo"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.4): an access policy is self-consistent: valid sizes among 1/2/4/8,
// impl_min <= impl_max <= 8, the alignment a power of two. Here impl_min and impl_max are
// swapped.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

inline constexpr access_policy fifo_access{
    .valid = sizes(1, 8),
#ifdef MMIOTREE_CF_POSITIVE
    .impl_min = 4,
    .impl_max = 8,
#else
    .impl_min = 8,
    .impl_max = 4,
#endif
    .unaligned = false,
    .align = 8,
};

using regs = container<"regs", 16_KiB,  //
                       at<0, io<"ctrl", 4_KiB>>, at<8_KiB, io<"fifo", 8_KiB, fifo_access>>>;
using bar0 = container<"bar0", 64_KiB, at<0, regs>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
