#!/usr/bin/env bash
# test-all.sh: every test. Installs what is missing, then builds and runs the whole suite with
# g++ 12 (dev), with clang 16, and under ASan + UBSan (clang 16); also checks formatting and
# that every public header compiles on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
echo "=== dependencies ready after ${SECONDS}s" >&2
jobs=$(nproc)
for preset in dev clang asan-ubsan; do
  echo "=== $preset (at ${SECONDS}s)" >&2
  # Explicit, so that a build directory configured earlier with them off still runs them all.
  cmake --preset "$preset" -DMMIOTREE_BUILD_TESTS=ON -DMMIOTREE_BUILD_EXAMPLES=ON >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  # Header self-sufficiency depends on the compiler, not on sanitizer flags: g++ and clang
  # suffice, and skipping it under asan-ubsan keeps the suite short on a 2-core machine.
  if [ "$preset" != asan-ubsan ]; then
    cmake --build --preset "$preset" -j "$jobs" --target all_verify_interface_header_sets
  fi
  ctest --preset "$preset" -j "$jobs"
done
echo "=== clang-format (at ${SECONDS}s)" >&2
git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run --Werror
echo "=== all tests passed in ${SECONDS}s" >&2
