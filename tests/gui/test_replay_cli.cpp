// tierscope-replay as a user runs it: CSV for a synthetic Zipf trace that matches the
// engine's own simulation, the published LRU figures on a real trace, and clear errors.
#include <QProcess>
#include <QTemporaryDir>
#include <QFile>
#include <QtTest>

#include "test_support.h"
#include "tierscope/workload/simulation.h"
#include "tierscope/workload/zipf.h"

using namespace tierscope;

namespace {

struct Run {
  int exit_code = -1;
  QString out, err;
};

Run replay(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(TIERSCOPE_REPLAY_EXECUTABLE), args);
  p.waitForFinished(120'000);
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class ReplayCliTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void zipfCsvMatchesTheEngine() {
    const Run r = replay({"--zipf", "2000,0.8,30000", "--sizes", "50,200", "--csv"});
    QCOMPARE(r.exit_code, 0);
    const QStringList lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 7);  // header + 2 sizes x 3 policies
    QCOMPARE(lines[0], QString("trace,policy,size,requests,hits,hit_ratio"));
    // The same trace, rebuilt here with the generator's seed (1), simulated in-process.
    ZipfGenerator zipf(2000, 0.8, 1);
    std::vector<uint64_t> trace;
    for (int i = 0; i < 30000; ++i) trace.push_back(zipf.next());
    QMap<QString, double> ratio;
    for (const QString& line : lines.mid(1)) {
      const QStringList f = line.split(',');
      QCOMPARE(f.size(), 6);
      QCOMPARE(f[3], QString("30000"));
      ratio[f[1] + "@" + f[2]] = f[5].toDouble();
    }
    for (int size : {50, 200}) {
      const QString at = QString("@%1").arg(size);
      QCOMPARE(ratio["lru" + at], std::round(simulate_policy(trace, EvictionPolicyKind::kLru, size).hit_ratio() * 1e6) / 1e6);
      QVERIFY(ratio["opt" + at] >= ratio["wtinylfu" + at]);
      QVERIFY(ratio["opt" + at] >= ratio["lru" + at]);
    }
  }

  void publishedLruFiguresOnGli() {
    const auto path = testing::sharedDir() / "traces" / "lirs-gli.trace.gz";
    TIERSCOPE_REQUIRE_SHARED_FILE(path);
    const Run r = replay({"--trace", QString::fromStdString(path.string()), "--policies", "lru", "--sizes", "1000,2000"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.out.contains("11.21%") && r.out.contains("57.41%"), qPrintable(r.out));
  }

  void badArgumentsAreClearErrors() {
    Run r = replay({"--zipf", "100,0.9,1000", "--policies", "fifo"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("unknown policy 'fifo'") && r.err.contains("arc"), qPrintable(r.err));
    r = replay({"--trace", "/nonexistent.trace"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("cannot open trace"), qPrintable(r.err));
    r = replay({"--zipf", "100,0.9,1000", "--sizes", "ten"});
    QCOMPARE(r.exit_code, 2);
    r = replay({});
    QCOMPARE(r.exit_code, 2);
    QVERIFY(r.err.contains("exactly one of"));
  }

  // ARC is a policy of the replay; --dump-keys writes the decoded keys for peers.
  void arcColumnAndKeyDump() {
    Run r = replay({"--zipf", "100,0.9,1000", "--policies", "lru,arc", "--sizes", "10", "--csv"});
    QCOMPARE(r.exit_code, 0);
    QVERIFY2(r.out.contains(",arc,10,1000,"), qPrintable(r.out));
    QTemporaryDir dir;
    const QString keys = dir.filePath("keys.txt");
    r = replay({"--zipf", "100,0.9,1000", "--dump-keys", keys});
    QCOMPARE(r.exit_code, 0);
    QFile f(keys);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1000);
    bool ok = false;
    QVERIFY(lines[0].toULongLong(&ok) >= 1 && ok);
    r = replay({"--zipf", "100,0.9,1000", "--dump-keys", "/nonexistent-dir/keys.txt"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("cannot write"), qPrintable(r.err));
  }

  void badInputSaysWhatIsWrong() {
    // A size of zero is not a cache.
    Run r = replay({"--zipf", "100,0.9,1000", "--sizes", "0,10"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("0 is not a cache size"), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
    // A missing file is missing, whatever its name says about the format.
    r = replay({"--trace", "/no/such/dir/trace.dat"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("no such file"), qPrintable(r.err));
    // A binary file is named as one, and none of its bytes reach the terminal raw.
    QTemporaryDir dir;
    QFile bin(dir.filePath("noise.trace"));
    QVERIFY(bin.open(QIODevice::WriteOnly));
    QByteArray noise;
    for (int i = 0; i < 512; ++i) noise.append(static_cast<char>((i * 73 + 11) % 256));
    bin.write(noise);
    bin.close();
    QProcess p;
    p.start(QStringLiteral(TIERSCOPE_REPLAY_EXECUTABLE), {"--trace", bin.fileName()});
    p.waitForFinished(60'000);
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(err.contains("binary data"), err.constData());
    for (char c : err) QVERIFY2(c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f), "raw byte on stderr");
  }
};

QTEST_GUILESS_MAIN(ReplayCliTest)
#include "test_replay_cli.moc"
