// expect-error: mmiotree: access sizes are 1, 2, 4 or 8 bytes
// expect-error: exactly<3>
// expect-error-gnu: In instantiation of .constexpr const mmiotree::v0::access_policy mmiotree::v0::access::exactly<3>.:
// expect-error-clang: error: constexpr variable .exactly<3>. must be initialized by a constant expression
// expect-errors-clang: 5
//   clang 16: the invalid policy makes the template argument and each later use of the region
//   type an error too (docs/diagnostics.md, "An access size other than 1, 2, 4 or 8").
// max-lines-gnu: 17
// max-lines-clang: 55
//
// Rule (DESIGN §2.4): a guest access is 1, 2, 4 or 8 bytes wide, so an access policy can only
// name those sizes.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using fifo = io<"fifo", 4_KiB, access::exactly<4>>;
#else
using fifo = io<"fifo", 4_KiB, access::exactly<3>>;
#endif
using bar0 = container<"bar0", 64_KiB, at<0, fifo>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar0>;
