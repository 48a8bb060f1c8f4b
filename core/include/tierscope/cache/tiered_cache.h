// TieredCache: the Tierscope engine's read path — L1 memory, L2 local disk, L3 origin —
// for named namespaces (`human:upper`, `garment`, `prediction`, ...), each with its own
// L1 limits, TTL and origin loader.
//
//   get(ns, key): L1 hit -> value. Otherwise one "flight" per key: concurrent callers of
//   the same missing key wait for a single L2 read / origin load (log "Waiting for
//   ongoing load", counted as stampede_prevented). An L2 hit is promoted to L1; an origin
//   load is written to L1 and through to L2. A load's error reaches every waiter and the
//   key is free again, so the next get retries. Loads run on the cache's own loader
//   threads, so a slow origin never blocks callers of other keys; get_async() returns
//   a future at once.
//
// TTL: each namespace has a base TTL; with adaptive TTL (adaptive_ttl.h) entries read
// often live longer, in L1 and L2. Expiry is honoured in both tiers.
// Invalidation: by key, by glob pattern across L1 and L2, or everything. A load that
// was in flight when an invalidation happened still answers its waiters but is not
// stored, so no stale value outlives the invalidation.
//
// Ownership: owns its tiers and loader threads; borrows the clock (must outlive it);
// shares loaders and the logger. Thread safety: every public method may be called from
// any thread at once. The destructor waits for loads in progress. Not copyable.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tierscope/cache/access_recorder.h"
#include "tierscope/cache/adaptive_ttl.h"
#include "tierscope/cache/disk_tier.h"
#include "tierscope/cache/entry_info.h"
#include "tierscope/cache/eviction_policy.h"
#include "tierscope/cache/latency_histogram.h"
#include "tierscope/cache/loader.h"
#include "tierscope/cache/memory_tier.h"
#include "tierscope/cache/shared_tier.h"

namespace spdlog {
class logger;
}

namespace tierscope {

enum class CacheTier { kL1, kL2, kOrigin };

struct NamespaceOptions {
  // Name used in calls and stats; letters, digits and ":_-." only.
  std::string name;
  // L1 limits of this namespace (0 = none).
  size_t l1_max_entries = 1000;
  size_t l1_max_bytes = size_t{64} << 20;
  // Base TTL of entries (`ttl_hours`); zero = never expire.
  Duration ttl = std::chrono::hours(24);
  // Whether entries are written through to L2 and looked up there.
  bool use_l2 = true;
  // Whether entries are written through to the shared tier (Redis) and looked up there,
  // when the cache has one.
  bool use_shared = true;
  // The origin for gets that pass no loader of their own; may be null.
  std::shared_ptr<Loader> loader;
};

// The namespaces of the try-on and persona systems with their seed defaults: 10 persons
// per body category, 100 garments, 1000 texts, 128 predictions (MODEL_CACHE_SIZE), a
// general namespace of 1000 entries (the persona LocalCache) and 50 try-on composites.
// All with `ttl`.
std::vector<NamespaceOptions> default_namespaces(Duration ttl = std::chrono::hours(24));

struct TieredCacheOptions {
  std::vector<NamespaceOptions> namespaces = default_namespaces();
  // Eviction policy of every namespace's L1.
  EvictionPolicyKind l1_policy = EvictionPolicyKind::kWTinyLfu;
  // log2 of L1 shards per namespace (see MemoryTierOptions::shard_bits).
  unsigned l1_shard_bits = 2;
  // A background thread applies the L1s' buffered reads to their policies, so request
  // threads never do (maintainer.h); off, a reader whose buffer fills does it.
  bool l1_background_maintenance = true;
  // The L2 tier; nullopt runs without one.
  std::optional<DiskTierOptions> l2;
  // The tier shared with other servers (redis::RedisTier), after L2; null runs without.
  std::shared_ptr<SharedTier> shared;
  // Lifetime extension for entries read often.
  AdaptiveTtl adaptive_ttl{.enabled = true, .hits_per_step = 2, .max_multiplier = 4};
  // How long a get waits for a load before failing with LoadTimeoutError (the load
  // itself goes on, and its result is still stored); zero waits for ever.
  Duration load_timeout = Duration::zero();
  // Threads running L2 reads and origin loads.
  unsigned loader_threads = 8;
  // Loads queued beyond the running ones; past this, gets fail with OverloadedError
  // instead of queueing without bound.
  size_t max_queued_loads = 10'000;
  // Source of time for TTLs; nullptr uses the system clock. Must outlive the cache.
  const Clock* clock = nullptr;
  // Record each namespace's requests (sampled key hashes) for live hit-ratio curves and
  // what-if on live traffic; off costs a get nothing but one relaxed load.
  bool record_accesses = true;
  // log2 of the hashes each namespace's recorder ring holds between drains.
  unsigned access_ring_log2 = 17;
  // Operator-facing log lines (`L1 HIT`, `L2 HIT`, `Waiting for ongoing load` at debug).
  std::shared_ptr<spdlog::logger> logger;
};

class LoadTimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class OverloadedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};


struct NamespaceStats {
  std::string name;
  MemoryTierStats l1;
  Duration ttl{0};
};

struct TieredStats {
  uint64_t total_requests = 0;
  uint64_t l1_hits = 0;
  uint64_t l2_hits = 0;
  uint64_t l3_hits = 0;  // served by the origin (loads that succeeded)
  uint64_t shared_hits = 0;  // loads answered by the shared tier (Redis)
  uint64_t stampede_prevented = 0;
  uint64_t load_errors = 0;
  uint64_t load_timeouts = 0;
  uint64_t overloaded = 0;
  uint64_t loads_in_flight = 0;
  // Requests by how they ended, each counted once when it ended: from L1, from an L2
  // read, from the shared tier, from an origin load (the one that loaded and those that waited for it), or
  // failed (load error, overload). Rates over intervals come from these.
  uint64_t served_l1 = 0;
  uint64_t served_l2 = 0;
  uint64_t served_shared = 0;
  uint64_t served_origin = 0;
  uint64_t failed_requests = 0;
  uint64_t completed_requests() const {
    return served_l1 + served_l2 + served_shared + served_origin + failed_requests;
  }
  uint64_t evictions = 0;  // L1 (all namespaces) + L2
  // Shares of all requests served by each tier (0 when idle).
  double l1_hit_rate = 0;
  double l2_hit_rate = 0;
  double origin_rate = 0;
  std::vector<NamespaceStats> namespaces;
  bool l2_enabled = false;
  DiskTierStats l2;
  // The shared tier (Redis), when the cache has one.
  std::optional<SharedTierStatus> shared;
  double l2_disk_usage_gb = 0;
  double l2_disk_limit_gb = 0;
  EvictionPolicyKind l1_policy = EvictionPolicyKind::kLru;
  LatencySummary l1_latency;      // L1 hits (sampled)
  LatencySummary l2_latency;      // L2 reads that hit
  LatencySummary origin_latency;  // origin loads
  LatencySummary miss_latency;    // whole get() of a key not in L1
  // The histograms' raw counts, for percentiles over a window (summarize(now, before)).
  LatencyCounts l1_latency_counts, l2_latency_counts, origin_latency_counts, miss_latency_counts;
};

class TieredCache {
 public:
  // Throws std::invalid_argument for bad namespace options and FileSystemError when
  // the L2 root cannot be opened.
  explicit TieredCache(TieredCacheOptions options);
  ~TieredCache();
  TieredCache(const TieredCache&) = delete;
  TieredCache& operator=(const TieredCache&) = delete;

  // The value of key in namespace ns, from the fastest tier that has it. `loader`
  // overrides the namespace's origin; `ttl` (non-zero) its base TTL. Throws
  // std::invalid_argument for an unknown namespace or when no loader is available,
  // the loader's exception when the load fails, LoadTimeoutError, OverloadedError.
  Value get(std::string_view ns, std::string_view key, const std::shared_ptr<Loader>& loader = nullptr,
            Duration ttl = Duration::zero());

  // The same without blocking: a ready future for an L1 hit, otherwise one that the
  // loader threads complete. Never throws for load problems; the future carries them.
  std::shared_future<Value> get_async(std::string_view ns, std::string_view key,
                                      const std::shared_ptr<Loader>& loader = nullptr, Duration ttl = Duration::zero());

  // The value if L1 or L2 has it (promoting an L2 hit), without loading; nullptr otherwise.
  Value peek(std::string_view ns, std::string_view key);
  // An L1 hit counted exactly as get() counts it (a request, an L1 hit, the request tap);
  // nullptr on a miss, which counts nothing — the caller then calls get() (elsewhere: a
  // server answers hits on its I/O thread and hands misses to a worker). Never blocks.
  Value get_if_in_memory(std::string_view ns, std::string_view key);

  // Stores a value (L1, and L2 if the namespace uses it) as if it had been loaded.
  void put(std::string_view ns, std::string_view key, Value value, Duration ttl = Duration::zero());

  // The cache browser. A page of namespace ns's entries in one tier (kL1 or kL2) whose
  // keys match the query's glob — scanned under each shard's (or the L2 index's) lock,
  // copying only the page; an empty page for kOrigin or a namespace without L2.
  EntryPage list_entries(std::string_view ns, CacheTier tier, const EntryQuery& query) const;
  // A key's value and metadata in one tier without counting a request, a hit or a
  // recency touch; nullopt when that tier does not hold it.
  std::optional<std::pair<Value, EntryInfo>> inspect(std::string_view ns, std::string_view key, CacheTier tier) const;
  // Bytes by namespace and key prefix, the largest entries, the spread of TTL left.
  MemoryAnalysis analyze_memory(size_t top = 10) const;

  // Removes one key from every tier — with a shared tier, on every server sharing it;
  // returns whether any tier here held it.
  bool invalidate(std::string_view ns, std::string_view key);
  // Removes keys matching a glob (`persona:*`) from L1 and L2, in namespace `ns` or
  // (empty ns) in all namespaces; returns how many entries went here. With a shared tier,
  // all of the namespace's shared entries retire (Redis holds digests, not keys: a new
  // generation) and every server sharing it drops the matching keys from its own tiers.
  size_t invalidate_matching(std::string_view pattern, std::string_view ns = {});
  // Empties every tier (`DELETE /cache/all`); the shared tier's entries retire (see above).
  void clear();

  // Live tuning.
  void set_l1_capacity(std::string_view ns, size_t max_entries, size_t max_bytes);
  void set_ttl(std::string_view ns, Duration ttl);  // applies to entries stored from now on
  void set_policy(EvictionPolicyKind kind);
  void set_disk_limit(uint64_t max_bytes);  // no-op without L2
  // L2 cleanup watermarks (see DiskTier::set_watermarks); no-op without L2.
  void set_disk_watermarks(double high, double low);
  // Both tiers, from the next read on; lifetimes already extended stay extended.
  void set_adaptive_ttl(AdaptiveTtl rule);
  AdaptiveTtl adaptive_ttl() const;

  TieredStats snapshot() const;
  std::vector<std::string> namespace_names() const;
  // The request tap of a namespace (see access_recorder.h); valid for the cache's
  // lifetime. Throws std::invalid_argument for an unknown namespace.
  AccessRecorder& access_recorder(std::string_view ns);
  bool has_l2() const;
  // Flushes L2 to disk (DiskTier::flush); no-op without L2.
  void flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Wraps a function so that its results are cached: the returned function answers
// fn(argument) from the cache under key `key_prefix + argument` in namespace `ns`,
// computing it at most once per TTL (and once for concurrent callers).
std::function<Value(const std::string&)> cached(TieredCache& cache, std::string ns, Duration ttl,
                                                std::string key_prefix,
                                                std::function<Value(const std::string&)> fn);

// Wraps a function that changes data so that, after it returns, every cached key
// matching `pattern` (in all namespaces) is invalidated.
template <typename Fn>
auto invalidate_cache(TieredCache& cache, std::string pattern, Fn fn) {
  return [&cache, pattern = std::move(pattern), fn = std::move(fn)](auto&&... args) -> decltype(auto) {
    struct InvalidateOnExit {
      TieredCache& cache;
      const std::string& pattern;
      ~InvalidateOnExit() { cache.invalidate_matching(pattern); }
    } guard{cache, pattern};
    return fn(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace tierscope
