#include "tierscope/monitor/performance_monitor.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <stdexcept>

#include <fmt/format.h>

namespace tierscope {

namespace {
const SystemClock system_clock_instance;

bool valid_metric_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * double(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - double(lo)) * (sorted[hi] - sorted[lo]);
}
}  // namespace

struct PerformanceMonitor::Series {
  std::string unit;
  std::deque<std::pair<TimePoint, double>> samples;
};

PerformanceMonitor::PerformanceMonitor(PerformanceMonitorOptions options)
    : clock_(options.clock ? *options.clock : system_clock_instance), options_(std::move(options)) {}

PerformanceMonitor::~PerformanceMonitor() = default;

void PerformanceMonitor::add_metric(std::string_view name, double value, std::string_view unit) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + std::string(name) + "'");
  if (!std::isfinite(value)) throw std::invalid_argument("metric '" + std::string(name) + "': value is not finite");
  const TimePoint now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = series_.find(name);
  if (it == series_.end()) it = series_.emplace(std::string(name), Series{std::string(unit), {}}).first;
  Series& s = it->second;
  s.samples.emplace_back(now, value);
  while (s.samples.size() > options_.samples_per_metric) s.samples.pop_front();
}

PerformanceMonitor::ScopedTimer::ScopedTimer(PerformanceMonitor& monitor, std::string_view name)
    : monitor_(monitor), name_(name), start_(std::chrono::steady_clock::now()) {}

PerformanceMonitor::ScopedTimer::~ScopedTimer() {
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  try {
    monitor_.add_metric(name_, ms, "ms");
  } catch (...) {
    // A destructor must not throw; a bad name was the caller's bug and is dropped.
  }
}

std::vector<MetricStats> PerformanceMonitor::get_stats(Duration window) const {
  std::vector<MetricStats> out;
  for (const std::string& name : metric_names()) {
    if (auto s = get_stats(name, window)) out.push_back(std::move(*s));
  }
  return out;
}

std::optional<MetricStats> PerformanceMonitor::get_stats(std::string_view name, Duration window) const {
  const TimePoint now = clock_.now();
  std::vector<double> values;
  MetricStats st;
  {
    std::lock_guard lock(mu_);
    auto it = series_.find(name);
    if (it == series_.end()) return std::nullopt;
    st.name = it->first;
    st.unit = it->second.unit;
    for (const auto& [at, v] : it->second.samples) {
      if (window > Duration::zero() && now - at > window) continue;
      values.push_back(v);
      st.last = v;
      st.last_at = at;
    }
  }
  st.count = values.size();
  if (values.empty()) return st;
  double sum = 0;
  for (double v : values) sum += v;
  st.mean = sum / double(values.size());
  std::sort(values.begin(), values.end());
  st.min = values.front();
  st.max = values.back();
  st.p50 = percentile(values, 0.50);
  st.p95 = percentile(values, 0.95);
  return st;
}

std::vector<std::string> PerformanceMonitor::metric_names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, s] : series_) names.push_back(name);
  return names;
}

void PerformanceMonitor::add_rule(AlertRule rule) {
  validate(rule);
  std::lock_guard lock(mu_);
  for (AlertStatus& s : rules_) {
    if (s.rule.name == rule.name) {
      s = AlertStatus{};
      s.rule = std::move(rule);
      return;
    }
  }
  AlertStatus s;
  s.rule = std::move(rule);
  rules_.push_back(std::move(s));
}

bool PerformanceMonitor::remove_rule(std::string_view name) {
  std::lock_guard lock(mu_);
  return std::erase_if(rules_, [name](const AlertStatus& s) { return s.rule.name == name; }) > 0;
}

std::vector<AlertStatus> PerformanceMonitor::alerts() const {
  std::lock_guard lock(mu_);
  return rules_;
}

size_t PerformanceMonitor::firing_count() const {
  std::lock_guard lock(mu_);
  return std::count_if(rules_.begin(), rules_.end(), [](const AlertStatus& s) { return s.state == AlertState::kFiring; });
}

std::vector<AlertEvent> PerformanceMonitor::evaluate() {
  const TimePoint now = clock_.now();
  std::vector<AlertEvent> fresh;
  {
    std::lock_guard lock(mu_);
    for (AlertStatus& s : rules_) {
      std::optional<double> value;
      auto it = series_.find(s.rule.metric_name);
      if (it != series_.end() && !it->second.samples.empty() &&
          now - it->second.samples.back().first <= options_.freshness) {
        value = it->second.samples.back().second;
      }
      s.value = value;
      const bool met = value && alert_condition_met(s.rule.op, *value, s.rule.threshold);
      const std::string unit = it != series_.end() ? it->second.unit : std::string();
      if (met) {
        if (s.state == AlertState::kOk) {
          s.state = AlertState::kPending;
          s.since = now;
        }
        const double held = std::chrono::duration<double>(now - s.since).count();
        if (s.state == AlertState::kPending && held >= s.rule.duration_seconds) {
          s.state = AlertState::kFiring;
          s.fired_at = now;
          ++s.times_fired;
          fresh.push_back({next_sequence_++, now, s.rule.name, true, *value,
                           fmt::format("{}: {} = {:.4g}{} {} {:.4g} for {:.0f} s", s.rule.name, s.rule.metric_name,
                                       *value, unit.empty() ? "" : " " + unit, to_string(s.rule.op), s.rule.threshold,
                                       held)});
        }
      } else if (s.state != AlertState::kOk) {
        if (s.state == AlertState::kFiring) {
          fresh.push_back({next_sequence_++, now, s.rule.name, false, value.value_or(0),
                           value ? fmt::format("{}: {} = {:.4g}{}", s.rule.name, s.rule.metric_name, *value,
                                               unit.empty() ? "" : " " + unit)
                                 : fmt::format("{}: {} has no recent samples", s.rule.name, s.rule.metric_name)});
        }
        s.state = AlertState::kOk;
      }
    }
    for (const AlertEvent& e : fresh) events_.push_back(e);
    if (events_.size() > options_.max_events) events_.erase(events_.begin(), events_.end() - options_.max_events);
  }
  if (options_.logger) {
    for (const AlertEvent& e : fresh) {
      if (e.firing) {
        options_.logger->warn("Alert FIRING: {}", e.message);
      } else {
        options_.logger->info("Alert resolved: {}", e.message);
      }
    }
  }
  return fresh;
}

std::vector<AlertEvent> PerformanceMonitor::events_after(uint64_t sequence) const {
  std::lock_guard lock(mu_);
  std::vector<AlertEvent> out;
  for (const AlertEvent& e : events_) {
    if (e.sequence > sequence) out.push_back(e);
  }
  return out;
}

}  // namespace tierscope
