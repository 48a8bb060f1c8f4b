#include "tierscope/server/request_metrics.h"

#include <algorithm>
#include <string>

namespace tierscope::server {

RequestMetrics::RequestMetrics() : histograms_(new LatencyHistogram[kEndpoints.size() * kStatuses.size()]) {}

size_t RequestMetrics::endpoint_index(std::string_view route) {
  auto it = std::find(kEndpoints.begin(), kEndpoints.end(), route);
  return it == kEndpoints.end() ? kEndpoints.size() - 1 : static_cast<size_t>(it - kEndpoints.begin());
}

size_t RequestMetrics::status_index(int status) {
  auto it = std::find(kStatuses.begin(), kStatuses.end(), status);
  if (it == kStatuses.end()) it = std::find(kStatuses.begin(), kStatuses.end(), 500);
  return static_cast<size_t>(it - kStatuses.begin());
}

void RequestMetrics::record(size_t endpoint, int status, Duration elapsed) {
  endpoint = std::min(endpoint, kEndpoints.size() - 1);
  histograms_[endpoint * kStatuses.size() + status_index(status)].record(elapsed);
}

void RequestMetrics::write_to(PrometheusText& out) const {
  struct Series {
    Labels labels;
    LatencyCounts counts;
  };
  std::vector<Series> series;
  for (size_t e = 0; e < kEndpoints.size(); ++e) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      LatencyCounts counts = histograms_[e * kStatuses.size() + s].counts();
      if (counts.count == 0) continue;  // series appear once they happen
      series.push_back({{{"endpoint", std::string(kEndpoints[e])}, {"status", std::to_string(kStatuses[s])}}, counts});
    }
  }
  out.family("tierscope_http_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
  for (const Series& s : series) {
    uint64_t total = 0;
    for (uint64_t b : s.counts.buckets) total += b;
    out.sample(s.labels, double(total));
  }
  out.family("tierscope_http_request_duration_seconds", "histogram",
             "Time from a request's arrival to its response, by endpoint and status.");
  for (const Series& s : series) out.latency_histogram(s.labels, default_duration_buckets_seconds(), s.counts);
}

}  // namespace tierscope::server
