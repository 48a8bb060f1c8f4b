// SharedTier: a cache tier shared by a fleet of servers, between L2 and the origin (the
// read path is L1 -> L2 -> shared -> origin). The engine's implementation is
// redis::RedisTier; the cache itself knows only this interface.
//
// Thread safety: implementations must accept calls from any number of threads at once,
// and must return within bounded time (a miss, or false, when the store is away).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tierscope/base/clock.h"

namespace tierscope {

struct SharedEntry {
  std::string value;
  Duration ttl_left{0};  // zero: no expiry
};

// What the shared tier reports for /health, /metrics and the console; never waits on the store.
struct SharedTierStatus {
  std::string kind = "redis";
  std::string endpoint;           // host:port, or "cluster <masters>"
  std::string mode = "standalone";  // standalone, cluster
  int64_t nodes = 1;              // masters serving slots (a cluster), else 1
  uint64_t moved_redirects = 0, ask_redirects = 0;  // a cluster's slots moving
  bool available = false;
  std::string breaker = "closed";  // closed, open, half-open
  uint64_t hits = 0, misses = 0, stores = 0, corrupted = 0, short_circuited = 0;
  uint64_t errors_connect = 0, errors_timeout = 0, errors_other = 0;
  int64_t used_memory_bytes = -1;  // -1: not known yet
  int64_t connected_clients = -1;
};

class SharedTier {
 public:
  virtual ~SharedTier() = default;
  // The entry, or nullopt on a miss, an unreadable value, or the store being away.
  virtual std::optional<SharedEntry> fetch(std::string_view ns, std::string_view key) = 0;
  // Stores with a TTL (zero: none); false when not stored.
  virtual bool store(std::string_view ns, std::string_view key, std::string_view value, Duration ttl) = 0;
  // Removes the key's shared copy and tells every server to drop it from its own tiers.
  virtual bool remove(std::string_view ns, std::string_view key) = 0;
  virtual SharedTierStatus status() const = 0;

  // Fleet-wide invalidation: retires every shared entry of namespace `ns` (a new
  // generation: no scan, no mass delete) and tells every server sharing the tier to drop
  // what matches `pattern` (a glob over keys) from its own tiers. Best effort when the
  // store is away (local TTLs remain the backstop).
  virtual void invalidate_everywhere(std::string_view ns, std::string_view pattern) = 0;
  // Called (on another thread) for each invalidation any server announced, this one's
  // included: a namespace and either a glob pattern (is_pattern) or one exact key. An
  // empty function stops the calls (before the listener's owner goes away).
  using InvalidationListener = std::function<void(const std::string& ns, const std::string& what, bool is_pattern)>;
  virtual void on_invalidation(InvalidationListener listener) = 0;
};

}  // namespace tierscope
