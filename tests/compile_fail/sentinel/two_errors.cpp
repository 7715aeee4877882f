// expect-error: mmiotree: sibling regions overlap at equal priority
// max-lines-gnu: 24
// max-lines-clang: 62
//
// Sentinel: two trees, each with siblings that overlap at equal priority, so two errors, and
// no `// expect-errors:` line, so one is expected. The harness must count both and fail (status
// 14), as it would for a cascade after a test's one mistake. The line limits are what the
// compilers print (22 and 59 lines) plus the usual margin, so only the count is wrong.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 8_KiB, at<0, io<"a", 8_KiB>>, at<4_KiB, io<"b", 4_KiB>>>;
using baz = container<"baz", 8_KiB, at<0, io<"c", 8_KiB>>, at<4_KiB, io<"d", 4_KiB>>>;

[[maybe_unused]] constexpr auto& bar_view = flat_view_v<bar>;
[[maybe_unused]] constexpr auto& baz_view = flat_view_v<baz>;
