#!/usr/bin/env bash
# tests/compile_fail/check.sh: the compile-fail harness, run by CTest (see CMakeLists.txt).
#
#   check.sh MODE COMPILER COMPILER_ID SOURCE INCLUDE_DIRS IMPLICIT_DIRS DEFINITIONS [FLAG...]
#
# MODE
#   fail      SOURCE must NOT compile, every expectation must match the compiler's output, and
#             the output must be as short as the test declares:
#               // expect-error: <ERE>        always (the file must begin with one)
#               // expect-error-gnu: <ERE>    only when COMPILER_ID is GNU
#               // expect-error-clang: <ERE>  only when COMPILER_ID is Clang
#             Each <ERE> is a POSIX extended regex matched (grep -E) against the output lines.
#               // expect-errors: N           how many errors both compilers report (default 1:
#                                             one mistake, one error)
#               // expect-errors-gnu: N       the same for one compiler, overriding the line
#               // expect-errors-clang: N     above; say in the test why it is not 1
#               // max-lines-gnu: N           at most N lines of output; the line for the
#               // max-lines-clang: N         compiler in use is required
#             Set N to what g++ 12 / clang 16 print today plus a margin of one or two frames of
#             the instantiation chain, so that a refactoring of the library that deepens it by
#             a helper passes and a cascade or a second error does not: +2 for g++ (a frame is
#             one `required from` line), +3 for clang (a frame is a note, its source line and
#             its caret).
#             N is the first word after the colon; the rest of the line is a comment. An error
#             is a diagnostic line whose severity is `error` or `fatal error`, as in
#             `file:1:2: error: ...` (`error_line` below); notes and source lines that quote
#             "error: " and clang's "N errors generated." do not count.
#   positive  SOURCE compiled with -DMMIOTREE_CF_POSITIVE (the bad line flipped to a good one)
#             MUST compile, warnings being errors.
#   expect=N  sentinel: run `fail` (or `positive` with expect-positive=N) and succeed only if
#             the harness fails with exit status N, proving it can fail for that reason (with
#             N = 0: only if it passes, for a file it must not reject).
# INCLUDE_DIRS, IMPLICIT_DIRS, DEFINITIONS are '|'-separated lists (from CMake generator
# expressions); include directories the compiler searches anyway (IMPLICIT_DIRS, e.g.
# /usr/include) are dropped, as CMake does, since `-I/usr/include` breaks libstdc++'s
# #include_next.
#
# Exit status: 0 pass; 10 the file compiled; 11 an expectation did not match; 12 the file
# has no leading `// expect-error:` line; 13 the positive twin did not compile; 14 the number
# of errors differs from the declared one; 15 more lines of output than the declared maximum;
# 16 no `// max-lines-<compiler>:` line for the compiler in use, or a count line that is
# repeated or not a positive integer; 2 usage. When several apply, the first of 11, 14, 15.
set -uo pipefail

readonly ok=0 compiled=10 mismatch=11 malformed=12 positive_failed=13 error_count=14 \
  too_long=15 bad_count_line=16 usage=2

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

# The compiler's tag in header lines: gnu, clang, or the CMake compiler id as it is.
case $cxx_id in
  GNU) tag=gnu ;;
  Clang | AppleClang) tag=clang ;;
  *) tag=$cxx_id ;;
esac

# An error is a diagnostic whose severity is `error` or `fatal error`: a line that begins with
# it (`error: unknown argument`), or with a program name (`g++: error: ...`), or with a source
# location `FILE:LINE[:COLUMN]: ` holding no ": " (`diag.hpp:95:17: error: ...`). So a note that
# quotes "error: " (`note: in call to 'check(&"x: error: y"[0])'`), g++'s `in 'constexpr'
# expansion of '...'` and `In instantiation of '...layout_error::...'` lines, a source line
# clang quotes from column 0 and clang's "2 errors generated." are not errors.
readonly error_line='^((fatal )?error: |[-+./<>_A-Za-z0-9]+: (fatal )?error: |[^ ]([^:]|:[^ ])*:[0-9]+(:[0-9]+)?: (fatal )?error: )'

# Reads the count lines of SOURCE into `counts` (key -> N). Returns 1, after saying why, when
# one names an unknown key, is repeated, or its N (the first word) is not a positive integer.
declare -A counts
read_counts() {
  local line key rest n
  while IFS= read -r line; do
    key=${line#"// "}
    key=${key%%:*}
    case $key in
      expect-errors | expect-errors-gnu | expect-errors-clang | "expect-errors-$tag") ;;
      max-lines-gnu | max-lines-clang | "max-lines-$tag") ;;
      *)
        echo "MALFORMED: '$line' in $source: unknown count line"
        return 1
        ;;
    esac
    rest=${line#"// $key:"}
    read -r n _ <<<"$rest"
    if [[ $rest != " "* || ! $n =~ ^[1-9][0-9]*$ ]]; then
      echo "MALFORMED: '$line' in $source: expected '// $key: N', N a positive integer"
      return 1
    fi
    if [[ -n ${counts[$key]:-} ]]; then
      echo "MALFORMED: '// $key:' appears twice in $source"
      return 1
    fi
    counts[$key]=$n
  done < <(grep -E '^// (expect-errors|max-lines)[-a-zA-Z0-9]*:' "$source")
  return 0
}

check_fail() {
  local first
  first=$(head -n 1 "$source")
  if [[ $first != "// expect-error: "* ]]; then
    echo "MALFORMED: $source must begin with '// expect-error: <regex>'"
    return $malformed
  fi
  read_counts || return $bad_count_line
  local want_errors=${counts[expect-errors-$tag]:-${counts[expect-errors]:-1}}
  local max_lines=${counts[max-lines-$tag]:-}
  if [[ -z $max_lines ]]; then
    echo "MALFORMED: $source has no '// max-lines-$tag: N' line (the most lines of output" \
      "$cxx_id may print for it)"
    return $bad_count_line
  fi
  compile
  local lines errors
  lines=$(printf '%s\n' "$output" | wc -l)
  errors=$(grep -Ec -e "$error_line" <<<"$output")
  if ((status == 0)); then
    echo "COMPILED: $source compiled, but it must not"
    [[ -n $output ]] && printf '%s\n' "$output"
    return $compiled
  fi
  local want failed=0 checked=0
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
  local result=$ok
  if ((errors != want_errors)); then
    echo "ERROR COUNT: $errors error(s), the test declares $want_errors"
    result=$error_count
  fi
  if ((lines > max_lines)); then
    echo "TOO LONG: $lines lines of output, the test allows at most $max_lines"
    ((result == ok)) && result=$too_long
  fi
  ((failed)) && result=$mismatch
  echo "($cxx_id: $errors error(s) of $want_errors expected, $lines lines of output of at most" \
    "$max_lines, $checked expectation(s))"
  if ((result != ok)); then
    echo "---- compiler output ----"
    printf '%s\n' "$output"
  fi
  return $result
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
    if ((got == want && want == ok)); then
      echo "SENTINEL OK: the harness passed, as it must"
      exit $ok
    elif ((got == want)); then
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
