// L1 get/put throughput at 1 and 2 threads: the sharded MemoryTier (and the whole
// TieredCache::get hit path in front of it) against a naive global-mutex std::list +
// std::unordered_map LRU, measured in the same run.
// Results and the command: docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ratio_reporter.h"
#include "tierscope/cache/maintainer.h"
#include "tierscope/cache/memory_tier.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/workload/zipf.h"

namespace {

using tierscope::MemoryTier;
using tierscope::MemoryTierOptions;
using tierscope::Value;

// The baseline: what a first implementation usually is.
class NaiveLru {
 public:
  explicit NaiveLru(size_t capacity) : capacity_(capacity) {}

  Value get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  void put(const std::string& key, Value value) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->second = std::move(value);
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, std::move(value));
    index_.emplace(key, order_.begin());
    if (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  std::mutex mu_;
  size_t capacity_;
  std::list<std::pair<std::string, Value>> order_;
  std::unordered_map<std::string, std::list<std::pair<std::string, Value>>::iterator> index_;
};

class TierAdapter {
 public:
  explicit TierAdapter(size_t capacity) : tier_(options(capacity)) {}
  Value get(const std::string& key) { return tier_.get(key); }
  void put(const std::string& key, Value value) { tier_.put(key, std::move(value)); }

 private:
  static MemoryTierOptions options(size_t capacity) {
    static tierscope::Maintainer maintainer;  // as TieredCache runs its L1s by default
    MemoryTierOptions o;
    o.max_entries = capacity;
    o.max_bytes = 0;
    o.maintainer = &maintainer;
    return o;
  }
  MemoryTier tier_;
};

// The engine's full hit path: TieredCache::get (namespace lookup, request counters,
// sampled latency, the live-curve request tap) in front of the same L1. The untapped
// variant turns the tap off (ENABLE_PERFORMANCE_MONITORING=false): the tap's cost.
template <bool kTapped>
class TieredAdapterOf {
 public:
  explicit TieredAdapterOf(size_t capacity) : cache_(options(capacity)) {}
  Value get(const std::string& key) { return cache_.get("bench", key); }
  void put(const std::string& key, Value value) { cache_.put("bench", key, std::move(value)); }

 private:
  static tierscope::TieredCacheOptions options(size_t capacity) {
    tierscope::NamespaceOptions ns;
    ns.name = "bench";
    ns.l1_max_entries = capacity;
    ns.l1_max_bytes = 0;
    ns.ttl = tierscope::Duration::zero();
    ns.loader = tierscope::make_compute_loader([](std::string_view) { return tierscope::make_value("x"); });
    tierscope::TieredCacheOptions o;
    o.namespaces = {ns};
    o.l1_policy = tierscope::EvictionPolicyKind::kLru;
    o.l1_shard_bits = 6;
    o.record_accesses = kTapped;
    return o;
  }
  tierscope::TieredCache cache_;
};
using TieredAdapter = TieredAdapterOf<true>;
using TieredUntapped = TieredAdapterOf<false>;

constexpr size_t kCapacity = 100'000;
constexpr size_t kKeySpace = 1'000'000;  // puts and the Zipf mix go beyond the capacity

const std::vector<std::string>& keys() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    v.reserve(kKeySpace);
    for (size_t i = 0; i < kKeySpace; ++i) v.push_back("model:v3:image:" + std::to_string(i * 2654435761u % 999'999'937));
    return v;
  }();
  return k;
}

// Distinct value objects, as real loads produce: one shared value would make every
// get contend on a single reference count and measure that instead of the cache.
const Value& smallValue(size_t i) {
  static const std::vector<Value> values = [] {
    std::vector<Value> v;
    for (size_t j = 0; j < kCapacity; ++j) v.push_back(tierscope::make_value(std::string(256, 'x')));
    return v;
  }();
  return values[i % values.size()];
}

template <typename Cache>
Cache& prefilledCache() {
  // Built once and kept for the process: both thread counts read the same cache.
  static Cache* cache = [] {
    auto* c = new Cache(kCapacity);
    for (size_t i = 0; i < kCapacity; ++i) c->put(keys()[i], smallValue(i));
    return c;
  }();
  return *cache;
}

// Hit path: every key read is resident, drawn uniformly from all 100k per read (a fast
// generator per thread; a precomputed cycle of a few thousand keys would keep the working
// set in the CPU caches and measure something else).
template <typename Cache>
void BM_Get(benchmark::State& state) {
  Cache& cache = prefilledCache<Cache>();
  uint64_t x = 0x9e3779b97f4a7c15ull * (static_cast<uint64_t>(state.thread_index()) + 1);
  for (auto _ : state) {
    x ^= x << 13;  // xorshift64
    x ^= x >> 7;
    x ^= x << 17;
    const size_t i = static_cast<size_t>(x % kCapacity);
    benchmark::DoNotOptimize(cache.get(keys()[i]));
  }
  state.SetItemsProcessed(state.iterations());
}

// Insert path: new keys beyond the capacity, so most puts also evict.
template <typename Cache>
void BM_Put(benchmark::State& state) {
  static Cache cache(kCapacity);
  size_t n = static_cast<size_t>(state.thread_index()) * (kKeySpace / 2);
  for (auto _ : state) {
    cache.put(keys()[n % kKeySpace], smallValue(n));
    ++n;
  }
  state.SetItemsProcessed(state.iterations());
}

// A cache in use: Zipf(0.9) keys over 1M, get and on a miss put.
template <typename Cache>
void BM_ZipfGetOrPut(benchmark::State& state) {
  static Cache cache(kCapacity);
  tierscope::ZipfGenerator zipf(kKeySpace, 0.9, 7 + state.thread_index());
  std::vector<size_t> order(1 << 16);
  for (auto& i : order) i = zipf.next() - 1;
  size_t n = 0;
  for (auto _ : state) {
    const size_t k = order[n++ & 0xffff];
    if (!cache.get(keys()[k])) cache.put(keys()[k], smallValue(k));
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_TEMPLATE(BM_Get, NaiveLru)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Get, TierAdapter)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Get, TieredAdapter)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Get, TieredUntapped)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Put, NaiveLru)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Put, TierAdapter)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ZipfGetOrPut, NaiveLru)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ZipfGetOrPut, TierAdapter)->Threads(1)->Threads(2)->UseRealTime();

int main(int argc, char** argv) {
  return tierscope::bench::run_benchmarks_with_ratios(argc, argv, {{"NaiveLru", "TierAdapter"}, {"NaiveLru", "TieredAdapter"}, {"TieredUntapped", "TieredAdapter"}});
}
