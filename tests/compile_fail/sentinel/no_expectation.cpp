// Sentinel: no leading `// expect-error:` line. A compile-fail test that does not say which
// error it expects proves nothing, so the harness must refuse it (status 12).
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 8_KiB, at<0, io<"a", 8_KiB>>, at<4_KiB, io<"b", 4_KiB>>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar>;
