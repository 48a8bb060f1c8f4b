#include "main_window.h"

#include <QScrollArea>
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

MainWindow::MainWindow(Engine& engine, QWidget* parent) : QMainWindow(parent) {
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
  connect(worker_, &EngineWorker::errorOccurred, this,
          [this](const QString& message) { statusBar()->showMessage(message, 10'000); }, Qt::QueuedConnection);
  worker_thread_.start();
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
