// TieredCache's internals, shared by its read path (tiered_cache.cc) and its browser
// queries (tiered_cache_browse.cc). Internal to the engine; see tiered_cache.h for the
// ownership and thread-safety rules.
#pragma once

#include <spdlog/logger.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <future>
#include <mutex>
#include <unordered_map>

#include "base/thread_pool.h"
#include "cache/striped_counter.h"
#include "tierscope/cache/maintainer.h"
#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

namespace internal_tiered {

using SteadyClock = std::chrono::steady_clock;

struct Namespace {
  std::string name;
  std::unique_ptr<MemoryTier> l1;
  std::atomic<int64_t> ttl_ns;
  bool use_l2;
  bool use_shared;
  std::shared_ptr<Loader> loader;
  std::unique_ptr<AccessRecorder> recorder;

  Duration ttl() const { return Duration{ttl_ns.load(std::memory_order_relaxed)}; }
};

struct Flight {
  std::promise<Value> promise;
  std::shared_future<Value> future = promise.get_future().share();
  // Requests answered by this flight: the one that started it and every one that joined
  // (changed under flights_mu, read once the flight has left `flights`).
  uint64_t waiters = 1;
};

inline bool valid_namespace_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ':' || c == '_' || c == '-' || c == '.';
  });
}

inline std::shared_future<Value> ready(Value v) {
  std::promise<Value> p;
  p.set_value(std::move(v));
  return p.get_future().share();
}

inline std::shared_future<Value> failed(std::exception_ptr e) {
  std::promise<Value> p;
  p.set_exception(std::move(e));
  return p.get_future().share();
}

}  // namespace internal_tiered

using namespace internal_tiered;

struct TieredCache::Impl {
  explicit Impl(TieredCacheOptions opts)
      : options(std::move(opts)), clock(options.clock ? options.clock : &system_clock) {
    if (options.namespaces.empty()) throw std::invalid_argument("a TieredCache needs at least one namespace");
    for (const NamespaceOptions& o : options.namespaces) {
      if (!valid_namespace_name(o.name)) throw std::invalid_argument("invalid namespace name '" + o.name + "'");
      if (find_namespace(o.name) != nullptr) throw std::invalid_argument("namespace '" + o.name + "' defined twice");
      if (o.ttl < Duration::zero()) throw std::invalid_argument("namespace '" + o.name + "' has a negative TTL");
      auto n = std::make_unique<Namespace>();
      n->name = o.name;
      MemoryTierOptions l1;
      l1.max_entries = o.l1_max_entries;
      l1.max_bytes = o.l1_max_bytes;
      l1.default_ttl = o.ttl;
      l1.adaptive_ttl = options.adaptive_ttl;
      l1.shard_bits = options.l1_shard_bits;
      l1.policy = options.l1_policy;
      l1.clock = clock;
      l1.maintainer = maintainer.get();
      n->l1 = std::make_unique<MemoryTier>(l1);
      n->ttl_ns.store(o.ttl.count());
      n->use_l2 = o.use_l2;
      n->use_shared = o.use_shared;
      n->loader = o.loader;
      n->recorder = std::make_unique<AccessRecorder>(options.access_ring_log2);
      n->recorder->set_enabled(options.record_accesses);
      by_name.push_back(NamespaceName{name_head(n->name), n->name.size(), n.get()});
      namespaces.push_back(std::move(n));
    }
    if (options.l2) {
      DiskTierOptions l2o = *options.l2;
      if (!l2o.clock) l2o.clock = clock;
      if (!l2o.logger) l2o.logger = options.logger;
      l2 = std::make_unique<DiskTier>(std::move(l2o));
    }
    pool = std::make_unique<internal::ThreadPool>(options.loader_threads, options.max_queued_loads, "ts-load");
    if (options.shared) {
      // Invalidations announced by any server sharing the tier (this one too) reach L1/L2.
      options.shared->on_invalidation([this](const std::string& ns, const std::string& what, bool is_pattern) {
        invalidate_locally(ns, what, is_pattern);
      });
    }
    if (options.logger) {
      options.logger->info("cache ready: {} namespaces, L1 policy {}, L2 {}, {} loader threads", namespaces.size(),
                           to_string(options.l1_policy), l2 ? l2->root().string() : std::string("off"),
                           options.loader_threads);
    }
  }

  ~Impl() {
    if (options.shared) options.shared->on_invalidation(nullptr);  // no call into a dying cache
  }

  // Drops a key or a pattern of namespace `ns` from L1 and L2 only (the shared tier has
  // retired them already). Unknown namespaces (another server's) are ignored.
  size_t invalidate_locally(std::string_view ns, std::string_view what, bool is_pattern) {
    Namespace* found = find_namespace(ns);
    if (found == nullptr) return 0;
    Namespace& n = *found;
    InvalidationScope scope(*this);
    size_t removed = 0;
    if (is_pattern) {
      removed += n.l1->erase_matching(what);
      // Namespace names hold no glob characters, so the prefix matches literally.
      if (l2) removed += l2->erase_matching(n.name + "/" + std::string(what));
    } else {
      removed += n.l1->erase(what) ? 1 : 0;
      if (l2) removed += l2->erase(full_key(n, what)) ? 1 : 0;
    }
    return removed;
  }

  // Marks an invalidation in progress: promotions from lower tiers (which read a value
  // before the erase and would put it back after) are skipped meanwhile, and undone when
  // one starts while they land (see promote()).
  struct InvalidationScope {
    explicit InvalidationScope(Impl& impl) : d(impl) {
      d.invalidations_running.fetch_add(1);
      d.invalidation_epoch.fetch_add(1);
    }
    ~InvalidationScope() {
      d.invalidation_epoch.fetch_add(1);
      d.invalidations_running.fetch_sub(1);
    }
    InvalidationScope(const InvalidationScope&) = delete;
    InvalidationScope& operator=(const InvalidationScope&) = delete;
    Impl& d;
  };

  // No invalidation ran or is running since `epoch` was read.
  bool unchanged_since(uint64_t epoch) const {
    return invalidations_running.load() == 0 && invalidation_epoch.load() == epoch;
  }

  // Puts a value read from a lower tier into L1, unless an invalidation ran since `epoch`;
  // if one starts while the put lands, the put is taken back (it may have read the value
  // before the invalidation erased it). Returns whether the value stayed.
  bool promote(Namespace& n, std::string_view key, Value value, Duration ttl, uint64_t epoch) {
    if (!unchanged_since(epoch)) return false;
    n.l1->put(key, std::move(value), ttl);
    if (unchanged_since(epoch)) return true;
    n.l1->erase(key);
    return false;
  }

  Namespace& lookup(std::string_view ns) const {
    Namespace* found = find_namespace(ns);
    if (found == nullptr) throw std::invalid_argument("unknown cache namespace '" + std::string(ns) + "'");
    return *found;
  }

  // A cache has a handful of namespaces: one scan of a small contiguous array (each name's
  // length and first eight bytes beside its namespace) costs less on every request than
  // hashing the name for a hash map (docs/benchmarks.md §8).
  Namespace* find_namespace(std::string_view ns) const {
    const uint64_t head = name_head(ns);
    for (const NamespaceName& e : by_name) {
      if (e.size == ns.size() && e.head == head && (ns.size() <= sizeof head || e.ns->name == ns)) return e.ns;
    }
    return nullptr;
  }
  static uint64_t name_head(std::string_view name) {
    uint64_t head = 0;
    if (!name.empty()) std::memcpy(&head, name.data(), std::min(name.size(), sizeof head));
    return head;
  }

  static std::string full_key(const Namespace& n, std::string_view key) {
    std::string full;
    full.reserve(n.name.size() + 1 + key.size());
    full.append(n.name).append(1, '/').append(key);
    return full;
  }

  bool debug_logging() const { return options.logger && options.logger->should_log(spdlog::level::debug); }

  // TieredCache::get's paths other than an unsampled hit, out of line (tiered_cache.cc):
  // a hit whose L1 lookup is timed, the debug line of a hit, and the miss from `start`.
  [[gnu::noinline]] Value get_sampled(Namespace& n, std::string_view key, uint64_t hash,
                                      const std::shared_ptr<Loader>& loader, Duration ttl);
  [[gnu::noinline, gnu::cold]] void log_l1_hit(const Namespace& n, std::string_view key) const;
  [[gnu::noinline]] Value get_after_miss(Namespace& n, std::string_view key, const std::shared_ptr<Loader>& loader,
                                         Duration ttl, SteadyClock::time_point start);

  // The future of the key's flight, starting one if none is in the air. Called once for
  // every request that missed L1 at its first look.
  std::shared_future<Value> start_or_join(Namespace& n, std::string_view key, std::shared_ptr<Loader> loader,
                                          Duration ttl) {
    first_look_misses.add();
    if (!loader) loader = n.loader;
    if (!loader && !(n.use_l2 && l2) && !(n.use_shared && options.shared)) {
      return failed(std::make_exception_ptr(
          std::invalid_argument("namespace '" + n.name + "' has no loader and none was given")));
    }
    std::string full = full_key(n, key);
    std::shared_ptr<Flight> flight;
    {
      std::lock_guard lock(flights_mu);
      auto it = flights.find(full);
      if (it != flights.end()) {
        ++it->second->waiters;
        stampede_prevented.fetch_add(1, std::memory_order_relaxed);
        if (debug_logging()) options.logger->debug("Waiting for ongoing load {}", full);
        return it->second->future;
      }
      // A load may have finished between our L1 miss and taking this lock: it stores in
      // L1 before it leaves `flights`, so this second look cannot miss it.
      if (Value v = n.l1->peek(key)) {
        second_look_hits.fetch_add(1, std::memory_order_relaxed);
        return ready(std::move(v));
      }
      flight = std::make_shared<Flight>();
      flights.emplace(full, flight);
      loads_in_flight.fetch_add(1, std::memory_order_relaxed);
    }
    const uint64_t epoch = invalidation_epoch.load();
    Namespace* np = &n;
    const bool queued = pool->try_submit([this, np, key = std::string(key), full, loader = std::move(loader), ttl,
                                          epoch, flight] { load(*np, key, full, loader, ttl, epoch, *flight); });
    if (!queued) {
      overloaded.fetch_add(1, std::memory_order_relaxed);
      failed_requests.fetch_add(finish(full, *flight), std::memory_order_relaxed);
      flight->promise.set_exception(std::make_exception_ptr(
          OverloadedError("cache overloaded: " + std::to_string(options.max_queued_loads) + " loads already queued")));
    }
    return flight->future;
  }

  // Takes the flight out of `flights`; returns how many requests it answers.
  uint64_t finish(const std::string& full, const Flight& flight) {
    std::lock_guard lock(flights_mu);
    flights.erase(full);
    loads_in_flight.fetch_sub(1, std::memory_order_relaxed);
    return flight.waiters;
  }

  // Runs on a loader thread: L2, else the shared tier, else origin; store; answer every
  // waiter (single flight covers the shared tier's fill too).
  void load(Namespace& n, const std::string& key, const std::string& full, const std::shared_ptr<Loader>& loader,
            Duration ttl_override, uint64_t epoch, Flight& flight) {
    const Duration ttl = ttl_override > Duration::zero() ? ttl_override : n.ttl();
    Value value;
    bool from_origin = false;
    bool from_shared = false;
    Duration shared_ttl_left{0};
    TimePoint loaded_at{};
    try {
      if (n.use_l2 && l2) {
        const auto start = SteadyClock::now();
        if (auto entry = l2->get(full)) {
          l2_latency.record(SteadyClock::now() - start);
          value = entry->value;
          l2_hits.fetch_add(1, std::memory_order_relaxed);
          if (debug_logging()) options.logger->debug("L2 HIT {}", full);
          const TimePoint now = clock->now();
          // Promote with the time it has left; reads keep extending it (adaptive TTL).
          const Duration left = entry->expires == kNever ? Duration::zero() : std::max(entry->expires - now, Duration{1});
          if (promote(n, key, value, left, epoch)) {
            const AdaptiveTtl rule = l2_adaptive_rule();
            if (rule.enabled && ttl > Duration::zero()) {
              const TimePoint cap = entry->created + ttl * static_cast<int64_t>(std::max<uint32_t>(rule.max_multiplier, 1));
              l2->extend_expiry(full, std::min(now + ttl, cap));
            }
          }
        }
      }
      if (!value && n.use_shared && options.shared) {
        const auto start = SteadyClock::now();
        if (auto entry = options.shared->fetch(n.name, key)) {
          shared_latency.record(SteadyClock::now() - start);
          value = make_value(std::move(entry->value));
          shared_hits.fetch_add(1, std::memory_order_relaxed);
          from_shared = true;
          if (debug_logging()) options.logger->debug("SHARED HIT {}", full);
          // Promote with the time it has left in the shared tier.
          if (promote(n, key, value, entry->ttl_left, epoch)) shared_ttl_left = entry->ttl_left;
        }
      }
      if (!value) {
        if (!loader) throw LoadError("'" + full + "' is not cached and namespace '" + n.name + "' has no loader");
        const auto start = SteadyClock::now();
        value = loader->load(key);
        origin_latency.record(SteadyClock::now() - start);
        if (!value) throw LoadError("loader returned no value for '" + full + "'");
        l3_hits.fetch_add(1, std::memory_order_relaxed);
        from_origin = true;
        loaded_at = clock->now();  // both tiers count the TTL from here
        promote(n, key, value, ttl, epoch);
      }
      // Leave `flights` before answering: a caller that comes after the answer must not
      // join a finished flight (its value may be expired or invalidated by then); it
      // finds the value in L1 instead (start_or_join looks again under the lock).
      const uint64_t answered = finish(full, flight);
      (from_origin ? served_origin : from_shared ? served_shared : served_l2).fetch_add(answered, std::memory_order_relaxed);
      flight.promise.set_value(value);
    } catch (const std::exception& e) {
      load_errors.fetch_add(1, std::memory_order_relaxed);
      if (options.logger) options.logger->warn("load of {} failed: {}", full, e.what());
      failed_requests.fetch_add(finish(full, flight), std::memory_order_relaxed);
      flight.promise.set_exception(std::current_exception());
    } catch (...) {
      load_errors.fetch_add(1, std::memory_order_relaxed);
      failed_requests.fetch_add(finish(full, flight), std::memory_order_relaxed);
      flight.promise.set_exception(std::current_exception());
    }
    // Write-through after the waiters are answered: disk and network latency are not
    // theirs to pay. A shared-tier hit is promoted to L2 as well, with its time left.
    if (unchanged_since(epoch)) {
      if (from_origin && n.use_l2 && l2) l2->put(full, *value, ttl > Duration::zero() ? loaded_at + ttl : kNever);
      if (from_shared && n.use_l2 && l2) {
        l2->put(full, *value, shared_ttl_left > Duration::zero() ? clock->now() + shared_ttl_left : kNever);
      }
      // An invalidation that began while L2 was written may have missed the new file.
      if ((from_origin || from_shared) && n.use_l2 && l2 && !unchanged_since(epoch)) l2->erase(full);
      if (from_origin && n.use_shared && options.shared) options.shared->store(n.name, key, *value, ttl);
    }
  }

  TieredCacheOptions options;
  SystemClock system_clock;
  // Applies the L1s' buffered reads off the request threads; declared before the
  // namespaces so it outlives their tiers.
  std::unique_ptr<Maintainer> maintainer =
      options.l1_background_maintenance ? std::make_unique<Maintainer>() : nullptr;
  const Clock* clock;
  std::vector<std::unique_ptr<Namespace>> namespaces;
  struct NamespaceName {
    uint64_t head;  // the name's first eight bytes, zero-padded
    size_t size;
    Namespace* ns;
  };
  std::vector<NamespaceName> by_name;  // see find_namespace
  std::unique_ptr<DiskTier> l2;

  std::mutex flights_mu;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights;

  // Each request bumps one of these, by what its first look in L1 found: striped so that
  // cores do not contend, and one per request because a hit's every instruction counts
  // (docs/benchmarks.md §8). Requests = the two first-look counters; L1 hits = the
  // first-look hits and second_look_hits (start_or_join found the key after all: a load
  // finished in between).
  internal::StripedCounter first_look_hits, first_look_misses;
  std::atomic<uint64_t> second_look_hits{0};
  // Requests by how they ended beyond L1, counted when they end: shares of their sum
  // never exceed 100 %.
  std::atomic<uint64_t> served_l2{0}, served_shared{0}, served_origin{0}, failed_requests{0};
  std::atomic<uint64_t> shared_hits{0};
  std::atomic<uint64_t> l2_hits{0}, l3_hits{0}, stampede_prevented{0}, load_errors{0}, load_timeouts{0}, overloaded{0},
      loads_in_flight{0}, invalidation_epoch{0};
  std::atomic<int> invalidations_running{0};  // InvalidationScopes alive
  LatencyHistogram l1_latency, l2_latency, shared_latency, origin_latency, miss_latency;
  std::atomic<EvictionPolicyKind> policy{EvictionPolicyKind::kLru};
  // Read by loader threads, changed by set_adaptive_ttl(): guarded, not options.adaptive_ttl.
  AdaptiveTtl l2_adaptive_rule() const {
    std::lock_guard lock(adaptive_mu);
    return l2_adaptive_ttl;
  }
  mutable std::mutex adaptive_mu;
  AdaptiveTtl l2_adaptive_ttl = options.adaptive_ttl;

  // Last: destroyed first, so running loads finish while the tiers still exist.
  std::unique_ptr<internal::ThreadPool> pool;
};

}  // namespace tierscope
