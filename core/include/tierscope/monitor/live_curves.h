// LiveCurves: the hit-ratio curve of every cache namespace, estimated from its live
// requests — "64 MB more would give +7 % hits". update() drains each namespace's
// AccessRecorder into a ShardsCurve (and lowers the recorder's sampling threshold with
// the curve's), keeps the most recent sampled requests as a replayable trace (what-if
// on live traffic), and publishes the curves; curves() returns the last published ones
// without waiting for an update in progress.
//
// Curves are LRU's (stack distances); the engine's W-TinyLFU usually does as well or
// better, so the curve is a floor for what more memory buys. Sizes are entries,
// converted to bytes with the namespace's mean L1 entry charge.
//
// Ownership: borrows the cache (must outlive it). Thread safety: update() from one
// thread at a time; every other method from any thread. Not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/monitor/shards_curve.h"

namespace tierscope {

class TieredCache;

struct LiveCurvesOptions {
  // Keys each namespace's estimator tracks; beyond it sampling thins out (SHARDS). About
  // 100 bytes each, grown as keys appear. 32k keeps OLTP (187k keys, sampled at 0.18)
  // within 1.4 points over six hash seeds; 16k was 0.8 to 3.1.
  size_t max_tracked_keys = 32768;
  // Sampled requests kept per namespace for what-if replays of live traffic.
  size_t recorded_trace_length = size_t{1} << 18;
  // Each update scales older references by this factor (1 = never forget). At 4 updates
  // a second, 0.9995 halves a reference's weight in about six minutes.
  double decay_per_update = 0.9995;
  // Points on each published curve (160 on a log axis: 6 % apart at reach 10^4), and how far it reaches: this many times the
  // namespace's current L1 entry limit (or its working set, if larger).
  size_t curve_points = 160;
  double reach = 8.0;
};

// The hit ratio a curve gives at `entries`, interpolated on a log size axis (linear
// towards zero below the first point, flat past the last); 0 for an empty curve.
double curve_hit_ratio(const std::vector<CurvePoint>& points, double entries);

struct NamespaceCurve {
  std::string name;
  double sampling_rate = 1;       // share of keys sampled
  uint64_t samples = 0;           // sampled requests processed since start
  uint64_t lost = 0;              // records dropped because the ring was lapped
  double references = 0;          // estimated requests behind the curve (after decay)
  double distinct_keys = 0;       // estimated working set, entries
  double mean_entry_bytes = 0;    // L1 charge per entry now (0: empty namespace)
  double l1_max_entries = 0;      // the namespace's current limits (0 = none)
  double l1_max_bytes = 0;
  double l1_entries = 0;          // entries held now
  // The curve's hit ratio at the namespace's current effective size.
  double hit_ratio_now = 0;
  std::vector<CurvePoint> points;  // size in entries -> estimated LRU hit ratio
  // Hit ratio estimated at `entries` (curve_hit_ratio on `points`).
  double hit_ratio_at(double entries) const { return curve_hit_ratio(points, entries); }
  // The effective L1 size in entries: the tighter of the entry and byte limits.
  double effective_entries() const;
};

struct RecordedTrace {
  std::vector<uint64_t> keys;  // key hashes, oldest first
  double sampling_rate = 1;    // replay at size * rate to estimate size
};

class LiveCurves {
 public:
  LiveCurves(TieredCache& cache, LiveCurvesOptions options = {});
  ~LiveCurves();
  LiveCurves(const LiveCurves&) = delete;
  LiveCurves& operator=(const LiveCurves&) = delete;

  // Drains the recorders and republishes the curves.
  void update();
  // The curves as last published, one per namespace.
  std::vector<NamespaceCurve> curves() const;
  // The estimator's live curve of one namespace with full resolution (under the
  // estimator lock: may wait for an update in progress); nullopt for an unknown name.
  std::optional<double> hit_ratio_at(std::string_view ns, double entries) const;
  // The recent sampled requests of a namespace (empty for an unknown one).
  RecordedTrace recorded_trace(std::string_view ns) const;

 private:
  struct State;
  TieredCache& cache_;
  LiveCurvesOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace tierscope
