#!/usr/bin/env bash
# tests/fuzz/long-run.sh [TARGET...]: the long run of docs/reliability.md. Runs each target
# until it has executed FUZZ_LONG_RUNS inputs (default 10 million) or used FUZZ_LONG_CPU
# CPU-seconds (default 3600), whichever comes first, and prints one line per target: date,
# executions, CPU seconds, executions per CPU second, corpus, coverage, features, findings.
#
# The budget is CPU time, not wall time, so a run may share the machine (or be stopped with
# SIGSTOP and resumed) without losing any of it: a watchdog reads the fuzzer's CPU time from
# /proc and interrupts it (SIGINT: libFuzzer prints its final statistics and exits 72) when the
# budget is spent. libFuzzer's own clocks are wall clocks, so on a shared machine its slow-unit
# reports are switched off and its timeout is 60 s; an input that times out is run again alone
# and reported as a finding only if it takes more than 10 s there too. The binaries are copied before the runs, so rebuilding the `fuzz` preset
# meanwhile (the test command does) changes nothing; the corpus lives in build/fuzz-long/,
# seeded from the committed one and from build/fuzz/corpus/ when that exists.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${FUZZ_LONG_RUNS:-10000000}
cpu_budget=${FUZZ_LONG_CPU:-3600}
cmake --preset fuzz >/dev/null
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < build/fuzz/fuzz-targets.txt; fi
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}" >/dev/null
out=build/fuzz-long
mkdir -p "$out/bin" "$out/logs"
sym=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
[ -z "$sym" ] || export ASAN_SYMBOLIZER_PATH="$sym"
tick=$(getconf CLK_TCK)
status=0
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- include tests/fuzz || echo ' (modified)')"
printf '%-16s %-20s %11s %7s %8s %7s %6s %6s  %s\n' target started executions cpu-s exec/s \
  corpus cov ft found
for t in "${targets[@]}"; do
  [ -n "$t" ] || continue
  cp build/fuzz/tests/fuzz/"$t" "$out/bin/$t"
  work=$out/corpus/$t
  art=$out/artifacts/$t
  log=$out/logs/$t.log
  mkdir -p "$work" "$art"
  rm -f "$art"/*
  dirs=("$work" "tests/fuzz/corpus/$t")
  [ ! -d "build/fuzz/corpus/$t" ] || dirs+=("build/fuzz/corpus/$t")
  started=$(date -u +%Y-%m-%dT%H:%MZ)
  "$out/bin/$t" -runs="$runs" -timeout=60 -report_slow_units=1000000 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$art/" "${dirs[@]}" >"$log" 2>&1 &
  pid=$!
  cpu=0
  # The watchdog: utime + stime (fields 14 and 15 of /proc/PID/stat, after the command name).
  while kill -0 "$pid" 2>/dev/null; do
    if stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
      read -r -a f <<<"${stat##*) }"
      cpu=$(((f[11] + f[12]) / tick))
      if ((cpu >= cpu_budget)); then
        kill -INT "$pid" 2>/dev/null || true
        break
      fi
    fi
    sleep 1
  done
  rc=0
  wait "$pid" || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  found=nothing
  # A timeout (exit 70) that does not repeat alone was the machine's load, not the input.
  if [ "$rc" -eq 70 ] && timeout_input=$(compgen -G "$art/timeout-*" | head -n 1) &&
    "$out/bin/$t" -timeout=10 "$timeout_input" >"$log.timeout-rerun" 2>&1; then
    rc=72
    mv "$timeout_input" "$out/logs/$t.timeout-under-load"
    found="nothing (stopped early by a timeout under load: not repeated alone)"
  fi
  # 0: the runs are done; 72: interrupted by the watchdog at the CPU budget.
  if { [ "$rc" -ne 0 ] && [ "$rc" -ne 72 ]; } || compgen -G "$art/*" >/dev/null; then
    status=1
    found="exit $rc: $(ls "$art" 2>/dev/null | tr '\n' ' ')(log: $log)"
  fi
  rate=?
  [ -z "$execs" ] || ((cpu == 0)) || rate=$((execs / cpu))
  printf '%-16s %-20s %11s %7s %8s %7s %6s %6s  %s\n' "$t" "$started" "${execs:-?}" "$cpu" \
    "$rate" "${corp:-?}" "${cov:-?}" "${ft:-?}" "$found"
done
exit $status
