#!/usr/bin/env bash
# test-all.sh: every test. Installs what is missing, then builds and runs the whole suite with
# g++ 12 (dev) and under ASan + UBSan (clang 16), runs clang 16's compile-fail and package
# tests, checks that every public header compiles on its own with both compilers, and checks
# formatting.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
echo "=== dependencies ready after ${SECONDS}s" >&2
jobs=$(nproc)
# g++ 12: everything. clang 16 under ASan+UBSan: every test program (built with -Werror, so
# this is also the clang warning check) except compile-fail and package tests. clang 16 plain:
# header self-sufficiency, the compile-fail tests (its diagnostics differ from g++'s) and the
# package tests; its unit-test build would repeat the sanitizer build without sanitizers.
for preset in dev asan-ubsan clang; do
  echo "=== $preset (at ${SECONDS}s)" >&2
  # Explicit, so that a build directory configured earlier with them off still runs them all.
  cmake --preset "$preset" -DMMIOTREE_BUILD_TESTS=ON -DMMIOTREE_BUILD_EXAMPLES=ON >/dev/null
  if [ "$preset" = clang ]; then
    cmake --build --preset "$preset" -j "$jobs" --target all_verify_interface_header_sets
    ctest --preset "$preset" -j "$jobs" -L 'compile-fail|package'
    continue
  fi
  cmake --build --preset "$preset" -j "$jobs"
  # Header self-sufficiency depends on the compiler, not on sanitizer flags.
  if [ "$preset" = dev ]; then
    cmake --build --preset "$preset" -j "$jobs" --target all_verify_interface_header_sets
  fi
  ctest --preset "$preset" -j "$jobs"
done
echo "=== clang-format (at ${SECONDS}s)" >&2
git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run --Werror
echo "=== all tests passed in ${SECONDS}s" >&2
