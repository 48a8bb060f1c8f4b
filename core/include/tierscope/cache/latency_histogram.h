// LatencyHistogram: lock-free log-linear histogram of durations (4 buckets per power of
// two, so any percentile is within ~19 % of the true value), from 1 ns to ~9 s and
// beyond (the last bucket is open).
//
// Ownership: plain object; embed it. Thread safety: record() and summary() may run on
// any threads at once (relaxed atomics; a summary taken during recording may be a few
// samples behind). Not copyable.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "tierscope/base/clock.h"

namespace tierscope {

struct LatencySummary {
  uint64_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// A histogram's raw counts at one moment: subtract an earlier one to get the latencies of
// the time between (sliding windows: "p99 over the last 10 s", not since start).
struct LatencyCounts {
  std::array<uint64_t, 34 * 4> buckets{};
  uint64_t count = 0;
  uint64_t total_ns = 0;
};

// Percentiles of what was recorded between `before` and `now` (both from counts() of the
// same histogram); max_ms is the largest bucket's upper edge, mean exact.
LatencySummary summarize(const LatencyCounts& now, const LatencyCounts& before = {});

class LatencyHistogram {
 public:
  static constexpr int kSubBuckets = 4;
  static constexpr int kBuckets = 34 * kSubBuckets;

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  void record(Duration d);
  LatencySummary summary() const;
  LatencyCounts counts() const;
  void reset();

  // Bucket of a duration in ns, and the representative value of a bucket (for tests).
  static int bucket_of(uint64_t ns);
  static double bucket_value_ns(int bucket);

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> total_ns_{0};
  std::atomic<uint64_t> max_ns_{0};
};

}  // namespace tierscope
