// expect-error: mmiotree: a region must not have size zero
// expect-error: region_has_zero_size<.*\{"regs/doorbell"\}, .*\{"0x1000"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::region_has_zero_size<mmiotree::v0::fixed_string<13>\{"regs/doorbell"\}, mmiotree::v0::fixed_string<6>\{"0x1000"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::region_has_zero_size<fixed_string<13>\{"regs/doorbell"\}, fixed_string<6>\{"0x1000"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): every region has a size; a zero-size region claims nothing and is
// almost always a size computed wrongly.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

inline constexpr addr_t doorbell_size =
#ifdef MMIOTREE_CF_POSITIVE
    4;
#else
    0;
#endif

using regs = container<"regs", 16_KiB,  //
                       at<0, io<"ctrl", 4_KiB>>, at<4_KiB, io<"doorbell", doorbell_size>>>;
using bar0 = container<"bar0", 64_KiB, at<0, regs>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
