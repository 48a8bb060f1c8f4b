#!/usr/bin/env bash
# The peer benchmark: Tierscope's MemoryTier against Debian's Caffeine on the same
# workloads and traces, run alternately, medians and spread, a ratio table.
#
#   tests/bench/peer/run_peer.sh [--reps N] [--seconds S] [--smoke] [--hit-ratio-only]
#
# Throughput: reads over 100k resident entries (uniform), reads over 1,000 hot keys
# (Zipf 0.99), get-or-put (Zipf 0.9 over 1M keys, 100k capacity), puts with evictions;
# 1 and 2 threads; each run warms up first (Java: 1.5 s for the JIT). Hit ratio: every
# trace in ../shared/traces at every size, Caffeine (synchronous eviction, median of the
# repetitions: its sketch is seeded at random) beside tierscope-replay (W-TinyLFU, LRU,
# ARC). Memory per resident entry beside Caffeine's. Skips with a message when javac or the Caffeine jar is missing.
set -euo pipefail
cd "$(dirname "$0")/../../.."
reps=5 seconds=3 smoke=0 hit_ratio_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --smoke) smoke=1 reps=1 seconds=0.3; shift ;;
    --hit-ratio-only) hit_ratio_only=1; shift ;;  # the replays alone (a few minutes, not ~25)
    *) echo "run_peer: unknown option $1" >&2; exit 2 ;;
  esac
done
jar=/usr/share/java/caffeine.jar
bench=build/release/tests/bench/bench_peer
[ -x build/release/tests/bench/bench_memory_per_entry ] || { echo "run_peer: build first" >&2; exit 1; }
replay=build/release/app/tierscope-replay
if ! command -v javac >/dev/null || [ ! -f "$jar" ]; then
  echo "run_peer: skipped — needs javac and $jar (apt-get install openjdk-17-jdk-headless libcaffeine-java; scripts/install-deps.sh does)"
  exit 0
fi
[ -x "$bench" ] && [ -x "$replay" ] || { echo "run_peer: build first (cmake --build --preset release)" >&2; exit 1; }
classes=build/release/tests/bench/peer-java
mkdir -p "$classes"
javac -d "$classes" -cp "$jar" tests/bench/peer/CaffeinePeer.java
java_run() { java -Xms1g -Xmx4g -XX:+UseParallelGC -cp "$jar:$classes" CaffeinePeer "$@"; }
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
spread() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%.3g–%.3g", lo/1e6, hi/1e6}'; }
lscpu | awk -F: '/Model name/{gsub(/^ +/,"",$2); print "cpu: " $2}'
echo "cores: $(nproc); reps: $reps; seconds per run: $seconds"
echo
# ratio: the median of the per-repetition ratios (each ours / the Caffeine run next to it),
# with their range: on a shared VM the machine's speed drifts over minutes, and a pair run
# seconds apart sees the same drift, where medians of each side taken apart do not.
printf "%-20s %7s %22s %10s %22s %20s %7s\n" workload threads "tierscope M/s" "(lru M/s)" "caffeine M/s" "ratio [range]" "lru/caf"
# reads-uniform-hashed: our uniform reads with each key's hash kept beside it (Java's String
# caches its hash), against Caffeine's plain uniform reads: how much of that gap is hashing.
workloads="reads-uniform reads-hot getorput put reads-uniform-hashed"
[ $smoke = 1 ] && workloads="reads-hot put"
[ $hit_ratio_only = 1 ] && workloads=""
for w in $workloads; do
  for t in 1 2; do
    ours=() lru=() theirs=()
    for r in $(seq "$reps"); do
      # Alternate, so drift in the machine's speed lands on both sides.
      ours+=("$($bench "$w" "$t" "$seconds" wtinylfu | sed 's/ops_per_sec=//')")
      theirs+=("$(java_run "${w%-hashed}" "$t" "$seconds" | sed 's/ops_per_sec=//')")
      lru+=("$($bench "$w" "$t" "$seconds" lru | sed 's/ops_per_sec=//')")
    done
    mo=$(printf "%s\n" "${ours[@]}" | median); mt=$(printf "%s\n" "${theirs[@]}" | median)
    ml=$(printf "%s\n" "${lru[@]}" | median)
    pairs=() lru_pairs=()
    for i in "${!ours[@]}"; do
      pairs+=("$(awk -v a="${ours[$i]}" -v b="${theirs[$i]}" 'BEGIN{print a/b}')")
      lru_pairs+=("$(awk -v a="${lru[$i]}" -v b="${theirs[$i]}" 'BEGIN{print a/b}')")
    done
    ratio=$(printf "%s\n" "${pairs[@]}" | median)
    range=$(printf "%s\n" "${pairs[@]}" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%.2f–%.2f", lo, hi}')
    printf "%-20s %7s %22s %10s %22s %20s %6.2fx\n" "$w" "$t" \
      "$(awk -v v="$mo" 'BEGIN{printf "%.2f", v/1e6}') [$(printf "%s\n" "${ours[@]}" | spread)]" \
      "$(awk -v v="$ml" 'BEGIN{printf "%.2f", v/1e6}')" \
      "$(awk -v v="$mt" 'BEGIN{printf "%.2f", v/1e6}') [$(printf "%s\n" "${theirs[@]}" | spread)]" \
      "$(awk -v r="$ratio" 'BEGIN{printf "%.2fx", r}') [$range]" "$(printf "%s\n" "${lru_pairs[@]}" | median)"
  done
done

if [ $hit_ratio_only = 0 ]; then
  echo
  n=200000
  [ $smoke = 1 ] && n=20000
  echo "memory per resident entry ($n entries, 24-byte keys, key and value excluded):"
  build/release/tests/bench/bench_memory_per_entry "$n" | sed -n '3,4p'
  echo "  Caffeine (JVM heap after GC, compressed oops)       $(java_run memory "$n" | sed 's/bytes_per_entry=//') B"
fi

traces=../shared/traces
if [ ! -d "$traces" ]; then echo; echo "run_peer: $traces not found: hit-ratio part skipped"; exit 0; fi
echo
echo "hit ratio (%): Caffeine = median of $reps runs; delta = W-TinyLFU - max(Caffeine, LRU, ARC)"
printf "%-22s %6s %9s %9s %9s %9s %9s %7s\n" trace size caffeine wtinylfu lru arc opt delta
sizes="100,200,500,1000,2000"
[ $smoke = 1 ] && sizes="500"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Synthetic recency/frequency phase shifts beside the shipped traces (make_phase_traces.py).
synthetic=()
if [ $smoke = 0 ] && command -v python3 >/dev/null; then
  python3 tests/bench/peer/make_phase_traces.py "$tmp/synthetic"
  synthetic=("$tmp/synthetic/phases.trace" "$tmp/synthetic/popshift.trace" "$tmp/synthetic/drift.trace")
fi
for f in "$traces"/*.trace.gz "$traces"/*.lis.zst "${synthetic[@]}"; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  [ $smoke = 1 ] && [ "$name" != lirs-ps.trace.gz ] && continue
  "$replay" --trace "$f" --dump-keys "$tmp/keys"
  "$replay" --trace "$f" --policies wtinylfu,lru,arc,opt --sizes "$sizes" --csv > "$tmp/ours.csv"
  for r in $(seq "$reps"); do java_run replay "$tmp/keys" ${sizes//,/ }; done > "$tmp/caf.txt"
  for s in ${sizes//,/ }; do
    caf=$(grep "^size=$s " "$tmp/caf.txt" | sed 's/.*hit_ratio=//' | median)
    awk -F, -v s="$s" -v caf="$caf" -v name="$name" 'NR>1 && $3==s {v[$2]=$6}
      END {best=caf; if (v["lru"]>best) best=v["lru"]; if (v["arc"]>best) best=v["arc"];
           printf "%-22s %6s %9.2f %9.2f %9.2f %9.2f %9.2f %+7.2f\n", name, s, 100*caf, 100*v["wtinylfu"], 100*v["lru"],
                  100*v["arc"], 100*v["opt"], 100*(v["wtinylfu"]-best)
           printf "%s %.4f %.4f\n", name, 100*(v["opt"]-v["wtinylfu"]), 100*(v["opt"]-caf) >> "'"$tmp/dist"'"}' "$tmp/ours.csv"
  done
done
if [ -s "$tmp/dist" ]; then
  awk '$1 !~ /^(phases|popshift|drift)/ {w+=$2; c+=$3; n++}
       END {if (n) printf "mean distance to Belady'"'"'s optimal over the shipped traces (%d points): W-TinyLFU %.2f, Caffeine %.2f points\n", n, w/n, c/n}' "$tmp/dist"
fi
