// The C++ side of the peer benchmark: the same workloads as CaffeinePeer.java, on the
// engine's MemoryTier (W-TinyLFU by default, or LRU). Prints `ops_per_sec=N`. Run by
// run_peer.sh, which alternates it with Caffeine and prints the ratio table. Reads use
// MemoryTier::read(), which lends the value as Caffeine's getIfPresent returns a plain
// reference; get() would add a shared_ptr count (bench_memory_tier measures that path).
//
//   bench_peer reads-uniform|reads-hot|getorput|put|reads-uniform-hashed THREADS SECONDS [wtinylfu|lru] [async|inline]
//
// reads-uniform-hashed: reads-uniform with each key's hash kept beside it, as Java's String
// caches its own (MemoryTier::read(key, hash)); not one of Caffeine's workloads, but the
// part of the uniform gap that is the hash is read off the difference.
//
// The keys are packed in one array, one 32-byte record each (PackedKeys): fetching key i costs
// the harness one memory access, as on the Java side (a reference array small enough for the
// L2, then the String object, whose cached hash is all getIfPresent reads of it — equality
// is by identity). Held as std::string, each key cost two dependent accesses (the string
// object, then its heap buffer), timed as the engine's (docs/benchmarks.md §8).
//
// async (the default, as Caffeine's default executor): a Maintainer thread applies full
// read buffers; inline: the reader whose buffer fills applies it.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tierscope/cache/maintainer.h"
#include "tierscope/cache/memory_tier.h"
#include "packed_keys.h"

namespace {

constexpr size_t kCapacity = 100'000;
constexpr size_t kKeySpace = 1'000'000;
constexpr size_t kHotKeys = 1'000;

std::string key(uint64_t i) { return "model:v3:image:" + std::to_string((i * 2654435761ull) % 999'999'937ull); }

// Zipf(s) over n ranks by inverse CDF with xorshift, exactly as the Java side.
std::vector<uint32_t> zipf_sequence(size_t n, double s, size_t length, uint64_t seed) {
  std::vector<double> cdf(n);
  double sum = 0;
  for (size_t k = 1; k <= n; ++k) sum += 1.0 / std::pow(double(k), s);
  double acc = 0;
  for (size_t k = 1; k <= n; ++k) {
    acc += 1.0 / std::pow(double(k), s) / sum;
    cdf[k - 1] = acc;
  }
  std::vector<uint32_t> out(length);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& o : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const double u = double(x >> 11) * 0x1.0p-53;
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (cdf[mid] < u) lo = mid + 1; else hi = mid;
    }
    o = uint32_t(lo);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_peer MODE THREADS SECONDS [wtinylfu|lru]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const int threads = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  const std::string policy = argc > 4 ? argv[4] : "wtinylfu";
  const bool async = !(argc > 5 && std::string(argv[5]) == "inline");
  tierscope::Maintainer maintainer;
  tierscope::MemoryTierOptions o;
  o.max_entries = kCapacity;
  o.max_bytes = 0;
  o.shard_bits = 6;
  if (async) o.maintainer = &maintainer;
  o.policy = policy == "lru" ? tierscope::EvictionPolicyKind::kLru : tierscope::EvictionPolicyKind::kWTinyLfu;
  tierscope::MemoryTier cache(o);
  const bool hashed = mode == "reads-uniform-hashed";
  const tierscope::bench::PackedKeys keys(hashed ? kCapacity : kKeySpace, key, hashed);
  if (mode != "put") {
    for (size_t i = 0; i < kCapacity; ++i) cache.put(keys[i], tierscope::make_value(std::string(256, 'x')));
  }
  // The mode as a number, chosen once: a string compare per operation would be timed too.
  enum Kind { kReadsUniform, kReadsHot, kGetOrPut, kPut, kReadsUniformHashed };
  const Kind kind = mode == "reads-uniform" ? kReadsUniform : mode == "reads-hot" ? kReadsHot
                    : mode == "getorput"    ? kGetOrPut
                    : mode == "reads-uniform-hashed" ? kReadsUniformHashed : kPut;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      uint64_t n = 0;
      uint64_t x = 0x9E3779B97F4A7C15ull * uint64_t(t + 1);
      std::vector<uint32_t> hot, zipf;
      if (kind == kReadsHot) hot = zipf_sequence(kHotKeys, 0.99, 1 << 16, uint64_t(t + 1));
      if (kind == kGetOrPut) zipf = zipf_sequence(kKeySpace, 0.9, 1 << 16, uint64_t(t + 7));
      uint64_t put = uint64_t(t) * (kKeySpace / 2);
      while (!stop.load(std::memory_order_relaxed)) {
        for (int b = 0; b < 1024; ++b) {
          if (kind == kReadsUniform) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (!cache.read(keys[x % kCapacity])) std::abort();
          } else if (kind == kReadsUniformHashed) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const size_t i = x % kCapacity;
            if (!cache.read(keys[i], keys.hash(i))) std::abort();
          } else if (kind == kReadsHot) {
            if (!cache.read(keys[hot[n & 0xffff]])) std::abort();
          } else if (kind == kGetOrPut) {
            const std::string_view k = keys[zipf[n & 0xffff]];
            if (!cache.read(k)) cache.put(k, tierscope::make_value(std::string(256, 'x')));
          } else {
            cache.put(keys[put++ % kKeySpace], tierscope::make_value(std::string(256, 'x')));
          }
          ++n;
        }
      }
      total.fetch_add(n);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& w : workers) w.join();
  std::printf("ops_per_sec=%.0f\n", double(total.load()) / seconds);
  return 0;
}
