#!/usr/bin/env python3
"""Synthetic traces that shift between recency and frequency phases, for checking that
W-TinyLFU's window adapts on workloads it was not tuned on (issue #10, item 3).

  tests/bench/peer/make_phase_traces.py OUTDIR

Writes three LIRS-format traces (one key per line), deterministic (seeded):
  phases.trace    Zipf(0.9) over 50k keys, alternating every 60k requests with a
                  recency phase (a stream of new keys, 75 % of requests re-reading one
                  of the last 1,500 / 400 keys, the most recent most likely): 12 phases.
  popshift.trace  six phases of 50k requests, each Zipf(1.0) over its own 20k keys: the
                  popular set moves and the old counts must fade.
  drift.trace     400k requests, Zipf(0.95) over 20k ranks whose keys slide by one every
                  40 requests: a key's popularity rises steadily, then it is gone.
Replay them with: tierscope-replay --trace OUTDIR/phases.trace --format lirs
  --policies wtinylfu,lru,arc --sizes 100,500,2000
"""
import bisect
import os
import random
import sys


def zipf_cdf(n, s):
    weights = [1 / (k ** s) for k in range(1, n + 1)]
    total = sum(weights)
    cdf, acc = [], 0.0
    for w in weights:
        acc += w / total
        cdf.append(acc)
    return cdf


def zipf_sampler(rng, n, s):
    cdf = zipf_cdf(n, s)
    perm = list(range(n))
    rng.shuffle(perm)
    return lambda: perm[min(bisect.bisect_left(cdf, rng.random()), n - 1)]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(5)
    keys, next_key = [], [10_000_000]

    def recency_phase(length, recent, p_new):
        history = []
        for _ in range(length):
            if not history or rng.random() < p_new:
                next_key[0] += 1
                k = next_key[0]
            else:
                k = history[-1 - int(rng.random() ** 2 * min(len(history), recent))]
            history.append(k)
            keys.append(k)

    for variant in range(2):
        zipf = zipf_sampler(rng, 50_000, 0.9)
        for phase in range(6):
            if phase % 2 == 0:
                keys.extend(zipf() for _ in range(60_000))
            else:
                recency_phase(60_000, 1_500 if variant == 0 else 400, 0.25)
    with open(os.path.join(out_dir, "phases.trace"), "w") as f:
        f.write("\n".join(map(str, keys)) + "\n")

    keys = []
    for phase in range(6):
        zipf = zipf_sampler(rng, 20_000, 1.0)
        keys.extend(phase * 100_000 + zipf() for _ in range(50_000))
    with open(os.path.join(out_dir, "popshift.trace"), "w") as f:
        f.write("\n".join(map(str, keys)) + "\n")

    # Ranks in order (not permuted as zipf_sampler's are): rank r at request i is key r + i/40.
    drift_rng = random.Random(3)
    cdf = zipf_cdf(20_000, 0.95)
    keys = [min(bisect.bisect_left(cdf, drift_rng.random()), 19_999) + i // 40 for i in range(400_000)]
    with open(os.path.join(out_dir, "drift.trace"), "w") as f:
        f.write("\n".join(map(str, keys)) + "\n")


if __name__ == "__main__":
    main()
