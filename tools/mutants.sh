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
# The work is done on copies of the working tree (tracked and untracked, not ignored files), in
# g++ -O0 builds: first unmutated (the named tests must pass there), then each mutant in turn
# (applied, its targets built, its tests run, reverted, its targets rebuilt). A mutant that no
# longer applies is an error: the code it breaks moved, so the mutant must be rewritten. Name as
# Targets the smallest programs that hold the tests: each is rebuilt twice per mutant.
#
# MUTANTS_JOBS workers (default: one per core) take mutants from a shared queue, each in its own
# copy and build directory, so that both cores stay busy while a mutant rebuilds a single
# translation unit. With ccache (installed by tools/install-deps.sh) the workers share one cache
# inside the work directory: the second worker's unmutated build and every rebuild after a
# mutant is reverted are cache hits, so only mutated code is compiled.
#
# Environment: MUTANTS_WORKDIR (default: a new temporary directory, removed at exit),
# MUTANTS_JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."

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
work=$(realpath "$work")
cores=$(nproc)
workers=${MUTANTS_JOBS:-$cores}
((workers > ${#files[@]})) && workers=${#files[@]}
((workers < 1)) && workers=1

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

launcher=()
if command -v ccache >/dev/null; then
  # One cache for all workers, inside the work directory. Paths under it are rewritten relative
  # (base_dir) and the build directory is not hashed (-g would otherwise hash it), so the same
  # source compiled in another worker's copy is a hit.
  export CCACHE_DIR=$work/ccache CCACHE_BASEDIR=$work CCACHE_NOHASHDIR=true
  export CCACHE_MAXSIZE=20G CCACHE_NOCOMPRESS=true
  # The tests include Catch2 through a precompiled header (tests/CMakeLists.txt); ccache caches
  # such compiles only with this sloppiness (it then hashes the .gch itself).
  export CCACHE_SLOPPINESS=pch_defines,time_macros
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
else
  echo "mutants: no ccache; every rebuild after a revert compiles again (slower)" >&2
fi

# setup N: worker N's copy of the tree, configured and built unmutated.
setup() {
  local w=$work/w$1
  mkdir -p "$w/src"
  git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$w/src"
  # -O0 without debug information: -g costs little on most test programs but 5.7x on the ones
  # that instantiate a whole PCI configuration space (its register block's type, spelled out
  # in every symbol, is repeated in the DWARF), and nothing here is ever debugged.
  cmake -S "$w/src" -B "$w/build" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DMMIOTREE_BUILD_EXAMPLES=OFF -DMMIOTREE_BUILD_DEMO=ON "${launcher[@]}" >/dev/null
  cmake --build "$w/build" -j "$cores" --target "${targets[@]}" >"$w/build.log" 2>&1 ||
    { cat "$w/build.log"; echo "mutants: the unmutated build fails" >&2; exit 1; }
}

echo "=== unmutated: building ${targets[*]} ($workers workers)"
for ((i = 0; i < workers; ++i)); do setup "$i"; done
# The named tests must pass without any mutant: all of them at once, then each regex must select
# at least one test.
union=$(for f in "${files[@]}"; do printf '(%s)|' "$(header "$f" Tests)"; done)
if ! ctest --test-dir "$work/w0/build" -j "$cores" -R "${union%|}" >"$work/test.log" 2>&1; then
  cat "$work/test.log"
  echo "mutants: the named tests fail without any mutant: fix them first" >&2
  exit 1
fi
for f in "${files[@]}"; do
  re=$(header "$f" Tests)
  # (grep -c reads all of ctest's output: -q would exit at the first match and, under pipefail,
  # the SIGPIPE ctest may get would read as a failure.)
  if ! ctest --test-dir "$work/w0/build" -N -R "$re" | grep -c '^  Test *#' >/dev/null; then
    echo "mutants: $f: no test matches '$re'" >&2
    exit 1
  fi
done

echo 0 >"$work/queue"
: >"$work/survived"
take() { # the next index into files, or nothing when the queue is empty or a worker failed
  [[ -e $work/stop ]] && return
  flock "$work/queue" bash -c 'n=$(<"$1"); echo $((n + 1)) >"$1"; echo "$n"' _ "$work/queue"
}

# worker N: takes mutants until the queue is empty. A mutant that cannot be judged (does not
# apply, or does not compile for a reason other than a static test) stops every worker.
worker() {
  local w=$work/w$1 jobs=$((cores / workers > 0 ? cores / workers : 1)) i f name re verdict failed start
  local -a t
  while i=$(take) && [[ -n $i ]] && ((i < ${#files[@]})); do
    f=${files[i]}
    start=$SECONDS
    name=$(basename "$f" .patch)
    re=$(header "$f" Tests)
    read -r -a t <<<"$(header "$f" Targets)"
    if ! patch -s -p1 -d "$w/src" --dry-run <"$f" >/dev/null 2>&1; then
      echo "mutants: $name no longer applies; rewrite it against the current code" >"$w/error"
      touch "$work/stop"
      return 1
    fi
    patch -s -p1 -d "$w/src" <"$f"
    if ! cmake --build "$w/build" -j "$jobs" --target "${t[@]}" >"$w/build.log" 2>&1; then
      # A static test (STATIC_REQUIRE, static_assert) that fails kills the mutant at compile
      # time; any other build error means the mutant itself is broken.
      if grep -q 'static assertion failed' "$w/build.log"; then
        # (A static_assert without a message prints no ": …" after the words.)
        verdict="killed (a static assertion: $(grep -m1 -o 'static assertion failed.\{0,60\}' "$w/build.log" || true))"
      else
        { cat "$w/build.log"
          echo "mutants: $name does not compile for another reason than a failing static test"
        } >"$w/error"
        touch "$work/stop"
        patch -s -R -p1 -d "$w/src" <"$f"
        return 1
      fi
    elif ctest --test-dir "$w/build" -R "$re" --no-tests=error >"$w/test.log" 2>&1; then
      verdict="SURVIVED"
      echo "$name" >>"$work/survived"
    else
      failed=$(grep -cE 'Test +#[0-9]+: .*\*\*\*' "$w/test.log" || true)
      verdict="killed ($failed of the tests matching '$re' failed)"
    fi
    patch -s -R -p1 -d "$w/src" <"$f"
    # Rebuild what the mutant built, unmutated (cache hits with ccache), so that no mutated
    # program is left behind: a later mutant's test regex may select tests in it without naming
    # it as a target, and would be judged against this mutant's code.
    if ! cmake --build "$w/build" -j "$jobs" --target "${t[@]}" >"$w/build.log" 2>&1; then
      { cat "$w/build.log"; echo "mutants: the unmutated build fails after reverting $name"; } >"$w/error"
      touch "$work/stop"
      return 1
    fi
    # One write per mutant, so that the workers' lines do not interleave.
    printf '=== %s: %s\n    %s [%ss]\n' "$name" "$(header "$f" Mutant)" "$verdict" \
      $((SECONDS - start))
  done
}

pids=()
for ((i = 0; i < workers; ++i)); do
  worker "$i" &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
if ((status != 0)); then
  for ((i = 0; i < workers; ++i)); do
    [[ -f $work/w$i/error ]] && cat "$work/w$i/error" >&2
  done
  exit 1
fi
mapfile -t survived <"$work/survived"
if ((${#survived[@]} > 0)); then
  echo "mutants: ${#survived[@]} survived: ${survived[*]}" >&2
  exit 1
fi
echo "=== all ${#files[@]} mutants killed"
