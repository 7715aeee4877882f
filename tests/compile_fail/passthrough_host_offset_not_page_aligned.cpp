// expect-error: mmiotree: a passthrough range's host offset is not page-aligned
// expect-error: passthrough_host_offset_not_page_aligned<.*\{"ram"\}, .*\{"0x1000"\}, .*\{"\[0x10000, 0x10fff\]"\}, .*\{"0x800"\}>
// max-lines-gnu: 10
// max-lines-clang: 17
//
// Rule (DESIGN §2.3): an mmap maps whole host pages onto whole guest pages, so a passthrough
// range is mappable only if its guest range and its host offset are both page-aligned. Here the
// guest range is one whole page, but the alias shows the RAM from byte 0x800: the message names
// the host offset, not the guest range, as what is misaligned.
#include <mmiotree/layout/projection.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
constexpr addr_t peek_from = 0x1000;
#else
constexpr addr_t peek_from = 0x800;
#endif
using bar0 = container<"bar0", 128_KiB, at<0, passthrough<"ram", 64_KiB>>,
                       at<64_KiB, alias<"peek", 4_KiB, "ram", peek_from>>>;
[[maybe_unused]] constexpr auto& proj = projection_v<bar0, 4_KiB>;
