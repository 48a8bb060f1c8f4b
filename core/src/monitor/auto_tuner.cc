#include "tierscope/monitor/auto_tuner.h"

#include <algorithm>
#include <cmath>

namespace tierscope {

namespace {
double hit_ratio_at_bytes(const NamespaceCurve& c, double bytes) {
  if (c.mean_entry_bytes <= 0) return 0;
  return c.hit_ratio_at(bytes / c.mean_entry_bytes);
}
}  // namespace

std::vector<BudgetChange> plan_memory_split(const std::vector<NamespaceDemand>& demand, uint64_t budget_bytes,
                                            const AutoTunerOptions& options) {
  if (budget_bytes == 0 || options.units == 0) return {};
  std::vector<const NamespaceDemand*> active;
  uint64_t idle_bytes = 0;
  for (const NamespaceDemand& d : demand) {
    const bool trusted = d.requests_per_s >= options.min_request_rate && d.curve.samples >= options.min_samples &&
                         d.curve.mean_entry_bytes > 0;
    if (trusted) {
      active.push_back(&d);
    } else {
      idle_bytes += d.used_bytes;
    }
  }
  if (active.empty() || idle_bytes >= budget_bytes) return {};
  const uint64_t to_split = budget_bytes - idle_bytes;
  const double unit = double(to_split) / double(options.units);
  // The floor never takes more than a quarter of what is split.
  const unsigned floor_units =
      std::min<unsigned>(options.units / (4 * unsigned(active.size())),
                         static_cast<unsigned>(std::ceil(double(options.floor_bytes) / unit)));
  std::vector<unsigned> given(active.size(), floor_units);
  unsigned left = options.units - floor_units * unsigned(active.size());
  auto gain = [&](size_t i, unsigned units) {
    return active[i]->requests_per_s * hit_ratio_at_bytes(active[i]->curve, double(units) * unit);
  };
  while (left > 0) {
    size_t best = active.size();
    unsigned best_step = 1;
    double best_rate = 0;
    for (size_t i = 0; i < active.size(); ++i) {
      const double base = gain(i, given[i]);
      for (unsigned k = 1; k <= std::min(options.lookahead, left); ++k) {
        const double rate = (gain(i, given[i] + k) - base) / double(k);
        if (rate > best_rate + 1e-12) {
          best_rate = rate;
          best = i;
          best_step = k;
        }
      }
    }
    if (best == active.size()) break;  // no namespace gains from more memory
    given[best] += best_step;
    left -= best_step;
  }
  // Memory nobody gains from goes to the namespaces in proportion to their traffic, so
  // the budget is used (more room also absorbs shifts the curves have not seen yet).
  if (left > 0) {
    double total_rate = 0;
    for (const auto* d : active) total_rate += d->requests_per_s;
    unsigned handed = 0;
    for (size_t i = 0; i < active.size(); ++i) {
      const unsigned extra = static_cast<unsigned>(double(left) * active[i]->requests_per_s / total_rate);
      given[i] += extra;
      handed += extra;
    }
    given[0] += left - handed;
  }
  std::vector<BudgetChange> changes;
  for (size_t i = 0; i < active.size(); ++i) {
    const uint64_t now = active[i]->current_bytes;
    const uint64_t next = static_cast<uint64_t>(double(given[i]) * unit);
    const double relative = now ? std::abs(double(next) - double(now)) / double(now) : 1.0;
    if (relative < options.min_change) continue;
    changes.push_back({active[i]->curve.name, now, next, hit_ratio_at_bytes(active[i]->curve, double(now)),
                       hit_ratio_at_bytes(active[i]->curve, double(next))});
  }
  return changes;
}

}  // namespace tierscope
