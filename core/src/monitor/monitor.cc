#include "tierscope/monitor/monitor.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <map>

#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

namespace {
const SystemClock monitor_system_clock;

PerformanceMonitorOptions with_defaults(PerformanceMonitorOptions p, const MonitorOptions& o) {
  if (!p.clock) p.clock = o.clock;
  if (!p.logger) p.logger = o.logger;
  return p;
}

constexpr size_t kTuningEventsKept = 128;
constexpr uint64_t kMinRequestsForHitRate = 20;

double mib(uint64_t bytes) { return double(bytes) / 1048576.0; }
}  // namespace

Monitor::Monitor(TieredCache& cache, MonitorOptions options)
    : cache_(cache),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : monitor_system_clock),
      performance_(with_defaults(options_.performance, options_)),
      curves_(cache, options_.curves),
      auto_tuning_(options_.auto_tuning) {
  for (const AlertRule& rule : options_.rules) performance_.add_rule(rule);
  last_tune_ = clock_.now();
  for (const NamespaceStats& ns : cache_.snapshot().namespaces) tune_marks_[ns.name] = {ns.l1.lookups(), last_tune_};
  if (options_.run_thread) thread_ = std::thread([this] { run(); });
}

Monitor::~Monitor() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Monitor::set_auto_tuning(bool on) {
  if (auto_tuning_.exchange(on) == on) return;
  if (options_.logger) {
    options_.logger->info("Auto-tuning {} (memory budget {:.0f} MiB)", on ? "enabled" : "disabled",
                          mib(options_.memory_budget_bytes));
  }
}

void Monitor::run() {
  std::unique_lock lock(wake_mu_);
  while (!stopping_) {
    lock.unlock();
    try {
      tick();
    } catch (const std::exception& e) {
      if (options_.logger) options_.logger->error("monitor tick failed: {}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, options_.curve_interval, [this] { return stopping_; });
  }
}

void Monitor::tick() {
  std::lock_guard lock(tick_mu_);
  curves_.update();
  const TimePoint now = clock_.now();
  if (now - last_metrics_ >= options_.metrics_interval) {
    last_metrics_ = now;
    record_builtin_metrics();
    for (auto& sampler : options_.samplers) sampler(performance_);
    performance_.evaluate();
  }
  if (auto_tuning_.load() && now - last_tune_ >= options_.auto_tune_interval) {
    last_tune_ = now;
    auto_tune_locked();
  }
}

void Monitor::record_builtin_metrics() {
  const TieredStats s = cache_.snapshot();
  const SystemHealth h = health_probe_.sample();
  const auto steady_now = std::chrono::steady_clock::now();
  const uint64_t completed = s.completed_requests();
  const uint64_t hits = s.served_l1 + s.served_l2;
  const uint64_t failures = s.load_errors + s.load_timeouts + s.overloaded;
  if (last_rates_at_ != std::chrono::steady_clock::time_point{}) {
    const double seconds = std::chrono::duration<double>(steady_now - last_rates_at_).count();
    const uint64_t requests = completed - std::min(completed, last_completed_);
    if (seconds > 0) {
      performance_.add_metric("cache.requests_per_s", double(requests) / seconds, "req/s");
      performance_.add_metric("cache.load_errors_per_s", double(failures - std::min(failures, last_failures_)) / seconds,
                              "1/s");
    }
    if (requests >= kMinRequestsForHitRate) {
      const double window_hits = double(hits - std::min(hits, last_hits_));
      performance_.add_metric("cache.hit_rate_percent", std::min(100.0, 100.0 * window_hits / double(requests)), "%");
    }
  }
  last_rates_at_ = steady_now;
  last_completed_ = completed;
  last_hits_ = hits;
  last_failures_ = failures;

  if (s.l2_enabled && s.l2.max_bytes > 0) {
    performance_.add_metric("disk.usage_percent", 100.0 * double(s.l2.bytes) / double(s.l2.max_bytes), "%");
  }
  if (options_.memory_budget_bytes > 0) {
    uint64_t l1_bytes = 0;
    for (const NamespaceStats& ns : s.namespaces) l1_bytes += ns.l1.bytes;
    performance_.add_metric("memory.budget_percent", 100.0 * double(l1_bytes) / double(options_.memory_budget_bytes),
                            "%");
  }
  if (h.valid) {
    performance_.add_metric("process.rss_bytes", double(h.process_rss_bytes), "B");
    performance_.add_metric("process.cpu_percent", h.process_cpu_percent, "%");
    performance_.add_metric("system.memory_percent", h.memory_percent, "%");
    performance_.add_metric("system.cpu_percent", h.cpu_percent, "%");
  }
  std::lock_guard lock(published_mu_);
  health_ = h;
}

std::vector<BudgetChange> Monitor::auto_tune_now() {
  std::lock_guard lock(tick_mu_);
  return auto_tune_locked();
}

std::vector<BudgetChange> Monitor::auto_tune_locked() {
  curves_.update();
  const TieredStats s = cache_.snapshot();
  // Request rates over the time since the last split (or since the monitor started).
  std::vector<NamespaceDemand> demand;
  const TimePoint now = clock_.now();
  for (const NamespaceCurve& c : curves_.curves()) {
    NamespaceDemand d;
    d.curve = c;
    for (const NamespaceStats& ns : s.namespaces) {
      if (ns.name != c.name) continue;
      // What the namespace can hold now: its byte limit, or its entry limit at the mean
      // entry size when that binds first (a 5,000-entry cap under a 64 MiB one).
      d.current_bytes = ns.l1.max_bytes;
      if (c.mean_entry_bytes > 0 && ns.l1.max_entries > 0) {
        const auto by_entries = static_cast<uint64_t>(double(ns.l1.max_entries) * c.mean_entry_bytes);
        if (d.current_bytes == 0 || by_entries < d.current_bytes) d.current_bytes = by_entries;
      }
      d.used_bytes = ns.l1.bytes;
      const uint64_t lookups = ns.l1.lookups();
      auto& [last_lookups, last_at] = tune_marks_[c.name];
      const double seconds = std::chrono::duration<double>(now - last_at).count();
      d.requests_per_s = seconds > 1e-3 ? double(lookups - std::min(lookups, last_lookups)) / seconds : 0.0;
      last_lookups = lookups;
      last_at = now;
    }
    demand.push_back(std::move(d));
  }
  std::vector<BudgetChange> changes = plan_memory_split(demand, options_.memory_budget_bytes, options_.tuner);
  for (const BudgetChange& c : changes) {
    // Entries are left unlimited: the budget is in bytes, and the curve's entry sizes
    // came from the mean charge, which moves.
    cache_.set_l1_capacity(c.name, 0, c.new_bytes);
    if (options_.logger) {
      options_.logger->info("Auto-tuning: {} L1 {:.1f} MiB -> {:.1f} MiB (estimated hit ratio {:.1f}% -> {:.1f}%)",
                            c.name, mib(c.old_bytes), mib(c.new_bytes), 100 * c.old_hit_ratio, 100 * c.new_hit_ratio);
    }
  }
  std::lock_guard lock(published_mu_);
  for (const BudgetChange& c : changes) tuning_.push_back({next_tuning_sequence_++, now, c});
  if (tuning_.size() > kTuningEventsKept) tuning_.erase(tuning_.begin(), tuning_.end() - kTuningEventsKept);
  return changes;
}

MonitorSnapshot Monitor::snapshot() const {
  MonitorSnapshot m;
  m.alerts = performance_.alerts();
  m.alerts_firing = size_t(std::count_if(m.alerts.begin(), m.alerts.end(),
                                         [](const AlertStatus& a) { return a.state == AlertState::kFiring; }));
  m.curves = curves_.curves();
  m.auto_tuning = auto_tuning_.load();
  m.memory_budget_bytes = options_.memory_budget_bytes;
  std::lock_guard lock(published_mu_);
  m.health = health_;
  m.tuning = tuning_;
  return m;
}

std::vector<TuningEvent> Monitor::tuning_events_after(uint64_t sequence) const {
  std::lock_guard lock(published_mu_);
  std::vector<TuningEvent> out;
  for (const TuningEvent& e : tuning_) {
    if (e.sequence > sequence) out.push_back(e);
  }
  return out;
}

}  // namespace tierscope
