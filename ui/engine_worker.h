// EngineWorker: the GUI's only door to the engine. It lives on its own QThread, reads
// engine snapshots at a fixed rate and sends them as EngineSample values; requests from
// widgets (capacity, TTL, policy and disk changes, which may evict or delete many
// entries) run here, never on the GUI thread.
//
// Ownership: borrows the Engine, which must outlive the worker's thread.
// Thread safety: call its slots only through queued connections or
// QMetaObject::invokeMethod; its signals are emitted on the worker thread.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <deque>
#include <vector>

#include "engine_sample.h"
#include "tierscope/inference/classifier.h"
#include "tierscope/engine.h"
#include "tierscope/workload/workload.h"

namespace tierscope::ui {

class EngineWorker : public QObject {
  Q_OBJECT

 public:
  // `classifier` (may be null) adds inference latency and prediction-cache figures.
  explicit EngineWorker(Engine& engine, Classifier* classifier = nullptr, int sample_interval_ms = 500,
                        QObject* parent = nullptr);
  ~EngineWorker() override;

 public Q_SLOTS:
  // Starts sampling; call once the worker is on its thread.
  void start();
  void stop();
  // The namespace whose limits and TTL the samples report (and the controls change).
  void setFocusNamespace(const QString& ns);
  // Sets a namespace's L1 limits (0 = none); shrinking evicts before capacityApplied.
  void setL1Capacity(const QString& ns, quint64 max_entries, quint64 max_bytes);
  void setTtl(const QString& ns, double seconds);
  // 0 or 1 turns adaptive TTL off; otherwise reads may stretch lifetimes up to that many TTLs.
  void setAdaptiveTtl(int max_multiplier);
  void setPolicy(const QString& policy);
  void setDiskLimit(quint64 max_bytes);
  // Inference (ignored without a classifier): MAX_IMAGE_SIZE and concurrent forward passes.
  void setMaxImageSize(int pixels);
  void setMaxConcurrentInferences(int limit);
  // Percentiles in the samples cover this many seconds (default 10).
  void setLatencyWindow(double seconds);
  // L2 cleanup watermarks (shares of the disk limit); an invalid pair changes nothing.
  void setDiskWatermarks(double high, double low);
  // Every tunable setting back to what it was when start() ran (the profile's values).
  void resetToDefaults();
  // Empties every tier of every namespace (DELETE /cache/all).
  void clearCaches();
  // The built-in load: starts (replacing one running), or stops. The trace, if any, is
  // read here, off the GUI thread; a bad one is reported through errorOccurred.
  void startWorkload(const tierscope::ui::WorkloadRequest& request);
  void startWorkloadWith(const tierscope::WorkloadOptions& options);
  void stopWorkload();
  // The monitor: alert rules (an invalid one is refused through errorOccurred), and
  // auto-tuning on/off or once now.
  void addAlertRule(const QString& name, const QString& metric, const QString& op, double threshold,
                    double duration_seconds);
  void removeAlertRule(const QString& name);
  void setAutoTuning(bool on);
  void autoTuneNow();

 Q_SIGNALS:
  void sampleReady(const tierscope::ui::EngineSample& sample);
  // Sent after a change has been applied (the next sample shows it too).
  void capacityApplied(const QString& ns, quint64 max_entries, quint64 max_bytes);
  void errorOccurred(const QString& message);
  // After resetToDefaults() has applied them.
  void defaultsRestored();
  // After an alert rule was added or replaced.
  void alertRuleAdded(const QString& name);

 private:
  void takeSample();
  void fillMonitor(EngineSample& s) const;

  std::unique_ptr<WorkloadDriver> workload_;  // lives and dies on the worker thread
  QString workload_description_;
  Engine& engine_;
  Classifier* classifier_;
  ClassifierStats previous_classifier_;
  const int sample_interval_ms_;
  QString focus_;
  QTimer* timer_ = nullptr;  // created on the worker thread in start()
  QElapsedTimer since_start_;
  // The wall time of since_start_'s zero, to place monitor events on the charts' x axis.
  TimePoint started_at_{};
  TieredStats previous_;
  double previous_seconds_ = 0;
  // Histogram counts at each sample of the last window, oldest first.
  struct WindowPoint {
    double seconds = 0;
    LatencyCounts l1, l2, origin, miss, inference, model, tryon;
  };
  std::deque<WindowPoint> window_;
  double window_seconds_ = 10;
  // The settings at start, for "reset to profile defaults".
  struct Defaults {
    std::vector<NamespaceStats> namespaces;
    EvictionPolicyKind policy = EvictionPolicyKind::kWTinyLfu;
    AdaptiveTtl adaptive;
    bool l2 = false;
    uint64_t disk_limit = 0;
    double high_watermark = 0.9, low_watermark = 0.8;
    int max_image_size = 0;
    size_t max_concurrent_inferences = 0;
  } defaults_;
};

}  // namespace tierscope::ui
