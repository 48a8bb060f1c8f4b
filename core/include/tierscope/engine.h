// Engine: the objects one Tierscope process serves from — today the L1 memory tier and
// the (simulated) origin behind it. The desktop app, the headless server and the tests
// all build one from EngineOptions.
//
// Ownership: the Engine owns its tiers and origin; references it hands out are valid
// for the Engine's lifetime. Thread safety: the accessors are safe from any thread and
// so are the objects they return (see their headers). Not copyable.
#pragma once

#include <memory>

#include "tierscope/memory_tier.h"
#include "tierscope/simulated_origin.h"

namespace tierscope {

struct EngineOptions {
  // L1 limits, TTL, sharding, clock and logger.
  MemoryTierOptions l1;
  // Latency and value sizes of the simulated origin.
  SimulatedOriginOptions origin;
};

class Engine {
 public:
  explicit Engine(EngineOptions options) : l1_(std::move(options.l1)), origin_(options.origin) {}
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  MemoryTier& l1() { return l1_; }
  const MemoryTier& l1() const { return l1_; }
  SimulatedOrigin& origin() { return origin_; }

 private:
  MemoryTier l1_;
  SimulatedOrigin origin_;
};

}  // namespace tierscope
