#!/usr/bin/env bash
# test-all.sh: every test. Installs what is missing, then builds and runs the whole suite with
# g++ 12 (dev), with clang 16, and under ASan + UBSan (clang 16); also checks formatting and
# that every public header compiles on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
jobs=$(nproc)
for preset in dev clang asan-ubsan; do
  echo "=== $preset" >&2
  # Explicit, so that a build directory configured earlier with them off still runs them all.
  cmake --preset "$preset" -DMMIOTREE_BUILD_TESTS=ON -DMMIOTREE_BUILD_EXAMPLES=ON >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  cmake --build --preset "$preset" -j "$jobs" --target all_verify_interface_header_sets
  ctest --preset "$preset" -j "$jobs"
done
echo "=== clang-format" >&2
git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run --Werror
