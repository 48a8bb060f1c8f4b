// Trace readers (LIRS, ARC; plain, gzip, zstd), their errors, and exact LRU hit ratios
// of the L1 tier (one shard) on the public traces in ../shared.
#include <zlib.h>
#include <zstd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "test_support.h"
#include "tierscope/workload/simulation.h"
#include "tierscope/workload/trace.h"

using namespace tierscope;

namespace {

std::string gzipped(const std::string& text) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
  std::string out(deflateBound(&zs, text.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string zstded(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
  return out;
}

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Hit ratio (%) of an exact LRU of `capacity` entries over the trace, computed by the
// real L1 tier with one shard (get, and on a miss put).
double lruHitRatio(const std::vector<uint64_t>& trace, size_t capacity) {
  const SimulationResult r = simulate_policy(trace, EvictionPolicyKind::kLru, capacity);
  if (r.requests != trace.size()) qFatal("lookups %llu != trace size", static_cast<unsigned long long>(r.requests));
  return 100.0 * r.hit_ratio();
}

}  // namespace

class TraceTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void parsesLirsSkippingCheckpoints() {
    const auto keys = parse_trace("1\n2\n*\n3\r\n\n  4  \n", TraceFormat::kLirs, "t");
    QCOMPARE(keys, (std::vector<uint64_t>{1, 2, 3, 4}));
  }

  void expandsArcRanges() {
    const auto keys = parse_trace("10 3 0 0\n5 1 0 1\n", TraceFormat::kArc, "t");
    QCOMPARE(keys, (std::vector<uint64_t>{10, 11, 12, 5}));
  }

  void malformedLinesNameFileAndLine() {
    try {
      parse_trace("1\n2\nabc\n", TraceFormat::kLirs, "bad.trace");
      QFAIL("no error for a non-numeric key");
    } catch (const TraceError& e) {
      QVERIFY2(std::string(e.what()).find("bad.trace:3") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(TraceError, parse_trace("1 2\n", TraceFormat::kLirs, "t"));
    QVERIFY_THROWS_EXCEPTION(TraceError, parse_trace("1 2 3\n", TraceFormat::kArc, "t"));
    QVERIFY_THROWS_EXCEPTION(TraceError, parse_trace("-1 2 3 4\n", TraceFormat::kArc, "t"));
    QVERIFY_THROWS_EXCEPTION(TraceError, parse_trace("1 99999999999 0 0\n", TraceFormat::kArc, "t"));
    QVERIFY_THROWS_EXCEPTION(TraceError, parse_trace("12x\n", TraceFormat::kLirs, "t"));
  }

  void readsPlainGzipAndZstdFiles() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    const std::string lirs = "7\n8\n*\n9\n";
    const std::string arc = "100 2 0 0\n";
    writeFile(root / "a.trace", lirs);
    writeFile(root / "a.trace.gz", gzipped(lirs));
    writeFile(root / "a.lis.zst", zstded(arc));
    writeFile(root / "a.lis", arc);
    const std::vector<uint64_t> lirs_keys{7, 8, 9}, arc_keys{100, 101};
    QCOMPARE(read_trace(root / "a.trace"), lirs_keys);
    QCOMPARE(read_trace(root / "a.trace.gz"), lirs_keys);
    QCOMPARE(read_trace(root / "a.lis.zst"), arc_keys);
    QCOMPARE(read_trace(root / "a.lis"), arc_keys);
    QCOMPARE(guess_trace_format("x/OLTP.lis.zst"), std::optional<TraceFormat>(TraceFormat::kArc));
    QCOMPARE(guess_trace_format("gli.trace.gz"), std::optional<TraceFormat>(TraceFormat::kLirs));
    QVERIFY(!guess_trace_format("notes.txt"));
  }

  void corruptOrMissingFilesAreClearErrors() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    QVERIFY_THROWS_EXCEPTION(TraceError, read_trace(root / "missing.trace"));
    QVERIFY_THROWS_EXCEPTION(TraceError, read_trace(root / "notes.txt"));
    std::string gz = gzipped(std::string(10'000, '1') + "\n");
    writeFile(root / "truncated.trace.gz", gz.substr(0, gz.size() / 2));
    QVERIFY_THROWS_EXCEPTION(TraceError, read_trace(root / "truncated.trace.gz"));
    std::string zs = zstded("1 1 0 0\n");
    zs[zs.size() - 2] ^= 0x5a;
    writeFile(root / "corrupt.lis.zst", zs.substr(0, zs.size() - 1));
    QVERIFY_THROWS_EXCEPTION(TraceError, read_trace(root / "corrupt.lis.zst"));
  }

  void exactLruHitRatiosOnArcOltp() {
    const auto path = testing::sharedDir() / "traces" / "arc-OLTP.lis.zst";
    TIERSCOPE_REQUIRE_SHARED_FILE(path);
    const auto trace = read_trace(path);
    QCOMPARE(trace.size(), size_t{914'145});
    const std::pair<size_t, double> expected[] = {{250, 16.47}, {500, 23.45}, {1000, 32.83}, {2000, 42.47}};
    for (auto [capacity, percent] : expected) {
      const double measured = lruHitRatio(trace, capacity);
      qInfo("OLTP LRU %zu entries: %.2f %% (published %.2f %%)", capacity, measured, percent);
      QVERIFY2(std::abs(measured - percent) < 0.005 + 1e-9, qPrintable(QString::number(measured, 'f', 4)));
    }
  }

  // ARC as a reference policy, against the paper's Table IV (OLTP, 1000 and 2000
  // entries); and ARC never below LRU by more than noise on a recency trace.
  void arcMatchesThePaperOnOltp() {
    const auto path = testing::sharedDir() / "traces" / "arc-OLTP.lis.zst";
    TIERSCOPE_REQUIRE_SHARED_FILE(path);
    const auto trace = read_trace(path);
    const std::pair<size_t, double> published[] = {{1000, 38.93}, {2000, 46.08}};
    for (auto [capacity, percent] : published) {
      const double measured = 100.0 * simulate_arc(trace, capacity).hit_ratio();
      qInfo("OLTP ARC %zu entries: %.2f %% (paper %.2f %%)", capacity, measured, percent);
      QVERIFY2(std::abs(measured - percent) < 0.05, qPrintable(QString::number(measured, 'f', 3)));
    }
    QCOMPARE(simulate_named(trace, "arc", 1000).hits, simulate_arc(trace, 1000).hits);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, simulate_named(trace, "fifo", 10));
  }

  void arcBasics() {
    // Scan resistance: 5 hot keys read twice each, then a burst of 20 keys never seen
    // again, over and over. LRU (10 entries) loses the hot keys to every burst and hits
    // only the second reads; ARC keeps them in T2 (seen twice) and hits both.
    std::vector<uint64_t> mixed;
    uint64_t next_scan = 1000;
    for (int round = 0; round < 50; ++round) {
      for (uint64_t k = 0; k < 5; ++k) mixed.insert(mixed.end(), {k, k});
      for (int i = 0; i < 20; ++i) mixed.push_back(next_scan++);
    }
    QCOMPARE(simulate_policy(mixed, EvictionPolicyKind::kLru, 10).hits, uint64_t{5 * 50});
    QVERIFY2(simulate_arc(mixed, 10).hits >= 10 * 49, qPrintable(QString::number(simulate_arc(mixed, 10).hits)));
    // Everything fits: only cold misses.
    std::vector<uint64_t> loop;
    for (int pass = 0; pass < 20; ++pass) {
      for (uint64_t k = 0; k < 11; ++k) loop.push_back(k);
    }
    QCOMPARE(simulate_arc(loop, 11).hits, uint64_t{loop.size() - 11});
    QCOMPARE(simulate_arc(loop, 0).hits, uint64_t{0});
  }

  void exactLruHitRatiosOnLirsGli() {
    const auto path = testing::sharedDir() / "traces" / "lirs-gli.trace.gz";
    TIERSCOPE_REQUIRE_SHARED_FILE(path);
    const auto trace = read_trace(path);
    const std::pair<size_t, double> expected[] = {{250, 0.91}, {500, 0.95}, {1000, 11.21}, {2000, 57.41}};
    for (auto [capacity, percent] : expected) {
      const double measured = lruHitRatio(trace, capacity);
      QVERIFY2(std::abs(measured - percent) < 0.005 + 1e-9, qPrintable(QString::number(measured, 'f', 4)));
    }
  }
};

QTEST_GUILESS_MAIN(TraceTest)
#include "test_trace.moc"
