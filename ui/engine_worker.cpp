#include "engine_worker.h"

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

void EngineWorker::start() {
  if (timer_) return;
  timer_ = new QTimer(this);
  timer_->setTimerType(Qt::PreciseTimer);
  connect(timer_, &QTimer::timeout, this, &EngineWorker::takeSample);
  since_start_.start();
  previous_ = engine_.cache().snapshot();
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
  const TieredStats now = engine_.cache().snapshot();
  const double seconds = since_start_.nsecsElapsed() / 1e9;
  const double dt = seconds - previous_seconds_;

  EngineSample s;
  s.seconds_since_start = seconds;
  const double requests = delta(previous_.total_requests, now.total_requests);
  if (dt > 0) {
    s.requests_per_second = requests / dt;
    s.stampedes_per_second = delta(previous_.stampede_prevented, now.stampede_prevented) / dt;
    s.evictions_per_second = delta(previous_.evictions, now.evictions) / dt;
  }
  if (requests > 0) {
    s.l1_hit_rate = delta(previous_.l1_hits, now.l1_hits) / requests;
    s.l2_hit_rate = delta(previous_.l2_hits, now.l2_hits) / requests;
    s.origin_rate = delta(previous_.l3_hits, now.l3_hits) / requests;
  }
  s.l1_hit_rate_total = now.l1_hit_rate;
  bool all_limited = true;
  for (const NamespaceStats& ns : now.namespaces) {
    s.l1_entries += ns.l1.entries;
    s.l1_bytes += ns.l1.bytes;
    s.l1_max_entries += ns.l1.max_entries;
    s.l1_max_bytes += ns.l1.max_bytes;
    all_limited = all_limited && ns.l1.max_entries && ns.l1.max_bytes;
    const QString name = QString::fromStdString(ns.name);
    s.namespaces << name;
    if (name == focus_) {
      s.focus_entries = ns.l1.entries;
      s.focus_max_entries = ns.l1.max_entries;
      s.focus_max_bytes = ns.l1.max_bytes;
      s.focus_ttl_seconds = std::chrono::duration<double>(ns.ttl).count();
    }
  }
  if (!all_limited) s.l1_max_entries = s.l1_max_bytes = 0;
  s.focus_namespace = focus_;
  const AdaptiveTtl adaptive = engine_.cache().adaptive_ttl();
  s.adaptive_ttl_max_multiplier = adaptive.enabled ? static_cast<int>(adaptive.max_multiplier) : 0;
  s.l2_enabled = now.l2_enabled;
  s.l2_entries = now.l2.entries;
  s.l2_bytes = now.l2.bytes;
  s.l2_max_bytes = now.l2.max_bytes;
  s.l2_corrupt_dropped = now.l2.corrupt_dropped;
  s.stampede_prevented = now.stampede_prevented;
  s.evictions = now.evictions;
  s.load_errors = now.load_errors;
  s.origin_loads = now.l3_hits;
  s.miss_p50_ms = now.miss_latency.p50_ms;
  s.miss_p95_ms = now.miss_latency.p95_ms;
  s.miss_p99_ms = now.miss_latency.p99_ms;
  s.policy = QString::fromUtf8(to_string(now.l1_policy).data());

  if (classifier_) {
    const ClassifierStats c = classifier_->stats();
    s.inference_enabled = true;
    s.max_image_size = classifier_->max_image_size();
    s.max_concurrent_inferences = static_cast<int>(c.model.max_concurrent_inferences);
    s.inference_p50_ms = c.model.inference_latency.p50_ms;
    s.inference_p95_ms = c.model.inference_latency.p95_ms;
    s.inference_p99_ms = c.model.inference_latency.p99_ms;
    const double answered = delta(previous_classifier_.cache_hits + previous_classifier_.cache_misses, c.cache_hits + c.cache_misses);
    s.prediction_hit_rate = answered > 0 ? delta(previous_classifier_.cache_hits, c.cache_hits) / answered : 0.0;
    s.prediction_hit_rate_total = c.cache_hit_rate_percent / 100.0;
    s.predictions = c.requests;
    s.model_loaded = c.model.loaded;
    previous_classifier_ = c;
  }
  previous_ = now;
  previous_seconds_ = seconds;
  Q_EMIT sampleReady(s);
}

}  // namespace tierscope::ui
