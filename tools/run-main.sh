#!/usr/bin/env bash
# run-main.sh: the main job. Installs what is missing, builds, and runs the CXL Type-2
# component-register BAR example (its tree, flat view and mmap/trap projection).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
# Same configuration as tools/test-all.sh (tests on): switching them off here would be cached
# in build/dev and silently drop the tests from a later `ctest --preset dev`.
cmake --preset dev >/dev/null
cmake --build --preset dev --target cxl_type2_bar
./build/dev/examples/cxl_type2_bar
