// The full TieredCache::get hit path (namespace lookup, request counters, sampled latency,
// the live-curve request tap) against MemoryTier::get alone on the same L1 configuration
// (W-TinyLFU, 64 shards, a background Maintainer, 100k resident keys, uniform reads): the
// cost of everything TieredCache adds in front of its L1.
//
// Measured as alternating slices in one process — a slice of one, then of the other — and
// reported as the median of each slice's ratio to the slice of the other beside it. This
// VM's speed drifts by ±30 % within seconds; two slices milliseconds apart see the same
// drift, two processes run one after the other do not (docs/benchmarks.md §8).
//
//   bench_hit_path [ROUNDS=30] [SLICE_MS=40]   # a line per fill order and thread count (1, 2)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <sched.h>

#include "packed_keys.h"
#include "tierscope/cache/maintainer.h"
#include "tierscope/cache/memory_tier.h"
#include "tierscope/cache/tiered_cache.h"

namespace {

constexpr size_t kCapacity = 100'000;

std::string key(uint64_t i) { return "model:v3:image:" + std::to_string((i * 2654435761ull) % 999'999'937ull); }

// Worker t runs on CPU t (modulo the CPUs there are) in every slice: a VM's virtual CPUs
// differ in speed from moment to moment, and a thread the scheduler moved between them
// made single-thread pairs bimodal (ratios 0.6 / 1.0 / 1.6 within one run).
void pin_to_cpu(int t) {
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(unsigned(t) % cpus, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);  // best effort: unpinned if refused
}

// Runs read(i) for uniform i on `threads` threads for `slice`; returns reads per second.
double run_slice(int threads, std::chrono::milliseconds slice, const std::function<bool(size_t)>& read,
                 uint64_t seed) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      pin_to_cpu(t);
      uint64_t x = 0x9E3779B97F4A7C15ull * (seed + uint64_t(t) + 1);
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int b = 0; b < 256; ++b) {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
          if (!read(x % kCapacity)) std::abort();  // every key is resident: a miss is a bug
        }
        n += 256;
      }
      total.fetch_add(n);
    });
  }
  std::this_thread::sleep_for(slice);
  stop.store(true);
  for (auto& w : workers) w.join();
  return double(total.load()) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(q * double(v.size())))];
}

// Both candidates built and filled one after the other (`tiered_first` picks the order),
// then measured in alternating slices at 1 and 2 threads. Filled interleaved, key by key,
// one candidate's nodes and values sit between the other's and the ratio moved by ±25 %
// with the order of the two puts; filled apart, the order moves it by a few percent, and
// both orders are reported.
void measure(bool tiered_first, const tierscope::bench::PackedKeys& keys, int rounds, std::chrono::milliseconds slice) {
  tierscope::Maintainer maintainer;  // as TieredCache runs its L1s
  tierscope::MemoryTierOptions tier_options;
  tier_options.max_entries = kCapacity;
  tier_options.max_bytes = 0;
  tier_options.shard_bits = 6;
  tier_options.policy = tierscope::EvictionPolicyKind::kWTinyLfu;
  tier_options.maintainer = &maintainer;
  tierscope::MemoryTier tier(tier_options);

  tierscope::NamespaceOptions ns;
  ns.name = "bench";
  ns.l1_max_entries = kCapacity;
  ns.l1_max_bytes = 0;
  ns.ttl = tierscope::Duration::zero();
  ns.loader = tierscope::make_compute_loader([](std::string_view) { return tierscope::make_value("x"); });
  tierscope::TieredCacheOptions cache_options;
  cache_options.namespaces = {ns};
  cache_options.l1_policy = tierscope::EvictionPolicyKind::kWTinyLfu;
  cache_options.l1_shard_bits = 6;
  cache_options.record_accesses = true;  // the live-curve tap, on as the console and the server run it
  tierscope::TieredCache cache(cache_options);

  // Distinct value objects, as loads produce: one shared value would make every get
  // contend on one reference count.
  const auto fill_tier = [&] {
    for (size_t i = 0; i < kCapacity; ++i) tier.put(keys[i], tierscope::make_value(std::string(256, 'x')));
  };
  const auto fill_cache = [&] {
    for (size_t i = 0; i < kCapacity; ++i) cache.put("bench", keys[i], tierscope::make_value(std::string(256, 'x')));
  };
  if (tiered_first) {
    fill_cache();
    fill_tier();
  } else {
    fill_tier();
    fill_cache();
  }
  const std::function<bool(size_t)> tier_get = [&](size_t i) { return tier.get(keys[i]) != nullptr; };
  const std::function<bool(size_t)> tiered_get = [&](size_t i) { return cache.get("bench", keys[i]) != nullptr; };

  for (int threads : {1, 2}) {
    run_slice(threads, slice, tier_get, 99);  // warm both before the first timed pair
    run_slice(threads, slice, tiered_get, 99);
    std::vector<double> ratios, tier_rates, tiered_rates;
    for (int r = 0; r < rounds; ++r) {
      // Alternate which goes first, so a drift within a pair does not favour one side.
      const bool tier_starts = r % 2 == 0;
      const double a = run_slice(threads, slice, tier_starts ? tier_get : tiered_get, uint64_t(r));
      const double b = run_slice(threads, slice, tier_starts ? tiered_get : tier_get, uint64_t(r));
      const double tier_rate = tier_starts ? a : b, tiered_rate = tier_starts ? b : a;
      tier_rates.push_back(tier_rate);
      tiered_rates.push_back(tiered_rate);
      ratios.push_back(tiered_rate / tier_rate);
    }
    std::printf("%-16s threads=%d  TieredCache::get / MemoryTier::get = %.3f [p25 %.3f, p75 %.3f] over %d pairs of %lld ms"
                "  (MemoryTier %.2f M/s, TieredCache %.2f M/s, medians)\n",
                tiered_first ? "TieredCache 1st" : "MemoryTier 1st", threads, quantile(ratios, 0.5),
                quantile(ratios, 0.25), quantile(ratios, 0.75), rounds, static_cast<long long>(slice.count()),
                quantile(tier_rates, 0.5) / 1e6, quantile(tiered_rates, 0.5) / 1e6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
  const auto slice = std::chrono::milliseconds(argc > 2 ? std::atoi(argv[2]) : 40);
  if (rounds < 1 || slice.count() < 1) {
    std::fprintf(stderr, "usage: bench_hit_path [ROUNDS>=1] [SLICE_MS>=1]\n");
    return 2;
  }
  const tierscope::bench::PackedKeys keys(kCapacity, key);
  measure(false, keys, rounds, slice);
  measure(true, keys, rounds, slice);
  return 0;
}
