#!/usr/bin/env bash
# Redis-hit against L2-hit latency (1 KB, 100 KB values) on a loopback redis-server this
# script starts and stops, then (ROUNDS >= 1000) Redis killed and restarted under load.
#   tests/bench/redis/bench_redis.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
bench=build/release/tests/bench/bench_redis_tier
command -v redis-server >/dev/null || { echo "bench_redis: skipped — redis-server not installed (scripts/install-deps.sh)"; exit 0; }
[ -x "$bench" ] || { echo "bench_redis: build first (cmake --build --preset release)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile '' >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print "cpu: " $2}'
"$bench" "$port" "${1:-2000}"
if [ "${1:-2000}" -ge 1000 ]; then
  echo
  echo "Redis killed under load (4 threads, 5,000 keys over a 1,000-entry L1, 2 ms origin):"
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile /dev/null
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  build/release/tests/bench/bench_redis_outage "$port"
fi
