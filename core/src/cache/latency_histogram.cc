#include "tierscope/cache/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tierscope {

int LatencyHistogram::bucket_of(uint64_t ns) {
  if (ns < 2) return 0;
  const int power = std::bit_width(ns) - 1;  // floor(log2(ns))
  // The two bits after the leading one pick the sub-bucket.
  const int sub = power >= 2 ? static_cast<int>((ns >> (power - 2)) & 3) : static_cast<int>((ns << (2 - power)) & 3);
  const int bucket = power * kSubBuckets + sub;
  return bucket < kBuckets ? bucket : kBuckets - 1;
}

double LatencyHistogram::bucket_value_ns(int bucket) {
  const int power = bucket / kSubBuckets;
  const int sub = bucket % kSubBuckets;
  // Middle of the bucket: 2^p * (1 + (sub + 0.5) / 4).
  return std::ldexp(1.0 + (sub + 0.5) / kSubBuckets, power);
}

void LatencyHistogram::record(Duration d) {
  const uint64_t ns = d.count() > 0 ? static_cast<uint64_t>(d.count()) : 0;
  buckets_[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  total_ns_.fetch_add(ns, std::memory_order_relaxed);
  uint64_t seen = max_ns_.load(std::memory_order_relaxed);
  while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

LatencySummary LatencyHistogram::summary() const {
  // The windowed computation over everything recorded, with the exact maximum (the
  // histogram keeps it) instead of the top bucket's edge.
  LatencySummary s = summarize(counts());
  if (s.count == 0) return s;
  s.max_ms = static_cast<double>(max_ns_.load(std::memory_order_relaxed)) / 1e6;
  for (double* p : {&s.p50_ms, &s.p95_ms, &s.p99_ms}) *p = std::min(*p, s.max_ms);
  return s;
}

LatencyCounts LatencyHistogram::counts() const {
  LatencyCounts c;
  for (int i = 0; i < kBuckets; ++i) c.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  c.count = count_.load(std::memory_order_relaxed);
  c.total_ns = total_ns_.load(std::memory_order_relaxed);
  return c;
}

LatencySummary summarize(const LatencyCounts& now, const LatencyCounts& before) {
  std::array<uint64_t, LatencyHistogram::kBuckets> counts{};
  uint64_t total = 0;
  int highest = -1;
  for (int i = 0; i < LatencyHistogram::kBuckets; ++i) {
    counts[i] = now.buckets[i] >= before.buckets[i] ? now.buckets[i] - before.buckets[i] : 0;
    total += counts[i];
    if (counts[i]) highest = i;
  }
  LatencySummary s;
  s.count = total;
  if (total == 0) return s;
  const uint64_t ns = now.total_ns >= before.total_ns ? now.total_ns - before.total_ns : 0;
  s.mean_ms = static_cast<double>(ns) / static_cast<double>(total) / 1e6;
  s.max_ms = LatencyHistogram::bucket_value_ns(highest + 1) / 1e6;
  const auto percentile = [&](double q) {
    const uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
    uint64_t seen = 0;
    for (int i = 0; i < LatencyHistogram::kBuckets; ++i) {
      seen += counts[i];
      if (seen >= rank) return LatencyHistogram::bucket_value_ns(i) / 1e6;
    }
    return s.max_ms;
  };
  s.p50_ms = percentile(0.50);
  s.p95_ms = percentile(0.95);
  s.p99_ms = percentile(0.99);
  return s;
}

void LatencyHistogram::reset() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0);
  total_ns_.store(0);
  max_ns_.store(0);
}

}  // namespace tierscope
