// expect-error: mmiotree: this message does not exist
// max-lines-gnu: 15
// max-lines-clang: 33
//
// Sentinel: a real layout error (siblings overlap at equal priority) whose expectation names a
// message no diagnostic prints. The harness must report it as failing (status 11).
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 8_KiB, at<0, io<"a", 8_KiB>>, at<4_KiB, io<"b", 4_KiB>>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar>;
