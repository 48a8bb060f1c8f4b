#include "remote_window.h"

#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>

#include "alerts_widget.h"
#include "cache_browser_widget.h"
#include "classification_widget.h"
#include "classification_worker.h"
#include "dashboard_widget.h"
#include "fleet_table_model.h"
#include "fleet_widget.h"
#include "remote_cache_browser_worker.h"
#include "remote_classification.h"
#include "remote_engine_worker.h"
#include "remote_tryon.h"
#include "remote_whatif.h"
#include "capacity_widget.h"
#include "log_model.h"
#include "logs_widget.h"
#include "whatif_widget.h"
#include "tryon_widget.h"

namespace tierscope::ui {
namespace {

QScrollArea* scrollable(QWidget* w) {
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setWidget(w);
  return scroll;
}

}  // namespace

RemoteWindow::RemoteWindow(const QUrl& server, const QString& api_key, QWidget* parent)
    : RemoteWindow(QList<QUrl>{server}, api_key, parent) {}

RemoteWindow::RemoteWindow(const QList<QUrl>& servers, const QString& api_key, QWidget* parent) : QMainWindow(parent) {
  resize(1200, 760);
  connection_label_ = new QLabel;
  statusBar()->addPermanentWidget(connection_label_);
  const bool fleet = servers.size() > 1;
  if (fleet) {
    setWindowTitle(tr("Tierscope — fleet of %1").arg(servers.size()));
    tabs_ = new QTabWidget;
    fleet_model_ = new FleetTableModel(this);
    QStringList urls;
    for (const QUrl& u : servers) urls << u.toString();
    fleet_model_->setInstances(urls);
    fleet_ = new FleetWidget(fleet_model_);
    tabs_->addTab(fleet_, tr("Fleet"));
    setCentralWidget(tabs_);
    connect(fleet_, &FleetWidget::instanceActivated, this, [this](int row) { tabs_->setCurrentIndex(row + 1); });
    connect(fleet_, &FleetWidget::invalidateRequested, this, &RemoteWindow::invalidateEverywhere);
  } else {
    setWindowTitle(tr("Tierscope — %1").arg(servers.value(0).toString()));
  }
  for (const QUrl& url : servers) addInstance(url, api_key);
  updateConnectionLabel();
  worker_thread_.setObjectName("tierscope-remote");
  worker_thread_.start();
}

void RemoteWindow::addInstance(const QUrl& url, const QString& api_key) {
  const int row = static_cast<int>(instances_.size());
  Instance instance;
  instance.url = url;
  instance.dashboard = new DashboardWidget;
  DashboardWidget* dashboard = instance.dashboard;
  // The built-in load belongs to an embedded engine; a server's load comes from its clients.
  if (dashboard->workloadButton()) dashboard->workloadButton()->setEnabled(false);
  // "Reset to profile defaults" knows the embedded engine's profile, not the server's.
  if (dashboard->resetButton()) dashboard->resetButton()->setEnabled(false);
  QScrollArea* scroll = scrollable(dashboard);
  instance.browser = new CacheBrowserWidget(new RemoteCacheBrowserWorker(url, api_key));
  instance.tabs = new QTabWidget;
  instance.tabs->addTab(scroll, tr("Dashboard"));
  instance.tabs->addTab(instance.browser, tr("Cache browser"));
  instance.classification = new ClassificationWidget(new ClassificationWorker(remote_classify_function(url, api_key)));
  instance.tabs->addTab(instance.classification, tr("Classification"));
  instance.tryon = new TryOnWidget(new TryOnWorker(remote_tryon_function(url, api_key)));
  instance.tabs->addTab(instance.tryon, tr("Try-on"));
  instance.capacity = new CapacityWidget;
  instance.tabs->addTab(scrollable(instance.capacity), tr("Capacity"));
  instance.whatif = new WhatIfWidget(new WhatIfWorker(remote_live_trace_source(url, api_key)));
  instance.tabs->addTab(scrollable(instance.whatif), tr("What-if"));
  instance.alerts = new AlertsWidget;
  instance.tabs->addTab(instance.alerts, tr("Alerts"));
  instance.log_model = new LogModel(this);
  instance.logs = new LogsWidget(*instance.log_model);
  instance.tabs->addTab(instance.logs, tr("Logs"));
  if (tabs_) {
    tabs_->addTab(instance.tabs, url.authority());
  } else {
    setCentralWidget(instance.tabs);
  }

  auto* worker = new RemoteEngineWorker(url, api_key);
  instance.worker = worker;
  instances_.append(instance);
  worker->moveToThread(&worker_thread_);
  connect(&worker_thread_, &QThread::started, worker, &RemoteEngineWorker::start);
  connect(&worker_thread_, &QThread::finished, worker, &QObject::deleteLater);
  connect(worker, &RemoteEngineWorker::sampleReady, dashboard, &DashboardWidget::addSample, Qt::QueuedConnection);
  connect(worker, &RemoteEngineWorker::sampleReady, instance.alerts, &AlertsWidget::addSample, Qt::QueuedConnection);
  connect(worker, &RemoteEngineWorker::sampleReady, instance.capacity, &CapacityWidget::addSample, Qt::QueuedConnection);
  connect(worker, &RemoteEngineWorker::sampleReady, this, [this, row] { ++instances_[row].samples; });
  WhatIfWidget* whatif = instance.whatif;
  connect(worker, &RemoteEngineWorker::sampleReady, whatif,
          [whatif](const EngineSample& sample) { whatif->setLiveNamespaces(sample.namespaces); });
  LogModel* log_model = instance.log_model;
  connect(worker, &RemoteEngineWorker::logLinesReady, log_model, [log_model](const QList<LogLine>& lines) {
    for (const LogLine& line : lines) log_model->append(line);
  });
  connect(instance.capacity, &CapacityWidget::autoTuningToggled, worker, &RemoteEngineWorker::setAutoTuning, Qt::QueuedConnection);
  connect(instance.capacity, &CapacityWidget::tuneNowRequested, worker, &RemoteEngineWorker::autoTuneNow, Qt::QueuedConnection);
  connect(instance.alerts, &AlertsWidget::addRuleRequested, worker, &RemoteEngineWorker::setAlertRule, Qt::QueuedConnection);
  connect(instance.alerts, &AlertsWidget::removeRuleRequested, worker, &RemoteEngineWorker::removeAlertRule,
          Qt::QueuedConnection);
  if (fleet_model_) {
    connect(worker, &RemoteEngineWorker::sampleReady, this,
            [this, row](const EngineSample& sample) { fleet_model_->updateSample(row, sample); });
  }
  connect(worker, &RemoteEngineWorker::connectionChanged, this, [this, row](bool connected, const QString& detail) {
    instances_[row].connected = connected;
    if (!connected) last_error_ = detail;
    if (fleet_model_) fleet_model_->updateConnection(row, connected, detail);
    updateConnectionLabel();
  });
  const QString who = tabs_ ? url.authority() + QStringLiteral(": ") : QString();
  connect(worker, &RemoteEngineWorker::errorOccurred, this, [this, who](const QString& message) {
    last_error_ = who + message;
    statusBar()->showMessage(last_error_, 10'000);
  });
  connect(worker, &RemoteEngineWorker::configApplied, this, [this, dashboard, who](const QStringList& changed) {
    last_applied_ = changed;
    statusBar()->showMessage(tr("%1Server applied: %2").arg(who, changed.join(", ")), 5'000);
    dashboard->addMarker(changed.join(", "));
  });
  connect(worker, &RemoteEngineWorker::invalidated, this, [this, who](qulonglong removed, const QString& detail) {
    last_invalidation_ = tr("%1invalidated %L2 entries %3").arg(who).arg(removed).arg(detail);
    statusBar()->showMessage(last_invalidation_, 10'000);
    for (const Instance& i : instances_) i.dashboard->addMarker(tr("invalidated"));
  });
  connect(dashboard, &DashboardWidget::focusNamespaceRequested, worker, &RemoteEngineWorker::setFocusNamespace, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::latencyWindowRequested, worker, &RemoteEngineWorker::setLatencyWindow, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::l1CapacityRequested, worker, &RemoteEngineWorker::setL1Capacity, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::ttlRequested, worker, &RemoteEngineWorker::setTtl, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::adaptiveTtlRequested, worker, &RemoteEngineWorker::setAdaptiveTtl, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::policyRequested, worker, &RemoteEngineWorker::setPolicy, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::diskLimitRequested, worker, &RemoteEngineWorker::setDiskLimit, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::diskWatermarksRequested, worker, &RemoteEngineWorker::setDiskWatermarks,
          Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::maxImageSizeRequested, worker, &RemoteEngineWorker::setMaxImageSize, Qt::QueuedConnection);
  connect(dashboard, &DashboardWidget::maxConcurrentInferencesRequested, worker,
          &RemoteEngineWorker::setMaxConcurrentInferences, Qt::QueuedConnection);
}

bool RemoteWindow::showInstanceTab(int instance, const QString& name) {
  const Instance& i = instances_.at(instance);
  const QMap<QString, QWidget*> by_name = {{"dashboard", i.dashboard}, {"classification", i.classification},
                                           {"tryon", i.tryon},         {"capacity", i.capacity},
                                           {"whatif", i.whatif},       {"browser", i.browser},
                                           {"alerts", i.alerts},       {"logs", i.logs}};
  QWidget* page = by_name.value(name);
  if (!page) return false;
  // Pages in a scroll area are found through it.
  for (int t = 0; t < i.tabs->count(); ++t) {
    QWidget* w = i.tabs->widget(t);
    auto* scroll = qobject_cast<QScrollArea*>(w);
    if (w == page || (scroll && scroll->widget() == page)) {
      i.tabs->setCurrentIndex(t);
      if (tabs_) tabs_->setCurrentWidget(i.tabs);
      return true;
    }
  }
  return false;
}

void RemoteWindow::updateConnectionLabel() {
  if (instances_.size() == 1) {
    const Instance& i = instances_.front();
    if (i.connected) {
      connection_label_->setText(tr("connected to %1").arg(i.url.toString()));
    } else {
      connection_label_->setText(last_error_.isEmpty() ? tr("connecting to %1 …").arg(i.url.toString())
                                                       : tr("not connected: %1").arg(last_error_));
    }
    return;
  }
  int up = 0;
  for (const Instance& i : instances_) up += i.connected ? 1 : 0;
  connection_label_->setText(tr("%1 of %2 instances connected").arg(up).arg(instances_.size()));
}

void RemoteWindow::invalidateEverywhere(const QString& ns, const QString& pattern) {
  if (pattern.isEmpty()) return;
  const bool one_redis = fleet_model_ && fleet_model_->aggregate().share_one_redis;
  int sent = 0;
  for (const Instance& i : instances_) {
    if (!i.connected) continue;
    const QString detail = one_redis ? tr("here; Redis broadcasts it to the rest of the fleet") : tr("(sent to each instance)");
    QMetaObject::invokeMethod(i.worker, [worker = i.worker, ns, pattern, detail] { worker->invalidate(ns, pattern, detail); },
                              Qt::QueuedConnection);
    ++sent;
    if (one_redis) break;  // one is enough: the shared tier's broadcast reaches every server
  }
  if (sent == 0) {
    last_invalidation_ = tr("no instance connected: nothing invalidated");
    statusBar()->showMessage(last_invalidation_, 10'000);
  }
}

RemoteWindow::~RemoteWindow() {
  worker_thread_.quit();
  worker_thread_.wait();
}

}  // namespace tierscope::ui
