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

#include "engine_sample.h"
#include "tierscope/inference/classifier.h"
#include "tierscope/engine.h"

namespace tierscope::ui {

class EngineWorker : public QObject {
  Q_OBJECT

 public:
  // `classifier` (may be null) adds inference latency and prediction-cache figures.
  explicit EngineWorker(Engine& engine, Classifier* classifier = nullptr, int sample_interval_ms = 500,
                        QObject* parent = nullptr);

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

 Q_SIGNALS:
  void sampleReady(const tierscope::ui::EngineSample& sample);
  // Sent after a change has been applied (the next sample shows it too).
  void capacityApplied(const QString& ns, quint64 max_entries, quint64 max_bytes);
  void errorOccurred(const QString& message);

 private:
  void takeSample();

  Engine& engine_;
  Classifier* classifier_;
  ClassifierStats previous_classifier_;
  const int sample_interval_ms_;
  QString focus_;
  QTimer* timer_ = nullptr;  // created on the worker thread in start()
  QElapsedTimer since_start_;
  TieredStats previous_;
  double previous_seconds_ = 0;
};

}  // namespace tierscope::ui
