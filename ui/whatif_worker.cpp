#include "whatif_worker.h"

#include <QFileInfo>

#include <cmath>

#include "tierscope/engine.h"
#include "tierscope/workload/simulation.h"
#include "tierscope/workload/trace.h"
#include "tierscope/workload/zipf.h"

namespace tierscope::ui {

WhatIfWorker::WhatIfWorker(Engine* engine, QObject* parent) : QObject(parent) {
  if (engine) {
    live_ = [engine](const QString& ns) { return engine->monitor().curves().recorded_trace(ns.toStdString()); };
  }
}

void WhatIfWorker::run(const WhatIfRequest& request) {
  std::vector<uint64_t> trace;
  QString name;
  double rate = 1;  // sampling rate of a live recording: sizes scale by it
  try {
    if (!request.live_namespace.isEmpty()) {
      if (!live_) throw std::runtime_error("no engine to take live traffic from");
      RecordedTrace live = live_(request.live_namespace);
      trace = std::move(live.keys);
      rate = live.sampling_rate;
      name = rate < 1 ? tr("live traffic of %1 (keys sampled at %2)").arg(request.live_namespace).arg(rate, 0, 'g', 3)
                      : tr("live traffic of %1").arg(request.live_namespace);
      if (trace.empty()) throw std::runtime_error("no live traffic recorded in " + request.live_namespace.toStdString() + " yet");
    } else if (!request.trace_path.isEmpty()) {
      trace = read_trace(request.trace_path.toStdString());
      name = QFileInfo(request.trace_path).fileName();
    } else {
      ZipfGenerator zipf(std::max<quint64>(1, request.zipf_keys), request.zipf_exponent, 1);
      trace.reserve(request.zipf_requests);
      for (quint64 i = 0; i < request.zipf_requests; ++i) trace.push_back(zipf.next());
      name = tr("Zipf %1 over %L2 keys").arg(request.zipf_exponent).arg(request.zipf_keys);
    }
  } catch (const std::exception& e) {
    Q_EMIT failed(QString::fromStdString(e.what()));
    return;
  }
  if (trace.empty()) {
    Q_EMIT failed(tr("the trace holds no requests"));
    return;
  }
  const int total = static_cast<int>(request.policies.size() * request.sizes.size());
  Q_EMIT started(name, trace.size(), total);
  int done = 0;
  for (const QString& policy : request.policies) {
    for (quint64 size : request.sizes) {
      if (cancel_.load()) {
        Q_EMIT finished(true);
        return;
      }
      SimulationResult r;
      // A spatially sampled trace stands for the whole at size x rate (SHARDS scaling).
      const size_t replay_size = std::max<size_t>(1, size_t(std::llround(double(size) * rate)));
      try {
        r = simulate_named(trace, policy.toStdString(), replay_size);
      } catch (const std::invalid_argument& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return;
      }
      Q_EMIT pointReady(policy, size, r.hit_ratio(), ++done, total);
    }
  }
  Q_EMIT finished(false);
}

}  // namespace tierscope::ui
