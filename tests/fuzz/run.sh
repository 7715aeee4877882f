#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [TARGET...]: builds every libFuzzer target (the `fuzz` preset:
# clang 16, ASan + UBSan) and runs each for SECONDS, seeded from its committed corpus
# (tests/fuzz/corpus/<target>/, never written to: new inputs go to build/fuzz/corpus/<target>/).
# Prints per target: executions, executions per second, corpus size, coverage (edges) and
# features, and what was found. Exits non-zero if any target found anything (the reproducer
# is build/fuzz/artifacts/<target>/crash-…; rerun it with `build/fuzz/tests/fuzz/<target> FILE`).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
cmake --preset fuzz >/dev/null
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < build/fuzz/fuzz-targets.txt; fi
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}" >/dev/null
# Symbolised stack traces in the logs, where an llvm-symbolizer is installed.
sym=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
[ -z "$sym" ] || export ASAN_SYMBOLIZER_PATH="$sym"
status=0
printf '%-16s %10s %8s %7s %6s %6s  %s\n' target executions exec/s corpus cov ft found
for t in "${targets[@]}"; do
  [ -n "$t" ] || continue
  seeds=tests/fuzz/corpus/$t
  work=build/fuzz/corpus/$t
  art=build/fuzz/artifacts/$t
  log=build/fuzz/logs/$t.log
  mkdir -p "$work" "$art" "$(dirname "$log")" "$seeds"
  rm -f "$art"/*
  rc=0
  build/fuzz/tests/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$art/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  # The last status line (`#N DONE cov: C ft: F corp: K/...`, or the last `#N ...` line
  # before a crash) and the final stats.
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  found=nothing
  if [ "$rc" -ne 0 ] || compgen -G "$art/*" >/dev/null; then
    status=1
    found="exit $rc: $(ls "$art" 2>/dev/null | tr '\n' ' ')(log: $log)"
  fi
  printf '%-16s %10s %8s %7s %6s %6s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${corp:-?}" \
    "${cov:-?}" "${ft:-?}" "$found"
  if [ "$rc" -ne 0 ]; then
    grep -E 'ERROR|SUMMARY|fuzz_|runtime error' "$log" | head -n 5 >&2 || true
  fi
done
exit $status
