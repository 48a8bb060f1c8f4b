// The dashboard offscreen against a real engine and workload: the charts receive
// points, the sliders resize L1 on the engine, and the window renders.
#include <QTemporaryDir>
#include <QtTest>

#include "dashboard_widget.h"
#include "main_window.h"
#include "ring_buffer.h"
#include "tierscope/engine.h"
#include "tierscope/workload/workload.h"

using namespace tierscope;
using tierscope::ui::DashboardWidget;

class DashboardTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void ringBufferKeepsTheNewest() {
    ui::RingBuffer<int> ring(3);
    QVERIFY(ring.empty());
    for (int i = 1; i <= 5; ++i) ring.push(i);
    QCOMPARE(ring.size(), 3u);
    QCOMPARE(ring[0], 3);
    QCOMPARE(ring[2], 5);
    QCOMPARE(ring.back(), 5);
    ring.clear();
    QVERIFY(ring.empty());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ui::RingBuffer<int>(0));
  }

  void sliderMappingsRoundTrip() {
    QCOMPARE(DashboardWidget::entriesForSlider(0), 100u);
    QCOMPARE(DashboardWidget::entriesForSlider(DashboardWidget::kSliderSteps), 1'000'000u);
    QCOMPARE(DashboardWidget::mebibytesForSlider(0), 1u);
    QCOMPARE(DashboardWidget::mebibytesForSlider(DashboardWidget::kSliderSteps), 4096u);
    quint64 previous = 0;
    for (int p = 0; p <= DashboardWidget::kSliderSteps; p += 10) {
      const quint64 entries = DashboardWidget::entriesForSlider(p);
      QVERIFY(entries >= previous);  // monotonic
      previous = entries;
      QVERIFY(std::abs(DashboardWidget::sliderForEntries(entries) - p) <= 3);
    }
    QCOMPARE(DashboardWidget::mebibytesForSlider(DashboardWidget::sliderForMebibytes(64)), 64u);
  }

  void sliderMappingsForTtlAndDisk() {
    QCOMPARE(DashboardWidget::secondsForSlider(0), 1.0);
    QCOMPARE(DashboardWidget::secondsForSlider(DashboardWidget::sliderForSeconds(86'400)), 86'400.0);  // ttl_hours 24
    QCOMPARE(DashboardWidget::secondsForSlider(DashboardWidget::sliderForSeconds(3000)), 3600.0);    // nearest stop
    QCOMPARE(DashboardWidget::secondsForSlider(DashboardWidget::sliderForSeconds(0)), 0.0);          // no expiry
    QCOMPARE(DashboardWidget::secondsForSlider(999), 0.0);
    QCOMPARE(DashboardWidget::diskBytesForSlider(0), quint64(16) << 20);
    QCOMPARE(DashboardWidget::diskBytesForSlider(DashboardWidget::kSliderSteps), quint64(512) << 30);
    QCOMPARE(DashboardWidget::diskBytesForSlider(DashboardWidget::sliderForDiskBytes(quint64(1) << 30)), quint64(1) << 30);
  }

  void adaptiveTtlSliderStops() {
    QCOMPARE(DashboardWidget::multiplierForSlider(0), 0);
    QCOMPARE(DashboardWidget::sliderForMultiplier(0), 0);
    QCOMPARE(DashboardWidget::sliderForMultiplier(1), 0);
    for (int m : DashboardWidget::kAdaptiveTtlSteps) QCOMPARE(DashboardWidget::multiplierForSlider(DashboardWidget::sliderForMultiplier(m)), m);
    QCOMPARE(DashboardWidget::multiplierForSlider(DashboardWidget::sliderForMultiplier(5)), 4);  // nearest, first wins
    QCOMPARE(DashboardWidget::multiplierForSlider(DashboardWidget::sliderForMultiplier(100)), 8);
    QCOMPARE(DashboardWidget::multiplierForSlider(99), 8);
  }

  void chartsFillAndControlsTuneTheEngine() {
    QTemporaryDir dir;
    EngineOptions options;
    for (auto& ns : options.cache.namespaces) {
      if (ns.name == "general") {
        ns.l1_max_entries = 5'000;
        ns.l1_max_bytes = 64u << 20;
      }
    }
    DiskTierOptions l2;
    l2.root = dir.path().toStdString();
    l2.sync_writes = false;
    l2.max_bytes = quint64(1) << 30;
    options.cache.l2 = l2;
    options.origin.latency = Duration::zero();
    Engine engine(options);
    WorkloadOptions wo;
    wo.key_count = 20'000;
    wo.threads = 2;
    wo.target_rate = 20'000;
    WorkloadDriver workload(engine.cache(), wo);
    workload.start();

    ui::MainWindow window(engine);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    DashboardWidget* dashboard = window.dashboard();

    // Samples flow from the worker thread and the redraw timer puts them in every chart.
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->hitRateSeries()->count() >= 3, 15'000);
    for (QLineSeries* s : {dashboard->l2HitRateSeries(), dashboard->originRateSeries(), dashboard->entriesSeries(),
                           dashboard->diskSeries(), dashboard->stampedeSeries(), dashboard->evictionSeries()}) {
      QTRY_VERIFY_WITH_TIMEOUT(s->count() >= 3, 5'000);
    }
    const QPointF last = dashboard->hitRateSeries()->at(dashboard->hitRateSeries()->count() - 1);
    QVERIFY(last.y() > 0.0 && last.y() <= 100.0);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->diskSeries()->at(dashboard->diskSeries()->count() - 1).y() > 0.0, 5'000);
    // The controls start where the engine is.
    QTRY_COMPARE_WITH_TIMEOUT(DashboardWidget::entriesForSlider(dashboard->entriesSlider()->value()), 5'000u, 5'000);
    QCOMPARE(dashboard->namespaceBox()->currentText(), QString("general"));
    QCOMPARE(dashboard->policyBox()->currentData().toString(), QString("wtinylfu"));

    // Shrink L1 with the slider: the engine applies it (on its worker thread) and evicts.
    const int target = DashboardWidget::sliderForEntries(1'000);
    dashboard->entriesSlider()->setValue(target);
    const quint64 wanted = DashboardWidget::entriesForSlider(target);
    auto general = [&] {
      for (const auto& ns : engine.cache().snapshot().namespaces) {
        if (ns.name == "general") return ns;
      }
      return NamespaceStats{};
    };
    QTRY_COMPARE_WITH_TIMEOUT(general().l1.max_entries, wanted, 5'000);
    // The memory slider sets the byte budget; the TTL slider the namespace's TTL.
    dashboard->memorySlider()->setValue(DashboardWidget::sliderForMebibytes(8));
    QTRY_COMPARE_WITH_TIMEOUT(general().l1.max_bytes, quint64(8) << 20, 5'000);
    dashboard->ttlSlider()->setValue(DashboardWidget::sliderForSeconds(3600));
    QTRY_COMPARE_WITH_TIMEOUT(std::chrono::duration_cast<std::chrono::seconds>(general().ttl).count(),
                              std::chrono::seconds(static_cast<long>(DashboardWidget::secondsForSlider(DashboardWidget::sliderForSeconds(3600)))).count(), 5'000);
    // The adaptive-TTL slider starts at the engine's rule (on, 4x) and switches it.
    QCOMPARE(DashboardWidget::multiplierForSlider(dashboard->adaptiveTtlSlider()->value()), 4);
    dashboard->adaptiveTtlSlider()->setValue(DashboardWidget::sliderForMultiplier(8));
    QTRY_COMPARE_WITH_TIMEOUT(engine.cache().adaptive_ttl().max_multiplier, 8u, 5'000);
    QVERIFY(engine.cache().adaptive_ttl().enabled);
    dashboard->adaptiveTtlSlider()->setValue(0);
    QTRY_VERIFY_WITH_TIMEOUT(!engine.cache().adaptive_ttl().enabled, 5'000);
    // The disk slider shrinks L2; the policy box switches every namespace.
    dashboard->diskSlider()->setValue(DashboardWidget::sliderForDiskBytes(quint64(32) << 20));
    QTRY_COMPARE_WITH_TIMEOUT(engine.cache().snapshot().l2.max_bytes, quint64(32) << 20, 5'000);
    dashboard->policyBox()->setCurrentIndex(dashboard->policyBox()->findData("lru"));
    Q_EMIT dashboard->policyBox()->activated(dashboard->policyBox()->currentIndex());
    QTRY_COMPARE_WITH_TIMEOUT(engine.cache().snapshot().l1_policy, EvictionPolicyKind::kLru, 5'000);
    workload.stop();
    QVERIFY(general().l1.entries <= wanted);
    QVERIFY(engine.cache().snapshot().l2.bytes <= (quint64(32) << 20));

    // Picking another namespace points the sliders at it.
    dashboard->namespaceBox()->setCurrentText("garment");
    Q_EMIT dashboard->namespaceBox()->activated(dashboard->namespaceBox()->currentIndex());
    QTRY_COMPARE_WITH_TIMEOUT(DashboardWidget::entriesForSlider(dashboard->entriesSlider()->value()), 100u, 5'000);

    // The window renders to a non-empty image.
    const QPixmap shot = window.grab();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() >= 800 && shot.height() >= 500);
  }
};

QTEST_MAIN(DashboardTest)
#include "test_dashboard.moc"
