#include "engine_worker.h"

#include <algorithm>
#include <map>

#include "tierscope/inference/model_service.h"
#include "tierscope/tryon/tryon_pipeline.h"
#include "tierscope/workload/trace.h"

namespace tierscope::ui {
namespace {

double delta(uint64_t before, uint64_t after) { return after >= before ? double(after - before) : 0.0; }

}  // namespace

EngineWorker::EngineWorker(Engine& engine, Classifier* classifier, int sample_interval_ms, QObject* parent)
    : QObject(parent),
      engine_(engine),
      classifier_(classifier),
      sample_interval_ms_(sample_interval_ms),
      focus_(QString::fromStdString(engine.demo_namespace())) {}

EngineWorker::~EngineWorker() {
  if (workload_) workload_->stop();
}

void EngineWorker::start() {
  if (timer_) return;
  timer_ = new QTimer(this);
  timer_->setTimerType(Qt::PreciseTimer);
  connect(timer_, &QTimer::timeout, this, &EngineWorker::takeSample);
  since_start_.start();
  started_at_ = SystemClock().now();
  previous_ = engine_.cache().snapshot();
  defaults_.namespaces = previous_.namespaces;
  defaults_.policy = previous_.l1_policy;
  defaults_.adaptive = engine_.cache().adaptive_ttl();
  defaults_.l2 = previous_.l2_enabled;
  defaults_.disk_limit = previous_.l2.max_bytes;
  defaults_.high_watermark = previous_.l2.high_watermark;
  defaults_.low_watermark = previous_.l2.low_watermark;
  if (classifier_) {
    defaults_.max_image_size = classifier_->max_image_size();
    defaults_.max_concurrent_inferences = classifier_->stats().model.max_concurrent_inferences;
  }
  previous_seconds_ = 0;
  timer_->start(sample_interval_ms_);
}

void EngineWorker::stop() {
  if (timer_) timer_->stop();
}

void EngineWorker::setFocusNamespace(const QString& ns) {
  focus_ = ns;
  takeSample();
}

void EngineWorker::setL1Capacity(const QString& ns, quint64 max_entries, quint64 max_bytes) {
  try {
    engine_.cache().set_l1_capacity(ns.toStdString(), max_entries, max_bytes);
    Q_EMIT capacityApplied(ns, max_entries, max_bytes);
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
  }
}

void EngineWorker::setTtl(const QString& ns, double seconds) {
  try {
    engine_.cache().set_ttl(ns.toStdString(), std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
  }
}

void EngineWorker::setAdaptiveTtl(int max_multiplier) {
  AdaptiveTtl rule = engine_.cache().adaptive_ttl();
  rule.enabled = max_multiplier > 1;
  if (rule.enabled) rule.max_multiplier = static_cast<uint32_t>(max_multiplier);
  engine_.cache().set_adaptive_ttl(rule);
}

void EngineWorker::setPolicy(const QString& policy) {
  if (auto kind = parse_eviction_policy(policy.toStdString())) {
    engine_.cache().set_policy(*kind);
  } else {
    Q_EMIT errorOccurred(tr("unknown eviction policy '%1'").arg(policy));
  }
}

void EngineWorker::setDiskLimit(quint64 max_bytes) { engine_.cache().set_disk_limit(max_bytes); }

void EngineWorker::setMaxImageSize(int pixels) {
  if (!classifier_) return;
  try {
    classifier_->set_max_image_size(pixels);
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
  }
}

void EngineWorker::setMaxConcurrentInferences(int limit) {
  if (!classifier_) return;
  try {
    classifier_->model().set_max_concurrent_inferences(static_cast<size_t>(std::max(limit, 0)));
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
  }
}

void EngineWorker::takeSample() {
  QElapsedTimer cost;
  cost.start();
  const TieredStats now = engine_.cache().snapshot();
  const double seconds = since_start_.nsecsElapsed() / 1e9;
  const double dt = seconds - previous_seconds_;

  EngineSample s;
  s.seconds_since_start = seconds;
  // Shares come from how requests ended this interval: one consistent set of counters,
  // so they add up to 100 % (never "200 % from origin" after a stall).
  const double ended = delta(previous_.completed_requests(), now.completed_requests());
  s.requests_completed = now.completed_requests();
  auto per_second = [dt](uint64_t before, uint64_t after) { return dt > 0 ? delta(before, after) / dt : 0.0; };
  s.requests_per_second = dt > 0 ? ended / dt : 0.0;
  if (ended > 0) {
    s.l1_hit_rate = delta(previous_.served_l1, now.served_l1) / ended;
    s.l2_hit_rate = delta(previous_.served_l2, now.served_l2) / ended;
    s.origin_rate = delta(previous_.served_origin, now.served_origin) / ended;
    s.failed_rate = delta(previous_.failed_requests, now.failed_requests) / ended;
    s.redis_rate = delta(previous_.served_shared, now.served_shared) / ended;
  }
  if (now.shared) {
    s.redis_enabled = true;
    s.redis_available = now.shared->available;
    s.redis_breaker = QString::fromStdString(now.shared->breaker);
    s.redis_endpoint = QString::fromStdString(now.shared->endpoint);
    s.redis_mode = QString::fromStdString(now.shared->mode);
  }
  s.l1_hit_rate_total = now.l1_hit_rate;

  // Evictions by cause, L1 (every namespace) and L2 together.
  auto causes = [](const TieredStats& t, uint64_t& size, uint64_t& ttl, uint64_t& invalidated) {
    size = ttl = invalidated = 0;
    for (const NamespaceStats& ns : t.namespaces) {
      size += ns.l1.evictions;
      ttl += ns.l1.expirations;
      invalidated += ns.l1.erases;
    }
    size += t.l2.evictions;
    ttl += t.l2.expirations;
    invalidated += t.l2.erases;
  };
  uint64_t size_now, ttl_now, inv_now, size_before, ttl_before, inv_before;
  causes(now, size_now, ttl_now, inv_now);
  causes(previous_, size_before, ttl_before, inv_before);
  s.size_evictions = size_now;
  s.ttl_expirations = ttl_now;
  s.invalidations = inv_now;
  s.size_evictions_per_second = per_second(size_before, size_now);
  s.ttl_expirations_per_second = per_second(ttl_before, ttl_now);
  s.invalidations_per_second = per_second(inv_before, inv_now);
  s.stampedes_per_second = per_second(previous_.stampede_prevented, now.stampede_prevented);
  s.evictions_per_second = per_second(previous_.evictions, now.evictions);
  s.load_errors_per_second = per_second(previous_.load_errors, now.load_errors);
  s.load_timeouts_per_second = per_second(previous_.load_timeouts, now.load_timeouts);

  std::map<std::string, MemoryTierStats> before_by_name;
  for (const NamespaceStats& ns : previous_.namespaces) before_by_name[ns.name] = ns.l1;
  for (const NamespaceStats& ns : now.namespaces) {
    s.l1_entries += ns.l1.entries;
    s.l1_bytes += ns.l1.bytes;
    const QString name = QString::fromStdString(ns.name);
    s.namespaces << name;
    NamespaceSample row;
    row.name = name;
    const MemoryTierStats& b = before_by_name[ns.name];
    const double lookups = delta(b.lookups(), ns.l1.lookups());
    row.hit_rate = lookups > 0 ? delta(b.hits, ns.l1.hits) / lookups : 0.0;
    row.lookups_per_second = dt > 0 ? lookups / dt : 0.0;
    row.entries = ns.l1.entries;
    row.max_entries = ns.l1.max_entries;
    row.bytes = ns.l1.bytes;
    row.max_bytes = ns.l1.max_bytes;
    row.ttl_seconds = std::chrono::duration<double>(ns.ttl).count();
    row.window_share = ns.l1.window_share;
    row.ghost_admission = ns.l1.ghost_admission;
    s.namespace_rows << row;
    if (name == focus_) {
      s.focus_entries = ns.l1.entries;
      s.focus_bytes = ns.l1.bytes;
      s.focus_max_entries = ns.l1.max_entries;
      s.focus_max_bytes = ns.l1.max_bytes;
      s.focus_ttl_seconds = row.ttl_seconds;
    }
  }
  s.memory_budget_bytes = engine_.memory_budget_bytes();
  s.process_rss_bytes = static_cast<quint64>(std::max<int64_t>(0, resident_memory_bytes()));
  s.focus_namespace = focus_;
  const AdaptiveTtl adaptive = engine_.cache().adaptive_ttl();
  s.adaptive_ttl_max_multiplier = adaptive.enabled ? static_cast<int>(adaptive.max_multiplier) : 0;
  s.l2_enabled = now.l2_enabled;
  s.l2_entries = now.l2.entries;
  s.l2_bytes = now.l2.bytes;
  s.l2_max_bytes = now.l2.max_bytes;
  s.l2_high_watermark = now.l2.high_watermark;
  s.l2_low_watermark = now.l2.low_watermark;
  s.l2_corrupt_dropped = now.l2.corrupt_dropped;
  s.stampede_prevented = now.stampede_prevented;
  s.evictions = now.evictions;
  s.load_errors = now.load_errors;
  s.load_timeouts = now.load_timeouts;
  s.origin_loads = now.l3_hits;
  s.policy = QString::fromUtf8(to_string(now.l1_policy).data());

  // Latency over the last window: the histograms now minus as they were window ago.
  WindowPoint point;
  point.seconds = seconds;
  point.l1 = now.l1_latency_counts;
  point.l2 = now.l2_latency_counts;
  point.origin = now.origin_latency_counts;
  point.miss = now.miss_latency_counts;

  if (classifier_) {
    const ClassifierStats c = classifier_->stats();
    s.inference_enabled = true;
    s.max_image_size = classifier_->max_image_size();
    s.max_concurrent_inferences = static_cast<int>(c.model.max_concurrent_inferences);
    point.inference = c.end_to_end_counts;
    point.model = c.model.inference_latency_counts;
    const double answered = delta(previous_classifier_.cache_hits + previous_classifier_.cache_misses, c.cache_hits + c.cache_misses);
    s.prediction_hit_rate = answered > 0 ? delta(previous_classifier_.cache_hits, c.cache_hits) / answered : 0.0;
    s.prediction_hit_rate_total = c.cache_hit_rate_percent / 100.0;
    s.predictions = c.requests;
    s.model_loaded = c.model.loaded;
    previous_classifier_ = c;
  }
  if (auto* tryon = engine_.tryon()) {
    const tryon::TryOnStats t = tryon->stats();
    s.tryon_enabled = true;
    s.tryon_requests = t.requests;
    point.tryon = t.latency_counts;
  }
  window_.push_back(std::move(point));
  // The oldest point at least window_seconds_ old is the baseline; older ones go.
  while (window_.size() > 2 && window_[1].seconds <= seconds - window_seconds_) window_.pop_front();
  const WindowPoint& base = window_.front();
  const WindowPoint& last = window_.back();
  auto window = [](const LatencyCounts& now_counts, const LatencyCounts& before) {
    const LatencySummary w = summarize(now_counts, before);
    return LatencyWindow{w.p50_ms, w.p95_ms, w.p99_ms, w.count};
  };
  s.latency_window_seconds = window_seconds_;
  s.l1_latency = window(last.l1, base.l1);
  s.l2_latency = window(last.l2, base.l2);
  s.origin_latency = window(last.origin, base.origin);
  s.miss_latency = window(last.miss, base.miss);
  s.inference_latency = window(last.inference, base.inference);
  s.model_latency = window(last.model, base.model);
  s.tryon_latency = window(last.tryon, base.tryon);
  s.inference_p50_ms = s.inference_latency.p50_ms;
  s.inference_p95_ms = s.inference_latency.p95_ms;
  s.inference_p99_ms = s.inference_latency.p99_ms;

  previous_ = now;
  previous_seconds_ = seconds;
  s.workload_running = workload_ && workload_->running();
  s.workload_target_rate = workload_ ? workload_->target_rate() : 0.0;
  s.workload_description = workload_description_;
  fillMonitor(s);
  s.sample_cost_ms = cost.nsecsElapsed() / 1e6;
  Q_EMIT sampleReady(s);
}

void EngineWorker::fillMonitor(EngineSample& s) const {
  const MonitorSnapshot m = engine_.monitor().snapshot();
  for (const NamespaceCurve& c : m.curves) {
    CurveSample cs;
    cs.name = QString::fromStdString(c.name);
    cs.sampling_rate = c.sampling_rate;
    cs.samples = c.samples;
    cs.distinct_keys = c.distinct_keys;
    cs.mean_entry_bytes = c.mean_entry_bytes;
    cs.current_entries = c.effective_entries();
    cs.current_bytes = c.l1_max_bytes;
    cs.hit_ratio_now = c.hit_ratio_now;
    cs.points = c.points;
    s.curves.append(std::move(cs));
  }
  const TimePoint now = SystemClock().now();
  for (const AlertStatus& a : m.alerts) {
    AlertSample as;
    as.name = QString::fromStdString(a.rule.name);
    as.metric = QString::fromStdString(a.rule.metric_name);
    as.op = QString::fromUtf8(to_string(a.rule.op).data(), qsizetype(to_string(a.rule.op).size()));
    as.state = QString::fromUtf8(to_string(a.state).data(), qsizetype(to_string(a.state).size()));
    as.threshold = a.rule.threshold;
    as.duration_seconds = a.rule.duration_seconds;
    as.has_value = a.value.has_value();
    as.value = a.value.value_or(0);
    as.since_seconds = a.state == AlertState::kOk ? 0 : std::chrono::duration<double>(now - a.since).count();
    as.times_fired = a.times_fired;
    s.alerts.append(std::move(as));
  }
  s.alerts_firing = int(m.alerts_firing);
  for (const std::string& name : engine_.monitor().performance().metric_names()) {
    s.metric_names.append(QString::fromStdString(name));
  }
  s.auto_tuning = m.auto_tuning;
  for (const TuningEvent& e : m.tuning) {
    TuningSample t;
    t.sequence = e.sequence;
    t.seconds_since_start = std::chrono::duration<double>(e.at - started_at_).count();
    t.name = QString::fromStdString(e.change.name);
    t.old_bytes = e.change.old_bytes;
    t.new_bytes = e.change.new_bytes;
    t.old_hit_ratio = e.change.old_hit_ratio;
    t.new_hit_ratio = e.change.new_hit_ratio;
    s.tuning.append(std::move(t));
  }
  s.system_cpu_percent = m.health.cpu_percent;
  s.system_memory_percent = m.health.memory_percent;
  s.process_cpu_percent = m.health.process_cpu_percent;
}

void EngineWorker::addAlertRule(const QString& name, const QString& metric, const QString& op, double threshold,
                                double duration_seconds) {
  const auto parsed = parse_alert_operator(op.toStdString());
  if (!parsed) {
    Q_EMIT errorOccurred(tr("Alert rule '%1': unknown operator '%2' (use >, >=, <, <=, == or !=)").arg(name, op));
    return;
  }
  try {
    engine_.monitor().performance().add_rule(
        {name.trimmed().toStdString(), metric.trimmed().toStdString(), threshold, *parsed, duration_seconds});
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
    return;
  }
  Q_EMIT alertRuleAdded(name.trimmed());
  takeSample();
}

void EngineWorker::removeAlertRule(const QString& name) {
  engine_.monitor().performance().remove_rule(name.toStdString());
  takeSample();
}

void EngineWorker::setAutoTuning(bool on) {
  engine_.monitor().set_auto_tuning(on);
  takeSample();
}

void EngineWorker::autoTuneNow() {
  if (engine_.memory_budget_bytes() == 0) {
    Q_EMIT errorOccurred(tr("Auto-tuning needs a memory budget (CACHE_MEMORY_LIMIT_MB)"));
    return;
  }
  if (engine_.monitor().auto_tune_now().empty()) {
    Q_EMIT errorOccurred(tr("Auto-tuning: nothing to change (no namespace with enough traffic, or every limit is "
                            "within 10 % of the best split)"));
  }
  takeSample();
}

void EngineWorker::setDiskWatermarks(double high, double low) {
  try {
    engine_.cache().set_disk_watermarks(high, low);
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
  }
}

void EngineWorker::resetToDefaults() {
  try {
    for (const NamespaceStats& ns : defaults_.namespaces) {
      engine_.cache().set_l1_capacity(ns.name, ns.l1.max_entries, ns.l1.max_bytes);
      engine_.cache().set_ttl(ns.name, ns.ttl);
    }
    engine_.cache().set_policy(defaults_.policy);
    engine_.cache().set_adaptive_ttl(defaults_.adaptive);
    if (defaults_.l2) {
      engine_.cache().set_disk_limit(defaults_.disk_limit);
      engine_.cache().set_disk_watermarks(defaults_.high_watermark, defaults_.low_watermark);
    }
    if (classifier_ && defaults_.max_image_size > 0) {
      classifier_->set_max_image_size(defaults_.max_image_size);
      classifier_->model().set_max_concurrent_inferences(defaults_.max_concurrent_inferences);
    }
    Q_EMIT defaultsRestored();
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(QString::fromStdString(e.what()));
  }
  takeSample();
}

void EngineWorker::startWorkload(const WorkloadRequest& request) {
  WorkloadOptions o;
  o.key_count = std::max<quint64>(1, request.keys);
  o.zipf_exponent = request.zipf;
  o.target_rate = std::max(0.0, request.rate);
  o.threads = static_cast<unsigned>(std::clamp(request.threads, 1, 64));
  o.cache_namespace = request.cache_namespace.toStdString();
  try {
    if (!request.trace_path.isEmpty()) {
      auto trace = std::make_shared<const std::vector<uint64_t>>(read_trace(request.trace_path.toStdString()));
      if (trace->empty()) throw std::invalid_argument(request.trace_path.toStdString() + " holds no keys");
      o.trace = trace;
    }
  } catch (const std::exception& e) {
    Q_EMIT errorOccurred(tr("workload not started: %1").arg(QString::fromStdString(e.what())));
    return;
  }
  engine_.origin().set_latency(std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(request.origin_latency_ms)));
  startWorkloadWith(o);
}

void EngineWorker::startWorkloadWith(const WorkloadOptions& options) {
  stopWorkload();
  try {
    workload_ = std::make_unique<WorkloadDriver>(engine_.cache(), options);
    workload_->start();
    workload_description_ = options.trace ? tr("trace of %L1 keys").arg(options.trace->size())
                                          : tr("Zipf %1 over %L2 keys").arg(options.zipf_exponent).arg(options.key_count);
  } catch (const std::exception& e) {
    workload_.reset();
    Q_EMIT errorOccurred(tr("workload not started: %1").arg(QString::fromStdString(e.what())));
  }
}

void EngineWorker::stopWorkload() {
  if (!workload_) return;
  workload_->stop();
  workload_.reset();
  workload_description_.clear();
}

void EngineWorker::clearCaches() {
  engine_.cache().clear();
  takeSample();
}

void EngineWorker::setLatencyWindow(double seconds) { window_seconds_ = std::clamp(seconds, 1.0, 60.0); }

}  // namespace tierscope::ui
