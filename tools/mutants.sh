#!/usr/bin/env bash
# mutants.sh [NAME...]: proves that the tests can fail. Each tests/mutants/<name>.patch breaks
# the library on purpose in one named way; the tests it names must then fail. A mutant whose
# tests still pass "survived": the tests do not check what they claim to, and this script
# exits 1.
#
# A static test that fails (a STATIC_REQUIRE or static_assert: "static assertion failed") kills
# a mutant at compile time; any other build failure is an error of the mutant.
#
# A mutant file is a unified diff (patch -p1, from the repository root) preceded by a header:
#   Mutant: <one line: what is broken>
#   Targets: <CMake targets to build, space-separated>
#   Tests: <ctest -R regex selecting the tests that must catch it>
# Everything before the first `--- ` line is the header (patch ignores it).
#
# The work is done on a copy of the working tree (tracked and untracked, not ignored files), in
# one g++ debug build: first unmutated (the named tests must pass there), then each mutant in
# turn (applied, built, tested, reverted). A mutant that no longer applies is an error: the code
# it breaks moved, so the mutant must be rewritten.
#
# Environment: MUTANTS_WORKDIR (default: a new temporary directory, removed at exit).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

mapfile -t all < <(ls tests/mutants/*.patch)
if (($# > 0)); then
  files=()
  for n in "$@"; do files+=("tests/mutants/$n.patch"); done
else
  files=("${all[@]}")
fi

header() { # header FILE KEY
  sed -n "/^--- /q; s/^$2: *//p" "$1" | head -n 1
}

work=${MUTANTS_WORKDIR:-}
if [[ -z $work ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
src=$work/src
build=$work/build
mkdir -p "$src"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$src"

targets=()
for f in "${files[@]}"; do
  [[ -f $f ]] || { echo "mutants: no such mutant: $f" >&2; exit 2; }
  for k in Mutant Targets Tests; do
    [[ -n $(header "$f" $k) ]] || { echo "mutants: $f has no '$k:' line" >&2; exit 2; }
  done
  read -r -a t <<<"$(header "$f" Targets)"
  targets+=("${t[@]}")
done
mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u)

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug \
  -DMMIOTREE_BUILD_EXAMPLES=OFF >/dev/null

echo "=== unmutated: building ${targets[*]}"
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "mutants: the unmutated build fails" >&2; exit 1; }
for f in "${files[@]}"; do
  re=$(header "$f" Tests)
  if ! ctest --test-dir "$build" -R "$re" --no-tests=error >"$work/test.log" 2>&1; then
    cat "$work/test.log"
    echo "mutants: tests '$re' fail without any mutant: fix them first" >&2
    exit 1
  fi
done

survived=()
for f in "${files[@]}"; do
  name=$(basename "$f" .patch)
  re=$(header "$f" Tests)
  read -r -a t <<<"$(header "$f" Targets)"
  echo "=== $name: $(header "$f" Mutant)"
  if ! patch -s -p1 -d "$src" --dry-run <"$f" >/dev/null 2>&1; then
    echo "mutants: $name no longer applies; rewrite it against the current code" >&2
    exit 1
  fi
  patch -s -p1 -d "$src" <"$f"
  verdict=
  if ! cmake --build "$build" -j "$(nproc)" --target "${t[@]}" >"$work/build.log" 2>&1; then
    # A static test (STATIC_REQUIRE, static_assert) that fails kills the mutant at compile time;
    # any other build error means the mutant itself is broken.
    if grep -q 'static assertion failed' "$work/build.log"; then
      # (A static_assert without a message prints no ": …" after the words.)
      verdict="killed (a static assertion: $(grep -m1 -o 'static assertion failed.\{0,60\}' "$work/build.log" || true))"
    else
      cat "$work/build.log"
      patch -s -R -p1 -d "$src" <"$f"
      echo "mutants: $name does not compile for another reason than a failing static test" >&2
      exit 1
    fi
  elif ctest --test-dir "$build" -R "$re" --no-tests=error >"$work/test.log" 2>&1; then
    verdict="SURVIVED"
    survived+=("$name")
  else
    failed=$(grep -cE 'Test +#[0-9]+: .*\*\*\*' "$work/test.log" || true)
    verdict="killed ($failed of the tests matching '$re' failed)"
  fi
  patch -s -R -p1 -d "$src" <"$f"
  echo "    $verdict"
done

# Leave the build as the unmutated code (mutated objects would otherwise linger in the work dir).
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >/dev/null 2>&1 || true
if ((${#survived[@]} > 0)); then
  echo "mutants: ${#survived[@]} survived: ${survived[*]}" >&2
  exit 1
fi
echo "=== all ${#files[@]} mutants killed"
