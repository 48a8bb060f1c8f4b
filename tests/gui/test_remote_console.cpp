// The console over a real server (in-process Engine + ApiService + HttpServer on an
// ephemeral port): the dashboard charts the server's traffic from GET /stats, and tuning
// from the dashboard reaches the server's engine through PUT /config — only with a key.
#include <QJsonArray>
#include <QJsonObject>
#include <QImage>
#include <QLabel>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QTableView>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <thread>

#include "alert_table_model.h"
#include "alerts_widget.h"
#include "cache_browser_widget.h"
#include "classification_table_model.h"
#include "classification_widget.h"
#include "dashboard_widget.h"
#include "namespace_table_model.h"
#include "remote_sampler.h"
#include "remote_window.h"
#include "tryon_widget.h"
#include "capacity_widget.h"
#include "log_model.h"
#include "whatif_widget.h"
#include "support/live_api_server.h"
#include "tierscope/engine.h"
#include "tierscope/monitor/alert_rule.h"
#include "tierscope/server/api_service.h"
#include "tierscope/server/http_server.h"

using namespace tierscope;
using namespace tierscope::server;
using tierscope::ui::DashboardWidget;
using tierscope::ui::RemoteWindow;

namespace {

const QString kKey = "remote-console-test-key-0123";

using LiveServer = testing::LiveApiServer;

// Steady reads of 400 keys in `general`.
struct Traffic : testing::EngineTraffic {
  explicit Traffic(Engine& engine) : EngineTraffic(engine, 400, std::chrono::microseconds(200)) {}
};

// An engine whose monitor samples fast, with a memory budget to tune and 1 KB values.
EngineOptions monitoredEngine() {
  EngineOptions options;
  options.origin.latency = Duration::zero();
  options.origin.min_value_bytes = 1000;
  options.origin.max_value_bytes = 1000;
  options.memory_budget_bytes = 8 << 20;
  options.monitor.curve_interval = std::chrono::milliseconds(50);
  options.monitor.metrics_interval = std::chrono::milliseconds(200);
  return options;
}

// A loop of 3,000 keys over "general" (1,000 entries): LRU hits nothing at its size,
// everything at 3,000.
void loopOverGeneral(Engine& engine, int passes) {
  for (int pass = 0; pass < passes; ++pass) {
    for (int k = 0; k < 3000; ++k) engine.cache().get("general", "loop:" + std::to_string(k));
  }
}

}  // namespace

class RemoteConsoleTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void dashboardShowsTheServersTraffic() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    Traffic traffic(engine);
    RemoteWindow window(live.url(), kKey);
    window.show();
    DashboardWidget* dashboard = window.dashboard();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->samplesReceived() >= 3, 15'000);
    QVERIFY(window.connected());
    QVERIFY(window.connectionLabel()->text().contains("connected"));
    const ui::EngineSample* last = dashboard->lastSample();
    QVERIFY(last->requests_per_second > 100);          // the traffic above, seen over HTTP
    QVERIFY(last->l1_hit_rate > 0.5);                  // 400 keys, all cached after the first pass
    QVERIFY(last->namespaces.contains("general"));
    QCOMPARE(last->focus_namespace, QString("general"));
    QVERIFY(last->focus_entries > 0);
    QVERIFY(dashboard->namespaceModel()->rowCount() >= 5);
    // Each namespace's W-TinyLFU setting, as the server reports it (0 would be "not reported").
    for (const ui::NamespaceSample& row : last->namespace_rows) QVERIFY(row.window_share > 0 && row.window_share <= 1);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->hitRateSeries()->count() >= 3, 5000);  // charts redraw on their own timer
  }

  void tuningReachesTheServer() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    RemoteWindow window(live.url(), kKey);
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->samplesReceived() >= 1, 15'000);
    Q_EMIT window.dashboard()->l1CapacityRequested("general", 777, 8ull << 20);
    QTRY_VERIFY_WITH_TIMEOUT(window.lastApplied().contains("namespaces.general.l1_max_entries"), 10'000);
    for (const NamespaceStats& ns : engine.cache().snapshot().namespaces) {
      if (ns.name == "general") {
        QCOMPARE(ns.l1.max_entries, uint64_t{777});
        QCOMPARE(ns.l1.max_bytes, uint64_t{8} << 20);
      }
    }
    Q_EMIT window.dashboard()->policyRequested("lru");
    QTRY_COMPARE_WITH_TIMEOUT(engine.cache().snapshot().l1_policy, EvictionPolicyKind::kLru, 10'000);
    // And the next sample shows it.
    QTRY_COMPARE_WITH_TIMEOUT(window.dashboard()->lastSample()->policy, QString("lru"), 10'000);
  }

  void withoutAKeyTuningIsRefusedAndSaysWhy() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    RemoteWindow window(live.url(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->samplesReceived() >= 1, 15'000);  // reads need no key
    Q_EMIT window.dashboard()->ttlRequested("general", 60);
    QTRY_VERIFY_WITH_TIMEOUT(window.lastError().contains("401"), 10'000);
    QVERIFY(window.lastError().contains("API key"));
    for (const NamespaceStats& ns : engine.cache().snapshot().namespaces) {
      if (ns.name == "general") QVERIFY(ns.ttl != std::chrono::seconds(60));
    }
  }

  void cacheBrowserOverTheServer() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    for (int i = 0; i < 30; ++i) engine.cache().get("general", "key-" + std::to_string(i));
    RemoteWindow window(live.url(), kKey);
    window.show();
    window.instanceTabs()->setCurrentIndex(1);
    ui::CacheBrowserWidget* browser = window.browser();
    browser->setConfirmer([](const QString&) { return true; });
    // Namespaces come from the server's /stats, pages from /cache/entries.
    QTRY_VERIFY_WITH_TIMEOUT(browser->namespaceBox()->count() >= 5, 10'000);
    QCOMPARE(browser->namespaceBox()->currentText(), QString("general"));
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{30}, 10'000);
    QCOMPARE(browser->model()->rowCount(), 30);
    // No query went out before the namespaces were known (it would be a 404).
    QVERIFY2(!browser->statusLabel()->text().contains("Error"), qPrintable(browser->statusLabel()->text()));
    browser->filterEdit()->setText("key-1*");
    browser->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{11}, 10'000);  // key-1, key-10..19
    // TIERSCOPE_SCREENSHOT_DIR set: keep a picture of the remote browser to look at.
    if (const QString dir = qEnvironmentVariable("TIERSCOPE_SCREENSHOT_DIR"); !dir.isEmpty()) {
      window.resize(1200, 700);
      QTest::qWait(200);
      QVERIFY(window.grab().save(dir + "/remote-cache-browser.png"));
    }
    // Invalidating what matches reaches the server's engine.
    browser->invalidateMatching();
    QTRY_VERIFY_WITH_TIMEOUT(browser->statusLabel()->text().contains("Invalidated 11"), 10'000);
    QVERIFY(!engine.cache().inspect("general", "key-12", CacheTier::kL1));
    QVERIFY(engine.cache().inspect("general", "key-2", CacheTier::kL1));
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{0}, 10'000);
    // Selected keys one by one.
    browser->filterEdit()->clear();
    browser->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{19}, 10'000);
    browser->table()->selectRow(0);
    const QString first = browser->model()->row(0)->key;
    browser->invalidateSelected();
    QTRY_VERIFY_WITH_TIMEOUT(browser->statusLabel()->text().contains("Invalidated 1 key"), 10'000);
    QVERIFY(!engine.cache().inspect("general", first.toStdString(), CacheTier::kL1));
    // A value preview over GET /cache/entry: the server's bytes, read without counting a hit.
    engine.cache().put("general", "doc:settings.json", make_value(R"({"ttl_hours": 24})"));
    browser->filterEdit()->setText("doc:*");
    browser->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{1}, 10'000);
    const uint64_t hits_before = engine.cache().snapshot().l1_hits;
    int answers = browser->answers();
    browser->table()->setCurrentIndex(browser->model()->index(0, 0));
    QTRY_VERIFY_WITH_TIMEOUT(browser->answers() > answers, 10'000);
    QCOMPARE(browser->previewKind(), QString("json"));
    QVERIFY2(browser->previewText()->toPlainText().contains("\"ttl_hours\": 24"), qPrintable(browser->previewText()->toPlainText()));
    QCOMPARE(engine.cache().snapshot().l1_hits, hits_before);
    // The memory analysis over GET /cache/analysis.
    answers = browser->answers();
    browser->analyze();
    QTRY_VERIFY_WITH_TIMEOUT(browser->answers() > answers, 10'000);
    QCOMPARE(browser->analysisTree()->topLevelItemCount(), 4);
    QCOMPARE(browser->analysisTree()->topLevelItem(0)->child(0)->text(0), QString("general"));
    bool doc_prefix = false;
    for (int i = 0; i < browser->analysisTree()->topLevelItem(1)->childCount(); ++i) {
      doc_prefix |= browser->analysisTree()->topLevelItem(1)->child(i)->text(0) == "general/doc:";
    }
    QVERIFY(doc_prefix);
  }

  void previewNeedsAKey() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    engine.cache().put("general", "secret", make_value("value"));
    RemoteWindow window(live.url(), QString());  // no key: pages list, values stay on the server
    ui::CacheBrowserWidget* browser = window.browser();
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{1}, 10'000);
    browser->table()->setCurrentIndex(browser->model()->index(0, 0));
    QTRY_VERIFY_WITH_TIMEOUT(browser->statusLabel()->text().contains("401"), 10'000);
    QVERIFY(!browser->previewText()->toPlainText().contains("value"));
  }

  void classificationOverTheServer() {
    EngineOptions options;
    InferenceOptions inference;
    inference.model_path = TIERSCOPE_MODEL_PATH;
    options.inference = inference;
    Engine engine(options);
    LiveServer live(engine, kKey);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A drawn image and a file that is not one: a row each, the second with the server's error.
    QImage image(64, 80, QImage::Format_RGB32);
    image.fill(Qt::white);
    for (int y = 10; y < 70; ++y) {
      for (int x = 16; x < 48; ++x) image.setPixel(x, y, qRgb(30, 30, 30));
    }
    QVERIFY(image.save(dir.filePath("shirt.png")));
    QFile junk(dir.filePath("junk.jpg"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is not an image");
    junk.close();
    RemoteWindow window(live.url(), kKey);
    ui::ClassificationWidget* tab = window.classification();
    tab->classifyFolder(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(!tab->folderRunning() && tab->tableModel()->rowCount() == 2, 60'000);
    QTRY_VERIFY_WITH_TIMEOUT(!tab->folderRunning(), 5'000);
    const ui::ClassificationRow* ok = nullptr;
    const ui::ClassificationRow* bad = nullptr;
    for (int r = 0; r < 2; ++r) {
      const ui::ClassificationRow& row = tab->tableModel()->row(r);
      (row.ok() ? ok : bad) = &row;
    }
    QVERIFY(ok && bad);
    QVERIFY(ok->classes.size() >= 3);  // the server's top-k
    QVERIFY(ok->probabilities.front() > 0 && ok->probabilities.front() <= 1);
    QCOMPARE(ok->width, 64);
    QCOMPARE(ok->height, 80);
    QVERIFY(!ok->category.isEmpty());
    QVERIFY2(bad->error.contains("server answered 4"), qPrintable(bad->error));
    // The same image again: the server's prediction cache answers.
    tab->classifyFile(dir.filePath("shirt.png"));
    QTRY_VERIFY_WITH_TIMEOUT(tab->resultsShown() >= 1 && tab->lastResult().path.endsWith("shirt.png"), 30'000);
    QVERIFY(tab->lastResult().from_cache);
    QCOMPARE(engine.classifier()->stats().cache_hits, uint64_t{1});
  }

  void tryOnOverTheServer() {
    EngineOptions options;
    options.tryon = tryon::TryOnPipelineOptions{};
    Engine engine(options);
    LiveServer live(engine, kKey);
    RemoteWindow window(live.url(), kKey);
    window.resize(1280, 800);
    window.show();
    ui::TryOnWidget* tab = window.tryOn();
    QVERIFY(tab);
    tab->useDemo(1);  // the demo person and top, sent to the server
    QTRY_VERIFY_WITH_TIMEOUT(tab->resultsShown() == 1, 60'000);
    QVERIFY2(tab->errorLabel()->isHidden(), qPrintable(tab->errorLabel()->text()));
    const ui::TryOnView& first = tab->lastResult();
    QVERIFY2(first.verdict == "compatible", qPrintable(first.verdict));
    QCOMPARE(first.composite.size(), first.person.size());
    // Everything the embedded tab shows came over: stages, masks, landmarks.
    QVERIFY(tab->stageModel()->rowCount() >= 5);
    QVERIFY(!first.person_overlay.isNull() && !first.garment_overlay.isNull());
    QVERIFY(first.person_landmarks.size() >= 4);
    QVERIFY(!first.composite_from_cache);
    QCOMPARE(engine.tryon()->stats().requests, uint64_t{1});
    // Again: the server's try-on cache answers, and the tab says so.
    tab->run();
    QTRY_VERIFY_WITH_TIMEOUT(tab->resultsShown() == 2, 30'000);
    QVERIFY(tab->lastResult().composite_from_cache);
    QVERIFY(tab->verdictLabel()->text().contains("from cache"));
    QCOMPARE(engine.tryon()->stats().composites_from_cache, uint64_t{1});
    // A photo the server refuses: its 422 and detail in the tab, the old result cleared.
    tab->setPersonBytes("not a photo", "junk.jpg");
    tab->run();
    QTRY_VERIFY_WITH_TIMEOUT(!tab->errorLabel()->isHidden(), 30'000);
    QVERIFY2(tab->errorLabel()->text().contains("server answered 422"), qPrintable(tab->errorLabel()->text()));
    QVERIFY(tab->lastResult().composite_png.isEmpty());
    QCOMPARE(tab->resultsShown(), 2);  // errors are not results
  }

  void tryOnAgainstAServerWithoutThePipelineSaysSo() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    RemoteWindow window(live.url(), kKey);
    ui::TryOnWidget* tab = window.tryOn();
    tab->useDemo(1);
    QTRY_VERIFY_WITH_TIMEOUT(!tab->errorLabel()->isHidden(), 60'000);
    QVERIFY2(tab->errorLabel()->text().contains("server answered 503"), qPrintable(tab->errorLabel()->text()));
    QCOMPARE(tab->resultsShown(), 0);
  }

  void capacityWhatIfAndLogsOverTheServer() {
    Engine engine(monitoredEngine());
    LiveServer live(engine, kKey);
    loopOverGeneral(engine, 4);
    RemoteWindow window(live.url(), kKey);
    window.resize(1400, 900);
    window.show();
    // Capacity: the server's live curves, from /stats.
    ui::CapacityWidget* cap = window.capacity();
    const ui::CurveSample* general = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                               for (int r = 0; r < cap->model()->rowCount(); ++r) {
                                 if (cap->model()->curve(r)->name == "general" && cap->model()->curve(r)->samples >= 11'000) {
                                   general = cap->model()->curve(r);
                                 }
                               }
                               return general != nullptr;
                             }()),
                             15'000);
    QVERIFY2(ui::curveHitRatio(*general, 1000) < 0.05, qPrintable(QString::number(ui::curveHitRatio(*general, 1000))));
    QVERIFY2(ui::curveHitRatio(*general, 3100) > 0.70, qPrintable(QString::number(ui::curveHitRatio(*general, 3100))));
    // The switch reaches the server's monitor (PUT /config), both ways.
    QVERIFY(!engine.monitor().auto_tuning());
    cap->autoTuningSwitch()->click();
    QTRY_VERIFY_WITH_TIMEOUT(engine.monitor().auto_tuning(), 10'000);
    cap->autoTuningSwitch()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!engine.monitor().auto_tuning(), 10'000);
    // Tune now (POST /tuning/run): the loop's namespace gets room, the change is listed.
    loopOverGeneral(engine, 1);
    QTest::qWait(300);
    cap->tuneNowButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(cap->tuningLog()->count() > 0, 15'000);
    QVERIFY(cap->tuningLog()->item(0)->text().contains("general"));
    QVERIFY(engine.cache().snapshot().namespaces[6].l1.max_bytes > 3000 * 1000);

    // Logs: the server's own lines about those changes, from GET /logs.
    ui::LogModel* logs = window.logModel();
    auto logged = [&](const QString& text) {
      for (int r = 0; r < logs->rowCount(); ++r) {
        if (logs->data(logs->index(r, ui::LogModel::kMessage)).toString().contains(text)) return true;
      }
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(logged("config changed over HTTP: auto_tuning"), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(logged("auto-tuning run over HTTP"), 10'000);

    // What-if over the server's recorded traffic (GET /monitor/trace).
    ui::WhatIfWidget* whatif = window.whatIf();
    QTRY_VERIFY_WITH_TIMEOUT(whatif->sourceBox()->findData(QString("general")) > 0, 10'000);
    whatif->sourceBox()->setCurrentIndex(whatif->sourceBox()->findData(QString("general")));
    whatif->sizesEdit()->setText("100,3500");
    QVERIFY(whatif->run());
    QTRY_VERIFY_WITH_TIMEOUT(!whatif->running(), 30'000);
    QVERIFY2(whatif->statusLabel()->text().contains("live traffic of general"), qPrintable(whatif->statusLabel()->text()));
    QCOMPARE(whatif->results()["lru"][100], 0.0);
    QVERIFY2(whatif->results()["lru"][3500] > 0.5, qPrintable(QString::number(whatif->results()["lru"][3500])));
    // A namespace with nothing recorded says so, with the server's words.
    whatif->sourceBox()->setCurrentIndex(whatif->sourceBox()->findData(QString("text")));
    QVERIFY(whatif->run());
    QTRY_VERIFY_WITH_TIMEOUT(!whatif->running(), 10'000);
    QVERIFY2(whatif->statusLabel()->text().contains("no live traffic recorded"), qPrintable(whatif->statusLabel()->text()));
  }

  void tuningBeforeConnectingIsDatedSo() {
    Engine engine(monitoredEngine());
    LiveServer live(engine, kKey);
    loopOverGeneral(engine, 5);
    QTest::qWait(300);
    QVERIFY(!engine.monitor().auto_tune_now().empty());
    QTest::qWait(1100);  // the change is at least a second old when the console connects
    RemoteWindow window(live.url(), kKey);
    ui::CapacityWidget* cap = window.capacity();
    QTRY_VERIFY_WITH_TIMEOUT(cap->tuningLog()->count() > 0, 10'000);
    QVERIFY2(cap->tuningLog()->item(0)->text().contains("before connecting"), qPrintable(cap->tuningLog()->item(0)->text()));
  }

  void logsWithoutAKeySaySo() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    RemoteWindow window(live.url(), QString());
    ui::LogModel* logs = window.logModel();
    QTRY_VERIFY_WITH_TIMEOUT(logs->rowCount() == 1, 10'000);
    QVERIFY(logs->data(logs->index(0, ui::LogModel::kMessage)).toString().contains("401"));
    QTest::qWait(2500);  // said once, not every second
    QCOMPARE(logs->rowCount(), 1);
  }

  void alertsOverTheServer() {
    Engine engine(EngineOptions{});
    AlertRule rule;
    rule.name = "remote-test-rule";
    rule.metric_name = "cache.hit_rate_percent";
    rule.threshold = 101;  // always below: fires once it has a value
    rule.op = AlertOperator::kLess;
    engine.monitor().performance().add_rule(rule);
    LiveServer live(engine, kKey);
    Traffic traffic(engine);
    RemoteWindow window(live.url(), kKey);
    ui::AlertsWidget* alerts = window.alerts();
    const int rules = static_cast<int>(engine.monitor().snapshot().alerts.size());
    QVERIFY(rules >= 2);  // the defaults and ours
    QTRY_COMPARE_WITH_TIMEOUT(alerts->model()->rowCount(), rules, 15'000);
    bool found = false;
    for (int r = 0; r < alerts->model()->rowCount(); ++r) {
      const ui::AlertSample* a = alerts->model()->alert(r);
      if (a->name == "remote-test-rule") {
        found = true;
        QCOMPARE(a->metric, QString("cache.hit_rate_percent"));
        QCOMPARE(a->op, QString("<"));
        QCOMPARE(a->threshold, 101.0);
      }
    }
    QVERIFY(found);
    // The form changes the server's rules (PUT / DELETE /alerts, with the key).
    alerts->nameEdit()->setText("from-the-console");
    alerts->metricBox()->setCurrentText("cache.hit_rate_percent");
    alerts->operatorBox()->setCurrentText(">");
    alerts->thresholdBox()->setValue(7);
    QTest::mouseClick(alerts->addButton(), Qt::LeftButton);
    auto server_has = [&](const std::string& name) {
      for (const AlertStatus& a : engine.monitor().snapshot().alerts) {
        if (a.rule.name == name) return true;
      }
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(server_has("from-the-console"), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(alerts->model()->rowCount(), rules + 1, 10'000);
    Q_EMIT alerts->removeRuleRequested("remote-test-rule");
    QTRY_VERIFY_WITH_TIMEOUT(!server_has("remote-test-rule"), 10'000);
    QVERIFY(alerts->healthLabel()->text().contains("System health"));
  }

  void alertRuleWithoutAKeyIsRefused() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    RemoteWindow window(live.url(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(window.connected(), 10'000);
    Q_EMIT window.alerts()->addRuleRequested("nope", "cache.hit_rate_percent", ">", 1, 0);
    QTRY_VERIFY_WITH_TIMEOUT(window.lastError().contains("401"), 10'000);
    for (const AlertStatus& a : engine.monitor().snapshot().alerts) QVERIFY(a.rule.name != "nope");
  }

  void cacheBrowserWithoutAKeyCannotInvalidate() {
    Engine engine(EngineOptions{});
    LiveServer live(engine, kKey);
    engine.cache().get("general", "key-1");
    RemoteWindow window(live.url(), QString());
    window.show();
    window.instanceTabs()->setCurrentIndex(1);
    ui::CacheBrowserWidget* browser = window.browser();
    browser->setConfirmer([](const QString&) { return true; });
    QTRY_COMPARE_WITH_TIMEOUT(browser->model()->page().total, quint64{1}, 10'000);  // reads need no key
    browser->invalidateMatching();
    QTRY_VERIFY_WITH_TIMEOUT(browser->statusLabel()->text().contains("401"), 10'000);
    QVERIFY(engine.cache().inspect("general", "key-1", CacheTier::kL1));
  }

  void unreachableServerIsReported() {
    RemoteWindow window(QUrl("http://127.0.0.1:1"), QString());
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionLabel()->text().contains("not connected"), 15'000);
    QVERIFY(!window.connected());
  }

  void samplerWindowsLatencyCounts() {
    // Two documents a second apart: rates from the difference, percentiles from the counts.
    auto doc = [](double served_l1, double miss_count, int bucket) {
      QJsonObject counts{{"count", miss_count}, {"total_ns", miss_count * 1e6},
                         {"buckets", QJsonArray{QJsonArray{bucket, miss_count}}}};
      return QJsonObject{{"served", QJsonObject{{"l1", served_l1}, {"l2", 0}, {"origin", 0}, {"failed", 0}}},
                         {"latency_counts", QJsonObject{{"miss", counts}}},
                         {"namespaces", QJsonArray{}}};
    };
    ui::RemoteSampler sampler;
    sampler.add(doc(100, 10, LatencyHistogram::bucket_of(1'000'000)), 1.0);
    const ui::EngineSample s = sampler.add(doc(600, 20, LatencyHistogram::bucket_of(1'000'000)), 2.0);
    QCOMPARE(s.requests_per_second, 500.0);
    QCOMPARE(s.l1_hit_rate, 1.0);
    QVERIFY(s.miss_latency.p99_ms > 0.8 && s.miss_latency.p99_ms < 1.3);
  }
};

QTEST_MAIN(RemoteConsoleTest)
#include "test_remote_console.moc"
