// SharedTier: a cache tier shared by a fleet of servers, between L2 and the origin (the
// read path is L1 -> L2 -> shared -> origin). The engine's implementation is
// redis::RedisTier; the cache itself knows only this interface.
//
// Thread safety: implementations must accept calls from any number of threads at once,
// and must return within bounded time (a miss, or false, when the store is away).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tierscope/base/clock.h"

namespace tierscope {

struct SharedEntry {
  std::string value;
  Duration ttl_left{0};  // zero: no expiry
};

class SharedTier {
 public:
  virtual ~SharedTier() = default;
  // The entry, or nullopt on a miss, an unreadable value, or the store being away.
  virtual std::optional<SharedEntry> fetch(std::string_view ns, std::string_view key) = 0;
  // Stores with a TTL (zero: none); false when not stored.
  virtual bool store(std::string_view ns, std::string_view key, std::string_view value, Duration ttl) = 0;
  virtual bool remove(std::string_view ns, std::string_view key) = 0;
};

}  // namespace tierscope
