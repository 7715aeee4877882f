// expect-error: mmiotree: the region's offset from the root is not a multiple of the alignment its access policy requires
// expect-error: placement_misaligned_for_access_policy<.*\{"comp/cachemem"\}, .*\{"0x11002"\}, .*\{"0x4"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::placement_misaligned_for_access_policy<mmiotree::v0::fixed_string<13>\{"comp/cachemem"\}, mmiotree::v0::fixed_string<7>\{"0x11002"\}, mmiotree::v0::fixed_string<3>\{"0x4"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::placement_misaligned_for_access_policy<fixed_string<13>\{"comp/cachemem"\}, fixed_string<7>\{"0x11002"\}, fixed_string<3>\{"0x4"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.4): a region is placed at a multiple of the alignment its access policy
// needs. CXL.cachemem registers take exactly 4-byte aligned accesses (access::exactly<4>), so
// the block cannot start at 0x11002.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using comp = container<"comp", 64_KiB,  //
                       at<0, io<"caps", 4_KiB>>,
#ifdef MMIOTREE_CF_POSITIVE
                       at<0x1000, io<"cachemem", 4_KiB, access::exactly<4>>>>;
#else
                       at<0x1002, io<"cachemem", 4_KiB, access::exactly<4>>>>;
#endif
using bar2 = container<"bar2", 1_MiB, at<64_KiB, comp>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar2>;
