#include "tierscope/redis/redis_tier.h"

#include <spdlog/logger.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <cstring>

#include "redis/cluster_router.h"
#include "redis/redis_router.h"
#include "redis/redis_subscriber.h"
#include "tierscope/base/sha256.h"

namespace tierscope::redis {
namespace {

constexpr char kMagic[4] = {'T', 'S', 'F', '1'};
constexpr size_t kHeader = sizeof(kMagic) + sizeof(uint64_t);

std::unique_ptr<internal::RedisRouter> make_router(const RedisTierOptions& o) {
  if (!o.cluster) return std::make_unique<internal::StandaloneRouter>(o.endpoint, o.pool_size);
  internal::ClusterRouterOptions c;
  c.endpoint = o.endpoint;
  c.more_seeds = o.more_seeds;
  c.pool_size = o.pool_size;
  return std::make_unique<internal::ClusterRouter>(std::move(c));
}

using Commands = std::vector<internal::RoutedCommand>;

}  // namespace

uint64_t RedisTierStats::errors_total() const {
  uint64_t total = 0;
  for (uint64_t e : errors) total += e;
  return total;
}

struct RedisTier::Impl {
  explicit Impl(RedisTierOptions o)
      : options(std::move(o)),
        clock(options.clock ? options.clock : &system_clock),
        router(make_router(options)),
        breaker(options.breaker, *clock) {}

  // Runs fn(router) unless the breaker is open; counts the outcome. Returns false when
  // Redis was not used or failed.
  template <typename Fn>
  bool with_redis(Fn&& fn) {
    if (!breaker.allow()) return false;
    try {
      fn(*router);
      const bool was_down = breaker.state() != CircuitBreaker::State::kClosed;
      breaker.record_success();
      last_ok.store(true, std::memory_order_relaxed);
      if (was_down && options.logger) options.logger->info("Redis back at {}", router->describe());
      return true;
    } catch (const RedisError& e) {
      errors[static_cast<int>(e.kind())].fetch_add(1, std::memory_order_relaxed);
      {
        std::lock_guard lock(last_error_mu);
        last_error = e.what();
      }
      last_ok.store(false, std::memory_order_relaxed);
      const uint64_t opened_before = breaker.times_opened();
      breaker.record_failure();
      if (e.kind() != RedisErrorKind::kServer) router->connection_failed();  // the others share its fate
      if (breaker.times_opened() != opened_before && options.logger) {
        options.logger->warn("Redis unavailable ({}): serving without it until it answers again", e.what());
      }
      return false;
    }
  }

  RedisTierOptions options;
  SystemClock system_clock;
  const Clock* clock;
  std::unique_ptr<internal::RedisRouter> router;
  CircuitBreaker breaker;
  std::atomic<bool> last_ok{true};
  std::mutex last_error_mu;
  std::string last_error;  // guarded by last_error_mu
  // Sharded pub/sub in a cluster: a plain PUBLISH would be copied to every node.
  const char* publish_command() const { return router->sharded_pubsub() ? "SPUBLISH" : "PUBLISH"; }
  std::atomic<uint64_t> hits{0}, misses{0}, stores{0}, erases{0}, corrupted{0};
  std::atomic<uint64_t> errors[kRedisErrorKinds] = {};
  std::atomic<int64_t> used_memory{-1}, connected_clients{-1};
  // Generation per namespace, with when it was read; guarded by gen_mu.
  struct Generation {
    int64_t value = 0;
    std::chrono::steady_clock::time_point read_at;
  };
  std::mutex gen_mu;
  std::unordered_map<std::string, Generation> generations;
  std::unique_ptr<internal::RedisSubscriber> subscriber;
  std::mutex info_mu;
  std::condition_variable info_wakeup;
  bool stopping = false;  // guarded by info_mu
  std::thread info_thread;
};

RedisTier::RedisTier(RedisTierOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.info_refresh_interval > Duration::zero()) {
    impl_->info_thread = std::thread([this] {
      std::unique_lock lock(impl_->info_mu);
      while (!impl_->stopping) {
        lock.unlock();
        refresh_server_info();
        lock.lock();
        impl_->info_wakeup.wait_for(lock, impl_->options.info_refresh_interval, [&] { return impl_->stopping; });
      }
    });
  }
}

RedisTier::~RedisTier() {
  impl_->subscriber.reset();
  if (impl_->info_thread.joinable()) {
    {
      std::lock_guard lock(impl_->info_mu);
      impl_->stopping = true;
    }
    impl_->info_wakeup.notify_all();
    impl_->info_thread.join();
  }
}

std::string RedisTier::redis_key(std::string_view ns, std::string_view key) const {
  int64_t generation = 0;
  {
    std::lock_guard lock(impl_->gen_mu);
    auto it = impl_->generations.find(std::string(ns));
    if (it != impl_->generations.end() &&
        std::chrono::steady_clock::now() - it->second.read_at < impl_->options.generation_ttl) {
      generation = it->second.value;
    } else {
      generation = -1;
    }
  }
  if (generation < 0) {
    // Not known or too old: read it (0 when never bumped, or when Redis is away).
    generation = 0;
    const std::string gen_key = impl_->options.key_prefix + ":" + std::string(ns) + ":gen";
    const bool read = impl_->with_redis([&](internal::RedisRouter& router) {
      RedisReply r = std::move(router.run({{{"GET", gen_key}, gen_key}}).front());
      if (r.is_error()) throw RedisError(RedisErrorKind::kServer, "redis: GET generation: " + r.text);
      if (r.type == RedisReply::Type::kString) generation = std::strtoll(r.text.c_str(), nullptr, 10);
    });
    // Only a generation actually read is remembered (Redis away: the call that follows
    // fails too, and the next one reads again).
    if (read) {
      std::lock_guard lock(impl_->gen_mu);
      impl_->generations[std::string(ns)] = {generation, std::chrono::steady_clock::now()};
    }
  }
  // A digest, not the key: bounded length, no separators or braces from user input, and
  // the braces make it the cluster hash tag.
  std::string k = impl_->options.key_prefix;
  k += ':';
  k += ns;
  k += ':';
  k += std::to_string(generation);
  k += ":{";
  k += sha256_hex(key).substr(0, 32);
  k += '}';
  return k;
}

void RedisTier::invalidate_everywhere(std::string_view ns, std::string_view pattern) {
  const std::string gen_key = impl_->options.key_prefix + ":" + std::string(ns) + ":gen";
  const std::string channel = impl_->options.key_prefix + ":invalidate";
  const std::string message = std::string(ns) + "\tP\t" + std::string(pattern);
  int64_t generation = -1;
  impl_->with_redis([&](internal::RedisRouter& router) {
    // Two nodes in a cluster (the generation's slot, the channel's): run() splits it.
    std::vector<RedisReply> r =
        router.run({{{"INCR", gen_key}, gen_key}, {{impl_->publish_command(), channel, message}, channel}});
    if (r[0].is_error()) throw RedisError(RedisErrorKind::kServer, "redis: INCR generation: " + r[0].text);
    generation = r[0].integer;
  });
  std::lock_guard lock(impl_->gen_mu);
  if (generation >= 0) {
    impl_->generations[std::string(ns)] = {generation, std::chrono::steady_clock::now()};
  } else {
    impl_->generations.erase(std::string(ns));
  }
}

void RedisTier::on_invalidation(InvalidationListener listener) {
  impl_->subscriber.reset();  // joins the old thread: no call after this returns
  if (!listener) return;
  auto forget = [this](const std::string& ns) {
    std::lock_guard lock(impl_->gen_mu);
    if (ns.empty()) {
      impl_->generations.clear();
    } else {
      impl_->generations.erase(ns);
    }
  };
  const std::string channel = impl_->options.key_prefix + ":invalidate";
  internal::RedisRouter* router = impl_->router.get();
  impl_->subscriber = std::make_unique<internal::RedisSubscriber>(
      [router, channel] { return router->subscription_endpoint(channel); }, channel, router->sharded_pubsub(),
      [listener = std::move(listener), forget](const std::string& message) {
        // "<ns>\t<P|K>\t<pattern or key>"
        const size_t first = message.find('\t');
        if (first == std::string::npos || first + 2 >= message.size() || message[first + 2] != '\t') return;
        const std::string ns = message.substr(0, first);
        const bool is_pattern = message[first + 1] == 'P';
        if (is_pattern) forget(ns);  // the generation moved on: read it again before the next use
        listener(ns, message.substr(first + 3), is_pattern);
      },
      [forget] { forget(""); });  // messages may have been missed while away
}

bool RedisTier::listening() const { return impl_->subscriber && impl_->subscriber->subscribed(); }

std::string RedisTier::frame(std::string_view value) {
  std::string out;
  out.reserve(kHeader + value.size());
  out.append(kMagic, sizeof(kMagic));
  const uint64_t sum = XXH64(value.data(), value.size(), 0);
  char raw[8];
  for (int i = 0; i < 8; ++i) raw[i] = static_cast<char>((sum >> (8 * i)) & 0xff);
  out.append(raw, 8);
  out.append(value);
  return out;
}

std::optional<std::string> RedisTier::unframe(std::string_view stored) {
  if (stored.size() < kHeader || std::memcmp(stored.data(), kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum |= uint64_t{static_cast<unsigned char>(stored[sizeof(kMagic) + i])} << (8 * i);
  const std::string_view payload = stored.substr(kHeader);
  if (XXH64(payload.data(), payload.size(), 0) != sum) return std::nullopt;
  return std::string(payload);
}

std::optional<std::string> RedisTier::get(std::string_view ns, std::string_view key) {
  return std::move(get_many(ns, {std::string(key)}).front());
}

std::vector<std::optional<std::string>> RedisTier::get_many(std::string_view ns, const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out(keys.size());
  if (keys.empty()) return out;
  std::vector<std::string> redis_keys;
  redis_keys.reserve(keys.size());
  for (const std::string& k : keys) redis_keys.push_back(redis_key(ns, k));
  Commands commands;
  commands.reserve(keys.size());
  for (const std::string& rk : redis_keys) commands.push_back({{"GET", rk}, rk});
  std::vector<RedisReply> replies;
  const bool ok = impl_->with_redis([&](internal::RedisRouter& router) {
    replies = router.run(commands);
    for (const RedisReply& r : replies) {
      if (r.is_error()) throw RedisError(RedisErrorKind::kServer, "redis: GET: " + r.text);
    }
  });
  if (!ok) return out;
  std::vector<std::string> damaged;
  for (size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].type != RedisReply::Type::kString) {
      impl_->misses.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    out[i] = unframe(replies[i].text);
    if (out[i]) {
      impl_->hits.fetch_add(1, std::memory_order_relaxed);
    } else {
      impl_->corrupted.fetch_add(1, std::memory_order_relaxed);
      impl_->misses.fetch_add(1, std::memory_order_relaxed);
      damaged.push_back(redis_keys[i]);
    }
  }
  if (!damaged.empty()) {
    // Drop what cannot be read, so the next load stores a good copy (one DEL per key:
    // in a cluster they live in different slots).
    Commands del;
    for (const std::string& d : damaged) del.push_back({{"DEL", d}, d});
    impl_->with_redis([&](internal::RedisRouter& router) { router.run(del); });
  }
  return out;
}

std::optional<SharedEntry> RedisTier::fetch(std::string_view ns, std::string_view key) {
  const std::string rk = redis_key(ns, key);
  std::vector<RedisReply> replies;
  const bool ok = impl_->with_redis([&](internal::RedisRouter& router) {
    replies = router.run({{{"GET", rk}, rk}, {{"PTTL", rk}, rk}});
    if (replies[0].is_error()) throw RedisError(RedisErrorKind::kServer, "redis: GET: " + replies[0].text);
  });
  if (!ok) return std::nullopt;
  if (replies[0].type != RedisReply::Type::kString) {
    impl_->misses.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  std::optional<std::string> value = unframe(replies[0].text);
  if (!value) {
    impl_->corrupted.fetch_add(1, std::memory_order_relaxed);
    impl_->misses.fetch_add(1, std::memory_order_relaxed);
    impl_->with_redis([&](internal::RedisRouter& router) { router.run({{{"DEL", rk}, rk}}); });
    return std::nullopt;
  }
  impl_->hits.fetch_add(1, std::memory_order_relaxed);
  // PTTL: -1 no expiry, -2 gone since the GET (then it expires now: 1 ms left).
  const int64_t pttl = replies[1].type == RedisReply::Type::kInteger ? replies[1].integer : -1;
  SharedEntry entry{std::move(*value), Duration::zero()};
  if (pttl >= 0 || pttl == -2) entry.ttl_left = std::chrono::milliseconds(std::max<int64_t>(pttl, 1));
  return entry;
}

bool RedisTier::put(std::string_view ns, std::string_view key, std::string_view value, Duration ttl) {
  if (ttl < Duration::zero()) return false;
  const std::string rk = redis_key(ns, key);
  const std::string framed = frame(value);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  const std::string px = std::to_string(ms > 0 ? ms : 1);
  const bool ok = impl_->with_redis([&](internal::RedisRouter& router) {
    RedisReply r = std::move(
        (ttl > Duration::zero() ? router.run({{{"SET", rk, framed, "PX", px}, rk}}) : router.run({{{"SET", rk, framed}, rk}}))
            .front());
    if (r.is_error()) throw RedisError(RedisErrorKind::kServer, "redis: SET: " + r.text);
  });
  if (ok) impl_->stores.fetch_add(1, std::memory_order_relaxed);
  return ok;
}

bool RedisTier::remove(std::string_view ns, std::string_view key) {
  const bool removed = erase(ns, key);
  const std::string channel = impl_->options.key_prefix + ":invalidate";
  const std::string message = std::string(ns) + "\tK\t" + std::string(key);
  impl_->with_redis(
      [&](internal::RedisRouter& router) { router.run({{{impl_->publish_command(), channel, message}, channel}}); });
  return removed;
}

bool RedisTier::erase(std::string_view ns, std::string_view key) {
  const std::string rk = redis_key(ns, key);
  bool removed = false;
  impl_->with_redis([&](internal::RedisRouter& router) {
    RedisReply r = std::move(router.run({{{"DEL", rk}, rk}}).front());
    if (r.is_error()) throw RedisError(RedisErrorKind::kServer, "redis: DEL: " + r.text);
    removed = r.integer > 0;
  });
  if (removed) impl_->erases.fetch_add(1, std::memory_order_relaxed);
  return removed;
}

namespace {
int64_t info_field(const std::string& info, std::string_view name) {
  const std::string needle = std::string(name) + ":";
  const size_t at = info.find(needle);
  if (at == std::string::npos) return -1;
  return std::strtoll(info.c_str() + at + needle.size(), nullptr, 10);
}
}  // namespace

void RedisTier::refresh_server_info() {
  impl_->with_redis([&](internal::RedisRouter& router) {
    // Summed over the masters in a cluster (replicas hold copies, not more cache).
    int64_t used_memory = 0, clients = 0;
    for (const RedisReply& r : router.run_on_every_master({"INFO"})) {
      if (r.is_error()) throw RedisError(RedisErrorKind::kServer, "redis: INFO: " + r.text);
      used_memory += std::max<int64_t>(info_field(r.text, "used_memory"), 0);
      clients += std::max<int64_t>(info_field(r.text, "connected_clients"), 0);
    }
    impl_->used_memory.store(used_memory, std::memory_order_relaxed);
    impl_->connected_clients.store(clients, std::memory_order_relaxed);
  });
}

SharedTierStatus RedisTier::status() const {
  const RedisTierStats s = snapshot();
  SharedTierStatus out;
  out.endpoint = s.endpoint;
  if (s.cluster) {
    out.mode = "cluster";
    out.nodes = s.cluster_masters;
    out.moved_redirects = s.moved_redirects;
    out.ask_redirects = s.ask_redirects;
  }
  out.available = s.available;
  out.breaker = s.breaker;
  out.hits = s.hits;
  out.misses = s.misses;
  out.stores = s.stores;
  out.corrupted = s.corrupted;
  out.short_circuited = s.short_circuited;
  out.errors_connect = s.errors[int(RedisErrorKind::kConnect)];
  out.errors_timeout = s.errors[int(RedisErrorKind::kTimeout)];
  out.errors_other = s.errors_total() - out.errors_connect - out.errors_timeout;
  out.used_memory_bytes = s.used_memory_bytes;
  out.connected_clients = s.connected_clients;
  return out;
}

RedisTierStats RedisTier::snapshot() const {
  RedisTierStats s;
  const CircuitBreaker::State state = impl_->breaker.state();
  s.breaker = to_string(state);
  s.available = state == CircuitBreaker::State::kClosed && impl_->last_ok.load(std::memory_order_relaxed);
  s.hits = impl_->hits.load(std::memory_order_relaxed);
  s.misses = impl_->misses.load(std::memory_order_relaxed);
  s.stores = impl_->stores.load(std::memory_order_relaxed);
  s.erases = impl_->erases.load(std::memory_order_relaxed);
  s.corrupted = impl_->corrupted.load(std::memory_order_relaxed);
  s.short_circuited = impl_->breaker.short_circuited();
  s.times_opened = impl_->breaker.times_opened();
  for (int i = 0; i < kRedisErrorKinds; ++i) s.errors[i] = impl_->errors[i].load(std::memory_order_relaxed);
  s.used_memory_bytes = impl_->used_memory.load(std::memory_order_relaxed);
  s.connected_clients = impl_->connected_clients.load(std::memory_order_relaxed);
  if (const auto cluster = impl_->router->cluster_figures()) {
    s.cluster = true;
    s.cluster_masters = cluster->masters;
    s.moved_redirects = cluster->moved;
    s.ask_redirects = cluster->ask;
    s.map_refreshes = cluster->map_refreshes;
  }
  s.endpoint = impl_->router->describe();
  {
    std::lock_guard lock(impl_->last_error_mu);
    s.last_error = impl_->last_error;
  }
  if (impl_->subscriber) s.subscribed_on = impl_->subscriber->node();
  return s;
}

}  // namespace tierscope::redis
