#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

#include "alerts_widget.h"
#include "cache_browser_widget.h"
#include "capacity_widget.h"
#include "classification_widget.h"
#include "dashboard_widget.h"
#include "engine_worker.h"
#include "log_model.h"
#include "logs_widget.h"
#include "whatif_widget.h"
#include "tierscope/base/version.h"
#include "tierscope/inference/image_preprocess.h"
#include "tierscope/inference/model_service.h"
#include "tryon_widget.h"

namespace tierscope::ui {

namespace {

// A tab's content in a scroll area: below its minimum size the tab scrolls instead of
// forcing the window to grow (or the layout to overlap).
QScrollArea* scrollable(QWidget* content) {
  auto* area = new QScrollArea;
  area->setWidget(content);
  area->setWidgetResizable(true);
  area->setFrameShape(QFrame::NoFrame);
  return area;
}

}  // namespace

void registerMetaTypes() {
  qRegisterMetaType<EngineSample>("tierscope::ui::EngineSample");
  qRegisterMetaType<WorkloadRequest>("tierscope::ui::WorkloadRequest");
}

MainWindow::MainWindow(Engine& engine, QSettings* settings, QWidget* parent) : QMainWindow(parent), settings_(settings) {
  Classifier* classifier = engine.classifier();
  registerMetaTypes();
  setWindowTitle(tr("Tierscope"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/tierscope.svg")));
  resize(1200, 760);

  tabs_ = new QTabWidget;
  dashboard_ = new DashboardWidget;
  tabs_->addTab(scrollable(dashboard_), tr("Dashboard"));
  if (classifier) {
    classification_ = new ClassificationWidget(*classifier);
    tabs_->addTab(scrollable(classification_), tr("Classification"));
  }
  if (engine.tryon()) {
    tryon_ = new TryOnWidget(*engine.tryon());
    tabs_->addTab(scrollable(tryon_), tr("Try-on"));
  }
  capacity_ = new CapacityWidget;
  tabs_->addTab(scrollable(capacity_), tr("Capacity"));
  whatif_ = new WhatIfWidget(&engine);
  tabs_->addTab(scrollable(whatif_), tr("What-if"));
  browser_ = new CacheBrowserWidget(engine);
  tabs_->addTab(scrollable(browser_), tr("Cache browser"));
  alerts_ = new AlertsWidget;
  tabs_->addTab(scrollable(alerts_), tr("Alerts"));
  log_model_ = new LogModel(this);
  log_sink_ = std::make_shared<LogSink>(log_model_);
  logs_ = new LogsWidget(*log_model_);
  tabs_->addTab(scrollable(logs_), tr("Logs"));
  // Warnings and errors raise a badge until the Logs tab is looked at.
  problem_badge_ = new QLabel;
  problem_badge_->setObjectName("problemBadge");
  problem_badge_->setStyleSheet(QStringLiteral("QLabel { color: white; background: #c0392b; border-radius: 6px; padding: 1px 6px; }"));
  problem_badge_->setToolTip(tr("Warnings and errors since the Logs tab was last opened"));
  problem_badge_->hide();
  statusBar()->addPermanentWidget(problem_badge_);
  connect(log_model_, &LogModel::unseenProblemsChanged, this, [this](int n) {
    problem_badge_->setText(tr("⚠ %n problem(s)", nullptr, n));
    problem_badge_->setVisible(n > 0 && !isTabShown(logs_));
  });
  connect(tabs_, &QTabWidget::currentChanged, this, [this] {
    if (isTabShown(logs_)) log_model_->resetUnseenProblems();
  });
  // Alerts firing: a badge that stays while they fire; a click opens the Alerts tab.
  alert_badge_ = new QPushButton;
  alert_badge_->setObjectName("alertBadge");
  alert_badge_->setFlat(true);
  alert_badge_->setCursor(Qt::PointingHandCursor);
  alert_badge_->setStyleSheet(
      QStringLiteral("QPushButton { color: white; background: #d35400; border-radius: 6px; padding: 1px 8px; }"));
  alert_badge_->setToolTip(tr("Alert rules firing now (Alerts tab)"));
  alert_badge_->hide();
  statusBar()->addPermanentWidget(alert_badge_);
  connect(alert_badge_, &QPushButton::clicked, this, [this] { showTab(alerts_); });

  setCentralWidget(tabs_);

  worker_ = new EngineWorker(engine, classifier);
  worker_->moveToThread(&worker_thread_);
  worker_thread_.setObjectName("tierscope-engine-worker");
  connect(&worker_thread_, &QThread::started, worker_, &EngineWorker::start);
  connect(&worker_thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &EngineWorker::sampleReady, dashboard_, &DashboardWidget::addSample, Qt::QueuedConnection);
  connect(worker_, &EngineWorker::sampleReady, capacity_, &CapacityWidget::addSample, Qt::QueuedConnection);
  connect(worker_, &EngineWorker::sampleReady, alerts_, &AlertsWidget::addSample, Qt::QueuedConnection);
  connect(worker_, &EngineWorker::sampleReady, this, [this](const EngineSample& s) {
    alert_badge_->setText(tr("🔔 %n alert(s) firing", nullptr, s.alerts_firing));
    alert_badge_->setVisible(s.alerts_firing > 0);
  }, Qt::QueuedConnection);
  connect(capacity_, &CapacityWidget::autoTuningToggled, worker_, &EngineWorker::setAutoTuning, Qt::QueuedConnection);
  connect(capacity_, &CapacityWidget::autoTuningToggled, this, [this](bool on) { rememberTuning("auto_tuning", on); });
  connect(capacity_, &CapacityWidget::tuneNowRequested, worker_, &EngineWorker::autoTuneNow, Qt::QueuedConnection);
  connect(alerts_, &AlertsWidget::addRuleRequested, worker_, &EngineWorker::addAlertRule, Qt::QueuedConnection);
  connect(alerts_, &AlertsWidget::removeRuleRequested, worker_, &EngineWorker::removeAlertRule, Qt::QueuedConnection);
  connect(worker_, &EngineWorker::alertRuleAdded, this,
          [this](const QString& name) { statusBar()->showMessage(tr("Alert rule '%1' saved").arg(name), 5'000); },
          Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::l1CapacityRequested, worker_, &EngineWorker::setL1Capacity, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::ttlRequested, worker_, &EngineWorker::setTtl, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::adaptiveTtlRequested, worker_, &EngineWorker::setAdaptiveTtl, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::maxImageSizeRequested, worker_, &EngineWorker::setMaxImageSize, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::maxConcurrentInferencesRequested, worker_, &EngineWorker::setMaxConcurrentInferences,
          Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::policyRequested, worker_, &EngineWorker::setPolicy, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::diskLimitRequested, worker_, &EngineWorker::setDiskLimit, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::focusNamespaceRequested, worker_, &EngineWorker::setFocusNamespace,
          Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::diskWatermarksRequested, worker_, &EngineWorker::setDiskWatermarks, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::latencyWindowRequested, worker_, &EngineWorker::setLatencyWindow, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::resetRequested, worker_, &EngineWorker::resetToDefaults, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::resetRequested, this, [this] {
    if (settings_) settings_->remove(QStringLiteral("tuning"));
  });
  connect(worker_, &EngineWorker::defaultsRestored, this,
          [this] { statusBar()->showMessage(tr("Settings reset to the profile's defaults"), 5'000); }, Qt::QueuedConnection);
  // Every change the operator makes is remembered (with a settings store).
  connect(dashboard_, &DashboardWidget::l1CapacityRequested, this, [this](const QString& ns, quint64 entries, quint64 bytes) {
    rememberTuning(QStringLiteral("namespaces/%1/max_entries").arg(QString(ns).replace(':', '_')), entries);
    rememberTuning(QStringLiteral("namespaces/%1/max_bytes").arg(QString(ns).replace(':', '_')), bytes);
    rememberTuning(QStringLiteral("namespaces/%1/name").arg(QString(ns).replace(':', '_')), ns);
  });
  connect(dashboard_, &DashboardWidget::ttlRequested, this, [this](const QString& ns, double seconds) {
    rememberTuning(QStringLiteral("namespaces/%1/ttl_seconds").arg(QString(ns).replace(':', '_')), seconds);
    rememberTuning(QStringLiteral("namespaces/%1/name").arg(QString(ns).replace(':', '_')), ns);
  });
  connect(dashboard_, &DashboardWidget::policyRequested, this, [this](const QString& p) { rememberTuning("policy", p); });
  connect(dashboard_, &DashboardWidget::adaptiveTtlRequested, this, [this](int m) { rememberTuning("adaptive_ttl", m); });
  connect(dashboard_, &DashboardWidget::diskLimitRequested, this, [this](quint64 b) { rememberTuning("disk_limit", b); });
  connect(dashboard_, &DashboardWidget::diskWatermarksRequested, this, [this](double high, double low) {
    rememberTuning("high_watermark", high);
    rememberTuning("low_watermark", low);
  });
  connect(dashboard_, &DashboardWidget::maxImageSizeRequested, this, [this](int px) { rememberTuning("max_image_size", px); });
  connect(dashboard_, &DashboardWidget::maxConcurrentInferencesRequested, this,
          [this](int n) { rememberTuning("max_concurrent_inferences", n); });
  connect(dashboard_, &DashboardWidget::startWorkloadRequested, worker_, &EngineWorker::startWorkload, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::stopWorkloadRequested, worker_, &EngineWorker::stopWorkload, Qt::QueuedConnection);
  connect(dashboard_, &DashboardWidget::settingRefused, this, [this](const QString& m) { statusBar()->showMessage(m, 10'000); });
  connect(worker_, &EngineWorker::errorOccurred, this,
          [this](const QString& message) { statusBar()->showMessage(message, 10'000); }, Qt::QueuedConnection);
  worker_thread_.start();
  restoreTuning();
  buildMenus();
  if (settings_) {
    restoreGeometry(settings_->value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings_->value(QStringLiteral("window/state")).toByteArray());
    if (auto* split = browser_->findChild<QSplitter*>("browserSplitter")) {
      split->restoreState(settings_->value(QStringLiteral("window/browser_splitter")).toByteArray());
    }
    const int tab = settings_->value(QStringLiteral("window/tab"), 0).toInt();
    if (tab >= 0 && tab < tabs_->count()) tabs_->setCurrentIndex(tab);
  }
}

void MainWindow::startWorkload(const WorkloadOptions& options) {
  QMetaObject::invokeMethod(worker_, [w = worker_, options] { w->startWorkloadWith(options); }, Qt::QueuedConnection);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (settings_) {
    settings_->setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings_->setValue(QStringLiteral("window/state"), saveState());
    settings_->setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
    if (auto* split = browser_->findChild<QSplitter*>("browserSplitter")) {
      settings_->setValue(QStringLiteral("window/browser_splitter"), split->saveState());
    }
  }
  QMainWindow::closeEvent(event);
}

QString MainWindow::aboutText() {
  return tr("<h3>Tierscope %1</h3><p>Tiered cache for ML inference results, and its operator console.</p>"
            "<p>Qt %2 · libtorch %3 · OpenCV %4</p>")
      .arg(QString::fromLatin1(version_string()), QString::fromLatin1(qVersion()),
           QString::fromStdString(libtorch_version()), QString::fromStdString(opencv_version()));
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* export_csv = file->addAction(tr("&Export dashboard series…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the visible series"), QStringLiteral("tierscope.csv"),
                                                      tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !dashboard_->exportCsv(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
  });
  export_csv->setShortcut(QKeySequence(tr("Ctrl+E")));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < tabs_->count(); ++i) {
    QAction* a = view->addAction(tabs_->tabText(i), this, [this, i] { tabs_->setCurrentIndex(i); });
    a->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(i + 1)));
  }
  view->addSeparator();
  QAction* pause = view->addAction(tr("&Pause charts"));
  pause->setCheckable(true);
  pause->setShortcut(QKeySequence(tr("Ctrl+P")));
  connect(pause, &QAction::toggled, dashboard_, &DashboardWidget::setPaused);
  connect(dashboard_->pauseButton(), &QPushButton::toggled, pause, &QAction::setChecked);
  for (auto [label, seconds, key] : {std::tuple{tr("Last minute"), 60.0, "Ctrl+Shift+1"}, std::tuple{tr("Last 10 minutes"), 600.0, "Ctrl+Shift+2"},
                                     std::tuple{tr("Last hour"), 3600.0, "Ctrl+Shift+3"}}) {
    QAction* a = view->addAction(label, this, [this, seconds = seconds] { dashboard_->setVisibleSeconds(seconds); });
    a->setShortcut(QKeySequence(QString::fromLatin1(key)));
  }

  QMenu* engine = menuBar()->addMenu(tr("&Engine"));
  engine->addAction(tr("&Reset tuning to profile defaults"), this, [this] { dashboard_->resetButton()->click(); });
  QAction* clear = engine->addAction(tr("&Clear every cache tier…"), this, [this] {
    if (QMessageBox::question(this, tr("Clear every cache tier"),
                              tr("Remove every entry from L1 and L2 in every namespace (DELETE /cache/all)? Requests load "
                                 "from the origin again until the cache refills.")) == QMessageBox::Yes) {
      QMetaObject::invokeMethod(worker_, &EngineWorker::clearCaches, Qt::QueuedConnection);
    }
  });
  clear->setShortcut(QKeySequence(tr("Ctrl+Shift+Del")));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Tierscope"), this, [this] { QMessageBox::about(this, tr("About Tierscope"), aboutText()); });
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::rememberTuning(const QString& key, const QVariant& value) {
  if (settings_) settings_->setValue(QStringLiteral("tuning/") + key, value);
}

void MainWindow::restoreTuning() {
  if (!settings_) return;
  settings_->beginGroup(QStringLiteral("tuning"));
  // Queued to the worker in the order saved values make sense: limits, then the rest.
  auto call = [this](auto method, auto... args) {
    QMetaObject::invokeMethod(worker_, [w = worker_, method, args...] { (w->*method)(args...); }, Qt::QueuedConnection);
  };
  settings_->beginGroup(QStringLiteral("namespaces"));
  for (const QString& group : settings_->childGroups()) {
    settings_->beginGroup(group);
    const QString ns = settings_->value("name").toString();
    if (!ns.isEmpty() && settings_->contains("max_entries")) {
      call(&EngineWorker::setL1Capacity, ns, settings_->value("max_entries").toULongLong(), settings_->value("max_bytes").toULongLong());
    }
    if (!ns.isEmpty() && settings_->contains("ttl_seconds")) call(&EngineWorker::setTtl, ns, settings_->value("ttl_seconds").toDouble());
    settings_->endGroup();
  }
  settings_->endGroup();
  if (settings_->contains("policy")) call(&EngineWorker::setPolicy, settings_->value("policy").toString());
  if (settings_->contains("adaptive_ttl")) call(&EngineWorker::setAdaptiveTtl, settings_->value("adaptive_ttl").toInt());
  if (settings_->contains("disk_limit")) call(&EngineWorker::setDiskLimit, settings_->value("disk_limit").toULongLong());
  if (settings_->contains("high_watermark")) {
    call(&EngineWorker::setDiskWatermarks, settings_->value("high_watermark").toDouble(), settings_->value("low_watermark").toDouble());
  }
  if (settings_->contains("auto_tuning")) call(&EngineWorker::setAutoTuning, settings_->value("auto_tuning").toBool());
  if (settings_->contains("max_image_size")) call(&EngineWorker::setMaxImageSize, settings_->value("max_image_size").toInt());
  if (settings_->contains("max_concurrent_inferences")) {
    call(&EngineWorker::setMaxConcurrentInferences, settings_->value("max_concurrent_inferences").toInt());
  }
  settings_->endGroup();
}

int MainWindow::tabIndexOf(const QWidget* content) const {
  for (int i = 0; i < tabs_->count(); ++i) {
    auto* area = qobject_cast<QScrollArea*>(tabs_->widget(i));
    if (area && area->widget() == content) return i;
  }
  return -1;
}

void MainWindow::showTab(QWidget* content) {
  const int index = tabIndexOf(content);
  if (index >= 0) tabs_->setCurrentIndex(index);
}

bool MainWindow::isTabShown(const QWidget* content) const { return content && tabIndexOf(content) == tabs_->currentIndex(); }

MainWindow::~MainWindow() {
  worker_thread_.quit();
  worker_thread_.wait();
}

}  // namespace tierscope::ui
