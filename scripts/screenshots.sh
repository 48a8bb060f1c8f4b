#!/usr/bin/env bash
# Regenerates docs/screenshots/: every tab of the desktop app at 1600x1000 and 1024x600,
# rendered offscreen from the project's own data only (the drawn demo assets; no sample
# photo, nothing derived from one). Needs a release build (scripts/test.sh makes one).
set -euo pipefail
cd "$(dirname "$0")/.."
app=build/release/app/tierscope
tryon=build/release/app/tierscope-tryon
[ -x "$app" ] && [ -x "$tryon" ] || { echo "screenshots: build first (cmake --build --preset release)" >&2; exit 1; }
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
"$tryon" --write-demo "$demo" >/dev/null
mkdir -p docs/screenshots
export QT_QPA_PLATFORM=offscreen
for size in 1600x1000 1024x600; do
  "$app" --window-size "$size" --l2-dir "$demo/l2-dash-$size" --screenshot "docs/screenshots/dashboard-$size.png" --log-level warn
  "$app" --window-size "$size" --l2-dir off --no-workload --tab classification --classify "$demo" \
         --screenshot "docs/screenshots/classification-$size.png" --log-level warn
  "$app" --window-size "$size" --l2-dir off --no-workload --tab tryon --tryon demo \
         --screenshot "docs/screenshots/tryon-$size.png" --log-level warn
  # The monitor's tabs over the demo load (each on a fresh L2, so what is shown is this run's).
  for tab in capacity whatif browser alerts logs; do
    "$app" --window-size "$size" --l2-dir "$demo/l2-$tab-$size" --tab "$tab" \
           --screenshot "docs/screenshots/$tab-$size.png" --log-level info >/dev/null 2>&1
  done
done
# One server's tabs in the remote console: try-on over POST /tryon, capacity, logs.
server=build/release/app/tierscope-server
if [ -x "$server" ]; then
  "$server" --listen 127.0.0.1:0 --workload --rate 800 --threads 2 --keys 20000 --l2-dir "$demo/remote-l2" --l2-no-fsync \
    --no-auth --log-level info > "$demo/remote.out" 2>&1 &
  rpid=$!
  for _ in $(seq 300); do grep -q "listening on" "$demo/remote.out" && break; sleep 0.1; done
  url="http://$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$demo/remote.out")"
  for tab in tryon capacity logs; do
    extra=(); [ "$tab" = tryon ] && extra=(--tryon demo)
    "$app" --window-size 1600x1000 --connect "$url" --tab "$tab" "${extra[@]}" \
           --screenshot "docs/screenshots/remote-$tab-1600x1000.png" --log-level warn
  done
  kill "$rpid"; wait "$rpid" 2>/dev/null || true
fi
# The fleet view: two servers under their demo load sharing one Redis (skipped without
# redis-server).
server=build/release/app/tierscope-server
if command -v redis-server >/dev/null && [ -x "$server" ]; then
  rport=$((24000 + RANDOM % 4000))
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile /dev/null
  pids=()
  for i in 1 2; do
    "$server" --listen 127.0.0.1:0 --workload --rate $((400 * i + 200)) --threads 2 --keys 20000 --l2-dir "$demo/fleet-l2-$i" \
      --l2-no-fsync --no-tryon --redis "127.0.0.1:$rport" --log-level warn > "$demo/server-$i.out" 2>&1 &
    pids+=($!)
  done
  urls=()
  for i in 1 2; do
    for _ in $(seq 300); do grep -q "listening on" "$demo/server-$i.out" && break; sleep 0.1; done
    urls+=("http://$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$demo/server-$i.out")")
  done
  for size in 1600x1000 1024x600; do
    "$app" --window-size "$size" --connect "${urls[0]},${urls[1]}" --screenshot "docs/screenshots/fleet-$size.png" \
           --log-level warn
  done
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true
fi
ls -l docs/screenshots
