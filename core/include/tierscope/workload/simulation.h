// Offline cache simulation over a key trace: the hit ratio of the real memory tier
// under a given policy and size, and of Belady's optimal (clairvoyant) policy, which
// bounds what any policy can reach.
//
// Plain functions over caller-owned traces: no shared state, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tierscope/cache/eviction_policy.h"

namespace tierscope {

struct SimulationResult {
  uint64_t requests = 0;
  uint64_t hits = 0;
  double hit_ratio() const { return requests ? double(hits) / double(requests) : 0.0; }
};

// Replays the trace through a one-shard MemoryTier of `capacity` entries: get, and on a
// miss put. This is the production code path, not a model of it.
SimulationResult simulate_policy(const std::vector<uint64_t>& trace, EvictionPolicyKind policy, size_t capacity);

// Belady's MIN with bypass: on a miss with the cache full, the entry (the new one
// included) whose next use is farthest away is dropped. O(n log capacity).
SimulationResult simulate_optimal(const std::vector<uint64_t>& trace, size_t capacity);

}  // namespace tierscope
