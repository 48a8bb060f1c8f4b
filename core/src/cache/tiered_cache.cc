#include "tierscope/cache/tiered_cache.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <unordered_map>

#include "cache/striped_counter.h"
#include "base/thread_pool.h"

namespace tierscope {

std::vector<NamespaceOptions> default_namespaces(Duration ttl) {
  auto ns = [ttl](std::string name, size_t entries, size_t mebibytes) {
    NamespaceOptions o;
    o.name = std::move(name);
    o.l1_max_entries = entries;
    o.l1_max_bytes = mebibytes << 20;
    o.ttl = ttl;
    return o;
  };
  return {ns("human:upper", 10, 64), ns("human:lower", 10, 64), ns("human:dresses", 10, 64),
          ns("garment", 100, 256),   ns("text", 1000, 16),      ns("prediction", 128, 16),
          ns("general", 1000, 64),   ns("tryon", 50, 128)};
}

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Namespace {
  std::string name;
  std::unique_ptr<MemoryTier> l1;
  std::atomic<int64_t> ttl_ns;
  bool use_l2;
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

bool valid_namespace_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ':' || c == '_' || c == '-' || c == '.';
  });
}

std::shared_future<Value> ready(Value v) {
  std::promise<Value> p;
  p.set_value(std::move(v));
  return p.get_future().share();
}

std::shared_future<Value> failed(std::exception_ptr e) {
  std::promise<Value> p;
  p.set_exception(std::move(e));
  return p.get_future().share();
}

}  // namespace

struct TieredCache::Impl {
  explicit Impl(TieredCacheOptions opts)
      : options(std::move(opts)), clock(options.clock ? options.clock : &system_clock) {
    if (options.namespaces.empty()) throw std::invalid_argument("a TieredCache needs at least one namespace");
    for (const NamespaceOptions& o : options.namespaces) {
      if (!valid_namespace_name(o.name)) throw std::invalid_argument("invalid namespace name '" + o.name + "'");
      if (by_name.count(o.name)) throw std::invalid_argument("namespace '" + o.name + "' defined twice");
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
      n->l1 = std::make_unique<MemoryTier>(l1);
      n->ttl_ns.store(o.ttl.count());
      n->use_l2 = o.use_l2;
      n->loader = o.loader;
      n->recorder = std::make_unique<AccessRecorder>(options.access_ring_log2);
      n->recorder->set_enabled(options.record_accesses);
      by_name.emplace(n->name, n.get());
      namespaces.push_back(std::move(n));
    }
    if (options.l2) {
      DiskTierOptions l2o = *options.l2;
      if (!l2o.clock) l2o.clock = clock;
      if (!l2o.logger) l2o.logger = options.logger;
      l2 = std::make_unique<DiskTier>(std::move(l2o));
    }
    pool = std::make_unique<internal::ThreadPool>(options.loader_threads, options.max_queued_loads, "ts-load");
    if (options.logger) {
      options.logger->info("cache ready: {} namespaces, L1 policy {}, L2 {}, {} loader threads", namespaces.size(),
                           to_string(options.l1_policy), l2 ? l2->root().string() : std::string("off"),
                           options.loader_threads);
    }
  }

  Namespace& lookup(std::string_view ns) const {
    auto it = by_name.find(ns);
    if (it == by_name.end()) throw std::invalid_argument("unknown cache namespace '" + std::string(ns) + "'");
    return *it->second;
  }

  static std::string full_key(const Namespace& n, std::string_view key) {
    std::string full;
    full.reserve(n.name.size() + 1 + key.size());
    full.append(n.name).append(1, '/').append(key);
    return full;
  }

  bool debug_logging() const { return options.logger && options.logger->should_log(spdlog::level::debug); }

  // The future of the key's flight, starting one if none is in the air.
  std::shared_future<Value> start_or_join(Namespace& n, std::string_view key, std::shared_ptr<Loader> loader,
                                          Duration ttl) {
    if (!loader) loader = n.loader;
    if (!loader && !(n.use_l2 && l2)) {
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
        l1_hits.add();
        served_l1.add();
        return ready(std::move(v));
      }
      flight = std::make_shared<Flight>();
      flights.emplace(full, flight);
      loads_in_flight.fetch_add(1, std::memory_order_relaxed);
    }
    const uint64_t epoch = invalidation_epoch.load(std::memory_order_acquire);
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

  // Runs on a loader thread: L2, else origin; store; answer every waiter.
  void load(Namespace& n, const std::string& key, const std::string& full, const std::shared_ptr<Loader>& loader,
            Duration ttl_override, uint64_t epoch, Flight& flight) {
    const Duration ttl = ttl_override > Duration::zero() ? ttl_override : n.ttl();
    Value value;
    bool from_origin = false;
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
          if (invalidation_epoch.load(std::memory_order_acquire) == epoch) {
            // Promote with the time it has left; reads keep extending it (adaptive TTL).
            const Duration left = entry->expires == kNever ? Duration::zero() : std::max(entry->expires - now, Duration{1});
            n.l1->put(key, value, left);
            const AdaptiveTtl rule = l2_adaptive_rule();
            if (rule.enabled && ttl > Duration::zero()) {
              const TimePoint cap = entry->created + ttl * static_cast<int64_t>(std::max<uint32_t>(rule.max_multiplier, 1));
              l2->extend_expiry(full, std::min(now + ttl, cap));
            }
          }
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
        if (invalidation_epoch.load(std::memory_order_acquire) == epoch) n.l1->put(key, value, ttl);
      }
      // Leave `flights` before answering: a caller that comes after the answer must not
      // join a finished flight (its value may be expired or invalidated by then); it
      // finds the value in L1 instead (start_or_join looks again under the lock).
      const uint64_t answered = finish(full, flight);
      (from_origin ? served_origin : served_l2).fetch_add(answered, std::memory_order_relaxed);
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
    // Write-through after the waiters are answered: disk latency is not theirs to pay.
    if (from_origin && n.use_l2 && l2 && invalidation_epoch.load(std::memory_order_acquire) == epoch) {
      l2->put(full, *value, ttl > Duration::zero() ? loaded_at + ttl : kNever);
    }
  }

  TieredCacheOptions options;
  SystemClock system_clock;
  const Clock* clock;
  std::vector<std::unique_ptr<Namespace>> namespaces;
  std::unordered_map<std::string_view, Namespace*> by_name;
  std::unique_ptr<DiskTier> l2;

  std::mutex flights_mu;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights;

  // Bumped on every request: striped so that cores do not contend on them.
  internal::StripedCounter total_requests, l1_hits;
  // Requests by how they ended, counted when they end (served_l1 is l1_hits plus the L1
  // look under the flight lock): shares of their sum never exceed 100 %.
  internal::StripedCounter served_l1;
  std::atomic<uint64_t> served_l2{0}, served_origin{0}, failed_requests{0};
  std::atomic<uint64_t> l2_hits{0}, l3_hits{0}, stampede_prevented{0}, load_errors{0}, load_timeouts{0}, overloaded{0},
      loads_in_flight{0}, invalidation_epoch{0};
  LatencyHistogram l1_latency, l2_latency, origin_latency, miss_latency;
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

TieredCache::TieredCache(TieredCacheOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->policy.store(impl_->options.l1_policy);
}

TieredCache::~TieredCache() { impl_->pool.reset(); }

Value TieredCache::get(std::string_view ns, std::string_view key, const std::shared_ptr<Loader>& loader, Duration ttl) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  d.total_requests.add();
  if (n.recorder->enabled()) n.recorder->record(key_hash(key));
  // Time one L1 lookup in 64: percentiles need samples, not every hit paying two clock
  // reads (~25 ns each here, 5 % of a hit).
  thread_local uint32_t sample_counter = 0;
  const bool sampled = (++sample_counter & 63) == 0;
  auto start = sampled ? SteadyClock::now() : SteadyClock::time_point{};
  if (Value v = n.l1->get(key)) {
    d.l1_hits.add();
    d.served_l1.add();
    if (sampled) d.l1_latency.record(SteadyClock::now() - start);
    if (d.debug_logging()) d.options.logger->debug("L1 HIT {}/{}", n.name, key);
    return v;
  }
  if (!sampled) start = SteadyClock::now();  // a miss is timed from here: the L1 lookup is noise next to a load
  std::shared_future<Value> future = d.start_or_join(n, key, loader, ttl);
  if (d.options.load_timeout > Duration::zero() &&
      future.wait_for(d.options.load_timeout) == std::future_status::timeout) {
    d.load_timeouts.fetch_add(1, std::memory_order_relaxed);
    throw LoadTimeoutError("load of " + Impl::full_key(n, key) + " did not finish within " +
                           std::to_string(d.options.load_timeout.count() / 1'000'000) + " ms");
  }
  Value v = future.get();
  d.miss_latency.record(SteadyClock::now() - start);
  return v;
}

std::shared_future<Value> TieredCache::get_async(std::string_view ns, std::string_view key,
                                                 const std::shared_ptr<Loader>& loader, Duration ttl) {
  Impl& d = *impl_;
  Namespace* n;
  try {
    n = &d.lookup(ns);
  } catch (...) {
    return failed(std::current_exception());
  }
  d.total_requests.add();
  if (n->recorder->enabled()) n->recorder->record(key_hash(key));
  if (Value v = n->l1->get(key)) {
    d.l1_hits.add();
    d.served_l1.add();
    return ready(std::move(v));
  }
  return d.start_or_join(*n, key, loader, ttl);
}

Value TieredCache::peek(std::string_view ns, std::string_view key) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  if (Value v = n.l1->get(key)) return v;
  if (!n.use_l2 || !d.l2) return nullptr;
  auto entry = d.l2->get(Impl::full_key(n, key));
  if (!entry) return nullptr;
  const Duration left = entry->expires == kNever ? Duration::zero() : std::max(entry->expires - d.clock->now(), Duration{1});
  n.l1->put(key, entry->value, left);
  return entry->value;
}

void TieredCache::put(std::string_view ns, std::string_view key, Value value, Duration ttl) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  if (!value) throw std::invalid_argument("cannot cache a null value");
  const Duration effective = ttl > Duration::zero() ? ttl : n.ttl();
  n.l1->put(key, value, effective);
  if (n.use_l2 && d.l2) d.l2->put(Impl::full_key(n, key), *value, effective > Duration::zero() ? d.clock->now() + effective : kNever);
}

bool TieredCache::invalidate(std::string_view ns, std::string_view key) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  d.invalidation_epoch.fetch_add(1, std::memory_order_acq_rel);
  bool any = n.l1->erase(key);
  if (d.l2) any = d.l2->erase(Impl::full_key(n, key)) || any;
  return any;
}

size_t TieredCache::invalidate_matching(std::string_view pattern, std::string_view ns) {
  Impl& d = *impl_;
  d.invalidation_epoch.fetch_add(1, std::memory_order_acq_rel);
  size_t removed = 0;
  for (auto& n : d.namespaces) {
    if (!ns.empty() && n->name != ns) continue;
    removed += n->l1->erase_matching(pattern);
    // Namespace names hold no glob characters, so the prefix matches literally.
    if (d.l2) removed += d.l2->erase_matching(n->name + "/" + std::string(pattern));
  }
  if (!ns.empty()) d.lookup(ns);  // an unknown namespace is an error, not "nothing matched"
  if (d.options.logger) d.options.logger->info("invalidated {} entries matching '{}'", removed, pattern);
  return removed;
}

void TieredCache::clear() {
  Impl& d = *impl_;
  d.invalidation_epoch.fetch_add(1, std::memory_order_acq_rel);
  for (auto& n : d.namespaces) n->l1->clear();
  if (d.l2) d.l2->clear();
  if (d.options.logger) d.options.logger->info("cache cleared (all tiers)");
}

void TieredCache::set_l1_capacity(std::string_view ns, size_t max_entries, size_t max_bytes) {
  impl_->lookup(ns).l1->set_capacity(max_entries, max_bytes);
}

void TieredCache::set_ttl(std::string_view ns, Duration ttl) {
  if (ttl < Duration::zero()) throw std::invalid_argument("TTL must not be negative");
  impl_->lookup(ns).ttl_ns.store(ttl.count());
}

void TieredCache::set_policy(EvictionPolicyKind kind) {
  impl_->policy.store(kind);
  for (auto& n : impl_->namespaces) n->l1->set_policy(kind);
}

void TieredCache::set_disk_limit(uint64_t max_bytes) {
  if (impl_->l2) impl_->l2->set_max_bytes(max_bytes);
}

void TieredCache::set_disk_watermarks(double high, double low) {
  if (impl_->l2) impl_->l2->set_watermarks(high, low);
}

void TieredCache::set_adaptive_ttl(AdaptiveTtl rule) {
  {
    std::lock_guard lock(impl_->adaptive_mu);
    impl_->l2_adaptive_ttl = rule;
  }
  for (auto& n : impl_->namespaces) n->l1->set_adaptive_ttl(rule);
  if (impl_->options.logger) {
    impl_->options.logger->info("adaptive TTL {}: one more base TTL per {} reads, at most {}x", rule.enabled ? "on" : "off",
                                rule.hits_per_step, rule.max_multiplier);
  }
}

AdaptiveTtl TieredCache::adaptive_ttl() const { return impl_->l2_adaptive_rule(); }

bool TieredCache::has_l2() const { return impl_->l2 != nullptr; }

std::vector<std::string> TieredCache::namespace_names() const {
  std::vector<std::string> names;
  for (auto& n : impl_->namespaces) names.push_back(n->name);
  return names;
}

AccessRecorder& TieredCache::access_recorder(std::string_view ns) { return *impl_->lookup(ns).recorder; }

TieredStats TieredCache::snapshot() const {
  const Impl& d = *impl_;
  TieredStats s;
  s.total_requests = d.total_requests.load();
  s.l1_hits = d.l1_hits.load();
  s.l2_hits = d.l2_hits.load();
  s.l3_hits = d.l3_hits.load();
  s.stampede_prevented = d.stampede_prevented.load();
  s.load_errors = d.load_errors.load();
  s.load_timeouts = d.load_timeouts.load();
  s.overloaded = d.overloaded.load();
  s.loads_in_flight = d.loads_in_flight.load();
  s.served_l1 = d.served_l1.load();
  s.served_l2 = d.served_l2.load();
  s.served_origin = d.served_origin.load();
  s.failed_requests = d.failed_requests.load();
  for (const auto& n : d.namespaces) {
    NamespaceStats ns{n->name, n->l1->snapshot(), n->ttl()};
    s.evictions += ns.l1.evictions;
    s.namespaces.push_back(std::move(ns));
  }
  if (d.l2) {
    s.l2_enabled = true;
    s.l2 = d.l2->snapshot();
    s.evictions += s.l2.evictions;
    s.l2_disk_usage_gb = static_cast<double>(s.l2.bytes) / double(1ull << 30);
    s.l2_disk_limit_gb = static_cast<double>(s.l2.max_bytes) / double(1ull << 30);
  }
  if (s.total_requests) {
    s.l1_hit_rate = double(s.l1_hits) / double(s.total_requests);
    s.l2_hit_rate = double(s.l2_hits) / double(s.total_requests);
    s.origin_rate = double(s.l3_hits) / double(s.total_requests);
  }
  s.l1_policy = d.policy.load();
  s.l1_latency = d.l1_latency.summary();
  s.l2_latency = d.l2_latency.summary();
  s.origin_latency = d.origin_latency.summary();
  s.miss_latency = d.miss_latency.summary();
  s.l1_latency_counts = d.l1_latency.counts();
  s.l2_latency_counts = d.l2_latency.counts();
  s.origin_latency_counts = d.origin_latency.counts();
  s.miss_latency_counts = d.miss_latency.counts();
  return s;
}

std::function<Value(const std::string&)> cached(TieredCache& cache, std::string ns, Duration ttl, std::string key_prefix,
                                                std::function<Value(const std::string&)> fn) {
  auto loader = make_compute_loader(
      [fn = std::move(fn), prefix_size = key_prefix.size()](std::string_view key) {
        return fn(std::string(key.substr(prefix_size)));
      },
      "cached function");
  return [&cache, ns = std::move(ns), ttl, key_prefix = std::move(key_prefix), loader](const std::string& argument) {
    return cache.get(ns, key_prefix + argument, loader, ttl);
  };
}

}  // namespace tierscope
