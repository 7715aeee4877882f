#!/usr/bin/env bash
# install-deps.sh [--demo]: installs the Debian 12 packages mmiotree needs, only those that
# are missing (quiet when nothing is). Run as root. Idempotent. With --demo, only what building
# and running vmm-demo needs (tools/run-main.sh); without, everything the tests and benchmarks
# need (tools/test-all.sh), the demo's packages included.
set -euo pipefail
# The library (header-only; needs fmt) and a g++ 12 build with CMake + Ninja. Boost.Hana and
# range-v3 are not used: docs/design.md has the measurements that decided it.
pkgs=(cmake ninja-build g++ libfmt-dev)
# vmm-demo: Unicorn (the CPU), libelf (the guest's ELF), CLI11 (its options), pkg-config (to find
# the first two) and the aarch64 cross compiler for the guest (freestanding: no libc needed).
pkgs+=(pkg-config libunicorn-dev libelf-dev libcli11-dev gcc-aarch64-linux-gnu)
if [ "${1:-}" != --demo ]; then
  # The tests: clang 16 (sanitizers, compile-fail), clang-format, Catch2, Google Benchmark,
  # git (the format check lists files with it); python3: the docs tests
  # (tools/check-doc-snippets.py) and tools/update-diagnostics-doc.py; ccache: tools/mutants.sh
  # recompiles only mutated code with it.
  pkgs+=(git ca-certificates clang-16 libclang-rt-16-dev clang-format catch2 libbenchmark-dev
         python3 ccache)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
