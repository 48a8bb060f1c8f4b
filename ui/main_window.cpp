#include "main_window.h"

#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include "classification_widget.h"
#include "dashboard_widget.h"
#include "engine_worker.h"
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

void registerMetaTypes() { qRegisterMetaType<EngineSample>("tierscope::ui::EngineSample"); }

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
  setCentralWidget(tabs_);

  worker_ = new EngineWorker(engine, classifier);
  worker_->moveToThread(&worker_thread_);
  worker_thread_.setObjectName("tierscope-engine-worker");
  connect(&worker_thread_, &QThread::started, worker_, &EngineWorker::start);
  connect(&worker_thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &EngineWorker::sampleReady, dashboard_, &DashboardWidget::addSample, Qt::QueuedConnection);
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
  connect(dashboard_, &DashboardWidget::settingRefused, this, [this](const QString& m) { statusBar()->showMessage(m, 10'000); });
  connect(worker_, &EngineWorker::errorOccurred, this,
          [this](const QString& message) { statusBar()->showMessage(message, 10'000); }, Qt::QueuedConnection);
  worker_thread_.start();
  restoreTuning();
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
