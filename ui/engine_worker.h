// EngineWorker: the GUI's only door to the engine. It lives on its own QThread, reads
// engine snapshots at a fixed rate and sends them as EngineSample values; requests from
// widgets (capacity changes, which may evict many entries) run here, never on the GUI
// thread.
//
// Ownership: borrows the Engine, which must outlive the worker's thread.
// Thread safety: call its slots only through queued connections or
// QMetaObject::invokeMethod; its signals are emitted on the worker thread.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include "engine_sample.h"
#include "tierscope/engine.h"

namespace tierscope::ui {

class EngineWorker : public QObject {
  Q_OBJECT

 public:
  explicit EngineWorker(Engine& engine, int sample_interval_ms = 500, QObject* parent = nullptr);

 public Q_SLOTS:
  // Starts sampling; call once the worker is on its thread.
  void start();
  void stop();
  // Sets the L1 limits (0 = none); shrinking evicts before capacityApplied is sent.
  void setL1Capacity(quint64 max_entries, quint64 max_bytes);

 Q_SIGNALS:
  void sampleReady(const tierscope::ui::EngineSample& sample);
  void capacityApplied(quint64 max_entries, quint64 max_bytes);

 private:
  void takeSample();

  Engine& engine_;
  const int sample_interval_ms_;
  QTimer* timer_ = nullptr;  // created on the worker thread in start()
  QElapsedTimer since_start_;
  MemoryTierStats previous_;
  double previous_seconds_ = 0;
};

}  // namespace tierscope::ui
