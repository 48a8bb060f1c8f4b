#include "tierscope/cache/tiered_cache.h"

#include "cache/tiered_cache_impl.h"

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


TieredCache::TieredCache(TieredCacheOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->policy.store(impl_->options.l1_policy);
}

TieredCache::~TieredCache() { impl_->pool.reset(); }

Value TieredCache::get(std::string_view ns, std::string_view key, const std::shared_ptr<Loader>& loader, Duration ttl) {
  // Only what a hit needs is inline here; the timed, logged and missing paths are
  // functions of their own. Inline, their frame and setup made every hit ~10 % slower
  // (bench_hit_path, docs/benchmarks.md §8).
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  const uint64_t hash = MemoryTier::hash_of(key);  // once, for the tap and the tier
  if (n.recorder->enabled()) n.recorder->record(key_hash_from_string_hash(hash));
  // Time one L1 lookup in 64: percentiles need samples, not every hit paying two clock
  // reads (~25 ns each here, 5 % of a hit).
  thread_local uint32_t sample_counter = 0;
  if ((++sample_counter & 63) == 0) [[unlikely]] return d.get_sampled(n, key, hash, loader, ttl);
  if (Value v = n.l1->get(key, hash)) [[likely]] {
    d.first_look_hits.add();
    if (d.debug_logging()) [[unlikely]] d.log_l1_hit(n, key);
    return v;
  }
  return d.get_after_miss(n, key, loader, ttl, SteadyClock::now());
}

Value TieredCache::Impl::get_sampled(Namespace& n, std::string_view key, uint64_t hash,
                                     const std::shared_ptr<Loader>& loader, Duration ttl) {
  const auto start = SteadyClock::now();
  if (Value v = n.l1->get(key, hash)) {
    first_look_hits.add();
    l1_latency.record(SteadyClock::now() - start);
    if (debug_logging()) log_l1_hit(n, key);
    return v;
  }
  return get_after_miss(n, key, loader, ttl, start);
}

void TieredCache::Impl::log_l1_hit(const Namespace& n, std::string_view key) const {
  options.logger->debug("L1 HIT {}/{}", n.name, key);
}

Value TieredCache::Impl::get_after_miss(Namespace& n, std::string_view key, const std::shared_ptr<Loader>& loader,
                                        Duration ttl, SteadyClock::time_point start) {
  // `start`: when the L1 lookup began (a sampled request) or ended; either way the lookup
  // is noise next to a load.
  std::shared_future<Value> future = start_or_join(n, key, loader, ttl);
  if (options.load_timeout > Duration::zero() && future.wait_for(options.load_timeout) == std::future_status::timeout) {
    load_timeouts.fetch_add(1, std::memory_order_relaxed);
    throw LoadTimeoutError("load of " + full_key(n, key) + " did not finish within " +
                           std::to_string(options.load_timeout.count() / 1'000'000) + " ms");
  }
  Value v = future.get();
  miss_latency.record(SteadyClock::now() - start);
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
  const uint64_t hash = MemoryTier::hash_of(key);
  if (n->recorder->enabled()) n->recorder->record(key_hash_from_string_hash(hash));
  if (Value v = n->l1->get(key, hash)) {
    d.first_look_hits.add();
    return ready(std::move(v));
  }
  return d.start_or_join(*n, key, loader, ttl);
}

Value TieredCache::get_if_in_memory(std::string_view ns, std::string_view key) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  const uint64_t hash = MemoryTier::hash_of(key);
  Value v = n.l1->get_if_present(key, hash);
  if (!v) return nullptr;
  if (n.recorder->enabled()) n.recorder->record(key_hash_from_string_hash(hash));
  d.first_look_hits.add();
  if (d.debug_logging()) d.options.logger->debug("L1 HIT {}/{}", n.name, key);
  return v;
}

Value TieredCache::peek(std::string_view ns, std::string_view key) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  if (Value v = n.l1->get(key)) return v;
  if (!n.use_l2 || !d.l2) return nullptr;
  const uint64_t epoch = d.invalidation_epoch.load();
  auto entry = d.l2->get(Impl::full_key(n, key));
  if (!entry) return nullptr;
  const Duration left = entry->expires == kNever ? Duration::zero() : std::max(entry->expires - d.clock->now(), Duration{1});
  d.promote(n, key, entry->value, left, epoch);
  return entry->value;
}

void TieredCache::put(std::string_view ns, std::string_view key, Value value, Duration ttl) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  if (!value) throw std::invalid_argument("cannot cache a null value");
  const Duration effective = ttl > Duration::zero() ? ttl : n.ttl();
  n.l1->put(key, value, effective);
  if (n.use_l2 && d.l2) d.l2->put(Impl::full_key(n, key), *value, effective > Duration::zero() ? d.clock->now() + effective : kNever);
  if (n.use_shared && d.options.shared) d.options.shared->store(n.name, key, *value, effective);
}

bool TieredCache::invalidate(std::string_view ns, std::string_view key) {
  Impl& d = *impl_;
  Namespace& n = d.lookup(ns);
  bool any = d.invalidate_locally(n.name, key, /*is_pattern=*/false) > 0;
  // The shared copy goes, and every other server drops the key from its L1 and L2.
  if (n.use_shared && d.options.shared) any = d.options.shared->remove(n.name, key) || any;
  return any;
}

size_t TieredCache::invalidate_matching(std::string_view pattern, std::string_view ns) {
  Impl& d = *impl_;
  if (!ns.empty()) d.lookup(ns);  // an unknown namespace is an error, not "nothing matched"
  size_t removed = 0;
  for (auto& n : d.namespaces) {
    if (!ns.empty() && n->name != ns) continue;
    removed += d.invalidate_locally(n->name, pattern, /*is_pattern=*/true);
    // Redis holds digests, not keys: the namespace's shared entries retire together
    // (a new generation), and every server drops the matching keys from its own tiers.
    if (n->use_shared && d.options.shared) d.options.shared->invalidate_everywhere(n->name, pattern);
  }
  if (d.options.logger) d.options.logger->info("invalidated {} entries matching '{}'", removed, pattern);
  return removed;
}

void TieredCache::clear() {
  Impl& d = *impl_;
  Impl::InvalidationScope scope(d);
  for (auto& n : d.namespaces) {
    n->l1->clear();
    if (n->use_shared && d.options.shared) d.options.shared->invalidate_everywhere(n->name, "*");
  }
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

void TieredCache::flush() {
  if (impl_->l2) impl_->l2->flush();
}

std::vector<std::string> TieredCache::namespace_names() const {
  std::vector<std::string> names;
  for (auto& n : impl_->namespaces) names.push_back(n->name);
  return names;
}

AccessRecorder& TieredCache::access_recorder(std::string_view ns) { return *impl_->lookup(ns).recorder; }

TieredStats TieredCache::snapshot() const {
  const Impl& d = *impl_;
  TieredStats s;
  const uint64_t first_look_hits = d.first_look_hits.load();
  s.total_requests = first_look_hits + d.first_look_misses.load();
  s.l1_hits = first_look_hits + d.second_look_hits.load(std::memory_order_relaxed);
  s.l2_hits = d.l2_hits.load();
  s.l3_hits = d.l3_hits.load();
  s.shared_hits = d.shared_hits.load();
  s.stampede_prevented = d.stampede_prevented.load();
  s.load_errors = d.load_errors.load();
  s.load_timeouts = d.load_timeouts.load();
  s.overloaded = d.overloaded.load();
  s.loads_in_flight = d.loads_in_flight.load();
  s.served_l1 = s.l1_hits;  // every L1 hit serves the request: one counter for both
  s.served_l2 = d.served_l2.load();
  s.served_shared = d.served_shared.load();
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
  if (d.options.shared) s.shared = d.options.shared->status();
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
