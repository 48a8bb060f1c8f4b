// Rates over an interval, from two MemoryTierStats snapshots taken `seconds` apart —
// what dashboards and the headless summary show, as opposed to totals since start.
//
// Plain functions on values: no ownership, thread-safe.
#pragma once

#include "tierscope/memory_tier.h"

namespace tierscope {

struct IntervalRates {
  double requests_per_second = 0;  // lookups per second in the interval
  double hit_rate = 0;             // hits / lookups in the interval, 0 when idle
  double evictions_per_second = 0;
};

inline IntervalRates rates_between(const MemoryTierStats& before, const MemoryTierStats& after, double seconds) {
  IntervalRates r;
  if (seconds <= 0) return r;
  // Counters only grow, but guard against a snapshot pair taken out of order.
  const auto delta = [](uint64_t a, uint64_t b) { return b >= a ? double(b - a) : 0.0; };
  const double hits = delta(before.hits, after.hits);
  const double lookups = hits + delta(before.misses, after.misses);
  r.requests_per_second = lookups / seconds;
  r.hit_rate = lookups > 0 ? hits / lookups : 0.0;
  r.evictions_per_second = delta(before.evictions, after.evictions) / seconds;
  return r;
}

}  // namespace tierscope
