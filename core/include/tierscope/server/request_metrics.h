// RequestMetrics: request durations by endpoint and status, as lock-free histograms. The
// label sets are bounded: endpoints are the API's fixed routes (anything else is
// "other"), statuses the codes the server sends (anything else is counted under 500).
//
// Thread safety: record() from any thread at once (relaxed atomics); write_to() reads a
// consistent-enough view while requests are recorded. Not copyable.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "tierscope/cache/latency_histogram.h"
#include "tierscope/server/prometheus_text.h"

namespace tierscope::server {

class RequestMetrics {
 public:
  // The routes, in the order of their labels; "other" last.
  static constexpr std::array<std::string_view, 13> kEndpoints = {
      "/health",      "/predict", "/tryon",  "/model/stats", "/model/cache", "/cache/all", "/cache",
      "/cache/entries", "/config", "/metrics", "/stats",       "/alerts",      "other"};
  static constexpr std::array<int, 17> kStatuses = {200, 204, 400, 401, 403, 404, 405, 408, 413,
                                                    415, 422, 429, 431, 500, 503, 504, 201};

  RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // Index of a route in kEndpoints (the last, "other", for an unknown one).
  static size_t endpoint_index(std::string_view route);

  void record(size_t endpoint, int status, Duration elapsed);

  // `tierscope_http_request_duration_seconds` (histogram) and
  // `tierscope_http_requests_total` (counter) by endpoint and status.
  void write_to(PrometheusText& out) const;

 private:
  static size_t status_index(int status);
  std::unique_ptr<LatencyHistogram[]> histograms_;  // kEndpoints x kStatuses
};

}  // namespace tierscope::server
