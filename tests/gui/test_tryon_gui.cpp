// The Try-on tab offscreen with the real pipeline: the demo pair end to end, the
// before/after split and overlay toggles, saving, the stage model, a bad photo clearing the
// old result, and the tab inside the main window. Writes a screenshot for people to look at.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "main_window.h"
#include "tierscope/engine.h"
#include "tierscope/tryon/demo_assets.h"
#include "tryon_image_view.h"
#include "tryon_widget.h"

using namespace tierscope;

namespace {

EngineOptions tryOnOnly() {
  EngineOptions options;
  options.tryon = tryon::TryOnPipelineOptions{};
  return options;
}

}  // namespace

class TryOnGuiTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void stageModelIsAWellBehavedModel() {
    ui::TryOnStageModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStages({{"decode", 12.5, false}, {"person_analysis", 150, true}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(1, ui::TryOnStageModel::kCache)).toString(), QString("cached"));
    QCOMPARE(model.data(model.index(0, ui::TryOnStageModel::kMilliseconds)).toString(), QString("12.5"));
    model.setStages({});
    QCOMPARE(model.rowCount(), 0);
  }

  void demoPairShowsAResultWithoutBlocking() {
    Engine engine(tryOnOnly());
    ui::TryOnWidget tab(*engine.tryon());
    tab.resize(1280, 800);
    tab.show();
    QSignalSpy shown(&tab, &ui::TryOnWidget::resultShown);
    tab.useDemo(1);  // returns at once: the work is on the worker thread
    QVERIFY(tab.busy());
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 1, 30'000);
    QVERIFY(!tab.busy());
    QVERIFY2(tab.verdictLabel()->text().contains("compatible"), qPrintable(tab.verdictLabel()->text()));
    QVERIFY(tab.errorLabel()->isHidden());
    QVERIFY(tab.stageModel()->rowCount() >= 5);
    QVERIFY(!tab.lastResult().composite.isNull());
    QCOMPARE(tab.lastResult().composite.size(), tab.lastResult().person.size());

    // The split follows the slider and the slider follows a drag on the picture.
    tab.splitSlider()->setValue(20);
    QCOMPARE(tab.resultView()->split(), 0.2);
    const QRect r = tab.resultView()->rect();
    QTest::mouseClick(tab.resultView(), Qt::LeftButton, {}, QPoint(r.center().x(), r.center().y()));
    QVERIFY(std::abs(tab.splitSlider()->value() - 50) <= 5);
    tab.regionsBox()->setChecked(true);
    tab.landmarksBox()->setChecked(true);

    QTemporaryDir dir;
    const QString saved = dir.filePath("result.png");
    QVERIFY(tab.saveResult(saved));
    QCOMPARE(QImage(saved).size(), tab.lastResult().person.size());

    // The same pair again comes from the cache, and says so.
    tab.run();
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 2, 30'000);
    QVERIFY(tab.lastResult().composite_from_cache);
    QVERIFY(tab.verdictLabel()->text().contains("from cache"));

    // A screenshot for people to look at.
    const QImage shot = tab.grab().toImage();
    QVERIFY(!shot.isNull());
    shot.save(QStringLiteral(TIERSCOPE_BINARY_DIR "/tryon-tab.png"));
  }

  void badPhotoClearsTheOldResult() {
    Engine engine(tryOnOnly());
    ui::TryOnWidget tab(*engine.tryon());
    tab.useDemo(2);
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 1, 30'000);
    QVERIFY(tab.resultView()->hasImage());
    tab.setPersonBytes("this is not an image", "broken.jpg");
    tab.run();
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 1, 30'000);  // errors are not results
    QTRY_VERIFY_WITH_TIMEOUT(tab.errorLabel()->isVisible() || !tab.errorLabel()->isHidden(), 30'000);
    QVERIFY2(tab.errorLabel()->text().contains("person photo"), qPrintable(tab.errorLabel()->text()));
    QVERIFY(!tab.resultView()->hasImage());
    QVERIFY(tab.lastResult().composite_png.isEmpty());
    QCOMPARE(tab.stageModel()->rowCount(), 0);
    QTemporaryDir dir;
    QVERIFY(!tab.saveResult(dir.filePath("nothing.png")));
  }

  void galleryListsAFolder() {
    Engine engine(tryOnOnly());
    ui::TryOnWidget tab(*engine.tryon());
    QTemporaryDir dir;
    for (const char* name : {"a.png", "b.png"}) {
      QFile f(dir.filePath(name));
      QVERIFY(f.open(QIODevice::WriteOnly));
      const std::string png = tryon::demo_garment_png(tryon::Category::kDresses);
      f.write(png.data(), static_cast<qint64>(png.size()));
    }
    tab.showGallery(dir.path());
    QCOMPARE(tab.gallery()->count(), 2);
  }

  void mainWindowHasTheTab() {
    Engine engine(tryOnOnly());
    ui::MainWindow window(engine);
    QVERIFY(window.tryOn());
    QCOMPARE(window.tabs()->tabText(window.tabIndexOf(window.tryOn())), QString("Try-on"));
    EngineOptions none;
    Engine plain(none);
    ui::MainWindow without(plain);
    QVERIFY(!without.tryOn());
  }
};

QTEST_MAIN(TryOnGuiTest)
#include "test_tryon_gui.moc"
