// RemoteSampler: turns a server's `GET /stats` documents into EngineSample values, the way
// EngineWorker turns a local engine's snapshots into them — rates over the interval
// between two documents, latency percentiles over a sliding window of the raw histogram
// counts the server sends — so the dashboard draws a remote server as it draws the
// embedded engine.
//
// A plain value-holding object: one per connection, used from one thread.
#pragma once

#include <QJsonObject>
#include <QString>
#include <deque>

#include "engine_sample.h"
#include "tierscope/cache/latency_histogram.h"

namespace tierscope::ui {

class RemoteSampler {
 public:
  // The sample for `stats` (a /stats document) taken at `seconds` since the console started.
  EngineSample add(const QJsonObject& stats, double seconds);

  void setFocusNamespace(const QString& ns) { focus_ = ns; }
  const QString& focusNamespace() const { return focus_; }
  void setLatencyWindow(double seconds) { window_seconds_ = seconds; }

  // The rules of a server's `GET /alerts` answer.
  static QList<AlertSample> alertsFromJson(const QJsonObject& alerts);
  // A histogram's counts from the server's sparse form.
  static LatencyCounts countsFromJson(const QJsonObject& sparse);

 private:
  struct WindowPoint {
    double seconds = 0;
    LatencyCounts l1, l2, origin, miss, inference, model, tryon;
  };

  QJsonObject previous_;
  double previous_seconds_ = 0;
  bool has_previous_ = false;
  QString focus_;
  double window_seconds_ = 10;
  std::deque<WindowPoint> window_;
};

}  // namespace tierscope::ui
