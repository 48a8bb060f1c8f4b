// Eviction policies: W-TinyLFU's scan resistance and admission, LRU's lack of it,
// switching while running, the frequency sketch, Belady's optimal, and the hit-ratio
// goals on the public traces.
#include <QtTest>

#include <random>

#include "cache/policy/frequency_sketch.h"
#include "test_support.h"
#include "tierscope/cache/memory_tier.h"
#include "tierscope/workload/simulation.h"
#include "tierscope/workload/trace.h"

using namespace tierscope;

namespace {

MemoryTierOptions oneShard(size_t entries, EvictionPolicyKind policy) {
  MemoryTierOptions o;
  o.max_entries = entries;
  o.max_bytes = 0;
  o.shard_bits = 0;
  o.policy = policy;
  return o;
}

// Reads `key`, putting it on a miss, as a cache in front of an origin would.
bool access(MemoryTier& tier, const std::string& key) {
  if (tier.get(key)) return true;
  tier.put(key, make_value(key));
  return false;
}

// 50 hot keys read 20 times each, then a scan of 5000 keys read once: how many of the
// hot keys are still there afterwards.
int hotKeysSurvivingAScan(EvictionPolicyKind policy) {
  MemoryTier tier(oneShard(100, policy));
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 50; ++k) access(tier, "hot" + std::to_string(k));
  }
  for (int k = 0; k < 5000; ++k) access(tier, "scan" + std::to_string(k));
  int survivors = 0;
  for (int k = 0; k < 50; ++k) survivors += tier.get("hot" + std::to_string(k)) != nullptr;
  if (tier.snapshot().entries > 100) qFatal("capacity exceeded");
  return survivors;
}

}  // namespace

class PolicyTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void parsesPolicyNames() {
    QCOMPARE(parse_eviction_policy("LRU"), std::optional(EvictionPolicyKind::kLru));
    QCOMPARE(parse_eviction_policy("W-TinyLFU"), std::optional(EvictionPolicyKind::kWTinyLfu));
    QCOMPARE(parse_eviction_policy("wtinylfu"), std::optional(EvictionPolicyKind::kWTinyLfu));
    QVERIFY(!parse_eviction_policy("arc"));
    QCOMPARE(to_string(EvictionPolicyKind::kWTinyLfu), std::string_view("wtinylfu"));
  }

  void wTinyLfuResistsScansAndLruDoesNot() {
    QCOMPARE(hotKeysSurvivingAScan(EvictionPolicyKind::kLru), 0);
    const int survivors = hotKeysSurvivingAScan(EvictionPolicyKind::kWTinyLfu);
    QVERIFY2(survivors >= 45, qPrintable(QString("only %1 of 50 hot keys survived").arg(survivors)));
  }

  void wTinyLfuHoldsCapacityInEntriesAndBytes() {
    MemoryTierOptions o = oneShard(0, EvictionPolicyKind::kWTinyLfu);
    o.max_bytes = 50 * MemoryTier::charge_of(6, 100);
    o.shard_bits = 2;
    MemoryTier tier(o);
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> key(0, 999), size(1, 200);
    for (int i = 0; i < 20'000; ++i) {
      const std::string k = "k" + std::to_string(key(rng));
      if (!tier.get(k)) tier.put(k, make_value(std::string(size(rng), 'x')));
      QVERIFY(tier.snapshot().bytes <= o.max_bytes);
    }
    QVERIFY(tier.snapshot().entries > 10);
  }

  void switchingPolicyKeepsEntriesAndLimits() {
    MemoryTier tier(oneShard(200, EvictionPolicyKind::kLru));
    for (int k = 0; k < 200; ++k) access(tier, "k" + std::to_string(k));
    tier.set_policy(EvictionPolicyKind::kWTinyLfu);
    QCOMPARE(tier.policy(), EvictionPolicyKind::kWTinyLfu);
    QCOMPARE(tier.snapshot().entries, 200u);
    for (int k = 0; k < 200; ++k) QVERIFY(tier.get("k" + std::to_string(k)));
    for (int k = 200; k < 1000; ++k) access(tier, "k" + std::to_string(k));
    QCOMPARE(tier.snapshot().entries, 200u);
    tier.set_policy(EvictionPolicyKind::kLru);
    for (int k = 1000; k < 1300; ++k) access(tier, "k" + std::to_string(k));
    QCOMPARE(tier.snapshot().entries, 200u);
    // Pure LRU again: the newest 200 are exactly what is left.
    for (int k = 1100; k < 1300; ++k) QVERIFY(tier.get("k" + std::to_string(k)));
  }

  void switchingUnderConcurrentTraffic() {
    MemoryTierOptions o = oneShard(500, EvictionPolicyKind::kLru);
    o.shard_bits = 3;
    MemoryTier tier(o);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(t);
        std::uniform_int_distribution<int> key(0, 2000);
        while (!stop.load()) access(tier, "k" + std::to_string(key(rng)));
      });
    }
    for (int i = 0; i < 50; ++i) {
      tier.set_policy(i % 2 ? EvictionPolicyKind::kLru : EvictionPolicyKind::kWTinyLfu);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stop.store(true);
    for (auto& th : threads) th.join();
    QVERIFY(tier.snapshot().entries <= 500);
    QVERIFY(tier.snapshot().hits > 0);
  }

  void sketchCountsAgesAndSaturates() {
    internal::FrequencySketch sketch;
    sketch.ensure_capacity(1000);
    QCOMPARE(sketch.frequency(42), 0);
    for (int i = 0; i < 5; ++i) sketch.increment(42);
    QCOMPARE(sketch.frequency(42), 5);
    for (int i = 0; i < 50; ++i) sketch.increment(7);
    QCOMPARE(sketch.frequency(7), 15);  // 4-bit counters
    // 10 x capacity increments age every counter by half.
    for (uint64_t i = 0; i < 10'000; ++i) sketch.increment(1'000'000 + i);
    QVERIFY(sketch.frequency(7) <= 8);
    QVERIFY(sketch.frequency(42) <= 3);
  }

  void optimalOnAHandExample() {
    // Capacity 2 over 1 2 3 1 2 3 1 2: MIN keeps 1 and 2 after the first 3 (bypassing
    // it), then hits 1 2 and, bypassing 3 again, 1 2: 4 hits.
    const std::vector<uint64_t> trace{1, 2, 3, 1, 2, 3, 1, 2};
    QCOMPARE(simulate_optimal(trace, 2).hits, 4u);
    QCOMPARE(simulate_policy(trace, EvictionPolicyKind::kLru, 2).hits, 0u);
    QCOMPARE(simulate_optimal(trace, 3).hits, 5u);
    QCOMPARE(simulate_optimal(trace, 0).hits, 0u);
  }

  void optimalBoundsEveryPolicy() {
    std::mt19937 rng(9);
    for (int round = 0; round < 5; ++round) {
      std::vector<uint64_t> trace;
      std::uniform_int_distribution<uint64_t> key(0, 300);
      for (int i = 0; i < 5000; ++i) trace.push_back(key(rng) % (round % 2 ? 300 : 60 + round * 30));
      for (size_t capacity : {10, 50, 100}) {
        const auto opt = simulate_optimal(trace, capacity).hits;
        QVERIFY(opt >= simulate_policy(trace, EvictionPolicyKind::kLru, capacity).hits);
        QVERIFY(opt >= simulate_policy(trace, EvictionPolicyKind::kWTinyLfu, capacity).hits);
      }
    }
  }

  // The goals of the engine issue, on the public traces (deterministic, not timed).
  void hitRatioGoalsOnPublicTraces() {
    const auto dir = testing::sharedDir() / "traces";
    TIERSCOPE_REQUIRE_SHARED_FILE(dir / "arc-OLTP.lis.zst");
    const auto oltp = read_trace(dir / "arc-OLTP.lis.zst");
    // At least ARC's published figures (Megiddo & Modha, FAST 2003, Table VIII).
    QVERIFY(simulate_policy(oltp, EvictionPolicyKind::kWTinyLfu, 1000).hit_ratio() >= 0.3893);
    QVERIFY(simulate_policy(oltp, EvictionPolicyKind::kWTinyLfu, 2000).hit_ratio() >= 0.4608);
    // Within 5 points of Belady's optimal.
    const auto gli = read_trace(dir / "lirs-gli.trace.gz");
    const auto loop = read_trace(dir / "lirs-loop.trace.gz");
    QVERIFY(simulate_optimal(gli, 1000).hit_ratio() - simulate_policy(gli, EvictionPolicyKind::kWTinyLfu, 1000).hit_ratio() <= 0.05);
    QVERIFY(simulate_optimal(loop, 500).hit_ratio() - simulate_policy(loop, EvictionPolicyKind::kWTinyLfu, 500).hit_ratio() <= 0.05);
    // Never below LRU.
    const auto multi1 = read_trace(dir / "lirs-multi1.trace.gz");
    for (const auto* trace : {&oltp, &gli, &loop, &multi1}) {
      for (size_t capacity : {100, 250, 500, 1000, 2000, 4000}) {
        const double lru = simulate_policy(*trace, EvictionPolicyKind::kLru, capacity).hit_ratio();
        const double tiny = simulate_policy(*trace, EvictionPolicyKind::kWTinyLfu, capacity).hit_ratio();
        QVERIFY2(tiny >= lru, qPrintable(QString("capacity %1: W-TinyLFU %2 < LRU %3").arg(capacity).arg(tiny).arg(lru)));
      }
    }
  }
};

QTEST_GUILESS_MAIN(PolicyTest)
#include "test_policies.moc"
