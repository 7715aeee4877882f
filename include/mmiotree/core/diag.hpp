// core/diag.hpp: plumbing for compile-time diagnostics.
#pragma once

#include <mmiotree/core/config.hpp>

MMIOTREE_BEGIN_NAMESPACE

namespace diag {
/// A dependent `false`, so a `static_assert` in an error template fires only when the template
/// is instantiated (i.e. when the check found that error).
template <class...>
inline constexpr bool always_false = false;
template <auto...>
inline constexpr bool always_false_v = false;

/// Not constexpr on purpose: calling it in a constant expression stops compilation, and both
/// g++ and clang then print the call with its string argument (the technique of fmt's
/// `report_error`). Used by consteval entry points whose arguments are values.
void compile_error(const char* message);
}  // namespace diag

MMIOTREE_END_NAMESPACE
