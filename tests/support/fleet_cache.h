// Caches that stand for servers of a fleet in tests: a "predictions" namespace (60 s TTL)
// over a shared tier, and the checks the fleet tests make on their L1.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tierscope/cache/loader.h"
#include "tierscope/cache/tiered_cache.h"

namespace testing {

inline std::unique_ptr<tierscope::TieredCache> make_fleet_cache(std::shared_ptr<tierscope::SharedTier> shared,
                                                                std::shared_ptr<tierscope::Loader> loader) {
  tierscope::NamespaceOptions ns;
  ns.name = "predictions";
  ns.ttl = std::chrono::seconds(60);
  ns.loader = std::move(loader);
  tierscope::TieredCacheOptions o;
  o.namespaces = {ns};
  o.shared = std::move(shared);
  o.record_accesses = false;
  return std::make_unique<tierscope::TieredCache>(o);
}

inline bool in_l1(tierscope::TieredCache& c, const std::string& key) {
  return c.inspect("predictions", key, tierscope::CacheTier::kL1).has_value();
}

// Waits up to 3 s for an invalidation broadcast to reach `c`.
inline bool eventually_gone_from_l1(tierscope::TieredCache& c, const std::string& key) {
  for (int i = 0; i < 300 && in_l1(c, key); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return !in_l1(c, key);
}

}  // namespace testing
