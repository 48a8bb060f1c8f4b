// The operator console's promises, offscreen against a real engine: samples keep coming
// on time and every share stays within 100 % while the disk limit is lowered onto an L2
// whose disk cannot delete a file; the namespace table is a well-behaved model; setting
// changes leave markers; pause, window and CSV export; tuning remembered across restarts
// and "reset to profile defaults".
#include <QAbstractItemModelTester>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QMenuBar>
#include <QStatusBar>
#include <QtTest>
#include <spdlog/logger.h>
#include <thread>
#include <condition_variable>
#include <mutex>

#include "dashboard_widget.h"
#include "log_model.h"
#include "logs_widget.h"
#include "main_window.h"
#include "whatif_widget.h"
#include "tierscope/workload/simulation.h"
#include "tierscope/workload/zipf.h"
#include "namespace_table_model.h"
#include "tierscope/base/file_system.h"
#include "tierscope/engine.h"
#include "tierscope/workload/workload.h"

using namespace tierscope;
using namespace tierscope::ui;

namespace {

// The real file system, except that removing a file waits until released (a disk so slow
// that a cleanup of a few hundred MiB takes minutes).
class StuckRemovals : public FileSystem {
 public:
  std::shared_ptr<FileSystem> real = make_posix_file_system();
  std::mutex mu;
  std::condition_variable released;
  bool hold = false;
  std::atomic<int> waiting{0};
  void write_atomically(const std::filesystem::path& p, const std::vector<std::string_view>& parts, bool sync) override {
    real->write_atomically(p, parts, sync);
  }
  bool read_split(const std::filesystem::path& p, size_t n, std::string* h, std::string* t) override {
    return real->read_split(p, n, h, t);
  }
  bool read_prefix(const std::filesystem::path& p, size_t n, std::string* out) override { return real->read_prefix(p, n, out); }
  bool remove_file(const std::filesystem::path& p) override {
    std::unique_lock lock(mu);
    ++waiting;
    released.wait(lock, [this] { return !hold; });
    --waiting;
    lock.unlock();
    return real->remove_file(p);
  }
  void create_directories(const std::filesystem::path& p) override { real->create_directories(p); }
  std::vector<FileInfo> list_files(const std::filesystem::path& r) override { return real->list_files(r); }
  std::shared_ptr<void> lock_file(const std::filesystem::path& p) override { return real->lock_file(p); }
  void set_hold(bool on) {
    std::lock_guard lock(mu);
    hold = on;
    released.notify_all();
  }
};

EngineOptions engineWithL2(const QTemporaryDir& dir, std::shared_ptr<FileSystem> fs = nullptr) {
  EngineOptions options;
  DiskTierOptions l2;
  l2.root = dir.path().toStdString();
  l2.sync_writes = false;
  l2.max_bytes = quint64(1) << 30;
  l2.file_system = std::move(fs);
  options.cache.l2 = l2;
  options.origin.latency = Duration::zero();
  options.origin.min_value_bytes = 16 << 10;
  options.origin.max_value_bytes = 16 << 10;
  options.memory_budget_bytes = quint64(200) << 20;
  return options;
}

}  // namespace

class ConsoleTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void samplesKeepComingWhileTheDiskLimitDrops() {
    QTemporaryDir dir;
    auto fs = std::make_shared<StuckRemovals>();
    Engine engine(engineWithL2(dir, fs));
    // Fill L2 with a few thousand 16 KB entries first.
    for (int i = 0; i < 4000; ++i) engine.cache().get("general", "fill-" + std::to_string(i));
    QTRY_VERIFY_WITH_TIMEOUT(engine.cache().snapshot().l2.entries >= 3000, 20'000);
    WorkloadOptions wo;
    wo.key_count = 20'000;
    wo.threads = 2;
    wo.target_rate = 5'000;
    WorkloadDriver workload(engine.cache(), wo);
    workload.start();

    MainWindow window(engine);
    window.show();
    DashboardWidget* dashboard = window.dashboard();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->samplesReceived() >= 3, 10'000);

    fs->set_hold(true);  // from now on no file can be deleted
    dashboard->diskSlider()->setValue(0);  // the minimum: 16 MiB, far below what L2 holds
    QTRY_VERIFY_WITH_TIMEOUT(fs->waiting.load() >= 1, 10'000);  // the cleaner is stuck on the disk
    const int before = dashboard->samplesReceived();
    QTest::qWait(3'000);
    // Samples kept coming (two a second) although the disk is stuck.
    QVERIFY2(dashboard->samplesReceived() - before >= 4, qPrintable(QString::number(dashboard->samplesReceived() - before)));
    const EngineSample& s = *dashboard->lastSample();
    QVERIFY(s.l2_bytes <= (quint64(16) << 20));  // the accounting already obeys the new limit
    QVERIFY(s.sample_cost_ms < 250);
    for (size_t i = 0; i < 4; ++i) {
      QVERIFY(s.l1_hit_rate + s.l2_hit_rate + s.origin_rate + s.failed_rate <= 1.0 + 1e-9);
      QVERIFY(s.l1_hit_rate >= 0 && s.origin_rate <= 1.0);
    }
    // Every share stayed within 100 % in every sample, the stall included.
    QVERIFY(dashboard->hitRateSeries()->count() > 0);
    for (QLineSeries* series : {dashboard->hitRateSeries(), dashboard->l2HitRateSeries(), dashboard->originRateSeries(),
                                dashboard->failedRateSeries()}) {
      for (const QPointF& p : series->points()) QVERIFY2(p.y() <= 100.0 + 1e-6, qPrintable(QString::number(p.y())));
    }
    fs->set_hold(false);
    workload.stop();
  }

  void namespaceTableIsAWellBehavedModel() {
    NamespaceTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    NamespaceSample a;
    a.name = "general";
    a.hit_rate = 0.5;
    a.lookups_per_second = 100;
    a.entries = 10;
    a.max_entries = 100;
    NamespaceSample b = a;
    b.name = "garment";
    b.max_entries = 0;
    b.window_share = 1;
    a.window_share = 0.25;
    a.ghost_admission = true;
    model.setRows({a, b});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(0, NamespaceTableModel::kAdmission)).toString(), QString("window 25 % + ghost"));
    QCOMPARE(model.data(model.index(1, NamespaceTableModel::kAdmission)).toString(), QString("window 100 % (LRU)"));
    QCOMPARE(model.data(model.index(0, NamespaceTableModel::kHitRate)).toString(), QString("50.0 %"));
    QVERIFY(model.data(model.index(1, NamespaceTableModel::kEntries)).toString().contains("no limit"));
    model.setRows({a, b});  // same names: data changes only
    model.setRows({b});
    QCOMPARE(model.rowCount(), 1);
    NamespaceSample unreported;  // from a server that does not send the setting
    unreported.name = "old";
    model.setRows({unreported});
    QCOMPARE(model.data(model.index(0, NamespaceTableModel::kAdmission)).toString(), QString("–"));
    model.setRows({});
  }

  void markersPauseWindowAndCsv() {
    QTemporaryDir dir;
    Engine engine(engineWithL2(dir));
    MainWindow window(engine);
    DashboardWidget* dashboard = window.dashboard();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->samplesReceived() >= 2, 10'000);
    // The table shows every namespace with its own limits.
    QCOMPARE(dashboard->namespaceModel()->rowCount(), static_cast<int>(engine.cache().namespace_names().size()));
    // A setting change leaves a marker on every chart.
    dashboard->ttlSlider()->setValue(DashboardWidget::sliderForSeconds(600));
    QTRY_COMPARE_WITH_TIMEOUT(dashboard->markers().size(), 1, 5'000);
    for (TimeSeriesChart* chart : dashboard->charts()) QCOMPARE(chart->markers().size(), 1);
    // Pause: the series stop changing while samples keep arriving.
    dashboard->setPaused(true);
    const int points = dashboard->requestsSeries()->count();
    const int received = dashboard->samplesReceived();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->samplesReceived() >= received + 2, 10'000);
    QTest::qWait(600);
    QCOMPARE(dashboard->requestsSeries()->count(), points);
    dashboard->setPaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->requestsSeries()->count() > points, 5'000);
    dashboard->setVisibleSeconds(3600);
    QCOMPARE(dashboard->windowBox()->currentData().toDouble(), 3600.0);
    // CSV of the visible window: a header and one row per sample.
    const QString csv = dir.filePath("series.csv");
    QVERIFY(dashboard->exportCsv(csv));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QVERIFY(lines.size() >= 3);
    QVERIFY(lines[0].startsWith("seconds,requests_per_second,l1_share"));
    QCOMPARE(lines[1].split(',').size(), lines[0].split(',').size());
    QString error;
    QVERIFY(!dashboard->exportCsv("/proc/no/such/dir/x.csv", &error));
    QVERIFY(error.contains("cannot write"));
  }

  void tuningIsRememberedAndResetToProfileDefaults() {
    QTemporaryDir dir;
    QSettings store(dir.filePath("tierscope.conf"), QSettings::IniFormat);
    quint64 default_entries = 0;
    {
      Engine engine(engineWithL2(dir));
      for (const auto& ns : engine.cache().snapshot().namespaces)
        if (ns.name == "general") default_entries = ns.l1.max_entries;
      MainWindow window(engine, &store);
      DashboardWidget* dashboard = window.dashboard();
      QTRY_VERIFY_WITH_TIMEOUT(dashboard->samplesReceived() >= 2, 10'000);
      dashboard->entriesSlider()->setValue(DashboardWidget::sliderForEntries(2'500));
      QTRY_VERIFY_WITH_TIMEOUT(store.contains("tuning/namespaces/general/max_entries"), 5'000);
      dashboard->highWatermarkSlider()->setValue(70);
      dashboard->lowWatermarkSlider()->setValue(40);
      QTRY_COMPARE_WITH_TIMEOUT(engine.cache().snapshot().l2.high_watermark, 0.70, 5'000);
      QCOMPARE(engine.cache().snapshot().l2.low_watermark, 0.40);
      // An invalid pair is refused whole, with a message: nothing changes, nothing is saved.
      QSignalSpy refused(dashboard, &DashboardWidget::settingRefused);
      dashboard->lowWatermarkSlider()->setValue(90);
      QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, 5'000);
      QVERIFY(refused.first().first().toString().contains("not applied"));
      QCOMPARE(store.value("tuning/low_watermark").toDouble(), 0.40);
      QCOMPARE(engine.cache().snapshot().l2.high_watermark, 0.70);
      QCOMPARE(engine.cache().snapshot().l2.low_watermark, 0.40);
    }
    store.sync();
    QTemporaryDir dir2;
    Engine engine(engineWithL2(dir2));  // a restart: the profile says default_entries
    auto general = [&]() -> quint64 {
      for (const auto& ns : engine.cache().snapshot().namespaces)
        if (ns.name == "general") return ns.l1.max_entries;
      return 0;
    };
    QCOMPARE(general(), default_entries);
    MainWindow window(engine, &store);
    QTRY_COMPARE_WITH_TIMEOUT(general(), DashboardWidget::entriesForSlider(DashboardWidget::sliderForEntries(2'500)), 5'000);
    QTRY_COMPARE_WITH_TIMEOUT(engine.cache().snapshot().l2.high_watermark, 0.70, 5'000);
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->samplesReceived() >= 1, 10'000);
    window.dashboard()->resetButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(general(), default_entries, 5'000);
    QCOMPARE(engine.cache().snapshot().l2.high_watermark, 0.90);
    QVERIFY(!store.contains("tuning/namespaces/general/max_entries"));
    QVERIFY(!window.dashboard()->markers().isEmpty());
  }

  void logsArriveFilterAndRaiseTheBadge() {
    Engine engine(EngineOptions{});
    MainWindow window(engine);
    window.show();
    LogModel* model = window.logModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto logger = std::make_shared<spdlog::logger>("test", window.logSink());
    logger->set_level(spdlog::level::trace);
    // Lines logged on another thread reach the model on the GUI thread.
    std::thread other([&] {
      logger->info("L2 opened /tmp/x: 3 entries");
      logger->debug("L1 HIT general/k1");
      logger->warn("load of general/k9 failed: origin unavailable");
    });
    other.join();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5'000);
    QCOMPARE(model->unseenProblems(), 1);
    QVERIFY(window.problemBadge()->isVisible());
    QVERIFY(window.problemBadge()->text().contains("1"));
    // Filter: info and above hides the debug line; the search narrows further.
    LogsWidget* logs = window.logs();
    QCOMPARE(logs->filter()->rowCount(), 2);
    logs->levelBox()->setCurrentIndex(0);
    QCOMPARE(logs->filter()->rowCount(), 3);
    logs->searchBox()->setText("origin");
    QCOMPARE(logs->filter()->rowCount(), 1);
    // Looking at the Logs tab clears the badge.
    window.showTab(logs);
    QCOMPARE(model->unseenProblems(), 0);
    QVERIFY(!window.problemBadge()->isVisible());
    QVERIFY(MainWindow::aboutText().contains(qVersion()));
    QVERIFY(MainWindow::aboutText().contains("libtorch") && MainWindow::aboutText().contains("OpenCV"));
    QVERIFY(window.menuBar()->actions().size() >= 4);
  }

  void workloadStartsAndStopsFromTheConsole() {
    Engine engine(EngineOptions{});
    MainWindow window(engine);
    DashboardWidget* dashboard = window.dashboard();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->samplesReceived() >= 1, 10'000);
    QVERIFY(!dashboard->lastSample()->workload_running);
    dashboard->workloadButton()->click();  // Start, with the panel's defaults
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->lastSample()->workload_running, 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->lastSample()->requests_per_second > 100, 10'000);
    QCOMPARE(dashboard->workloadButton()->text(), QString("Stop"));
    dashboard->workloadButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard->lastSample()->workload_running, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(dashboard->lastSample()->requests_per_second, 0.0, 10'000);
    // A trace that is not there: refused with a message, nothing runs.
    QSignalSpy status(window.statusBar(), &QStatusBar::messageChanged);
    Q_EMIT dashboard->startWorkloadRequested(WorkloadRequest{1000, 0.9, 100, 1, 0, "/no/such/trace.lis", "general"});
    QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty() && status.last().first().toString().contains("workload not started"), 10'000);
  }

  void whatIfCurvesMatchTheSimulatorAndCanBeCancelled() {
    WhatIfWidget tab;
    QSignalSpy finished(&tab, &WhatIfWidget::runFinished);
    tab.sizesEdit()->setText("0,10");
    QVERIFY(!tab.run());  // a size of 0 is refused with a message
    QVERIFY(tab.statusLabel()->text().contains("not a cache size"));
    tab.sizesEdit()->setText("200, 10,50");
    QVERIFY(tab.run());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60'000);
    QCOMPARE(finished.first().first().toBool(), false);
    // The same stream, simulated here: the curves are the simulator's numbers.
    ZipfGenerator zipf(10'000, 0.9, 1);
    std::vector<uint64_t> trace;
    for (int i = 0; i < 200'000; ++i) trace.push_back(zipf.next());
    for (quint64 size : {10u, 50u, 200u}) {
      const double lru = tab.results()["lru"].value(size, -1), tiny = tab.results()["wtinylfu"].value(size, -1),
                   opt = tab.results()["opt"].value(size, -1);
      QCOMPARE(lru, simulate_policy(trace, EvictionPolicyKind::kLru, size).hit_ratio());
      QCOMPARE(tiny, simulate_policy(trace, EvictionPolicyKind::kWTinyLfu, size).hit_ratio());
      QCOMPARE(opt, simulate_optimal(trace, size).hit_ratio());
      QVERIFY(opt >= lru && opt >= tiny);
    }
    QCOMPARE(tab.series("opt")->count(), 3);
    QTemporaryDir dir;
    QVERIFY(tab.exportCsv(dir.filePath("w.csv")));
    QFile csv(dir.filePath("w.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()).trimmed().split('\n').size(), 1 + 9);
    QVERIFY(tab.exportPng(dir.filePath("w.png")));
    QVERIFY(!QImage(dir.filePath("w.png")).isNull());
    // Cancel: a long run stops between points.
    tab.sizesEdit()->setText("100,200,400,800,1600,3200,6400,12800");
    QVERIFY(tab.run());
    tab.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60'000);
    QCOMPARE(finished.last().first().toBool(), true);
    int points = 0;
    for (const auto& curve : tab.results()) points += curve.size();
    QVERIFY(points < 24);
  }
};

QTEST_MAIN(ConsoleTest)
#include "test_console.moc"
