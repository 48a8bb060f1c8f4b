#include "tierscope/server/prometheus_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tierscope::server {
namespace {

// Numbers as Prometheus parses them: integers without exponent, NaN/Inf spelled its way.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);
}

// Upper edge in ns of a LatencyHistogram bucket: 2^p * (1 + (sub + 1) / 4).
double bucket_upper_ns(int bucket) {
  const int power = bucket / LatencyHistogram::kSubBuckets;
  const int sub = bucket % LatencyHistogram::kSubBuckets;
  return std::ldexp(1.0 + double(sub + 1) / LatencyHistogram::kSubBuckets, power);
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const std::vector<double>& default_duration_buckets_seconds() {
  static const std::vector<double> kBounds = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,    0.1,    0.25,  0.5,    1,     2.5,   5, 10};
  return kBounds;
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  if (std::find(written_.begin(), written_.end(), name) != written_.end()) {
    throw std::logic_error("metric family written twice: " + std::string(name));
  }
  written_.emplace_back(name);
  current_ = std::string(name);
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusText::write_name_and_labels(std::string_view suffix, const Labels& labels,
                                           const std::pair<std::string, std::string>* extra) {
  out_ += current_;
  out_ += suffix;
  if (labels.empty() && !extra) return;
  out_.push_back('{');
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) out_.push_back(',');
    first = false;
    out_ += k;
    out_ += "=\"";
    out_ += escape_label_value(v);
    out_.push_back('"');
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (extra) add(extra->first, extra->second);
  out_.push_back('}');
}

void PrometheusText::sample(const Labels& labels, double value) {
  write_name_and_labels("", labels, nullptr);
  out_.push_back(' ');
  out_ += format_value(value);
  out_.push_back('\n');
}

void PrometheusText::histogram(const Labels& labels, const std::vector<double>& upper_bounds,
                               const std::vector<uint64_t>& cumulative, uint64_t count, double sum) {
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    const std::pair<std::string, std::string> le{"le", format_value(upper_bounds[i])};
    write_name_and_labels("_bucket", labels, &le);
    out_ += ' ' + format_value(double(std::min(cumulative[i], count))) + '\n';
  }
  const std::pair<std::string, std::string> inf{"le", "+Inf"};
  write_name_and_labels("_bucket", labels, &inf);
  out_ += ' ' + format_value(double(count)) + '\n';
  write_name_and_labels("_sum", labels, nullptr);
  out_ += ' ' + format_value(sum) + '\n';
  write_name_and_labels("_count", labels, nullptr);
  out_ += ' ' + format_value(double(count)) + '\n';
}

void PrometheusText::latency_histogram(const Labels& labels, const std::vector<double>& upper_bounds_seconds,
                                       const LatencyCounts& counts) {
  std::vector<uint64_t> cumulative(upper_bounds_seconds.size(), 0);
  uint64_t total = 0;
  for (int b = 0; b < LatencyHistogram::kBuckets; ++b) total += counts.buckets[b];
  for (size_t i = 0; i < upper_bounds_seconds.size(); ++i) {
    const double bound_ns = upper_bounds_seconds[i] * 1e9;
    uint64_t below = 0;
    // The last bucket is open-ended: never below any finite bound.
    for (int b = 0; b + 1 < LatencyHistogram::kBuckets && bucket_upper_ns(b) <= bound_ns; ++b) below += counts.buckets[b];
    cumulative[i] = below;
  }
  histogram(labels, upper_bounds_seconds, cumulative, total, double(counts.total_ns) / 1e9);
}

}  // namespace tierscope::server
