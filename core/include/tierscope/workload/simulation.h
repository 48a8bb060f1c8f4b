// Offline cache simulation over a key trace: the hit ratio of the real memory tier
// under a given policy and size, and of Belady's optimal (clairvoyant) policy, which
// bounds what any policy can reach.
//
// Plain functions over caller-owned traces: no shared state, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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

// ARC (Megiddo & Modha, FAST 2003), a reference policy: adaptive between recency and
// frequency with ghost lists. Matches the paper's OLTP figures (tests/unit/test_trace.cpp).
SimulationResult simulate_arc(const std::vector<uint64_t>& trace, size_t capacity);

// Any of the above by name: "lru", "wtinylfu" (the engine's tier), "arc", "opt"
// ("belady"). Throws std::invalid_argument naming the policies for another name.
SimulationResult simulate_named(const std::vector<uint64_t>& trace, std::string_view policy, size_t capacity);
inline constexpr const char* kSimulatedPolicies = "lru, wtinylfu, arc, opt";

}  // namespace tierscope
