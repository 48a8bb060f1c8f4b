// Engine: what one Tierscope process serves from — the tiered cache and, for the
// built-in demo, a simulated origin behind every namespace that has no loader of its
// own. The desktop app, the headless server and the tests all build one.
//
// Ownership: the Engine owns the cache and shares the origin with it; references it
// hands out are valid for the Engine's lifetime. Thread safety: the accessors are safe
// from any thread, and so are the objects they return. Not copyable.
#pragma once

#include <memory>
#include <string>

#include "tierscope/workload/simulated_origin.h"
#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

struct EngineOptions {
  // Namespaces, L1 policy, L2, TTLs, loader threads, clock and logger.
  TieredCacheOptions cache;
  // Latency and value sizes of the simulated origin.
  SimulatedOriginOptions origin;
  // The namespace the demo workload and the dashboard's sliders use first.
  std::string demo_namespace = "general";
};

class Engine {
 public:
  // Throws like TieredCache's constructor, and std::invalid_argument when
  // demo_namespace is not one of the cache's namespaces.
  explicit Engine(EngineOptions options);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  TieredCache& cache() { return *cache_; }
  const TieredCache& cache() const { return *cache_; }
  SimulatedOrigin& origin() { return *origin_; }
  const std::string& demo_namespace() const { return demo_namespace_; }

 private:
  std::shared_ptr<SimulatedOrigin> origin_;
  std::string demo_namespace_;
  std::unique_ptr<TieredCache> cache_;
};

}  // namespace tierscope
