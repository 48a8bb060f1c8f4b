#include "remote_window.h"

#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>

#include "dashboard_widget.h"
#include "remote_engine_worker.h"

namespace tierscope::ui {

RemoteWindow::RemoteWindow(const QUrl& server, const QString& api_key, QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("Tierscope — %1").arg(server.toString()));
  resize(1200, 760);
  dashboard_ = new DashboardWidget;
  // The built-in load belongs to an embedded engine; a server's load comes from its clients.
  if (dashboard_->workloadButton()) dashboard_->workloadButton()->setEnabled(false);
  // "Reset to profile defaults" knows the embedded engine's profile, not the server's.
  if (dashboard_->resetButton()) dashboard_->resetButton()->setEnabled(false);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setWidget(dashboard_);
  setCentralWidget(scroll);
  connection_label_ = new QLabel(tr("connecting to %1 …").arg(server.toString()));
  statusBar()->addPermanentWidget(connection_label_);

  worker_ = new RemoteEngineWorker(server, api_key);
  worker_->moveToThread(&worker_thread_);
  connect(&worker_thread_, &QThread::started, worker_, &RemoteEngineWorker::start);
  connect(&worker_thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &RemoteEngineWorker::sampleReady, dashboard_, &DashboardWidget::addSample, Qt::QueuedConnection);
  connect(worker_, &RemoteEngineWorker::connectionChanged, this, [this](bool connected, const QString& detail) {
    connected_ = connected;
    connection_label_->setText(connected ? detail : tr("not connected: %1").arg(detail));
    if (!connected) last_error_ = detail;
  });
  connect(worker_, &RemoteEngineWorker::errorOccurred, this, [this](const QString& message) {
    last_error_ = message;
    statusBar()->showMessage(message, 10'000);
  });
  connect(worker_, &RemoteEngineWorker::configApplied, this, [this](const QStringList& changed) {
    last_applied_ = changed;
    statusBar()->showMessage(tr("Server applied: %1").arg(changed.join(", ")), 5'000);
    dashboard_->addMarker(changed.join(", "));
  });
  connect(dashboard_, &DashboardWidget::focusNamespaceRequested, worker_, &RemoteEngineWorker::setFocusNamespace, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::latencyWindowRequested, worker_, &RemoteEngineWorker::setLatencyWindow, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::l1CapacityRequested, worker_, &RemoteEngineWorker::setL1Capacity, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::ttlRequested, worker_, &RemoteEngineWorker::setTtl, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::adaptiveTtlRequested, worker_, &RemoteEngineWorker::setAdaptiveTtl, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::policyRequested, worker_, &RemoteEngineWorker::setPolicy, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::diskLimitRequested, worker_, &RemoteEngineWorker::setDiskLimit, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::diskWatermarksRequested, worker_, &RemoteEngineWorker::setDiskWatermarks,
          Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::maxImageSizeRequested, worker_, &RemoteEngineWorker::setMaxImageSize, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::maxConcurrentInferencesRequested, worker_,
          &RemoteEngineWorker::setMaxConcurrentInferences, Qt::QueuedConnection);
  worker_thread_.setObjectName("tierscope-remote");
  worker_thread_.start();
}

RemoteWindow::~RemoteWindow() {
  worker_thread_.quit();
  worker_thread_.wait();
}

}  // namespace tierscope::ui
