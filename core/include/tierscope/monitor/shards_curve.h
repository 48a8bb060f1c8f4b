// ShardsCurve: an estimate of the LRU hit-ratio curve of a request stream — the hit
// ratio a cache of C entries would have, for every C at once — from reuse distances
// over a spatial sample of the keys (SHARDS, Waldspurger et al., FAST '15, fixed-size
// variant). A key is sampled when its hash's sampling value is below a threshold T;
// distances among sampled keys, divided by the rate R = T / 2^24, estimate distances in
// the full stream. At most `max_tracked_keys` keys are tracked: past that the key with
// the largest sampling value leaves and T drops to it, so memory stays bounded whatever
// the key space.
//
// Exact (R = 1) while the stream has fewer distinct keys than max_tracked_keys; the
// estimate is checked against an exact LRU replay in tests/unit/test_monitor.cpp.
//
// Ownership: plain value-owning object. Thread safety: none; one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tierscope/cache/access_recorder.h"

namespace tierscope {

struct CurvePoint {
  double size_entries = 0;
  double hit_ratio = 0;
};

class ShardsCurve {
 public:
  explicit ShardsCurve(size_t max_tracked_keys = 32768);

  // One request for the key with this hash (key_hash()). Keys above the threshold are
  // ignored, so the caller may pass an unsampled stream.
  void access(uint64_t hash);

  // The estimated LRU hit ratio at a cache of `entries` entries.
  double hit_ratio_at(double entries) const;
  // The curve at `points` sizes spread geometrically from 1 to max_entries.
  std::vector<CurvePoint> curve(double max_entries, size_t points = 48) const;

  // Scales every counted reference by `factor` (0..1): older traffic weighs less.
  void decay(double factor);

  // Sampling threshold (feed it to the AccessRecorder) and rate.
  uint32_t threshold() const { return threshold_; }
  double sampling_rate() const { return double(threshold_) / double(kSamplingModulus); }
  // Weighted references counted (an estimate of the requests seen) and distinct keys
  // (an estimate of the working set) — both scaled to the full stream.
  double references() const { return total_weight_; }
  double distinct_keys() const { return double(last_slot_.size()) / sampling_rate(); }
  // Sampled requests processed (unscaled), for "enough data yet?" checks.
  uint64_t samples() const { return samples_; }

 private:
  static size_t bin_of(double distance);
  static double bin_lower(size_t bin);
  void fenwick_add(size_t slot, int delta);
  int64_t fenwick_prefix(size_t slot) const;  // sum of slots [0, slot]
  void compact();
  void evict_largest();

  size_t max_tracked_;
  uint32_t threshold_ = kSamplingModulus;
  std::unordered_map<uint64_t, uint32_t> last_slot_;  // tracked key -> slot of its last access
  std::priority_queue<std::pair<uint32_t, uint64_t>> by_value_;  // tracked keys, largest value on top
  std::vector<int32_t> fenwick_;  // 1 at slots that are some key's last access
  size_t next_slot_ = 0;
  std::vector<double> histogram_;  // weighted references by reuse-distance bin
  double cold_weight_ = 0;         // first references (infinite distance)
  double total_weight_ = 0;
  uint64_t samples_ = 0;
};

}  // namespace tierscope
