// WhatIfWorker: replays a trace through policies and cache sizes off the GUI thread —
// a trace file, a Zipf stream or the recorded live traffic (of the embedded engine or a
// server) — one (policy, size) point at a time, each sent back as it finishes, cancellable between
// points — for the What-if tab's hit-ratio curves against Belady's optimal.
//
// Ownership: a QObject living on its own thread. Thread safety: call run() through a
// queued connection; cancel() from any thread.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QList>
#include <atomic>
#include <functional>

#include "tierscope/monitor/live_curves.h"

namespace tierscope {
class Engine;
}

namespace tierscope::ui {

struct WhatIfRequest {
  // The recorded live traffic of this cache namespace (sampled keys; each size is
  // replayed at size x the sampling rate); empty = the trace or Zipf stream below.
  QString live_namespace;
  QString trace_path;   // a LIRS/ARC trace; empty = the Zipf stream below
  quint64 zipf_keys = 10'000;
  double zipf_exponent = 0.9;
  quint64 zipf_requests = 200'000;
  QStringList policies;  // "lru", "wtinylfu", "opt"
  QList<quint64> sizes;
};

class WhatIfWorker : public QObject {
  Q_OBJECT

 public:
  // The recorded live traffic of a namespace: the embedded engine's monitor, or a server's
  // GET /monitor/trace. Called on the worker's thread; throws with a message for the user.
  using LiveTraceSource = std::function<RecordedTrace(const QString& ns)>;

  // `engine` (may be null: no live traffic to replay) must outlive the worker.
  explicit WhatIfWorker(Engine* engine = nullptr, QObject* parent = nullptr);
  explicit WhatIfWorker(LiveTraceSource live, QObject* parent = nullptr) : QObject(parent), live_(std::move(live)) {}
  void cancel() { cancel_.store(true); }
  // Called before queueing a run (a cancel sent after it then reaches that run).
  void arm() { cancel_.store(false); }

 public Q_SLOTS:
  void run(const tierscope::ui::WhatIfRequest& request);

 Q_SIGNALS:
  void started(const QString& trace_name, quint64 requests, int points);
  void pointReady(const QString& policy, quint64 size, double hit_ratio, int done, int total);
  void finished(bool cancelled);
  void failed(const QString& message);

 private:
  LiveTraceSource live_;  // empty: no live traffic to replay
  std::atomic<bool> cancel_{false};
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::WhatIfRequest)
