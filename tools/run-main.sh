#!/usr/bin/env bash
# run-main.sh: the main job. Installs what the demo needs (only what is missing), builds
# vmm-demo and its aarch64 guest, and runs it: the guest drives a passed-through CXL Type-2
# accelerator through an mmiotree address map (vmm-demo/README.md). Extra arguments go to
# vmm-demo (try --help, --kernel=v2, --flow=guest-commit, --comp-regs=forward, --trace).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --demo
# Its own build directory (build/demo), so that the tests' configuration is never changed.
cmake --preset demo >/dev/null
cmake --build --preset demo
./build/demo/vmm-demo/vmm-demo "$@"
