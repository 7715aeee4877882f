// expect-error: mmiotree: a passthrough range shares a host page with trapped bytes
// expect-error: passthrough_shares_host_page_with_trapped_bytes<.*\{"ram"\}, .*\{"0x1000"\}, .*\{"\[0x0, 0x100f\]"\}, .*\{"0x0"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::passthrough_shares_host_page_with_trapped_bytes<mmiotree::v0::fixed_string<3>\{"ram"\}, mmiotree::v0::fixed_string<6>\{"0x1000"\}, mmiotree::v0::fixed_string<13>\{"\[0x0, 0x100f\]"\}, mmiotree::v0::fixed_string<3>\{"0x0"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::passthrough_shares_host_page_with_trapped_bytes<fixed_string<4UL - 1>\{"ram"\}, fixed_string<6>\{"0x1000"\}, fixed_string<13>\{"\[0x0, 0x100f\]"\}, fixed_string<4UL - 1>\{"0x0"\}>
// max-lines-gnu: 12
// max-lines-clang: 20
//
// Rule (DESIGN §2.3): a host page is either mapped or trapped. The 4-byte doorbell at 0x1010
// overlays the RAM, so the page [0x1000, 0x2000) would hold both mapped bytes of "ram" and the
// trapped doorbell; the first such passthrough range is [0, 0x100F].
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar0 = container<"bar0", 64_KiB,  //
                       at<0, passthrough<"ram", 64_KiB>>,
                       at<0x1010, io<"doorbell", 4, access::exactly<4>>, 1>>;

#ifdef MMIOTREE_CF_POSITIVE
[[maybe_unused]] constexpr auto& proj = projection_v<bar0, 4_KiB, page_policy::trap_partial_pages>;
#else
[[maybe_unused]] constexpr auto& proj = projection_v<bar0, 4_KiB>;
#endif
