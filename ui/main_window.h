// MainWindow: the Tierscope desktop window — tabs over one engine. It starts an
// EngineWorker on its own thread and wires the dashboard to it with queued connections.
//
// Ownership: borrows the Engine (which must outlive the window); owns the worker thread
// and stops it in its destructor. Thread safety: GUI thread only.
#pragma once

#include <QMainWindow>
#include <QThread>
#include <memory>

#include "tierscope/engine.h"
#include "tierscope/workload/workload.h"

class QCloseEvent;
class QLabel;
class QPushButton;
class QSettings;
namespace spdlog::sinks {
class sink;
}
class QTabWidget;

namespace tierscope::ui {

class AlertsWidget;
class CacheBrowserWidget;
class CapacityWidget;
class ClassificationWidget;
class LogModel;
class LogsWidget;
class WhatIfWidget;
class TryOnWidget;
class DashboardWidget;
class EngineWorker;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // The engine's classifier (when it has one) adds the Classification tab and inference
  // charts; its try-on pipeline (when it has one) the Try-on tab. With `settings` (not
  // owned, must outlive the window) tuning is remembered across restarts: what was saved
  // is applied at start, every change is saved, "reset to profile defaults" forgets it.
  explicit MainWindow(Engine& engine, QSettings* settings = nullptr, QWidget* parent = nullptr);
  ~MainWindow() override;

  DashboardWidget* dashboard() const { return dashboard_; }
  ClassificationWidget* classification() const { return classification_; }
  TryOnWidget* tryOn() const { return tryon_; }
  LogsWidget* logs() const { return logs_; }
  WhatIfWidget* whatIf() const { return whatif_; }
  CapacityWidget* capacity() const { return capacity_; }
  CacheBrowserWidget* browser() const { return browser_; }
  AlertsWidget* alerts() const { return alerts_; }
  QPushButton* alertBadge() const { return alert_badge_; }
  LogModel* logModel() const { return log_model_; }
  // The spdlog sink that feeds the Logs tab (add it to the process's logger).
  std::shared_ptr<spdlog::sinks::sink> logSink() const { return log_sink_; }
  QLabel* problemBadge() const { return problem_badge_; }
  // Help > About text (versions of Tierscope, Qt, libtorch, OpenCV).
  static QString aboutText();
  // Starts the built-in load on the engine worker (the app's --keys/--zipf/--trace...).
  void startWorkload(const WorkloadOptions& options);
  QTabWidget* tabs() const { return tabs_; }
  // Tabs sit in scroll areas (so the window works from 1024x600 up): these take the tab's
  // content widget (dashboard(), classification(), tryOn()).
  void showTab(QWidget* content);
  bool isTabShown(const QWidget* content) const;
  int tabIndexOf(const QWidget* content) const;

 private:
  void restoreTuning();
  void buildMenus();
  void closeEvent(QCloseEvent* event) override;
  void rememberTuning(const QString& key, const QVariant& value);

  QSettings* settings_;
  QThread worker_thread_;
  EngineWorker* worker_;  // lives on worker_thread_, deleted when it finishes
  QTabWidget* tabs_;
  DashboardWidget* dashboard_;
  ClassificationWidget* classification_ = nullptr;
  TryOnWidget* tryon_ = nullptr;
  LogModel* log_model_;
  LogsWidget* logs_;
  WhatIfWidget* whatif_;
  std::shared_ptr<spdlog::sinks::sink> log_sink_;
  QLabel* problem_badge_;
  QPushButton* alert_badge_;
  CapacityWidget* capacity_;
  CacheBrowserWidget* browser_;
  AlertsWidget* alerts_;
};

// Registers the value types that cross threads in queued signals. Idempotent.
void registerMetaTypes();

}  // namespace tierscope::ui
