#include "engine_worker.h"

#include "tierscope/stats_window.h"

namespace tierscope::ui {

EngineWorker::EngineWorker(Engine& engine, int sample_interval_ms, QObject* parent)
    : QObject(parent), engine_(engine), sample_interval_ms_(sample_interval_ms) {}

void EngineWorker::start() {
  if (timer_) return;
  timer_ = new QTimer(this);
  timer_->setTimerType(Qt::PreciseTimer);
  connect(timer_, &QTimer::timeout, this, &EngineWorker::takeSample);
  since_start_.start();
  previous_ = engine_.l1().snapshot();
  previous_seconds_ = 0;
  timer_->start(sample_interval_ms_);
}

void EngineWorker::stop() {
  if (timer_) timer_->stop();
}

void EngineWorker::setL1Capacity(quint64 max_entries, quint64 max_bytes) {
  engine_.l1().set_capacity(max_entries, max_bytes);
  Q_EMIT capacityApplied(max_entries, max_bytes);
}

void EngineWorker::takeSample() {
  const MemoryTierStats now = engine_.l1().snapshot();
  const double seconds = since_start_.nsecsElapsed() / 1e9;
  const IntervalRates rates = rates_between(previous_, now, seconds - previous_seconds_);

  EngineSample sample;
  sample.seconds_since_start = seconds;
  sample.requests_per_second = rates.requests_per_second;
  sample.l1_hit_rate = rates.hit_rate;
  sample.l1_hit_rate_total = now.hit_rate();
  sample.l1_entries = now.entries;
  sample.l1_bytes = now.bytes;
  sample.l1_max_entries = now.max_entries;
  sample.l1_max_bytes = now.max_bytes;
  sample.l1_evictions = now.evictions;
  sample.l1_expirations = now.expirations;
  sample.origin_loads = engine_.origin().loads();

  previous_ = now;
  previous_seconds_ = seconds;
  Q_EMIT sampleReady(sample);
}

}  // namespace tierscope::ui
