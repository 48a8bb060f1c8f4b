// The Classification tab offscreen with the real classifier: a single image shows its
// classes and category, repeated images come from the cache, a folder fills the table
// (bad files become error rows), cancel stops a run, CSV export writes every row; the
// table model passes QAbstractItemModelTester.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QAbstractItemModelTester>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include "classification_widget.h"
#include "dashboard_widget.h"
#include "main_window.h"
#include "tierscope/inference/classifier.h"
#include "tierscope/engine.h"

using namespace tierscope;
using tierscope::ui::ClassificationRow;
using tierscope::ui::ClassificationTableModel;
using tierscope::ui::ClassificationWidget;
using tierscope::ui::DashboardWidget;

namespace {

void writeGarment(const QString& path, int variant) {
  cv::Mat img(400, 300, CV_8UC3, cv::Scalar(240, 240, 240));
  cv::rectangle(img, cv::Rect(80, 60 + variant, 140, 280), cv::Scalar(60, 30 + variant * 10, 20), cv::FILLED);
  cv::rectangle(img, cv::Rect(30, 70 + variant, 240, 60), cv::Scalar(60, 30 + variant * 10, 20), cv::FILLED);
  cv::imwrite(path.toStdString(), img);
}

EngineOptions withClassifier() {
  EngineOptions options;
  InferenceOptions inference;
  inference.model_path = TIERSCOPE_MODEL_PATH;
  inference.settings.lazy_loading_enabled = true;
  options.inference = inference;
  return options;
}

struct Fixture {
  Fixture() : engine(withClassifier()), classifier(engine.classifier()) {}
  Engine engine;
  Classifier* classifier;
};

}  // namespace

class ClassificationGuiTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void tableModelIsAWellBehavedModel() {
    ClassificationTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ClassificationRow ok;
    ok.path = "/photos/a, b.jpg";
    ok.classes = {"Shirt", "T-shirt/top"};
    ok.probabilities = {0.7, 0.2};
    ok.category = "upper_body";
    ok.time_ms = 3.25;
    ok.width = 768;
    ok.height = 1024;
    model.append(ok);
    ClassificationRow bad;
    bad.path = "/photos/broken.jpg";
    bad.error = "truncated JPEG: no end-of-image marker";
    model.append(bad);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(0, ClassificationTableModel::kClass)).toString(), QString("Shirt"));
    QCOMPARE(model.data(model.index(0, ClassificationTableModel::kProbability)).toString(), QString("70.0 %"));
    QCOMPARE(model.data(model.index(1, ClassificationTableModel::kError)).toString(), bad.error);
    const QStringList lines = model.toCsv().trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[1], QString(R"("/photos/a, b.jpg",Shirt,0.700000,upper_body,false,3.250,768,1024,)"));
    QVERIFY(lines[2].endsWith("truncated JPEG: no end-of-image marker"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
  }

  void singleImagesAndTheCache() {
    Fixture f;
    ui::MainWindow window(f.engine);
    window.show();
    QCOMPARE(window.tabs()->count(), 7);  // dashboard, classification, capacity, what-if, browser, alerts, logs
    ClassificationWidget* tab = window.classification();
    QVERIFY(tab);
    QTemporaryDir dir;
    writeGarment(dir.filePath("garment.png"), 0);
    tab->classifyFile(dir.filePath("garment.png"));
    QTRY_COMPARE_WITH_TIMEOUT(tab->resultsShown(), 1, 30'000);
    QVERIFY2(tab->lastResult().ok(), qPrintable(tab->lastResult().error));
    QCOMPARE(tab->lastResult().classes.size(), 5);
    QVERIFY(!tab->lastResult().from_cache);
    QCOMPARE(tab->lastResult().width, 300);
    QVERIFY(tab->resultLabel()->text().contains("category"));
    tab->classifyFile(dir.filePath("garment.png"));
    QTRY_COMPARE_WITH_TIMEOUT(tab->resultsShown(), 2, 30'000);
    QVERIFY(tab->lastResult().from_cache);
    QVERIFY(tab->resultLabel()->text().contains("from cache"));
    // A file that is not an image: an error shown, nothing cached.
    QFile junk(dir.filePath("junk.jpg"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a jpeg at all");
    junk.close();
    tab->classifyFile(dir.filePath("junk.jpg"));
    QTRY_COMPARE_WITH_TIMEOUT(tab->resultsShown(), 3, 30'000);
    QVERIFY(!tab->lastResult().ok());
    QVERIFY(tab->resultLabel()->text().contains("not a supported image"));
    // The dashboard shows the classifier's numbers.
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->predictionHitSeries()->count() >= 1, 10'000);

    // Its inference sliders start where the model is and change it live.
    DashboardWidget* dashboard = window.dashboard();
    QTRY_VERIFY_WITH_TIMEOUT(dashboard->imageSizeSlider()->isEnabled(), 10'000);
    QCOMPARE(DashboardWidget::imageSizeForSlider(dashboard->imageSizeSlider()->value()), f.classifier->max_image_size());
    QCOMPARE(dashboard->concurrencySlider()->value(), int(f.engine.model()->stats().max_concurrent_inferences));
    dashboard->imageSizeSlider()->setValue(DashboardWidget::sliderForImageSize(64));
    dashboard->concurrencySlider()->setValue(5);
    QTRY_COMPARE_WITH_TIMEOUT(f.classifier->max_image_size(), 64, 5'000);
    QTRY_COMPARE_WITH_TIMEOUT(f.engine.model()->stats().max_concurrent_inferences, size_t{5}, 5'000);
    // A new image size is a new transform: the same file is computed again.
    tab->classifyFile(dir.filePath("garment.png"));
    QTRY_COMPARE_WITH_TIMEOUT(tab->resultsShown(), 4, 30'000);
    QVERIFY2(tab->lastResult().ok(), qPrintable(tab->lastResult().error));
    QVERIFY(!tab->lastResult().from_cache);
  }

  void imageSizeSliderStops() {
    for (int px : DashboardWidget::kImageSizeSteps) {
      QCOMPARE(DashboardWidget::imageSizeForSlider(DashboardWidget::sliderForImageSize(px)), px);
    }
    QCOMPARE(DashboardWidget::imageSizeForSlider(DashboardWidget::sliderForImageSize(300)), 280);
    QCOMPARE(DashboardWidget::imageSizeForSlider(DashboardWidget::sliderForImageSize(16384)), 4096);
    QCOMPARE(DashboardWidget::imageSizeForSlider(DashboardWidget::sliderForImageSize(28)), 32);
    QCOMPARE(DashboardWidget::imageSizeForSlider(-3), 32);
  }

  void foldersFillTheTableWithProgressAndExport() {
    Fixture f;
    ClassificationWidget tab(*f.classifier);
    QTemporaryDir dir;
    for (int i = 0; i < 6; ++i) writeGarment(dir.filePath(QString("g%1.jpg").arg(i)), i * 3);
    QFile broken(dir.filePath("zz-broken.png"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("\x89PNG\r\n\x1a\n-and-then-nothing");
    broken.close();
    QFile notes(dir.filePath("notes.txt"));  // not an image name: not picked up
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.close();
    tab.classifyFolder(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(!tab.folderRunning(), 60'000);
    QCOMPARE(tab.tableModel()->rowCount(), 7);
    QCOMPARE(tab.progressBar()->value(), 7);
    QCOMPARE(tab.progressBar()->maximum(), 7);
    int errors = 0;
    for (int i = 0; i < 7; ++i) errors += !tab.tableModel()->row(i).ok();
    QCOMPARE(errors, 1);
    // Selecting a row shows that image's result.
    tab.tableView()->selectRow(2);
    QVERIFY(tab.resultLabel()->text().contains(QFileInfo(tab.tableModel()->row(2).path).fileName()));
    const QString csv_path = dir.filePath("out.csv");
    QVERIFY(tab.exportCsv(csv_path));
    QFile csv(csv_path);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()).trimmed().split('\n').size(), 8);
  }

  void cancellingStopsAFolderRun() {
    Fixture f;
    ClassificationWidget tab(*f.classifier);
    QTemporaryDir dir;
    for (int i = 0; i < 200; ++i) writeGarment(dir.filePath(QString("g%1.png").arg(i, 3, 10, QChar('0'))), i % 40);
    tab.classifyFolder(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(tab.tableModel()->rowCount() >= 1, 30'000);
    tab.cancelFolder();
    QTRY_VERIFY_WITH_TIMEOUT(!tab.folderRunning(), 30'000);
    QVERIFY2(tab.tableModel()->rowCount() < 200, qPrintable(QString::number(tab.tableModel()->rowCount())));
    QVERIFY(tab.progressBar()->format().contains("cancelled"));
  }

  void refusedOrDoubtfulImagesNeverShowAnOldAnswer() {
    Fixture f;
    ClassificationWidget tab(*f.classifier);
    QTemporaryDir dir;
    const QString good = dir.filePath("shirt.png");
    writeGarment(good, 0);
    tab.classifyFile(good);
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 1, 30'000);
    QVERIFY(tab.lastResult().ok());
    // A refused file: the error shows and the old picture and answer are gone.
    const QString broken = dir.filePath("broken.jpg");
    QFile b(broken);
    QVERIFY(b.open(QIODevice::WriteOnly));
    b.write("\xFF\xD8 not really a JPEG");
    b.close();
    tab.classifyFile(broken);
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 2, 30'000);
    QVERIFY(!tab.lastResult().ok());
    QVERIFY(tab.resultLabel()->text().contains("broken.jpg"));
    QVERIFY(!tab.resultLabel()->text().contains("category"));
    // A 1x1 PNG is classified but not named: it is far below the model's input.
    const QString dot = dir.filePath("dot.png");
    cv::imwrite(dot.toStdString(), cv::Mat(1, 1, CV_8UC3, cv::Scalar(10, 200, 30)));
    tab.classifyFile(dot);
    QTRY_COMPARE_WITH_TIMEOUT(tab.resultsShown(), 3, 30'000);
    QVERIFY(tab.lastResult().ok());
    QVERIFY2(tab.lastResult().doubt.contains("28x28"), qPrintable(tab.lastResult().doubt));
    QVERIFY(tab.resultLabel()->text().contains("no answer"));
  }
};

QTEST_MAIN(ClassificationGuiTest)
#include "test_classification_gui.moc"
