#!/usr/bin/env bash
# A six-node loopback Redis Cluster (3 masters, 3 replicas) resharded and failed over
# under load.   tests/bench/redis/bench_redis_cluster.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
bench=build/release/tests/bench/bench_redis_cluster
[ -x "$bench" ] || { echo "build first: cmake --build --preset release" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing: scripts/install-deps.sh" >&2; exit 1; }
dir=$(mktemp -d)
base=$((21000 + RANDOM % 8000))
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done
cleanup() {
  for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
for p in "${ports[@]}"; do
  redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile "$dir/$p.log" \
    --dir "$dir" --cluster-enabled yes --cluster-config-file "$dir/nodes-$p.conf" --cluster-node-timeout 1000
done
for p in "${ports[@]}"; do for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done; done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes >/dev/null
for _ in $(seq 100); do
  ok=1
  for p in "${ports[@]}"; do redis-cli -p "$p" cluster info | grep -q cluster_state:ok || ok=0; done
  [ $ok = 1 ] && [ "$(redis-cli -p "${ports[0]}" cluster slots | wc -l)" -ge 27 ] && break
  sleep 0.2
done
sleep 1
lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print "cpu: " $2}'
"$bench" "${ports[@]}"
