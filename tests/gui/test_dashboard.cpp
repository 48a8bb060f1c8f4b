// The dashboard offscreen against a real engine and workload: the charts receive
// points, the sliders resize L1 on the engine, and the window renders.
#include <QAbstractItemModelTester>
#include <QtTest>

#include "dashboard_widget.h"
#include "main_window.h"
#include "ring_buffer.h"
#include "tierscope/engine.h"
#include "tierscope/workload.h"

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

  void chartsFillAndSlidersResizeTheEngine() {
    EngineOptions options;
    options.l1.max_entries = 5'000;
    options.l1.max_bytes = 64u << 20;
    options.origin.latency = Duration::zero();
    Engine engine(options);
    WorkloadOptions wo;
    wo.key_count = 20'000;
    wo.threads = 2;
    wo.target_rate = 20'000;
    WorkloadDriver workload(engine.l1(), engine.origin(), wo);
    workload.start();

    ui::MainWindow window(engine);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    DashboardWidget* dashboard = window.dashboard();

    // Samples flow from the worker thread and the redraw timer puts them in the chart.
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->hitRateSeries()->count() >= 3, 15'000);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->entriesSeries()->count() >= 3, 5'000);
    const QPointF last = dashboard->hitRateSeries()->at(dashboard->hitRateSeries()->count() - 1);
    QVERIFY(last.y() > 0.0 && last.y() <= 100.0);
    QVERIFY(last.x() > 0.0);
    // The sliders start where the engine is.
    QCOMPARE(DashboardWidget::entriesForSlider(dashboard->entriesSlider()->value()), 5'000u);

    // Shrink L1 with the slider: the engine applies it (on its worker thread) and evicts.
    const int target = DashboardWidget::sliderForEntries(1'000);
    dashboard->entriesSlider()->setValue(target);
    const quint64 wanted = DashboardWidget::entriesForSlider(target);
    QTRY_COMPARE_WITH_TIMEOUT(engine.l1().snapshot().max_entries, wanted, 5'000);
    workload.stop();
    QVERIFY(engine.l1().snapshot().entries <= wanted);

    // The memory slider sets the byte budget.
    dashboard->memorySlider()->setValue(DashboardWidget::sliderForMebibytes(8));
    QTRY_COMPARE_WITH_TIMEOUT(engine.l1().snapshot().max_bytes, quint64(8) << 20, 5'000);
    QVERIFY(engine.l1().snapshot().bytes <= (quint64(8) << 20));

    // The window renders to a non-empty image.
    const QPixmap shot = window.grab();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() >= 800 && shot.height() >= 500);
  }
};

QTEST_MAIN(DashboardTest)
#include "test_dashboard.moc"
