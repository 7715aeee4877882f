// expect-error: mmiotree: sibling regions overlap at equal priority
//
// Sentinel: no `// max-lines-gnu:` / `// max-lines-clang:` line. A compile-fail test that does
// not bound its output could grow a cascade unnoticed, so the harness must refuse it (status
// 16) before compiling it.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 8_KiB, at<0, io<"a", 8_KiB>>, at<4_KiB, io<"b", 4_KiB>>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar>;
