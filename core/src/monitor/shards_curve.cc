#include "tierscope/monitor/shards_curve.h"

#include <algorithm>
#include <cmath>

namespace tierscope {

namespace {
// Distances below this get a bin each; above, bins grow by 1 % (about 1,400 bins up to
// 10^9), so a curve read at any size is off by at most 1 % of that size.
constexpr double kLinearBins = 128;
constexpr double kGrowth = 1.01;
const double kLogGrowth = std::log(kGrowth);
constexpr size_t kMaxBins = 2200;
}  // namespace

ShardsCurve::ShardsCurve(size_t max_tracked_keys)
    : max_tracked_(std::max<size_t>(max_tracked_keys, 16)),
      fenwick_(std::min<size_t>(4 * max_tracked_, 4096) + 1, 0),
      histogram_(kMaxBins, 0.0) {}

size_t ShardsCurve::bin_of(double distance) {
  if (distance < kLinearBins) return static_cast<size_t>(distance);
  const size_t bin = static_cast<size_t>(kLinearBins + std::log(distance / kLinearBins) / kLogGrowth);
  return std::min(bin, kMaxBins - 1);
}

double ShardsCurve::bin_lower(size_t bin) {
  if (bin < kLinearBins) return double(bin);
  return kLinearBins * std::pow(kGrowth, double(bin) - kLinearBins);
}

void ShardsCurve::fenwick_add(size_t slot, int delta) {
  for (size_t i = slot + 1; i < fenwick_.size(); i += i & (~i + 1)) fenwick_[i] += delta;
}

int64_t ShardsCurve::fenwick_prefix(size_t slot) const {
  int64_t sum = 0;
  for (size_t i = slot + 1; i > 0; i -= i & (~i + 1)) sum += fenwick_[i];
  return sum;
}

void ShardsCurve::compact() {
  // Renumber the live slots 0..n-1 in their order, so slots never run out.
  std::vector<std::pair<uint32_t, uint64_t>> live;
  live.reserve(last_slot_.size());
  for (const auto& [key, slot] : last_slot_) live.emplace_back(slot, key);
  std::sort(live.begin(), live.end());
  std::fill(fenwick_.begin(), fenwick_.end(), 0);
  for (size_t i = 0; i < live.size(); ++i) {
    last_slot_[live[i].second] = static_cast<uint32_t>(i);
    fenwick_add(i, 1);
  }
  next_slot_ = live.size();
}

void ShardsCurve::evict_largest() {
  const auto [value, key] = by_value_.top();
  by_value_.pop();
  auto it = last_slot_.find(key);
  if (it != last_slot_.end()) {
    fenwick_add(it->second, -1);
    last_slot_.erase(it);
  }
  // Every key at or above this value is out of the sample from now on.
  threshold_ = value;
}

void ShardsCurve::access(uint64_t hash) {
  const uint32_t value = sampling_value(hash);
  if (value >= threshold_) return;
  ++samples_;
  const double weight = 1.0 / sampling_rate();
  total_weight_ += weight;
  auto it = last_slot_.find(hash);
  if (it != last_slot_.end()) {
    // Distinct sampled keys touched since this key's last access = live slots after it.
    const int64_t between = fenwick_prefix(next_slot_ - 1) - fenwick_prefix(it->second);
    histogram_[bin_of(double(between) * weight)] += weight;
    fenwick_add(it->second, -1);
  } else {
    cold_weight_ += weight;
    by_value_.emplace(value, hash);
  }
  if (next_slot_ + 1 >= fenwick_.size()) {
    // Out of slots: grow (a namespace with few keys never pays for the full size), up to
    // four slots per tracked key, then renumber the live ones.
    const size_t full = 4 * max_tracked_ + 1;
    if (fenwick_.size() < full) fenwick_.resize(std::min(full, 2 * fenwick_.size()));
    compact();
    it = last_slot_.find(hash);
  }
  fenwick_add(next_slot_, 1);
  if (it != last_slot_.end()) {
    it->second = static_cast<uint32_t>(next_slot_);
  } else {
    last_slot_.emplace(hash, static_cast<uint32_t>(next_slot_));
  }
  ++next_slot_;
  while (last_slot_.size() > max_tracked_) evict_largest();
}

double ShardsCurve::hit_ratio_at(double entries) const {
  if (total_weight_ <= 0 || entries <= 0) return 0.0;
  // An LRU cache of C entries hits a reference whose reuse distance is below C.
  const size_t last = bin_of(entries);
  double hits = 0;
  for (size_t b = 0; b < last; ++b) hits += histogram_[b];
  const double lo = bin_lower(last), hi = last + 1 < kMaxBins ? bin_lower(last + 1) : lo;
  if (hi > lo && entries > lo) hits += histogram_[last] * std::min(1.0, (entries - lo) / (hi - lo));
  return std::clamp(hits / total_weight_, 0.0, 1.0);
}

std::vector<CurvePoint> ShardsCurve::curve(double max_entries, size_t points) const {
  std::vector<CurvePoint> out;
  if (points < 2 || max_entries < 1) return out;
  // One pass over the histogram: sizes ascend, so the cumulative sum is carried along.
  const double step = std::pow(max_entries, 1.0 / double(points - 1));
  double size = 1, below = 0;  // weight of the bins wholly below the current size's bin
  size_t next_bin = 0;
  for (size_t i = 0; i < points; ++i, size *= step) {
    const size_t bin = bin_of(size);
    for (; next_bin < bin; ++next_bin) below += histogram_[next_bin];
    double hits = below;
    const double lo = bin_lower(bin), hi = bin + 1 < kMaxBins ? bin_lower(bin + 1) : lo;
    if (hi > lo && size > lo) hits += histogram_[bin] * std::min(1.0, (size - lo) / (hi - lo));
    out.push_back({size, total_weight_ > 0 ? std::clamp(hits / total_weight_, 0.0, 1.0) : 0.0});
  }
  return out;
}

void ShardsCurve::decay(double factor) {
  factor = std::clamp(factor, 0.0, 1.0);
  for (double& h : histogram_) h *= factor;
  cold_weight_ *= factor;
  total_weight_ *= factor;
}

}  // namespace tierscope
