// expect-error: mmiotree: sibling regions overlap at equal priority
// max-lines-gnu: 15
// max-lines-clang: 33
//
// Sentinel: a valid tree. The harness must report a compile-fail test that compiles as failing
// (status 10), whatever its expectations say.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 8_KiB, at<0, io<"a", 8_KiB>>, at<4_KiB, io<"b", 4_KiB>, 1>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<bar>;
