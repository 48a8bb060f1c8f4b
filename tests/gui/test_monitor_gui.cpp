// The console's monitor tabs, offscreen against a real engine: the Capacity tab draws
// each namespace's live curve and drives auto-tuning (switch, "tune now", markers on the
// dashboard); the Alerts tab adds, refuses and removes rules and raises the status-bar
// badge while one fires; the Cache browser pages, filters, previews (image, JSON, text,
// hex) without counting reads, invalidates and analyses memory; What-if replays the
// recorded live traffic. Every item model runs under QAbstractItemModelTester.
#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QImage>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include "alerts_widget.h"
#include "cache_browser_widget.h"
#include "capacity_widget.h"
#include "dashboard_widget.h"
#include "main_window.h"
#include "tierscope/engine.h"
#include "whatif_widget.h"

using namespace tierscope;
using namespace tierscope::ui;

namespace {

EngineOptions smallEngine(const QTemporaryDir& dir, uint64_t budget = 0) {
  EngineOptions options;
  DiskTierOptions l2;
  l2.root = dir.path().toStdString();
  l2.sync_writes = false;
  l2.max_bytes = quint64(256) << 20;
  options.cache.l2 = l2;
  options.origin.latency = Duration::zero();
  options.origin.min_value_bytes = 1000;
  options.origin.max_value_bytes = 1000;
  options.memory_budget_bytes = budget;
  options.monitor.curve_interval = std::chrono::milliseconds(50);
  options.monitor.metrics_interval = std::chrono::milliseconds(200);
  return options;
}

QByteArray pngBytes() {
  QImage image(40, 30, QImage::Format_RGB32);
  image.fill(Qt::red);
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  image.save(&buffer, "PNG");
  return bytes;
}

}  // namespace

class MonitorGuiTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void capacityTabDrawsLiveCurvesAndDrivesAutoTuning() {
    QTemporaryDir dir;
    Engine engine(smallEngine(dir, 8 << 20));
    MainWindow window(engine);
    window.resize(1600, 1000);
    window.show();
    window.showTab(window.capacity());
    CapacityWidget* cap = window.capacity();
    QAbstractItemModelTester tester(cap->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // A loop of 3,000 keys over "general" (1,000 entries): LRU hits nothing at its size,
    // everything at 3,000.
    for (int pass = 0; pass < 4; ++pass) {
      for (int k = 0; k < 3000; ++k) engine.cache().get("general", "loop:" + std::to_string(k));
    }
    cap->showNamespace("general");
    QTRY_VERIFY_WITH_TIMEOUT(cap->curveSeries()->count() > 10, 10'000);
    const CurveSample* general = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                               for (int r = 0; r < cap->model()->rowCount(); ++r) {
                                 if (cap->model()->curve(r)->name == "general" && cap->model()->curve(r)->samples >= 11'000) {
                                   general = cap->model()->curve(r);
                                 }
                               }
                               return general != nullptr;
                             }()),
                             10'000);
    QVERIFY2(curveHitRatio(*general, 1000) < 0.05, qPrintable(QString::number(curveHitRatio(*general, 1000))));
    QVERIFY2(curveHitRatio(*general, 3100) > 0.70, qPrintable(QString::number(curveHitRatio(*general, 3100))));
    QVERIFY(cap->headline()->text().contains("general"));
    QVERIFY(cap->headline()->text().contains("more would give"));

    // The switch reaches the engine's monitor, both ways.
    QVERIFY(!engine.monitor().auto_tuning());
    cap->autoTuningSwitch()->click();
    QTRY_VERIFY(engine.monitor().auto_tuning());
    cap->autoTuningSwitch()->click();
    QTRY_VERIFY(!engine.monitor().auto_tuning());

    // Tune now: the loop's namespace gets room for its cycle; the change is listed and
    // marked on the dashboard's charts.
    const int markers = int(window.dashboard()->markers().size());
    for (int k = 0; k < 3000; ++k) engine.cache().get("general", "loop:" + std::to_string(k));
    QTest::qWait(300);
    cap->tuneNowButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(cap->tuningLog()->count() > 0, 10'000);
    QVERIFY(cap->tuningLog()->item(0)->text().contains("general"));
    QTRY_VERIFY(window.dashboard()->markers().size() > markers);
    QVERIFY(window.dashboard()->markers().back().label.startsWith("auto-tune"));
    QTRY_VERIFY(engine.cache().snapshot().namespaces[6].l1.max_bytes > 3000 * 1000);
  }

  void alertsTabAddsRefusesRemovesAndRaisesTheBadge() {
    QTemporaryDir dir;
    Engine engine(smallEngine(dir));
    MainWindow window(engine);
    window.show();
    window.showTab(window.alerts());
    AlertsWidget* alerts = window.alerts();
    QAbstractItemModelTester tester(alerts->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(alerts->model()->rowCount(), int(default_alert_rules().size()));
    QTRY_VERIFY(alerts->healthLabel()->text().contains("memory"));
    // The metric list is what the monitor records.
    QTRY_VERIFY(alerts->metricBox()->findText("process.rss_bytes") >= 0);

    // Refused: no name. Nothing added, the reason on the status bar.
    alerts->nameEdit()->clear();
    alerts->addButton()->click();
    QTRY_VERIFY(window.statusBar()->currentMessage().contains("needs a name"));
    QCOMPARE(engine.monitor().performance().alerts().size(), default_alert_rules().size());

    // A rule that holds at once: it fires, the badge shows, a click on it opens the tab.
    alerts->nameEdit()->setText("Process alive");
    alerts->metricBox()->setCurrentText("process.rss_bytes");
    alerts->operatorBox()->setCurrentText(">");
    alerts->thresholdBox()->setValue(0);
    alerts->durationBox()->setValue(0);
    alerts->addButton()->click();
    QTRY_COMPARE(alerts->model()->rowCount(), int(default_alert_rules().size()) + 1);
    QTRY_VERIFY_WITH_TIMEOUT(alerts->firing() >= 1, 10'000);
    QTRY_VERIFY(window.alertBadge()->isVisible());
    QVERIFY(window.alertBadge()->text().contains("firing"));
    QVERIFY(alerts->history()->count() >= 1);
    QVERIFY(alerts->history()->item(0)->text().contains("FIRING"));
    window.showTab(window.dashboard());
    window.alertBadge()->click();
    QVERIFY(window.isTabShown(alerts));

    // Removing it resolves everything: the badge goes.
    int row = -1;
    for (int r = 0; r < alerts->model()->rowCount(); ++r) {
      if (alerts->model()->alert(r)->name == "Process alive") row = r;
    }
    QVERIFY(row >= 0);
    alerts->table()->setCurrentIndex(alerts->model()->index(row, 0));
    QCOMPARE(alerts->nameEdit()->text(), QString("Process alive"));  // selecting fills the form
    alerts->removeButton()->click();
    QTRY_COMPARE(alerts->model()->rowCount(), int(default_alert_rules().size()));
    QTRY_VERIFY(!window.alertBadge()->isVisible());
  }

  void cacheBrowserPagesFiltersPreviewsAndInvalidates() {
    QTemporaryDir dir;
    Engine engine(smallEngine(dir));
    TieredCache& cache = engine.cache();
    for (int i = 0; i < 250; ++i) cache.put("general", "bulk:" + std::to_string(i), make_value(std::string(100, 'b')));
    cache.put("general", "img:red.png", make_value(pngBytes().toStdString()));
    cache.put("general", "doc:config.json", make_value(R"({"ttl_hours": 24, "namespaces": ["a", "b"]})"));
    cache.put("general", "doc:readme.txt", make_value("plain text\nsecond line"));
    cache.put("general", "blob:bin", make_value(std::string("\x00\x01\x02\xff\xfe binary", 12)));
    MainWindow window(engine);
    window.resize(1600, 1000);
    window.show();
    window.showTab(window.browser());
    CacheBrowserWidget* b = window.browser();
    b->autoRefreshBox()->setChecked(false);
    QAbstractItemModelTester tester(b->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    b->namespaceBox()->setCurrentText("general");
    b->refresh();
    // L1 of "general" holds 1,000 entries: all 254 are there, 100 a page.
    QTRY_COMPARE(b->model()->page().total, quint64(254));
    QCOMPARE(b->model()->rowCount(), 100);
    QVERIFY(b->pageLabel()->text().contains("254"));
    b->nextPage();
    QTRY_COMPARE(b->model()->page().offset, quint64(100));
    b->nextPage();
    QTRY_COMPARE(b->model()->rowCount(), 54);
    b->nextPage();  // past the end: stays
    QTest::qWait(100);
    QCOMPARE(b->model()->page().offset, quint64(200));
    b->previousPage();
    QTRY_COMPARE(b->model()->page().offset, quint64(100));

    // Filter and preview each kind.
    const TieredStats before = cache.snapshot();
    auto previewOf = [&](const QString& glob) {
      b->filterEdit()->setText(glob);
      b->refresh();
      if (!QTest::qWaitFor([&] { return b->model()->page().pattern == glob && b->model()->rowCount() == 1; }, 5000)) {
        return QString("no row");
      }
      const int answers = b->answers();
      b->table()->setCurrentIndex(b->model()->index(0, 0));
      if (!QTest::qWaitFor([&] { return b->answers() > answers; }, 5000)) return QString("no preview");
      return b->previewKind();
    };
    QCOMPARE(previewOf("img:*"), QString("image"));
    QVERIFY(!b->previewImage()->pixmap().isNull());
    QCOMPARE(previewOf("doc:*.json"), QString("json"));
    QVERIFY(b->previewText()->toPlainText().contains("\"ttl_hours\": 24"));
    QCOMPARE(previewOf("doc:*.txt"), QString("text"));
    QCOMPARE(previewOf("blob:*"), QString("hex"));
    QVERIFY(b->previewText()->toPlainText().startsWith("00000000  00 01 02 ff fe"));
    // Previews count no request and no hit.
    const TieredStats after = cache.snapshot();
    QCOMPARE(after.total_requests, before.total_requests);
    QCOMPARE(after.namespaces[6].l1.hits, before.namespaces[6].l1.hits);

    // L2 holds them too.
    b->tierBox()->setCurrentIndex(1);
    b->filterEdit()->setText("doc:*");
    b->refresh();
    QTRY_COMPARE(b->model()->page().total, quint64(2));
    QCOMPARE(b->model()->page().tier, 1);
    b->tierBox()->setCurrentIndex(0);

    // Invalidate the selected entry.
    b->filterEdit()->setText("doc:*");
    b->refresh();
    QTRY_COMPARE(b->model()->rowCount(), 2);
    b->table()->selectRow(0);
    const QString victim = b->model()->row(0)->key;
    b->invalidateSelected();
    QTRY_COMPARE(b->model()->page().total, quint64(1));
    QVERIFY(!cache.peek("general", victim.toStdString()));

    // Invalidate by pattern: refused, then confirmed.
    QString asked;
    b->setConfirmer([&](const QString& q) {
      asked = q;
      return false;
    });
    b->filterEdit()->setText("bulk:1*");
    b->invalidateMatching();
    QVERIFY(asked.contains("bulk:1*"));
    QTest::qWait(100);
    QVERIFY(cache.peek("general", "bulk:1"));
    b->setConfirmer([](const QString&) { return true; });
    b->invalidateMatching();
    QTRY_VERIFY(!cache.peek("general", "bulk:1"));
    QVERIFY(!cache.peek("general", "bulk:199"));
    QVERIFY(cache.peek("general", "bulk:2"));

    // Memory analysis: namespaces, prefixes, largest entries, TTL spread.
    const int answers = b->answers();
    b->analyze();
    QTRY_VERIFY(b->answers() > answers);
    QCOMPARE(b->analysisTree()->topLevelItemCount(), 4);
    QVERIFY(b->analysisTree()->topLevelItem(0)->child(0)->text(0) == "general");
    bool bulk_prefix = false;
    for (int i = 0; i < b->analysisTree()->topLevelItem(1)->childCount(); ++i) {
      bulk_prefix |= b->analysisTree()->topLevelItem(1)->child(i)->text(0) == "general/bulk:";
    }
    QVERIFY(bulk_prefix);
    QVERIFY(b->analysisTree()->topLevelItem(2)->child(0)->text(0) == "general/img:red.png");

    // Everything, after confirmation.
    b->clearEverything();
    QTRY_COMPARE(cache.snapshot().namespaces[6].l1.entries, quint64(0));
    QTRY_COMPARE(b->model()->page().total, quint64(0));
  }

  void whatIfReplaysRecordedLiveTraffic() {
    QTemporaryDir dir;
    Engine engine(smallEngine(dir));
    WhatIfWidget whatif(&engine);
    for (int pass = 0; pass < 3; ++pass) {
      for (int k = 0; k < 500; ++k) engine.cache().get("general", "k" + std::to_string(k));
    }
    QTRY_VERIFY_WITH_TIMEOUT(engine.monitor().curves().recorded_trace("general").keys.size() >= 1400, 5000);
    const int index = whatif.sourceBox()->findData(QString("general"));
    QVERIFY(index > 0);
    whatif.sourceBox()->setCurrentIndex(index);
    QVERIFY(!whatif.traceEdit()->isEnabled());
    whatif.sizesEdit()->setText("100,600");
    QVERIFY(whatif.run());
    QTRY_VERIFY_WITH_TIMEOUT(!whatif.running(), 20'000);
    QVERIFY(whatif.statusLabel()->text().contains("live traffic of general"));
    // A 500-key loop: nothing at 100 entries, everything after the first pass at 600.
    QCOMPARE(whatif.results()["lru"][100], 0.0);
    QVERIFY(whatif.results()["lru"][600] > 0.6);
    // An empty namespace says so.
    whatif.sourceBox()->setCurrentIndex(whatif.sourceBox()->findData(QString("text")));
    QVERIFY(whatif.run());
    QTRY_VERIFY(!whatif.running());
    QVERIFY(whatif.statusLabel()->text().contains("no live traffic recorded"));
  }
};

QTEST_MAIN(MonitorGuiTest)
#include "test_monitor_gui.moc"
