#!/usr/bin/env bash
# test-all.sh: every test. Installs what is missing, then builds and runs the whole suite with
# g++ 12 at -O0 (dev) and -O2 (o2) and under ASan + UBSan (clang 16), runs clang 16's
# compile-fail and package tests and the concurrency tests under ThreadSanitizer, runs every
# libFuzzer target for a bounded time from its committed corpus (tests/fuzz/run.sh), checks that
# every public header compiles on its own with both compilers, checks formatting, and runs the
# mutants (tools/mutants.sh: each deliberately broken library must fail the tests that claim to
# catch it).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
echo "=== dependencies ready after ${SECONDS}s" >&2
jobs=$(nproc)
# g++ 12: everything, at -O0 and at -O2 (optimiser-dependent behaviour and warnings, such as
# -Warray-bounds inside inlined library code, appear only there). clang 16 under ASan+UBSan:
# every test program (built with -Werror, so this is also the clang warning check) except
# compile-fail and package tests. clang 16 plain: header self-sufficiency, the compile-fail
# tests (its diagnostics differ from g++'s) and the package tests; its unit-test build would
# repeat the sanitizer build without sanitizers.
for preset in dev o2 asan-ubsan clang; do
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
  if [ "$preset" = o2 ]; then
    # The compile-fail, package and docs tests do not depend on the optimisation level.
    ctest --preset "$preset" -j "$jobs" -LE 'compile-fail|package|docs'
  else
    ctest --preset "$preset" -j "$jobs"
  fi
done
# ThreadSanitizer: the concurrency tests (readers dispatching while writers commit and rebind).
echo "=== tsan (at ${SECONDS}s)" >&2
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs"
ctest --preset tsan -j "$jobs"
# libFuzzer (clang 16, ASan + UBSan): each target ~15 s from its committed seed corpus, every
# input checked against the target's model; MMIOTREE_FUZZ_SECONDS changes the time.
echo "=== fuzz (at ${SECONDS}s)" >&2
tests/fuzz/run.sh "${MMIOTREE_FUZZ_SECONDS:-15}"
echo "=== clang-format (at ${SECONDS}s)" >&2
git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run --Werror
echo "=== mutants (at ${SECONDS}s)" >&2
tools/mutants.sh
echo "=== all tests passed in ${SECONDS}s" >&2
