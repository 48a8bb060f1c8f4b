// Auto-tuning of the cache (SPEC 1.4, AUTO_TUNING_ENABLED): splits the memory budget
// across the L1 namespaces so that the expected hits per second — each namespace's
// request rate times its live curve's hit ratio at the bytes it gets — are highest.
//
// The split is greedy over small units of the budget with a look-ahead (the best
// average gain over the next few units), so a curve with a plateau before a cliff (a
// loop larger than the cache) still gets memory. Namespaces without traffic keep what
// they hold (their limits stay; the memory they use now is set aside); only active ones
// are re-split. Changes smaller than `min_change` are left
// alone, so the cache does not flap.
//
// Plain functions over values: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tierscope/monitor/live_curves.h"

namespace tierscope {

struct AutoTunerOptions {
  // Budget units the split moves in (budget / units each).
  unsigned units = 256;
  // Look-ahead, in units, when comparing gains: the whole budget by default, so a loop
  // that only pays once it fits entirely is still seen (units^2 curve reads: ~ms).
  unsigned lookahead = 256;
  // Smallest L1 a namespace with traffic is left with.
  uint64_t floor_bytes = uint64_t{1} << 20;
  // Relative change below which a namespace keeps its limit.
  double min_change = 0.10;
  // Requests per second below which a namespace counts as idle.
  double min_request_rate = 0.5;
  // Sampled requests a curve needs before it is trusted.
  uint64_t min_samples = 2000;
};

struct NamespaceDemand {
  NamespaceCurve curve;         // its live curve (with limits and mean entry size)
  double requests_per_s = 0;    // recent request rate
  uint64_t current_bytes = 0;   // what its L1 can hold now (the tighter of its limits, in bytes)
  uint64_t used_bytes = 0;      // what its L1 holds now
};

struct BudgetChange {
  std::string name;
  uint64_t old_bytes = 0, new_bytes = 0;
  double old_hit_ratio = 0, new_hit_ratio = 0;  // estimated from the curve
};

// The byte limits to change (only those that move by more than min_change). Empty when
// the budget is 0 or no namespace has enough traffic and samples.
std::vector<BudgetChange> plan_memory_split(const std::vector<NamespaceDemand>& demand, uint64_t budget_bytes,
                                            const AutoTunerOptions& options = {});

}  // namespace tierscope
