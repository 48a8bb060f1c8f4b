// tierscope-tryon as a user runs it: the demo assets written out, one pair to PNG with a
// JSON report, a repeated pair from the cache, a contact sheet, and clear errors with the
// documented exit codes.
#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
  int exit_code = -1;
  QString out, err;
};

Run tryon(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(TIERSCOPE_TRYON_EXECUTABLE), args);
  p.waitForFinished(180'000);
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TryOnCliTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const Run r = tryon({"--write-demo", dir_.path()});
    QCOMPARE(r.exit_code, 0);
    for (const char* f : {"person.png", "top.png", "trousers.png", "dress.png"}) {
      QVERIFY2(QImage(dir_.filePath(f)).size() == QSize(768, 1024), f);
    }
  }

  void onePairToPngWithJson() {
    const QString out = dir_.filePath("out.png");
    const Run r = tryon({dir_.filePath("person.png"), dir_.filePath("trousers.png"), "-o", out, "--json", "--no-classifier",
                         "--repeat", "2"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    QCOMPARE(QImage(out).size(), QSize(768, 1024));
    const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(j["category"].toString(), QString("lower_body"));
    QCOMPARE(j["category_source"].toString(), QString("garment shape"));
    QVERIFY(j["composite_from_cache"].toBool());  // the second run of --repeat 2
    QVERIFY(j["stages"].toArray().size() >= 5);
    QVERIFY(j.contains("verdict") && j.contains("quality") && j.contains("detectors"));
  }

  void contactSheetOfTwoFolders() {
    QDir(dir_.path()).mkpath("persons");
    QDir(dir_.path()).mkpath("garments");
    QFile::copy(dir_.filePath("person.png"), dir_.filePath("persons/person.png"));
    QFile::copy(dir_.filePath("top.png"), dir_.filePath("garments/top.png"));
    QFile::copy(dir_.filePath("dress.png"), dir_.filePath("garments/dress.png"));
    const QString sheet = dir_.filePath("sheet.png");
    const Run r = tryon({"--contact-sheet", dir_.filePath("persons"), dir_.filePath("garments"), sheet, "--no-classifier"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains("1 x 2 pairs, 0 errors"));
    const QImage image(sheet);
    QVERIFY(image.width() >= 3 * 192 && image.height() >= 2 * 256);
  }

  void errorsSayWhatIsWrong() {
    QFile text(dir_.filePath("notes.txt"));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("not a photo");
    text.close();
    Run r = tryon({dir_.filePath("person.png"), text.fileName(), "-o", dir_.filePath("x.png"), "--no-classifier"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("garment photo: not a supported image"), qPrintable(r.err));
    QVERIFY(!QFile::exists(dir_.filePath("x.png")));

    r = tryon({dir_.filePath("person.png"), dir_.filePath("top.png"), "-o", dir_.filePath("x.png"), "--category", "lower_body",
               "--no-classifier"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.err.contains("no trouser legs"), qPrintable(r.err));

    r = tryon({dir_.filePath("person.png"), dir_.filePath("top.png")});
    QCOMPARE(r.exit_code, 2);
    QVERIFY(r.err.contains("need PERSON GARMENT -o OUT.png"));
    r = tryon({"--category", "hats"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY(r.err.contains("not upper_body, lower_body or dresses"));
    r = tryon({dir_.filePath("missing.jpg"), dir_.filePath("top.png"), "-o", dir_.filePath("x.png"), "--no-classifier"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY(r.err.contains("cannot read"));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TryOnCliTest)
#include "test_tryon_cli.moc"
