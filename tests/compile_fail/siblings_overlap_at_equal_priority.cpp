// expect-error: mmiotree: sibling regions overlap at equal priority
// expect-error: siblings_overlap_at_equal_priority<.*\{"accel"\}, .*\{"comp_regs"\}, .*\{"\[0x101000, 0x101fff\]"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::siblings_overlap_at_equal_priority<mmiotree::v0::fixed_string<5>\{"accel"\}, mmiotree::v0::fixed_string<9>\{"comp_regs"\}, mmiotree::v0::fixed_string<20>\{"\[0x101000, 0x101fff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::siblings_overlap_at_equal_priority<fixed_string<6UL - 1>\{"accel"\}, fixed_string<10UL - 1>\{"comp_regs"\}, fixed_string<20>\{"\[0x101000, 0x101fff\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2): siblings that overlap must differ in priority; QEMU would silently pick
// the one added last. COMP_REGS overlays the accelerator window at [0x101000, 0x102000).
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar2 = container<"bar2", 2_MiB,  //
                       at<0, passthrough<"accel", 2_MiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                       at<0x101000, io<"comp_regs", 4_KiB, access::exactly<4>>, 1>>;
#else
                       at<0x101000, io<"comp_regs", 4_KiB, access::exactly<4>>>>;  // priority 0
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<bar2>;
