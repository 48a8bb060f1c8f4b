#include "tierscope/workload/simulation.h"

#include <stdexcept>

#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "tierscope/cache/memory_tier.h"

namespace tierscope {

SimulationResult simulate_policy(const std::vector<uint64_t>& trace, EvictionPolicyKind policy, size_t capacity) {
  MemoryTierOptions options;
  options.max_entries = capacity;
  options.max_bytes = 0;
  options.shard_bits = 0;
  options.policy = policy;
  MemoryTier tier(options);
  const Value value = make_value("");
  std::string key;
  for (uint64_t k : trace) {
    key = std::to_string(k);
    if (!tier.get(key)) tier.put(key, value);
  }
  const MemoryTierStats s = tier.snapshot();
  return {s.lookups(), s.hits};
}

SimulationResult simulate_optimal(const std::vector<uint64_t>& trace, size_t capacity) {
  constexpr size_t kNeverAgain = SIZE_MAX;
  // next_use[i]: the position of the next request for trace[i], or kNeverAgain.
  std::vector<size_t> next_use(trace.size());
  {
    std::unordered_map<uint64_t, size_t> seen;
    seen.reserve(trace.size() / 4);
    for (size_t i = trace.size(); i-- > 0;) {
      auto [it, inserted] = seen.try_emplace(trace[i], i);
      next_use[i] = inserted ? kNeverAgain : it->second;
      it->second = i;
    }
  }
  SimulationResult result;
  result.requests = trace.size();
  if (capacity == 0) return result;
  // Resident keys with their next use; the heap holds (next use, key) with stale pairs
  // skipped lazily when they no longer match.
  std::unordered_map<uint64_t, size_t> resident;
  resident.reserve(capacity * 2);
  std::priority_queue<std::pair<size_t, uint64_t>> farthest;
  for (size_t i = 0; i < trace.size(); ++i) {
    const uint64_t key = trace[i];
    auto it = resident.find(key);
    if (it != resident.end()) {
      ++result.hits;
      it->second = next_use[i];
      farthest.emplace(next_use[i], key);
      continue;
    }
    if (resident.size() >= capacity) {
      // Drop whichever is needed last: a resident entry, or (bypass) the new one.
      while (true) {
        auto [when, victim] = farthest.top();
        auto v = resident.find(victim);
        if (v == resident.end() || v->second != when) {
          farthest.pop();  // stale
          continue;
        }
        if (when < next_use[i]) {
          victim = key;  // the new key is needed later than every resident one
        } else {
          farthest.pop();
          resident.erase(v);
        }
        break;
      }
      if (resident.size() >= capacity) continue;  // bypassed
    }
    resident.emplace(key, next_use[i]);
    farthest.emplace(next_use[i], key);
  }
  return result;
}

SimulationResult simulate_named(const std::vector<uint64_t>& trace, std::string_view policy, size_t capacity) {
  if (policy == "opt" || policy == "belady") return simulate_optimal(trace, capacity);
  if (policy == "arc") return simulate_arc(trace, capacity);
  if (auto kind = parse_eviction_policy(policy)) return simulate_policy(trace, *kind, capacity);
  throw std::invalid_argument("unknown policy '" + std::string(policy) + "' (" + kSimulatedPolicies + ")");
}

}  // namespace tierscope
