// The `tierscope` executable as a user runs it: version, help, bad input, the headless
// live summary, and --screenshot producing a PNG whose chart holds data.
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
  int exit_code = -1;
  QString out, err;
};

Run runTierscope(const QStringList& args, int timeout_ms = 60'000, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(TIERSCOPE_EXECUTABLE), args);
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    qWarning("tierscope %s did not finish in time", qPrintable(args.join(' ')));
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

QProcessEnvironment withoutDisplay() {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("DISPLAY");
  env.remove("WAYLAND_DISPLAY");
  env.remove("QT_QPA_PLATFORM");
  return env;
}

}  // namespace

class AppCliTest : public QObject {
  Q_OBJECT

  QTemporaryDir cache_home_;

 private Q_SLOTS:
  void initTestCase() {
    // The app keeps its L2 under $XDG_CACHE_HOME; never the tester's own cache.
    QVERIFY(cache_home_.isValid());
    qputenv("XDG_CACHE_HOME", cache_home_.path().toLocal8Bit());
  }

  void versionAndHelp() {
    Run v = runTierscope({"--version"});
    QCOMPARE(v.exit_code, 0);
    QVERIFY2(v.out.contains(QStringLiteral(TIERSCOPE_VERSION)), qPrintable(v.out));
    Run h = runTierscope({"--help"});
    QCOMPARE(h.exit_code, 0);
    for (const char* flag : {"--headless", "--duration", "--screenshot", "--l1-entries"}) {
      QVERIFY2(h.out.contains(QLatin1String(flag)), flag);
    }
  }

  void badValuesAreClearErrors() {
    Run r = runTierscope({"--headless", "--rate", "fast"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("--rate") && r.err.contains("fast"), qPrintable(r.err));
    Run t = runTierscope({"--headless", "--trace", "/nonexistent/x.trace"});
    QCOMPARE(t.exit_code, 2);
    QVERIFY2(t.err.contains("cannot open trace"), qPrintable(t.err));
    Run tab = runTierscope({"--headless", "--tab", "nope"});
    QCOMPARE(tab.exit_code, 2);
    QVERIFY2(tab.err.contains("--tab"), qPrintable(tab.err));
    Run missing = runTierscope({"--headless", "--classify", "/nonexistent/photo.jpg"});
    QCOMPARE(missing.exit_code, 2);
    QVERIFY2(missing.err.contains("does not exist"), qPrintable(missing.err));
    Run profile = runTierscope({"--headless", "--profile", "staging"});
    QCOMPARE(profile.exit_code, 2);
    QVERIFY2(profile.err.contains("ENVIRONMENT='staging'"), qPrintable(profile.err));
  }

  void headlessPrintsALiveSummaryEachSecond() {
    Run r = runTierscope({"--headless", "--duration", "3", "--rate", "2000", "--profile", "testing"});
    QCOMPARE(r.exit_code, 0);
    const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    static const QRegularExpression line(
        R"(^t=\d+s requests/s=(\d+) l1_hit_rate=([\d.]+)% l2_hit_rate=[\d.]+% origin=[\d.]+% entries=(\d+)/5000 )"
        R"(bytes=[\d.]+MiB/100.0MiB disk=[\d.]+MiB/1024.0MiB stampedes_prevented=\d+ evictions=\d+$)");
    for (const QString& l : lines) QVERIFY2(line.match(l).hasMatch(), qPrintable(l));
    const auto last = line.match(lines.last());
    QVERIFY2(last.captured(1).toInt() > 100, "the demo workload is not running");
    QVERIFY(last.captured(2).toDouble() > 0.0);
    QVERIFY(last.captured(3).toInt() > 0);
    // The active settings are printed at start, each with where it came from.
    QVERIFY2(r.err.contains("CACHE_MEMORY_LIMIT_MB=100 (profile testing)"), qPrintable(r.err));
    QVERIFY2(r.err.contains("ENVIRONMENT=testing"), qPrintable(r.err));
  }

  void noDisplayFallsBackToHeadless() {
    Run r = runTierscope({"--duration", "1"}, 60'000, withoutDisplay());
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.err.contains("no display found"), qPrintable(r.err));
    QVERIFY2(r.out.startsWith("t=1s requests/s="), qPrintable(r.out));
  }

  void screenshotHasAChartWithData() {
    QTemporaryDir dir;
    const QString png = dir.filePath("out.png");
    Run r = runTierscope({"--screenshot", png}, 60'000, withoutDisplay());
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QImage image(png);
    QVERIFY2(!image.isNull(), "screenshot is not a readable PNG");
    QVERIFY(image.width() >= 800 && image.height() >= 500);
    // The hit-rate line is drawn in the chart theme's first series colour. Its legend
    // marker has that colour too, but covers a dozen columns; a line through the data
    // points spans many more.
    const QColor line_colour(0x20, 0x9f, 0xdf);  // Qt Charts light theme, series 0
    int columns_with_line = 0;
    for (int x = 0; x < image.width() / 2; ++x) {
      for (int y = 0; y < image.height(); ++y) {
        const QColor c = image.pixelColor(x, y);
        if (std::abs(c.red() - line_colour.red()) < 24 && std::abs(c.green() - line_colour.green()) < 24 &&
            std::abs(c.blue() - line_colour.blue()) < 24) {
          ++columns_with_line;
          break;
        }
      }
    }
    QVERIFY2(columns_with_line > 40, qPrintable(QString("the hit-rate line spans only %1 columns").arg(columns_with_line)));
  }

  // --screenshot --tab works for the monitor's tabs: each waits for its own content
  // (a live curve, a finished what-if on live traffic, a page of entries, the alert
  // rules, log lines) and writes a PNG of the window at the size asked for.
  void screenshotOfEveryMonitorTab_data() {
    QTest::addColumn<QString>("tab");
    for (const char* tab : {"capacity", "whatif", "browser", "alerts", "logs"}) QTest::newRow(tab) << QString(tab);
  }
  void screenshotOfEveryMonitorTab() {
    QFETCH(QString, tab);
    QTemporaryDir dir;
    const QString png = dir.filePath(tab + ".png");
    Run r = runTierscope({"--screenshot", png, "--tab", tab, "--window-size", "1024x600", "--l2-dir", dir.filePath("l2"),
                          "--no-classifier", "--no-tryon"},
                         90'000, withoutDisplay());
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QImage image(png);
    QVERIFY2(!image.isNull(), "screenshot is not a readable PNG");
    QCOMPARE(image.size(), QSize(1024, 600));
  }
};

QTEST_GUILESS_MAIN(AppCliTest)
#include "test_app_cli.moc"
