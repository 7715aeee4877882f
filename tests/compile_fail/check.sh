#!/usr/bin/env bash
# tests/compile_fail/check.sh: the compile-fail harness, run by CTest (see CMakeLists.txt).
#
#   check.sh MODE COMPILER COMPILER_ID SOURCE INCLUDE_DIRS IMPLICIT_DIRS DEFINITIONS [FLAG...]
#
# MODE
#   fail      SOURCE must NOT compile, and every expectation must match the compiler's output:
#               // expect-error: <ERE>        always (the file must begin with one)
#               // expect-error-gnu: <ERE>    only when COMPILER_ID is GNU
#               // expect-error-clang: <ERE>  only when COMPILER_ID is Clang
#             Each <ERE> is a POSIX extended regex matched (grep -E) against the output lines.
#   positive  SOURCE compiled with -DMMIOTREE_CF_POSITIVE (the bad line flipped to a good one)
#             MUST compile, warnings being errors.
#   expect=N  sentinel: run `fail` (or `positive` with expect-positive=N) and succeed only if
#             the harness fails with exit status N, proving it can fail for that reason.
# INCLUDE_DIRS, IMPLICIT_DIRS, DEFINITIONS are '|'-separated lists (from CMake generator
# expressions); include directories the compiler searches anyway (IMPLICIT_DIRS, e.g.
# /usr/include) are dropped, as CMake does, since `-I/usr/include` breaks libstdc++'s
# #include_next.
#
# Exit status: 0 pass; 10 the file compiled; 11 an expectation did not match; 12 the file
# has no leading `// expect-error:` line; 13 the positive twin did not compile; 2 usage.
set -uo pipefail

readonly ok=0 compiled=10 mismatch=11 malformed=12 positive_failed=13 usage=2

if (($# < 7)); then
  echo "usage: $0 MODE COMPILER COMPILER_ID SOURCE INCLUDE_DIRS IMPLICIT_DIRS DEFINITIONS [FLAG...]" >&2
  exit $usage
fi
mode=$1 cxx=$2 cxx_id=$3 source=$4 include_dirs=$5 implicit_dirs=$6 definitions=$7
shift 7
extra_flags=("$@")

export LC_ALL=C  # plain ASCII quotes from g++, independent of the user's locale

# The compiler command line: the library's usage requirements, C++20, syntax only.
args=(-std=c++20 -fsyntax-only -fdiagnostics-color=never)
IFS='|' read -r -a implicit <<<"$implicit_dirs"
IFS='|' read -r -a incs <<<"$include_dirs"
for d in "${incs[@]}"; do
  [[ -z $d ]] && continue
  skip=0
  for i in "${implicit[@]}"; do [[ $d == "$i" ]] && skip=1; done
  ((skip)) || args+=("-I$d")
done
IFS='|' read -r -a defs <<<"$definitions"
for d in "${defs[@]}"; do [[ -n $d ]] && args+=("-D$d"); done
args+=("${extra_flags[@]}")

# Runs the compiler; sets `output` and `status`.
compile() {
  output=$("$cxx" "${args[@]}" "$@" "$source" 2>&1)
  status=$?
}

check_fail() {
  local first
  first=$(head -n 1 "$source")
  if [[ $first != "// expect-error: "* ]]; then
    echo "MALFORMED: $source must begin with '// expect-error: <regex>'"
    return $malformed
  fi
  compile
  local lines errors
  lines=$(printf '%s\n' "$output" | wc -l)
  errors=$(grep -c 'error:' <<<"$output")
  if ((status == 0)); then
    echo "COMPILED: $source compiled, but it must not"
    [[ -n $output ]] && printf '%s\n' "$output"
    return $compiled
  fi
  local tag want failed=0 checked=0
  case $cxx_id in
    GNU) tag=gnu ;;
    Clang | AppleClang) tag=clang ;;
    *) tag=$cxx_id ;;
  esac
  while IFS= read -r line; do
    case $line in
      "// expect-error: "*) want=${line#"// expect-error: "} ;;
      "// expect-error-$tag: "*) want=${line#"// expect-error-$tag: "} ;;
      *) continue ;;
    esac
    checked=$((checked + 1))
    # A here-string, not a pipe: `grep -q` exits at the first match, and under pipefail the
    # writer's SIGPIPE would turn a match into a failure whenever the output is long enough.
    if grep -Eq -e "$want" <<<"$output"; then
      echo "matched:     $want"
    else
      echo "NOT MATCHED: $want"
      failed=1
    fi
  done < <(grep -E '^// expect-error(-[a-z]+)?: ' "$source")
  echo "($cxx_id: $errors error(s), $lines lines of output, $checked expectation(s))"
  if ((failed)); then
    echo "---- compiler output ----"
    printf '%s\n' "$output"
    return $mismatch
  fi
  return $ok
}

check_positive() {
  compile -DMMIOTREE_CF_POSITIVE -Wall -Wextra -Wpedantic -Werror
  if ((status != 0)); then
    echo "POSITIVE TWIN FAILED: $source with -DMMIOTREE_CF_POSITIVE must compile"
    printf '%s\n' "$output"
    return $positive_failed
  fi
  echo "compiles with -DMMIOTREE_CF_POSITIVE"
  return $ok
}

case $mode in
  fail) check_fail ;;
  positive) check_positive ;;
  expect=* | expect-positive=*)
    want=${mode#*=}
    if [[ $mode == expect-positive=* ]]; then
      check_positive
    else
      check_fail
    fi
    got=$?
    if ((got == want)); then
      echo "SENTINEL OK: the harness failed with status $got, as it must"
      exit $ok
    fi
    echo "SENTINEL BROKEN: the harness returned $got, expected $want"
    exit 1
    ;;
  *)
    echo "unknown mode '$mode'" >&2
    exit $usage
    ;;
esac
