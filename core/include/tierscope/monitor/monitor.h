// Monitor: the engine's watch over itself (SPEC 1.4's performance monitor, alerts and
// auto-tuner, plus the live hit-ratio curves). Every `curve_interval` it drains the
// cache's request taps into the live curves; every `metrics_interval` it records the
// built-in metrics (below), runs the sampler hooks, samples system health and checks the
// alert rules; with auto-tuning on, every `auto_tune_interval` it re-splits the memory
// budget across the L1 namespaces by their curves, logs each change ("Auto-tuning: ...")
// and keeps it as a TuningEvent (the console draws them as chart markers).
//
// Built-in metrics: cache.hit_rate_percent (L1 + L2 share of the requests of the last
// interval, when there were at least 20), cache.requests_per_s, cache.load_errors_per_s
// (load errors, timeouts and overloads), disk.usage_percent, memory.budget_percent (L1
// bytes of all namespaces against the memory budget), process.rss_bytes,
// process.cpu_percent, system.memory_percent, system.cpu_percent.
//
// Ownership: borrows the cache (must outlive it); owns its thread, which it stops and
// joins in the destructor. Thread safety: every method may be called from any thread;
// snapshot() never waits for a tick in progress. Not copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tierscope/monitor/alert_rule.h"
#include "tierscope/monitor/auto_tuner.h"
#include "tierscope/monitor/live_curves.h"
#include "tierscope/monitor/performance_monitor.h"
#include "tierscope/monitor/system_health.h"

namespace spdlog {
class logger;
}

namespace tierscope {

class TieredCache;

struct MonitorOptions {
  // Run the background thread; false leaves ticking to the caller (tests).
  bool run_thread = true;
  Duration curve_interval = std::chrono::milliseconds(250);
  Duration metrics_interval = std::chrono::seconds(1);
  Duration auto_tune_interval = std::chrono::seconds(30);
  // AUTO_TUNING_ENABLED; switchable at run time with set_auto_tuning().
  bool auto_tuning = false;
  // CACHE_MEMORY_LIMIT_MB in bytes; auto-tuning splits it (0: nothing to split).
  uint64_t memory_budget_bytes = 0;
  // The rules to start with.
  std::vector<AlertRule> rules = default_alert_rules();
  // Extra metrics, recorded every metrics_interval (the engine adds inference latency).
  std::vector<std::function<void(PerformanceMonitor&)>> samplers;
  LiveCurvesOptions curves;
  AutoTunerOptions tuner;
  // Samples per metric, freshness; its clock and logger are filled from below if unset.
  PerformanceMonitorOptions performance;
  const Clock* clock = nullptr;  // nullptr: the system clock
  std::shared_ptr<spdlog::logger> logger;
};

struct TuningEvent {
  uint64_t sequence = 0;
  TimePoint at{};
  BudgetChange change;
};

struct MonitorSnapshot {
  SystemHealth health;
  std::vector<AlertStatus> alerts;
  size_t alerts_firing = 0;
  std::vector<NamespaceCurve> curves;
  bool auto_tuning = false;
  uint64_t memory_budget_bytes = 0;
  std::vector<TuningEvent> tuning;  // the most recent auto-tuning changes, oldest first
};

class Monitor {
 public:
  Monitor(TieredCache& cache, MonitorOptions options);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  PerformanceMonitor& performance() { return performance_; }
  LiveCurves& curves() { return curves_; }

  void set_auto_tuning(bool on);
  bool auto_tuning() const { return auto_tuning_.load(); }

  // One pass of whatever is due (curves always; metrics, alerts, tuning when their
  // interval has passed since they last ran). The thread calls this; tests may too.
  void tick();
  // Updates the curves and re-splits the budget now; returns the changes applied.
  std::vector<BudgetChange> auto_tune_now();

  MonitorSnapshot snapshot() const;
  std::vector<TuningEvent> tuning_events_after(uint64_t sequence) const;

 private:
  void record_builtin_metrics();
  std::vector<BudgetChange> auto_tune_locked();
  void run();

  TieredCache& cache_;
  MonitorOptions options_;
  const Clock& clock_;
  PerformanceMonitor performance_;
  LiveCurves curves_;
  SystemHealthProbe health_probe_;
  std::atomic<bool> auto_tuning_;

  std::mutex tick_mu_;  // one tick at a time
  TimePoint last_metrics_{}, last_tune_{};
  uint64_t last_completed_ = 0, last_hits_ = 0, last_failures_ = 0;
  std::chrono::steady_clock::time_point last_rates_at_{};
  std::map<std::string, std::pair<uint64_t, TimePoint>> tune_marks_;  // L1 lookups at the last split

  mutable std::mutex published_mu_;  // guards the two below (copies only)
  SystemHealth health_;
  std::vector<TuningEvent> tuning_;
  uint64_t next_tuning_sequence_ = 1;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tierscope
