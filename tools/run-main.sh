#!/usr/bin/env bash
# run-main.sh: the main job. Installs what is missing, builds, and runs the CXL Type-2
# component-register BAR example (its tree, flat view and mmap/trap projection).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset dev -DMMIOTREE_BUILD_TESTS=OFF >/dev/null
cmake --build --preset dev --target cxl_type2_bar
./build/dev/examples/cxl_type2_bar
