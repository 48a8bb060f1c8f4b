// RedisTier: the cache tier a fleet of servers shares — values kept in a standalone Redis
// or a Redis Cluster under `<prefix>:<namespace>:<generation>:{<digest>}` (the braces make the digest the
// cluster hash tag, so keys spread over slots; bumping a namespace's generation retires
// all its entries at once), framed with a checksum so a damaged value reads as a
// miss (and is counted) instead of as data. Every call is bounded by the endpoint's
// timeouts; behind a CircuitBreaker, calls while Redis is away return at once (a miss,
// or false) instead of waiting on it.
//
// Ownership: owns its connection pool and, with info_refresh_interval set, one thread. The Clock and logger in the options are shared; the
// Clock must outlive the tier. Thread safety: every method may be called from any number
// of threads at once. Not copyable. TLS (`rediss://`) is out of reach with Debian's
// hiredis 0.14: run Redis on loopback or behind a tunnel (see README).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/base/clock.h"
#include "tierscope/cache/shared_tier.h"
#include "tierscope/redis/circuit_breaker.h"
#include "tierscope/redis/redis_connection.h"

namespace spdlog {
class logger;
}

namespace tierscope::redis {

struct RedisTierOptions {
  // Where Redis listens (in a cluster: one seed node), its credentials and the
  // connect/command timeouts (the same for every node of a cluster).
  RedisEndpoint endpoint;
  // A Redis Cluster: keys routed by hash slot, one pool per node, MOVED/ASK followed,
  // sharded pub/sub for invalidation.
  bool cluster = false;
  // More cluster nodes to ask for the slot map when the known ones do not answer ("host:port").
  std::vector<std::string> more_seeds;
  // Most connections open at once (one per concurrent caller), per node.
  size_t pool_size = 8;
  // When to stop asking Redis, and how soon to try again.
  CircuitBreakerOptions breaker;
  // First part of every key; bump the version when the value framing changes.
  std::string key_prefix = "tsc:v1";
  // Source of time for the breaker; nullptr uses the system clock. Not owned.
  const Clock* clock = nullptr;
  // How long a namespace's generation number is trusted without a message saying it
  // changed: the backstop for a missed invalidation broadcast.
  Duration generation_ttl = std::chrono::seconds(5);
  // How often a background thread reads used_memory and connected_clients (INFO); zero:
  // only when refresh_server_info() is called.
  Duration info_refresh_interval = std::chrono::seconds(5);
  // Where breaker changes are logged ("Redis unavailable", "Redis back"); nullptr logs nothing.
  std::shared_ptr<spdlog::logger> logger;
};

// A point-in-time copy; never waits on Redis (server figures are from the last refresh).
struct RedisTierStats {
  bool available = false;       // breaker closed and the last call succeeded
  std::string breaker = "closed";
  uint64_t hits = 0, misses = 0, stores = 0, erases = 0;
  uint64_t corrupted = 0;        // values whose frame or checksum did not match (read as misses)
  uint64_t short_circuited = 0;  // calls that skipped Redis because the breaker was open
  uint64_t times_opened = 0;
  uint64_t errors[kRedisErrorKinds] = {};  // by RedisErrorKind
  int64_t used_memory_bytes = -1;          // INFO memory, -1 until known
  int64_t connected_clients = -1;          // INFO clients, -1 until known (cluster: summed over masters)
  std::string endpoint;                    // host:port, or "cluster <masters>"
  std::string subscribed_on;               // node holding the invalidation subscription, "" if none
  std::string last_error;                  // the most recent failure, "" if none yet
  bool cluster = false;
  int64_t cluster_masters = 0;
  uint64_t moved_redirects = 0, ask_redirects = 0, map_refreshes = 0;
  uint64_t errors_total() const;
};

class RedisTier final : public SharedTier {
 public:
  explicit RedisTier(RedisTierOptions options);
  ~RedisTier();
  RedisTier(const RedisTier&) = delete;
  RedisTier& operator=(const RedisTier&) = delete;

  // SharedTier: GET and PTTL in one round trip; put(); erase().
  std::optional<SharedEntry> fetch(std::string_view ns, std::string_view key) override;
  bool store(std::string_view ns, std::string_view key, std::string_view value, Duration ttl) override {
    return put(ns, key, value, ttl);
  }
  // DEL, then PUBLISH "<ns>\tK\t<key>".
  bool remove(std::string_view ns, std::string_view key) override;
  SharedTierStatus status() const override;
  // INCR <prefix>:<ns>:gen, then PUBLISH "<ns>\tP\t<pattern>" on <prefix>:invalidate.
  void invalidate_everywhere(std::string_view ns, std::string_view pattern) override;
  // Starts the subscriber thread (SUBSCRIBE <prefix>:invalidate).
  void on_invalidation(InvalidationListener listener) override;
  // Whether the subscriber is subscribed now (tests wait for it).
  bool listening() const;

  // The value, or nullopt on a miss, a damaged value, an error or an open breaker.
  std::optional<std::string> get(std::string_view ns, std::string_view key);
  // Several keys in one round trip (a pipeline of GETs); same rules per key.
  std::vector<std::optional<std::string>> get_many(std::string_view ns, const std::vector<std::string>& keys);
  // SET with PX ttl (zero: no expiry). False when not stored (error, open breaker).
  bool put(std::string_view ns, std::string_view key, std::string_view value, Duration ttl);
  bool erase(std::string_view ns, std::string_view key);

  // Reads used_memory and connected_clients (INFO) through the pool; bounded by the
  // command timeout, skipped while the breaker is open.
  void refresh_server_info();
  RedisTierStats snapshot() const;

  // The Redis key an entry is stored under: `<prefix>:<ns>:<generation>:{<digest>}`.
  std::string redis_key(std::string_view ns, std::string_view key) const;

  // The value framing, exposed for tests: magic, xxh64 of the payload, payload.
  static std::string frame(std::string_view value);
  static std::optional<std::string> unframe(std::string_view stored);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tierscope::redis
