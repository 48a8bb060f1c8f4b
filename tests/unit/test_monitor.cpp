// The monitor: SHARDS live curves against exact LRU replays (shipped traces, and the
// cache's own request tap), the performance monitor's metrics, timing wrapper and alert
// rules, system health from a fake /proc, and auto-tuning that moves memory to where the
// curves say it pays — checked by the hit ratio the cache reaches afterwards.
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>
#include <thread>
#include <string>

#include "test_support.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/monitor/monitor.h"
#include "tierscope/workload/simulation.h"
#include "tierscope/workload/trace.h"
#include "tierscope/workload/zipf.h"

using namespace tierscope;
using namespace std::chrono_literals;

namespace {

std::vector<uint64_t> hashes_of(const std::vector<uint64_t>& keys) {
  std::vector<uint64_t> out;
  out.reserve(keys.size());
  for (uint64_t k : keys) out.push_back(key_hash(std::to_string(k)));
  return out;
}

// The largest gap, in points, between the estimated and the exact LRU curve at `sizes`.
double worst_error_points(const std::vector<uint64_t>& trace, const ShardsCurve& curve, const std::vector<size_t>& sizes,
                          QString* report) {
  double worst = 0;
  for (size_t size : sizes) {
    const double exact = simulate_policy(trace, EvictionPolicyKind::kLru, size).hit_ratio();
    const double estimate = curve.hit_ratio_at(double(size));
    worst = std::max(worst, 100.0 * std::abs(exact - estimate));
    *report += QString(" %1:%2/%3").arg(size).arg(100 * estimate, 0, 'f', 2).arg(100 * exact, 0, 'f', 2);
  }
  return worst;
}

TieredCacheOptions plain_cache(std::vector<NamespaceOptions> namespaces) {
  TieredCacheOptions o;
  o.namespaces = std::move(namespaces);
  o.loader_threads = 2;
  o.adaptive_ttl.enabled = false;
  o.l1_policy = EvictionPolicyKind::kLru;
  return o;
}

NamespaceOptions ns(std::string name, size_t entries, size_t bytes, std::shared_ptr<Loader> loader) {
  NamespaceOptions n;
  n.name = std::move(name);
  n.l1_max_entries = entries;
  n.l1_max_bytes = bytes;
  n.ttl = Duration::zero();
  n.use_l2 = false;
  n.loader = std::move(loader);
  return n;
}

std::shared_ptr<Loader> value_loader(size_t bytes) {
  return make_compute_loader([bytes](std::string_view) { return make_value(std::string(bytes, 'v')); });
}

}  // namespace

class MonitorTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void shardsCurveIsExactOnALoop() {
    // 100 keys in a cycle: LRU misses everything below 100 entries, hits all but the
    // first pass at 100 and above.
    ShardsCurve curve;
    for (int pass = 0; pass < 50; ++pass) {
      for (int k = 0; k < 100; ++k) curve.access(key_hash(std::to_string(k)));
    }
    QCOMPARE(curve.sampling_rate(), 1.0);
    QCOMPARE(curve.hit_ratio_at(99), 0.0);
    QVERIFY(std::abs(curve.hit_ratio_at(100) - 49.0 / 50.0) < 1e-9);
    QVERIFY(std::abs(curve.distinct_keys() - 100) < 1e-9);
  }

  void shardsCurveBoundsItsMemory() {
    ShardsCurve curve(1000);
    for (uint64_t k = 0; k < 200'000; ++k) curve.access(key_hash(std::to_string(k)));
    QVERIFY(curve.sampling_rate() < 0.01);
    // 200k distinct keys estimated from ~1000 tracked ones: within 15 %.
    QVERIFY2(std::abs(curve.distinct_keys() - 200'000) < 30'000, qPrintable(QString::number(curve.distinct_keys())));
  }

  void shardsCurveMatchesExactLruOnShippedTraces_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("maxTracked");
    // The default estimator (16k tracked keys: OLTP is sampled, the LIRS traces fit)...
    for (const char* f : {"lirs-gli.trace.gz", "lirs-ps.trace.gz", "lirs-sprite.trace.gz", "lirs-multi1.trace.gz",
                          "lirs-loop.trace.gz", "arc-OLTP.lis.zst"}) {
      QTest::newRow(qPrintable(QString("%1 default").arg(f))) << QString(f) << int(LiveCurvesOptions{}.max_tracked_keys);
    }
    // ...and smaller samples, so the LIRS traces are sampled too (rates 0.4 to 0.6).
    QTest::newRow("sprite 4k keys") << "lirs-sprite.trace.gz" << 4096;
    QTest::newRow("multi1 1k keys") << "lirs-multi1.trace.gz" << 1024;
    QTest::newRow("gli 1k keys") << "lirs-gli.trace.gz" << 1024;
  }

  // The check: the live curve within 3 points of an exact replay of the same keys.
  void shardsCurveMatchesExactLruOnShippedTraces() {
    QFETCH(QString, file);
    QFETCH(int, maxTracked);
    const auto path = testing::sharedDir() / "traces" / file.toStdString();
    TIERSCOPE_REQUIRE_SHARED_FILE(path);
    const std::vector<uint64_t> trace = hashes_of(read_trace(path));
    ShardsCurve curve{size_t(maxTracked)};
    for (uint64_t h : trace) curve.access(h);
    QString report;
    const double worst = worst_error_points(trace, curve, {50, 100, 200, 500, 1000, 2000, 5000}, &report);
    qInfo("%s, %d tracked keys, rate %.4f: worst error %.2f points (estimate/exact %%:%s)", qPrintable(file),
          maxTracked, curve.sampling_rate(), worst, qPrintable(report));
    QVERIFY2(worst <= 3.0, qPrintable(QString("worst error %1 points").arg(worst)));
  }

  // Threads write their own stripes; a drain keeps each thread's order and loses nothing
  // while the rings are drained in time.
  void recorderKeepsEveryThreadsRecords() {
    AccessRecorder recorder(17);
    constexpr int kThreads = 4, kPerThread = 10'000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&recorder, t] {
        for (int i = 0; i < kPerThread; ++i) recorder.record(key_hash(std::to_string(t * 1'000'000 + i)));
      });
    }
    for (auto& th : threads) th.join();
    std::vector<uint64_t> out;
    QCOMPARE(recorder.drain(out), uint64_t{0});
    QCOMPARE(recorder.recorded(), uint64_t{kThreads * kPerThread});
    // All but the settle slack of each stripe, each thread's records in its own order.
    QVERIFY(out.size() >= size_t(kThreads * (kPerThread - 64)));
    std::map<uint64_t, std::pair<int, int>> who;  // hash -> (thread, index)
    for (int t = 0; t < kThreads; ++t) {
      for (int i = 0; i < kPerThread; ++i) who[key_hash(std::to_string(t * 1'000'000 + i))] = {t, i};
    }
    std::vector<int> last(kThreads, -1);
    for (uint64_t h : out) {
      auto [t, i] = who.at(h);
      QVERIFY(i > last[t]);
      last[t] = i;
    }
  }

  void recorderSamplesAndCountsWhatItLost() {
    AccessRecorder recorder(13);  // 8 stripes of 1024 slots; this thread writes one
    for (int i = 0; i < 500; ++i) recorder.record(key_hash(std::to_string(i)));
    std::vector<uint64_t> out;
    QCOMPARE(recorder.drain(out), uint64_t{0});
    QCOMPARE(out.size(), size_t{500 - 64});  // the newest few settle until the next drain
    QCOMPARE(out.front(), key_hash("0"));
    for (int i = 500; i < 5000; ++i) recorder.record(key_hash(std::to_string(i)));
    out.clear();
    const uint64_t lost = recorder.drain(out);
    QVERIFY(lost > 0);
    QCOMPARE(lost + out.size(), size_t{5000 - 64 - (500 - 64)});
    QCOMPARE(out.back(), key_hash(std::to_string(5000 - 65)));
    // A threshold of zero records nothing; disabled records nothing.
    recorder.set_threshold(0);
    const uint64_t before = recorder.recorded();
    recorder.record(key_hash("x"));
    QCOMPARE(recorder.recorded(), before);
    recorder.set_threshold(kSamplingModulus);
    recorder.set_enabled(false);
    recorder.record(key_hash("x"));
    QCOMPARE(recorder.recorded(), before);
  }

  // The whole live path: requests through TieredCache::get, the tap, LiveCurves (with a
  // sample small enough that the recorder's threshold is fed back), against exact LRU.
  void liveCurvesFromCacheTrafficMatchExactReplay() {
    const auto path = testing::sharedDir() / "traces" / "lirs-sprite.trace.gz";
    TIERSCOPE_REQUIRE_SHARED_FILE(path);
    const std::vector<uint64_t> keys = read_trace(path);
    TieredCache cache(plain_cache({ns("general", 0, 0, value_loader(16))}));
    LiveCurvesOptions lo;
    lo.max_tracked_keys = 2048;
    lo.decay_per_update = 1.0;
    LiveCurves live(cache, lo);
    std::vector<uint64_t> replayed;
    for (size_t i = 0; i < keys.size(); ++i) {
      cache.get("general", std::to_string(keys[i]));
      if (i % 10'000 == 0) live.update();
    }
    for (int i = 0; i < 2; ++i) live.update();  // the settle slack of the ring
    const auto curves = live.curves();
    QCOMPARE(curves.size(), size_t{1});
    const NamespaceCurve& c = curves[0];
    QVERIFY2(c.sampling_rate < 0.5, qPrintable(QString::number(c.sampling_rate)));
    QCOMPARE(c.lost, uint64_t{0});
    QVERIFY(std::abs(double(cache.access_recorder("general").threshold()) / kSamplingModulus - c.sampling_rate) < 1e-9);
    double worst = 0;
    QString report;
    for (size_t size : {100, 200, 500, 1000, 2000}) {
      const double exact = simulate_policy(hashes_of(keys), EvictionPolicyKind::kLru, size).hit_ratio();
      const double estimate = *live.hit_ratio_at("general", double(size));
      report += QString(" %1:%2/%3").arg(size).arg(100 * estimate, 0, 'f', 1).arg(100 * exact, 0, 'f', 1);
      worst = std::max(worst, 100 * std::abs(exact - estimate));
    }
    qInfo("sprite through the cache, rate %.3f:%s", c.sampling_rate, qPrintable(report));
    QVERIFY2(worst <= 3.0, qPrintable(report));
    // The published points agree with the estimator.
    QVERIFY(std::abs(c.hit_ratio_at(1000) - *live.hit_ratio_at("general", 1000)) < 0.02);

    // The recorded trace is the sampled stream: replayed at size * rate it tells the
    // hit ratio at size (what-if on live traffic).
    const RecordedTrace t = live.recorded_trace("general");
    QCOMPARE(t.sampling_rate, c.sampling_rate);
    QVERIFY(t.keys.size() > 1000);
    const double exact = simulate_policy(hashes_of(keys), EvictionPolicyKind::kLru, 1000).hit_ratio();
    const double scaled =
        simulate_policy(t.keys, EvictionPolicyKind::kLru, size_t(std::lround(1000 * t.sampling_rate))).hit_ratio();
    QVERIFY2(std::abs(exact - scaled) < 0.05, qPrintable(QString("%1 vs %2").arg(scaled).arg(exact)));
    QVERIFY(live.recorded_trace("nope").keys.empty());
    QVERIFY(!live.hit_ratio_at("nope", 10));
  }

  void metricsStatsAndTimingWrapper() {
    ManualClock clock;
    PerformanceMonitorOptions o;
    o.clock = &clock;
    PerformanceMonitor m(o);
    for (int i = 1; i <= 100; ++i) m.add_metric("latency", double(i), "ms");
    auto s = m.get_stats("latency");
    QVERIFY(s);
    QCOMPARE(s->count, uint64_t{100});
    QCOMPARE(s->unit, std::string("ms"));
    QCOMPARE(s->min, 1.0);
    QCOMPARE(s->max, 100.0);
    QVERIFY(std::abs(s->mean - 50.5) < 1e-9);
    QVERIFY(std::abs(s->p95 - 95.05) < 1e-9);
    // Windowed: only the samples of the last 10 s.
    clock.advance(60s);
    m.add_metric("latency", 7.0);
    QCOMPARE(m.get_stats("latency", 10s)->count, uint64_t{1});
    QCOMPARE(m.get_stats("latency", 10s)->last, 7.0);
    QVERIFY(!m.get_stats("unknown"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m.add_metric("bad name", 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m.add_metric("x", std::nan("")));

    QCOMPARE(m.time("work", [] { return 42; }), 42);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, m.time("work", []() -> int { throw std::runtime_error("boom"); }));
    QCOMPARE(m.get_stats("work")->count, uint64_t{2});
    QCOMPARE(m.get_stats("work")->unit, std::string("ms"));
  }

  void alertRulesFireAfterTheirDurationAndResolve() {
    ManualClock clock;
    PerformanceMonitorOptions o;
    o.clock = &clock;
    o.freshness = 5s;
    PerformanceMonitor m(o);
    m.add_rule({"Hit rate low", "hit", 50, AlertOperator::kLess, 10});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m.add_rule({"", "hit", 50, AlertOperator::kLess, 10}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m.add_rule({"x", "hit", 50, AlertOperator::kLess, -1}));

    m.add_metric("hit", 80);
    QVERIFY(m.evaluate().empty());
    QCOMPARE(m.alerts()[0].state, AlertState::kOk);
    // Below the threshold: pending, then firing once it has held for 10 s.
    for (int s = 0; s <= 10; ++s) {
      m.add_metric("hit", 30);
      const auto events = m.evaluate();
      if (s < 10) {
        QVERIFY(events.empty());
        QCOMPARE(m.alerts()[0].state, AlertState::kPending);
      } else {
        QCOMPARE(events.size(), size_t{1});
        QVERIFY(events[0].firing);
        QVERIFY(events[0].message.find("hit = 30") != std::string::npos);
      }
      clock.advance(1s);
    }
    QCOMPARE(m.firing_count(), size_t{1});
    // A blip back above does not count as still low; recovery resolves.
    m.add_metric("hit", 90);
    auto events = m.evaluate();
    QCOMPARE(events.size(), size_t{1});
    QVERIFY(!events[0].firing);
    QCOMPARE(m.firing_count(), size_t{0});
    // No fresh sample: the condition is not met (an idle cache is not a low hit rate).
    m.add_metric("hit", 10);
    m.evaluate();
    QCOMPARE(m.alerts()[0].state, AlertState::kPending);
    clock.advance(30s);
    m.evaluate();
    QCOMPARE(m.alerts()[0].state, AlertState::kOk);
    QCOMPARE(m.events_after(0).size(), size_t{2});
    QCOMPARE(m.events_after(m.events_after(0)[0].sequence).size(), size_t{1});
    QVERIFY(m.remove_rule("Hit rate low"));
    QVERIFY(!m.remove_rule("Hit rate low"));
    QCOMPARE(parse_alert_operator(">="), std::optional(AlertOperator::kGreaterEqual));
    QVERIFY(!parse_alert_operator("=>"));
  }

  void systemHealthFromProc() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    std::filesystem::create_directories(root / "self");
    std::ofstream(root / "meminfo") << "MemTotal:       1000 kB\nMemFree:   100 kB\nMemAvailable:    250 kB\n";
    std::ofstream(root / "self" / "status") << "Name:\tx\nVmRSS:\t  2048 kB\n";
    std::ofstream(root / "stat") << "cpu  100 0 100 800 0 0 0 0 0 0\n";
    std::ofstream(root / "self" / "stat") << "1 (a b) S 0 0 0 0 0 0 0 0 0 0 10 10 0 0\n";
    SystemHealthProbe probe(root);
    SystemHealth h = probe.sample();
    QVERIFY(h.valid);
    QCOMPARE(h.memory_total_bytes, uint64_t{1000 * 1024});
    QVERIFY(std::abs(h.memory_percent - 75.0) < 1e-9);
    QCOMPARE(h.process_rss_bytes, uint64_t{2048 * 1024});
    std::ofstream(root / "stat") << "cpu  150 0 150 900 0 0 0 0 0 0\n";  // 100 busy of 200
    h = probe.sample();
    QVERIFY2(std::abs(h.cpu_percent - 50.0) < 1e-9, qPrintable(QString::number(h.cpu_percent)));
    QVERIFY(!SystemHealthProbe("/nonexistent").sample().valid);
    QVERIFY(SystemHealthProbe().sample().process_rss_bytes > 0);
  }

  // Two namespaces share a 1 MiB budget badly split: "loop" cycles over 2,000 keys with
  // 256 KiB, "zipf" is skewed and holds 768 KiB. Auto-tuning must move memory to the
  // loop (which gains everything from fitting) and the measured hit ratio must rise.
  void autoTuningMovesMemoryWhereTheCurvesSayItPays() {
    ManualClock clock;
    constexpr size_t kValue = 200;
    const size_t charge = MemoryTier::charge_of(8, kValue);
    TieredCacheOptions co = plain_cache({ns("loop", 0, 256 << 10, value_loader(kValue)),
                                         ns("zipf", 0, 768 << 10, value_loader(kValue))});
    co.clock = &clock;
    TieredCache cache(std::move(co));
    MonitorOptions mo;
    mo.run_thread = false;
    mo.clock = &clock;
    mo.memory_budget_bytes = 1 << 20;
    mo.auto_tuning = true;
    mo.curves.decay_per_update = 1.0;
    mo.tuner.min_samples = 1000;
    Monitor monitor(cache, mo);
    ZipfGenerator zipf(20'000, 0.9, 7);
    auto run = [&](int rounds) {
      uint64_t hits = 0, requests = 0;
      for (int r = 0; r < rounds; ++r) {
        for (int i = 0; i < 2000; ++i) {
          const TieredStats before = cache.snapshot();
          cache.get("loop", std::to_string(i));
          cache.get("zipf", std::to_string(zipf.next()));
          const TieredStats after = cache.snapshot();
          hits += after.served_l1 - before.served_l1;
          requests += 2;
        }
        clock.advance(1s);
        monitor.tick();
      }
      return double(hits) / double(requests);
    };
    const double before = run(10);
    QVERIFY2(1'900 * charge > (256u << 10), "the loop must not fit before tuning");
    clock.advance(mo.auto_tune_interval);
    monitor.tick();
    const auto snap = monitor.snapshot();
    QVERIFY(!snap.tuning.empty());
    bool loop_grew = false;
    for (const NamespaceCurve& c : snap.curves) {
      qInfo("curve %s: samples %llu, mean entry %.0f B, now %.3f at %.0f entries, at 2000: %.3f", c.name.c_str(),
            static_cast<unsigned long long>(c.samples), c.mean_entry_bytes, c.hit_ratio_now, c.effective_entries(), c.hit_ratio_at(2000));
    }
    for (const TuningEvent& e : snap.tuning) {
      qInfo("tuning %s: %llu -> %llu bytes (%.3f -> %.3f)", e.change.name.c_str(), static_cast<unsigned long long>(e.change.old_bytes),
            static_cast<unsigned long long>(e.change.new_bytes), e.change.old_hit_ratio, e.change.new_hit_ratio);
      if (e.change.name == "loop" && e.change.new_bytes >= 2000 * charge) loop_grew = true;
      QVERIFY(e.change.new_hit_ratio >= 0 && e.change.new_hit_ratio <= 1);
    }
    QVERIFY2(loop_grew, "the loop namespace did not get room for its cycle");
    uint64_t total = 0;
    for (const NamespaceStats& n : cache.snapshot().namespaces) total += n.l1.max_bytes;
    QVERIFY2(total <= mo.memory_budget_bytes, qPrintable(QString::number(total)));
    const double after = run(10);
    qInfo("hit ratio before auto-tuning %.1f %%, after %.1f %%", 100 * before, 100 * after);
    QVERIFY2(after > before + 0.2, qPrintable(QString("%1 -> %2").arg(before).arg(after)));

    // Switched off: no further changes, whatever the traffic.
    monitor.set_auto_tuning(false);
    const size_t events = monitor.snapshot().tuning.size();
    cache.set_l1_capacity("loop", 0, 64 << 10);
    run(2);
    clock.advance(mo.auto_tune_interval * 2);
    monitor.tick();
    QCOMPARE(monitor.snapshot().tuning.size(), events);
  }

  void autoTunerLeavesIdleNamespacesAndSmallChangesAlone() {
    NamespaceCurve flat;
    flat.name = "busy";
    flat.samples = 10'000;
    flat.mean_entry_bytes = 1000;
    flat.points = {{1, 0.5}, {1e6, 0.5}};  // more memory buys nothing
    NamespaceDemand busy{flat, 100, 512 << 10, 512 << 10};
    NamespaceDemand idle{flat, 0, 64 << 20, 512 << 10};  // a large limit, 512 KiB used
    idle.curve.name = "idle";
    QVERIFY(plan_memory_split({busy, idle}, 0).empty());
    // The idle one keeps what it uses (512 KiB, its limit untouched); the busy one gets the
    // rest, which is what it has.
    QVERIFY(plan_memory_split({busy, idle}, 1 << 20).empty());
    const auto changes = plan_memory_split({busy, idle}, 4 << 20);
    QCOMPARE(changes.size(), size_t{1});
    QCOMPARE(changes[0].name, std::string("busy"));
    QCOMPARE(changes[0].new_bytes, uint64_t{(4 << 20) - (512 << 10)});
  }

  void engineMonitorRecordsBuiltInMetrics() {
    // The monitor's thread, on a real cache: samples arrive without anyone ticking.
    TieredCache cache(plain_cache({ns("general", 100, 1 << 20, value_loader(10))}));
    MonitorOptions mo;
    mo.metrics_interval = 50ms;
    mo.curve_interval = 20ms;
    mo.memory_budget_bytes = 1 << 20;
    Monitor monitor(cache, mo);
    for (int i = 0; i < 2000; ++i) cache.get("general", std::to_string(i % 50));
    QTRY_VERIFY_WITH_TIMEOUT(monitor.performance().get_stats("memory.budget_percent").has_value(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(monitor.performance().get_stats("process.rss_bytes").has_value(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!monitor.snapshot().curves.empty() && monitor.snapshot().curves[0].samples >= 1900, 5000);
    QCOMPARE(monitor.snapshot().alerts.size(), default_alert_rules().size());
    QVERIFY(monitor.snapshot().health.valid);
  }
};

QTEST_GUILESS_MAIN(MonitorTest)
#include "test_monitor.moc"
