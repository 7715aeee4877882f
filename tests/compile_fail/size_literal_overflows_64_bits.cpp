// expect-error: mmiotree: size literal does not fit in 64 bits
// expect-error: operator""_GiB\(20000000000\)
// expect-error-gnu: in .constexpr. expansion of .mmiotree::v0::literals::operator""_GiB\(20000000000\).
// expect-error-clang: error: call to consteval function .mmiotree::literals::operator""_GiB. is not a constant expression
// expect-errors-clang: 2
//   clang 16 reports the failed consteval call and the constexpr variable it initializes
//   (docs/diagnostics.md, "Rough edges").
// max-lines-gnu: 12
// max-lines-clang: 34
//
// Rule: size literals are consteval and refuse a value that does not fit in 64 bits, instead
// of wrapping to a small size. 20000000000 GiB is about 2^74 bytes.
#include <mmiotree/core/units.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
inline constexpr addr_t window = 2_GiB;
#else
inline constexpr addr_t window = 20000000000_GiB;
#endif
