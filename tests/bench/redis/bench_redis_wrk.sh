#!/usr/bin/env bash
# Two tierscope-servers sharing one loopback Redis, under wrk (issue #12):
#   1. server A computes predictions for 3,000 distinct images; server B then serves the
#      same images — from Redis, not its model;
#   2. Redis is killed (SIGKILL) while wrk runs against B: every request still answered;
#   3. Redis started again (empty): how soon B uses it again, and B under wrk after.
# Usage: tests/bench/redis/bench_redis_wrk.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="${1:-$root/build/release}"
seconds="${2:-6}"
server="$build/app/tierscope-server"
tool="$build/tests/bench/bench_server_tool"
load="$root/tests/load"
for f in "$server" "$tool"; do [ -x "$f" ] || { echo "bench_redis_wrk: $f not built" >&2; exit 1; }; done
for c in wrk redis-server redis-cli curl; do
  command -v $c > /dev/null || { echo "bench_redis_wrk: $c missing (scripts/install-deps.sh)" >&2; exit 1; }
done
tmp="$(mktemp -d)"
pids=()
rport=$((23000 + RANDOM % 5000))
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  redis-cli -p "$rport" shutdown nosave > /dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
start_redis() {
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile "$tmp/redis.log" \
    --pidfile "$tmp/redis.pid"
  for _ in $(seq 50); do redis-cli -p "$rport" ping > /dev/null 2>&1 && break; sleep 0.1; done
}
start_server() {  # $1 name; sets $url (not run in a subshell: the pid must reach cleanup)
  "$server" --listen 127.0.0.1:0 --l2-dir off --no-tryon --access-log off --no-workload --redis "127.0.0.1:$rport" \
    > "$tmp/$1.out" 2> "$tmp/$1.err" &
  pids+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$tmp/$1.out" 2> /dev/null && break; sleep 0.1; done
  local port
  port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/$1.out")"
  [ -n "$port" ] || { echo "bench_redis_wrk: server $1 did not start" >&2; cat "$tmp/$1.err" >&2; exit 1; }
  url="http://127.0.0.1:$port"
}
field() { grep -o "\"$2\":[0-9.]*" <<< "$1" | cut -d: -f2; }
served() { curl -sf "$1/stats" | grep -o "\"served\":{[^}]*}"; }
redis_ok() { curl -sf "$1/health" | grep -q '"available":true'; }
row() {  # label, wrk JSON line
  printf "| %s | %s | %s | %s | %s | %s |\n" "$1" "$(field "$2" requests)" \
    "$(( $(field "$2" errors_read) + $(field "$2" errors_connect) + $(field "$2" errors_timeout) + $(field "$2" non_2xx) ))" \
    "$(field "$2" requests_per_s)" "$(field "$2" p50_ms)" "$(field "$2" p99_ms)"
}
wrk_b() { wrk -c32 -t1 -d"$1s" -s "$load/predict.lua" "$url_b" -- "$tmp/photo.jpg" keys 3000 | tail -1; }

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "machine: $cpu, $(nproc) cores; wrk, two servers and Redis share them"
"$tool" jpeg "$tmp/photo.jpg" 16 > /dev/null
start_redis
start_server a
url_a="$url"
start_server b
url_b="$url"
curl -sf -H "Content-Type: image/jpeg" --data-binary @"$tmp/photo.jpg" "$url_a/predict" > /dev/null  # load the models
curl -sf -H "Content-Type: image/jpeg" --data-binary @"$tmp/photo.jpg" "$url_b/predict" > /dev/null
wrk -c32 -t1 -d"$((seconds * 2))s" -s "$load/predict.lua" "$url_a" -- "$tmp/photo.jpg" keys 3000 > /dev/null
echo "A warmed Redis: $(redis-cli -p "$rport" dbsize) keys; B before: $(served "$url_b")"
echo
echo "| phase (wrk on server B, 32 connections, 3,000 images) | requests | failed | req/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|"
row "Redis up (B reads A's predictions)" "$(wrk_b "$seconds")"
after_up="$(served "$url_b")"
wrk_b "$((seconds + 2))" > "$tmp/outage.json" &
wrk_pid=$!
sleep 2
kill -9 "$(cat "$tmp/redis.pid")"
wait $wrk_pid
row "Redis killed 2 s into the run" "$(tail -1 "$tmp/outage.json")"
after_outage="$(served "$url_b")"
start_redis
t0=$(date +%s%N)
for _ in $(seq 200); do
  if redis_ok "$url_b"; then break; fi
  sleep 0.05
done
back_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
row "Redis back (empty, refilling)" "$(wrk_b "$seconds")"
echo
echo "B served (cumulative) after phase 1: $after_up"
echo "B served (cumulative) after phase 2: $after_outage"
echo "B served (cumulative) at the end:    $(served "$url_b")"
echo "B's /health showed Redis available ${back_ms} ms after redis-server was started again"
