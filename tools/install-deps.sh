#!/usr/bin/env bash
# install-deps.sh [--bench]: installs the Debian 12 packages mmiotree needs, only those that
# are missing (quiet when nothing is). Run as root. Idempotent.
set -euo pipefail
# python3: the docs tests (tools/check-doc-snippets.py) and tools/update-diagnostics-doc.py.
pkgs=(git ca-certificates cmake ninja-build g++ clang-16 libclang-rt-16-dev clang-format
      libboost-dev libfmt-dev librange-v3-dev catch2 libbenchmark-dev python3)
# Benchmarks also compare against Unicorn's memory API (bench/more/bench_update.cpp).
if [ "${1:-}" = --bench ]; then pkgs+=(libunicorn-dev); fi
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
