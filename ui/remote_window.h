// RemoteWindow: the console over tierscope-servers instead of an embedded engine. One
// server: its dashboard (with tuning), cache browser (pages, previews, memory analysis,
// invalidation), classification (POST /predict), try-on (POST /tryon, the whole result as
// a bundle), capacity (live curves in /stats, POST /tuning/run), what-if (files, Zipf or
// the server's recorded traffic from GET /monitor/trace), alerts (GET, PUT and DELETE
// /alerts) and logs (GET /logs) — every tab of the embedded console.
// Several (a fleet): a Fleet tab (FleetWidget: a row per instance, aggregated charts,
// fleet-wide invalidation) and a tab per instance with the same tabs. Each dashboard is
// fed by its instance's RemoteEngineWorker; tuning goes to that instance as
// `PUT /config`, and what the server says about it shows on the status bar. Dashboard
// workers share one worker thread (their network I/O is asynchronous).
//
// Ownership: owns the worker thread and stops it in its destructor. Thread safety: GUI
// thread only.
#pragma once

#include <QList>
#include <QMainWindow>
#include <QThread>
#include <QUrl>

class QLabel;
class QTabWidget;

namespace tierscope::ui {

class AlertsWidget;
class CacheBrowserWidget;
class ClassificationWidget;
class TryOnWidget;
class CapacityWidget;
class WhatIfWidget;
class LogModel;
class LogsWidget;
class DashboardWidget;
class FleetTableModel;
class FleetWidget;
class RemoteEngineWorker;

class RemoteWindow : public QMainWindow {
  Q_OBJECT

 public:
  RemoteWindow(const QUrl& server, const QString& api_key, QWidget* parent = nullptr);
  RemoteWindow(const QList<QUrl>& servers, const QString& api_key, QWidget* parent = nullptr);
  ~RemoteWindow() override;

  // The first instance's dashboard (the only one with a single server).
  DashboardWidget* dashboard() const { return instances_.front().dashboard; }
  DashboardWidget* dashboard(int instance) const { return instances_.at(instance).dashboard; }
  CacheBrowserWidget* browser(int instance = 0) const { return instances_.at(instance).browser; }
  ClassificationWidget* classification(int instance = 0) const { return instances_.at(instance).classification; }
  TryOnWidget* tryOn(int instance = 0) const { return instances_.at(instance).tryon; }
  CapacityWidget* capacity(int instance = 0) const { return instances_.at(instance).capacity; }
  WhatIfWidget* whatIf(int instance = 0) const { return instances_.at(instance).whatif; }
  LogModel* logModel(int instance = 0) const { return instances_.at(instance).log_model; }
  AlertsWidget* alerts(int instance = 0) const { return instances_.at(instance).alerts; }
  // The instance's own tabs (Dashboard, Cache browser, Classification, Alerts).
  QTabWidget* instanceTabs(int instance = 0) const { return instances_.at(instance).tabs; }
  // Brings an instance's tab to the front by its command-line name (app_settings.h's
  // kTabNames: dashboard, classification, tryon, capacity, whatif, browser, alerts, logs);
  // false for an unknown name.
  bool showInstanceTab(int instance, const QString& name);
  // Samples received from an instance since the window opened.
  int samplesReceived(int instance = 0) const { return instances_.at(instance).samples; }
  int instanceCount() const { return static_cast<int>(instances_.size()); }
  // Fleet mode only (nullptr with one server).
  FleetWidget* fleet() const { return fleet_; }
  FleetTableModel* fleetModel() const { return fleet_model_; }
  QTabWidget* tabs() const { return tabs_; }
  QLabel* connectionLabel() const { return connection_label_; }
  bool connected() const { return instances_.front().connected; }
  bool connected(int instance) const { return instances_.at(instance).connected; }
  // The last error a server or the network reported (empty when none).
  const QString& lastError() const { return last_error_; }
  // The last change a server applied (keys).
  const QStringList& lastApplied() const { return last_applied_; }
  // What the last fleet-wide invalidation did, as shown on the status bar.
  const QString& lastInvalidation() const { return last_invalidation_; }

 public Q_SLOTS:
  // Invalidates `pattern` in `ns` ("" = all) on the fleet: on one instance when they all
  // share one Redis (its broadcast reaches the rest), else on every connected instance.
  void invalidateEverywhere(const QString& ns, const QString& pattern);

 private:
  struct Instance {
    QUrl url;
    RemoteEngineWorker* worker = nullptr;
    DashboardWidget* dashboard = nullptr;
    CacheBrowserWidget* browser = nullptr;
    ClassificationWidget* classification = nullptr;
    TryOnWidget* tryon = nullptr;
    CapacityWidget* capacity = nullptr;
    WhatIfWidget* whatif = nullptr;
    LogModel* log_model = nullptr;  // owned by the window
    LogsWidget* logs = nullptr;
    int samples = 0;
    AlertsWidget* alerts = nullptr;
    QTabWidget* tabs = nullptr;
    bool connected = false;
  };
  void addInstance(const QUrl& url, const QString& api_key);
  void updateConnectionLabel();

  QThread worker_thread_;
  QList<Instance> instances_;
  QTabWidget* tabs_ = nullptr;
  FleetTableModel* fleet_model_ = nullptr;
  FleetWidget* fleet_ = nullptr;
  QLabel* connection_label_;
  QString last_error_;
  QStringList last_applied_;
  QString last_invalidation_;
};

}  // namespace tierscope::ui
