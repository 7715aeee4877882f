// expect-error: mmiotree: sibling regions overlap at equal priority
// max-lines-gnu: 15
// max-lines-clang: 33
//
// Sentinel: MMIOTREE_CF_POSITIVE does not flip the bad line, so the positive twin does not
// compile. The harness must report it as failing (status 13).
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 8_KiB, at<0, io<"a", 8_KiB>>, at<4_KiB, io<"b", 4_KiB>>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar>;
