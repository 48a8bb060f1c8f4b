// Eviction policies the memory tier can run, chosen in MemoryTierOptions and
// switchable while running (MemoryTier::set_policy).
//
// Plain enum and free functions: no ownership, thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace tierscope {

enum class EvictionPolicyKind {
  kLru,       // least recently used
  kWTinyLfu,  // Window TinyLFU (Einziger, Friedman, Manes 2017), as Caffeine: LRU window,
              // count-min frequency sketch admission, segmented-LRU main area, and a
              // hill climber that resizes the window to the workload
};

// "lru" / "wtinylfu" (also "w-tinylfu", "tinylfu"); nullopt for anything else.
std::optional<EvictionPolicyKind> parse_eviction_policy(std::string_view name);
std::string_view to_string(EvictionPolicyKind kind);

}  // namespace tierscope
