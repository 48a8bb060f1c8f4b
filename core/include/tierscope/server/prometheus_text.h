// PrometheusText: writes the Prometheus text exposition format (version 0.0.4) — there is
// no prometheus-cpp in Debian 12. Each metric family gets its HELP and TYPE lines once,
// followed by its samples; label values are escaped; histograms are written from
// cumulative bucket counts with the `le` bounds, `_sum` and `_count`.
//
// Ownership: a plain builder; one per scrape. Thread safety: none (one thread builds it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tierscope/cache/latency_histogram.h"

namespace tierscope::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // Starts a family; `type` is "counter", "gauge" or "histogram". Samples that follow
  // belong to it. Starting a family of a name already written is a programming error
  // (std::logic_error), as the format forbids it.
  void family(std::string_view name, std::string_view type, std::string_view help);

  // A sample of the current family (counter or gauge).
  void sample(const Labels& labels, double value);
  void sample(double value) { sample({}, value); }

  // A histogram sample of the current family: `upper_bounds` in ascending order (in the
  // family's unit), `cumulative` the count of observations ≤ each bound, then the total
  // count (the +Inf bucket) and the sum.
  void histogram(const Labels& labels, const std::vector<double>& upper_bounds, const std::vector<uint64_t>& cumulative,
                 uint64_t count, double sum);

  // A LatencyHistogram's counts as a histogram in seconds over `upper_bounds_seconds`.
  // An observation is counted under a bound only when its whole bucket lies below it, so
  // each cumulative count is exact or low by part of one log-linear bucket (≤ 19 %).
  void latency_histogram(const Labels& labels, const std::vector<double>& upper_bounds_seconds,
                         const LatencyCounts& counts);

  const std::string& text() const { return out_; }

 private:
  void write_name_and_labels(std::string_view suffix, const Labels& labels, const std::pair<std::string, std::string>* extra);

  std::string out_;
  std::string current_;
  std::vector<std::string> written_;
};

// Bounds for request and inference durations: 0.25 ms .. 10 s.
const std::vector<double>& default_duration_buckets_seconds();

// A label value escaped for the text format (backslash, double quote, newline).
std::string escape_label_value(std::string_view value);

}  // namespace tierscope::server
