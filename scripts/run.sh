#!/usr/bin/env bash
# Installs what is missing, builds Tierscope (Release) and starts the desktop app on
# the embedded engine with the demo workload. Without a display it says so and runs
# the HTTP server (tierscope-server on 127.0.0.1:8001, with the demo load and a live
# summary line each second) instead. Extra arguments go to the program started.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tierscope tierscope-server

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found (DISPLAY and WAYLAND_DISPLAY are unset): running the headless server:" \
       "tierscope-server on http://127.0.0.1:8001 with the demo load (curl 127.0.0.1:8001/health; Ctrl-C stops it)"
  exec build/release/app/tierscope-server --workload --summary "$@"
fi
exec build/release/app/tierscope "$@"
