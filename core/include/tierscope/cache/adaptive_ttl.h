// Adaptive TTL: entries that are read often live longer, up to a cap.
//
// The rule: an entry stored at `created` with base TTL `ttl` and read `reads` times
// since expires at
//     created + ttl × min(1 + ⌊reads / hits_per_step⌋, max_multiplier).
// With the defaults every 2 reads add one base TTL, up to 4× (a 24 h entry read 6 times
// lives 96 h). An expiry never moves earlier. Disabled, entries expire at created + ttl.
//
// Plain values and a pure function: thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>

#include "tierscope/base/clock.h"

namespace tierscope {

struct AdaptiveTtl {
  // Whether reads extend lifetimes at all.
  bool enabled = false;
  // Reads that earn one more base TTL.
  uint32_t hits_per_step = 2;
  // Longest lifetime, in base TTLs.
  uint32_t max_multiplier = 4;
};

inline TimePoint adaptive_expiry(TimePoint created, Duration ttl, uint64_t reads, const AdaptiveTtl& rule) {
  if (ttl <= Duration::zero()) return kNever;
  uint64_t multiplier = 1;
  if (rule.enabled) {
    const uint64_t step = std::max<uint32_t>(rule.hits_per_step, 1);
    multiplier = std::min<uint64_t>(1 + reads / step, std::max<uint32_t>(rule.max_multiplier, 1));
  }
  return created + ttl * static_cast<int64_t>(multiplier);
}

}  // namespace tierscope
