#!/usr/bin/env bash
# The server on loopback under wrk, measured against itself in the same run:
#   1. /predict cache hits (a 16 KB JPEG, hash included) vs /health (the HTTP floor),
#      64 connections, alternating runs; goal: hits >= 0.5x the floor, p99 <= 2 ms; and
#      both at fixed offered rates (open loop: bench_open_loop).
#   2. /predict misses (the model runs) and a 90/10 mix; the access log's cost.
#   3. 10,000 idle keep-alive connections: held, answered, server RSS before/while.
#   4. SIGTERM under load: every request the server read is answered; exit 0.
# Usage: tests/bench/server/bench_server.sh [BUILD_DIR] [SECONDS]   (--smoke: 2 s runs, 500 connections)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
smoke=0
args=()
for a in "$@"; do
  if [ "$a" = "--smoke" ]; then smoke=1; else args+=("$a"); fi
done
build="${args[0]:-$root/build/release}"
seconds="${args[1]:-15}"
idle_connections=10000
if [ $smoke = 1 ]; then seconds=2; idle_connections=500; fi

server="$build/app/tierscope-server"
tool="$build/tests/bench/bench_server_tool"
load="$root/tests/load"
for f in "$server" "$tool"; do [ -x "$f" ] || { echo "bench_server: $f not built" >&2; exit 1; }; done
command -v wrk > /dev/null || { echo "bench_server: wrk not found (Debian package wrk)" >&2; exit 1; }

tmp="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
sha="no SHA-NI"; grep -qw sha_ni /proc/cpuinfo && sha="SHA-NI"
echo "machine: $cpu, $(nproc) cores, $sha; wrk and the server share them"

"$tool" jpeg "$tmp/photo.jpg" 16 > /dev/null
echo "payload: $(stat -c %s "$tmp/photo.jpg") byte JPEG"

start_server() {  # $1: access log (off | FILE)
  "$server" --listen 127.0.0.1:0 --l2-dir "$tmp/l2" --l2-no-fsync --no-tryon --access-log "$1" --no-workload \
    > "$tmp/out" 2> "$tmp/err" &
  pid=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$tmp/out" 2> /dev/null && break
    sleep 0.1
  done
  port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/out")"
  [ -n "$port" ] || { echo "bench_server: server did not start" >&2; cat "$tmp/err" >&2; exit 1; }
  url="http://127.0.0.1:$port"
  # Load the model and cache the payload's prediction.
  curl -sf -H "Content-Type: image/jpeg" --data-binary @"$tmp/photo.jpg" "$url/predict" > /dev/null
}

stop_server() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}

field() { grep -o "\"$2\":[0-9.]*" <<< "$1" | cut -d: -f2; }
run() {  # $1 label, rest: wrk arguments after the URL
  local label="$1"; shift
  local line
  line="$(wrk -c64 -t1 -d"${seconds}s" "$@" | tail -1)"
  printf "  %-28s %9.0f req/s  p50 %6.3f ms  p99 %6.3f ms  errors %d/%d\n" "$label" "$(field "$line" requests_per_s)" \
    "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" \
    "$(( $(field "$line" errors_read) + $(field "$line" errors_connect) + $(field "$line" errors_timeout) ))" \
    "$(field "$line" non_2xx)" >&2
  echo "$line"
}

echo
echo "1. /predict hit vs /health floor (64 connections, ${seconds}s each, alternating, access log off)"
start_server off
h1="$(run "/health" -s "$load/health.lua" "$url")"
p1="$(run "/predict hit" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" hit)"
h2="$(run "/health" -s "$load/health.lua" "$url")"
p2="$(run "/predict hit" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" hit)"
pm="$(run "/predict hit, multipart" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" hit 0 multipart)"
awk -v h1="$(field "$h1" requests_per_s)" -v h2="$(field "$h2" requests_per_s)" \
    -v p1="$(field "$p1" requests_per_s)" -v p2="$(field "$p2" requests_per_s)" \
    -v q1="$(field "$p1" p99_ms)" -v q2="$(field "$p2" p99_ms)" 'BEGIN {
  r = (p1 + p2) / (h1 + h2); q = (q1 > q2) ? q1 : q2;
  printf "  ratio hit/floor %.2fx (goal >= 0.5: %s); worst hit p99 %.2f ms (goal <= 2: %s)\n",
         r, (r >= 0.5) ? "met" : "NOT met", q, (q <= 2) ? "met" : "NOT met" }'

# The same at fixed offered rates (bench_open_loop: latency counted from when each request
# was due, so the load generator's queue is not what is measured): where the tail comes
# from below saturation.
open_loop="$build/tests/bench/bench_open_loop"
if [ -x "$open_loop" ]; then
  echo "  open loop, 64 connections, ${seconds}s each (latency from each request's due time):"
  rates="10000 20000 30000"
  [ $smoke = 1 ] && rates="5000"
  for rate in $rates; do
    for what in health hit; do
      if [ "$what" = health ]; then
        line="$("$open_loop" "127.0.0.1:$port" GET /health - none 64 "$rate" "$seconds" 1 || true)"
      else
        line="$("$open_loop" "127.0.0.1:$port" POST /predict "$tmp/photo.jpg" image/jpeg 64 "$rate" "$seconds" 1 || true)"
      fi
      printf "    %-8s %s\n" "$what" "$line"
    done
  done
fi

echo
echo "2. Misses (every request a new image: hash, decode, model) and a 90/10 mix"
run "/predict miss" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" miss > /dev/null
run "/predict 10% miss" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" mix 10 > /dev/null
stop_server
start_server "$tmp/access.log"
run "/health, access log on" -s "$load/health.lua" "$url" > /dev/null
run "/predict hit, access log on" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" hit > /dev/null
stop_server

echo
echo "3. $idle_connections idle keep-alive connections"
start_server off
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
before="$(rss)"
"$tool" hold "$port" "$idle_connections" 10 > "$tmp/hold.json" 2> "$tmp/hold.err" &
holder=$!
for _ in $(seq 600); do grep -q holding "$tmp/hold.err" 2> /dev/null && break; sleep 0.1; done
sleep 2
during="$(rss)"
open_now="$(curl -s "$url/stats" | grep -o '"connections_open":[0-9]*' | cut -d: -f2)"
wait "$holder" && held=ok || held=FAILED
echo "  $(cat "$tmp/hold.json")"
awk -v b="$before" -v d="$during" -v n="$idle_connections" -v o="$open_now" -v h="$held" 'BEGIN {
  printf "  server RSS %.1f MiB -> %.1f MiB while holding %d (%.1f KiB each; server counted %d open); all held and answered: %s\n",
         b / 1024, d / 1024, n, (d - b) / n, o, h }'
stop_server

echo
echo "4. SIGTERM under load (64 connections, 90/10 mix)"
start_server off
wrk -c64 -t1 -d"$(( seconds < 6 ? 6 : seconds ))s" -s "$load/predict.lua" "$url" -- "$tmp/photo.jpg" mix 10 > "$tmp/wrk.txt" &
loader=$!
sleep 3
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
wait "$loader" || true
stopped="$(grep -o 'stopped: .*' "$tmp/err")"
line="$(tail -1 "$tmp/wrk.txt")"
echo "  server exit $status; $stopped"
echo "  wrk: $(field "$line" requests) answered, read errors $(field "$line" errors_read), connect errors $(field "$line" errors_connect) (after the listener closed), non-2xx $(field "$line" non_2xx)"
read_n="$(sed -n 's/.*stopped: \([0-9]*\) requests read, \([0-9]*\) answered.*/\1/p' "$tmp/err")"
answered_n="$(sed -n 's/.*stopped: \([0-9]*\) requests read, \([0-9]*\) answered.*/\2/p' "$tmp/err")"
if [ "$status" = 0 ] && [ -n "$read_n" ] && [ "$read_n" = "$answered_n" ]; then
  echo "  every request read was answered: yes"
else
  echo "  every request read was answered: NO" >&2
  exit 1
fi
