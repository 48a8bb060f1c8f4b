// Zipf key stream, simulated origin and the workload driver against a real L1 tier.
#include <QtTest>

#include <map>
#include <thread>

#include "tierscope/engine.h"
#include "tierscope/workload/workload.h"
#include "tierscope/workload/zipf.h"

using namespace tierscope;
using namespace std::chrono_literals;

class WorkloadTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void zipfMatchesItsDistribution_data() {
    QTest::addColumn<quint64>("n");
    QTest::addColumn<double>("s");
    QTest::newRow("n=1000 s=0.9") << quint64(1000) << 0.9;
    QTest::newRow("n=1000 s=1.0") << quint64(1000) << 1.0;
    QTest::newRow("n=50 s=1.5") << quint64(50) << 1.5;
    QTest::newRow("n=100000 s=0.6") << quint64(100000) << 0.6;
  }

  // Chi-square goodness of fit over the 20 most popular ranks plus the tail, with a
  // fixed seed: the sampler drifting from P(k) ~ k^-s fails this by a wide margin.
  void zipfMatchesItsDistribution() {
    QFETCH(quint64, n);
    QFETCH(double, s);
    ZipfGenerator zipf(n, s, 1234);
    constexpr int kDraws = 400'000;
    constexpr uint64_t kHead = 20;
    std::vector<double> observed(kHead + 1, 0);
    for (int i = 0; i < kDraws; ++i) {
      const uint64_t k = zipf.next();
      QVERIFY(k >= 1 && k <= n);
      observed[std::min(k, kHead + 1) - 1] += 1;
    }
    double chi2 = 0, head_probability = 0;
    for (uint64_t k = 1; k <= kHead && k <= n; ++k) {
      const double expected = zipf.probability(k) * kDraws;
      head_probability += zipf.probability(k);
      chi2 += (observed[k - 1] - expected) * (observed[k - 1] - expected) / expected;
    }
    if (n > kHead) {
      const double expected = (1.0 - head_probability) * kDraws;
      chi2 += (observed[kHead] - expected) * (observed[kHead] - expected) / expected;
    }
    // 20 degrees of freedom: P(chi2 > 45.3) = 0.001.
    QVERIFY2(chi2 < 45.3, qPrintable(QString("chi2 = %1").arg(chi2)));
  }

  void zipfRejectsBadParameters() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ZipfGenerator(0, 1.0, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ZipfGenerator(10, 0.0, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ZipfGenerator(10, -1.0, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ZipfGenerator(10, std::nan(""), 1));
  }

  void originIsSlowAndDeterministic() {
    SimulatedOriginOptions o;
    o.latency = 20ms;
    o.min_value_bytes = 100;
    o.max_value_bytes = 200;
    SimulatedOrigin origin(o);
    const auto start = std::chrono::steady_clock::now();
    Value a = origin.load("key:1");
    QVERIFY(std::chrono::steady_clock::now() - start >= 20ms);  // it really waits
    QCOMPARE(*a, *origin.load("key:1"));
    QVERIFY(a->size() >= 100 && a->size() <= 200);
    QCOMPARE(*a, SimulatedOrigin::expected_value("key:1", 100, 200));
    QCOMPARE(a->substr(0, 5), std::string("key:1"));
    QCOMPARE(origin.loads(), 2u);
  }

  // The driver's gets are exactly the cache's requests; every miss is one origin load;
  // values read back belong to their keys.
  void driverFeedsTheCache() {
    EngineOptions eo;
    eo.origin.latency = Duration::zero();
    for (auto& ns : eo.cache.namespaces) {
      if (ns.name == "general") ns.l1_max_entries = 500;
    }
    Engine engine(eo);
    WorkloadOptions wo;
    wo.key_count = 5'000;
    wo.threads = 3;
    wo.target_rate = 0;  // unthrottled
    WorkloadDriver driver(engine.cache(), wo);
    driver.start();
    QTRY_VERIFY_WITH_TIMEOUT(driver.snapshot().requests > 30'000, 20'000);
    driver.stop();
    QVERIFY(!driver.running());
    const WorkloadStats w = driver.snapshot();
    const TieredStats s = engine.cache().snapshot();
    QCOMPARE(s.total_requests, w.requests);
    QCOMPARE(w.errors, 0u);
    QCOMPARE(w.value_errors, 0u);
    QCOMPARE(engine.origin().loads(), s.l3_hits);
    QCOMPARE(s.l1_hits + s.l3_hits + s.stampede_prevented, w.requests);
    // Zipf(0.9) over 5000 keys with 10 % of them in L1 hits far more than 10 %.
    QVERIFY2(s.l1_hit_rate > 0.4, qPrintable(QString::number(s.l1_hit_rate)));
  }

  void driverThrottlesToTheTargetRate() {
    Engine engine(EngineOptions{});
    WorkloadOptions wo;
    wo.threads = 2;
    wo.target_rate = 200;
    WorkloadDriver driver(engine.cache(), wo);
    driver.start();
    std::this_thread::sleep_for(500ms);
    driver.stop();
    // Unthrottled, two threads issue thousands per second; at 200/s half a second is
    // about 100 (upper bound only: a loaded machine may issue fewer).
    QVERIFY2(driver.snapshot().requests <= 200, qPrintable(QString::number(driver.snapshot().requests)));
    driver.set_target_rate(0);
    QCOMPARE(driver.target_rate(), 0.0);
  }

  void driverReplaysATraceInOrder() {
    EngineOptions eo;
    eo.origin.latency = Duration::zero();
    Engine engine(eo);
    WorkloadOptions wo;
    wo.trace = std::make_shared<const std::vector<uint64_t>>(std::vector<uint64_t>{1, 2, 3, 1, 2, 3, 4});
    wo.threads = 1;
    wo.target_rate = 0;
    wo.key_prefix = "t:";
    WorkloadDriver driver(engine.cache(), wo);
    driver.start();
    QTRY_VERIFY_WITH_TIMEOUT(driver.snapshot().requests >= 7, 5'000);
    driver.stop();
    // Distinct keys are loaded once each; everything else hits (the trace loops).
    QCOMPARE(engine.origin().loads(), 4u);
    QVERIFY(engine.cache().peek("general", "t:4"));
    QVERIFY(engine.cache().peek("general", "t:1"));
  }

  void driverRejectsUnusableOptions() {
    Engine engine(EngineOptions{});
    WorkloadOptions no_threads;
    no_threads.threads = 0;
    WorkloadDriver a(engine.cache(), no_threads);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, a.start());
    WorkloadOptions empty_trace;
    empty_trace.trace = std::make_shared<const std::vector<uint64_t>>();
    WorkloadDriver b(engine.cache(), empty_trace);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, b.start());
    WorkloadOptions bad_namespace;
    bad_namespace.cache_namespace = "nope";
    WorkloadDriver c(engine.cache(), bad_namespace);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.start());
    QVERIFY(!c.running());
    EngineOptions bad_demo;
    bad_demo.demo_namespace = "nope";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Engine{bad_demo});
  }
};

QTEST_GUILESS_MAIN(WorkloadTest)
#include "test_workload.moc"
