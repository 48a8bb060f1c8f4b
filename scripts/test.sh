#!/usr/bin/env bash
# Installs what is missing, builds everything (Release, with tests and benchmarks) and
# runs the whole ctest suite. GUI tests render offscreen; no display is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release
