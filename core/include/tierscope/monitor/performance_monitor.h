// PerformanceMonitor: the metrics, timing wrapper, stats and alert rules of SPEC 1.4's
// monitor. Anything may add a sample (`add_metric`) or time a piece of work (`time`,
// ScopedTimer); get_stats() summarises each metric over a window; evaluate() checks the
// alert rules against the latest samples and returns the transitions, which are also
// kept (events_after) and logged ("Alert FIRING: ..." at warn, "Alert resolved: ..." at
// info).
//
// Ownership: owns its samples (a bounded ring per metric, a bounded event list); borrows
// the clock; shares the logger. Thread safety: every method may be called from any
// thread at once (one short mutex; nothing slow happens under it). Not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/base/clock.h"
#include "tierscope/monitor/alert_rule.h"

namespace spdlog {
class logger;
}

namespace tierscope {

struct PerformanceMonitorOptions {
  // Samples kept per metric (the oldest go first).
  size_t samples_per_metric = 4096;
  // A metric's latest sample counts for alerting while younger than this.
  Duration freshness = std::chrono::seconds(5);
  // Alert events kept for viewers.
  size_t max_events = 256;
  const Clock* clock = nullptr;  // nullptr: the system clock
  std::shared_ptr<spdlog::logger> logger;
};

struct MetricStats {
  std::string name;
  std::string unit;
  uint64_t count = 0;  // samples in the window
  double last = 0, min = 0, max = 0, mean = 0, p50 = 0, p95 = 0;
  TimePoint last_at{};
};

class PerformanceMonitor {
 public:
  explicit PerformanceMonitor(PerformanceMonitorOptions options = {});
  ~PerformanceMonitor();
  PerformanceMonitor(const PerformanceMonitor&) = delete;
  PerformanceMonitor& operator=(const PerformanceMonitor&) = delete;

  // One sample of a metric. Names: letters, digits and "._-"; a bad name or a value
  // that is not finite throws std::invalid_argument. The first unit given sticks.
  void add_metric(std::string_view name, double value, std::string_view unit = {});

  // The timing wrapper: runs fn and records its wall time in milliseconds under `name`
  // (also when it throws), returning what fn returns.
  template <typename Fn>
  decltype(auto) time(std::string_view name, Fn&& fn) {
    ScopedTimer timer(*this, name);
    return std::forward<Fn>(fn)();
  }
  class ScopedTimer {
   public:
    ScopedTimer(PerformanceMonitor& monitor, std::string_view name);
    ~ScopedTimer();
    ScopedTimer(const ScopedTimer&) = delete;
    ScopedTimer& operator=(const ScopedTimer&) = delete;

   private:
    PerformanceMonitor& monitor_;
    std::string name_;
    std::chrono::steady_clock::time_point start_;
  };

  // Stats of every metric (or one) over the last `window` (zero: all samples kept).
  std::vector<MetricStats> get_stats(Duration window = Duration::zero()) const;
  std::optional<MetricStats> get_stats(std::string_view name, Duration window = Duration::zero()) const;
  std::vector<std::string> metric_names() const;

  // Alert rules. add_rule replaces a rule of the same name; validate() errors propagate.
  void add_rule(AlertRule rule);
  bool remove_rule(std::string_view name);
  std::vector<AlertStatus> alerts() const;
  size_t firing_count() const;

  // Checks every rule now; returns the events it caused (fired, resolved).
  std::vector<AlertEvent> evaluate();
  // Events with a sequence number above `sequence`, oldest first.
  std::vector<AlertEvent> events_after(uint64_t sequence) const;

 private:
  struct Series;
  const Clock& clock_;
  PerformanceMonitorOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Series, std::less<>> series_;
  std::vector<AlertStatus> rules_;
  std::vector<AlertEvent> events_;
  uint64_t next_sequence_ = 1;
};

}  // namespace tierscope
