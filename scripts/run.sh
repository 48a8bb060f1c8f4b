#!/usr/bin/env bash
# Installs what is missing, builds Tierscope (Release) and starts the desktop app on
# the embedded engine with the demo workload. Without a display it says so and runs
# the headless server instead. Extra arguments go to `tierscope` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tierscope

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found (DISPLAY and WAYLAND_DISPLAY are unset): running the headless server: tierscope --headless"
  exec build/release/app/tierscope --headless "$@"
fi
exec build/release/app/tierscope "$@"
