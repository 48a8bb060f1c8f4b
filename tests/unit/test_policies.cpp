// Eviction policies: W-TinyLFU's scan resistance and admission, LRU's lack of it,
// switching while running, the frequency sketch, Belady's optimal, and the hit-ratio
// goals on the public traces.
#include <QtTest>

#include <cmath>

#include <random>

#include "base/hash_mix.h"
#include "cache/policy/admission.h"
#include "cache/policy/frequency_sketch.h"
#include "cache/policy/ghost_filter.h"
#include "cache/policy/shared_window_advisor.h"
#include "cache/policy/window_advisor.h"
#include "recency_stream.h"
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

// A stream of new keys, each re-read a few times while recent: LRU's workload, where a
// W-TinyLFU window stuck at 1 % trails LRU by 5 to 10 points.
std::vector<uint64_t> recencyTrace(size_t length, uint64_t seed) {
  std::mt19937_64 rng(seed);
  testing::RecencyStream stream(rng, 4000);
  std::vector<uint64_t> trace(length);
  for (uint64_t& k : trace) k = stream.next();
  return trace;
}

// Popularity that drifts: Zipf(0.95) over 20,000 ranks whose keys slide by one every 40
// requests, so a key's popularity rises steadily and then it is gone (make_phase_traces.py's
// drift). Its last favourites' sketch counts outlive them and refuse every newcomer.
std::vector<uint64_t> driftTrace(size_t length, uint64_t seed) {
  constexpr size_t kRanks = 20'000;
  std::vector<double> cdf(kRanks);
  double total = 0;
  for (size_t r = 0; r < kRanks; ++r) cdf[r] = total += 1 / std::pow(double(r + 1), 0.95);
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> trace(length);
  for (size_t i = 0; i < length; ++i) {
    const double u = std::uniform_real_distribution<double>(0, total)(rng);
    const size_t rank = std::min<size_t>(size_t(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin()), kRanks - 1);
    trace[i] = rank + i / 40;
  }
  return trace;
}

double shardedHitRatio(const std::vector<uint64_t>& trace, EvictionPolicyKind policy, size_t capacity, unsigned shard_bits) {
  MemoryTierOptions o = oneShard(capacity, policy);
  o.shard_bits = shard_bits;
  MemoryTier tier(o);
  size_t hits = 0;
  for (uint64_t k : trace) hits += access(tier, "k" + std::to_string(k));
  return double(hits) / double(trace.size());
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

  // The sketch counts from half full: keys from the first fill (a one-off warm-up) earn no
  // head start, so a working set that follows is admitted on its first return instead of
  // losing to them by the admission margin.
  void firstFillEarnsNoFrequencyHeadStart() {
    MemoryTier tier(oneShard(100, EvictionPolicyKind::kWTinyLfu));
    for (int k = 0; k < 100; ++k) access(tier, "warmup" + std::to_string(k));
    for (int pass = 0; pass < 2; ++pass) {
      for (int k = 0; k < 40; ++k) access(tier, "work" + std::to_string(k));
    }
    int resident = 0;
    for (int k = 0; k < 40; ++k) resident += tier.get("work" + std::to_string(k)) != nullptr;
    // Counting from the first put, a newcomer seen twice is not ahead of a warm-up key
    // (seen once) by more than the margin and is refused: only the window's stay.
    QVERIFY2(resident >= 35, qPrintable(QString("%1 of 40 new keys admitted").arg(resident)));
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

  void sketchHasAFloorButGrowsWithCapacity() {
    internal::FrequencySketch small(1024);
    small.ensure_capacity(100);
    QCOMPARE(small.table_size(), size_t{1024});
    small.ensure_capacity(5000);
    QCOMPARE(small.table_size(), size_t{8192});
    internal::FrequencySketch plain;
    plain.ensure_capacity(100);
    QCOMPARE(plain.table_size(), size_t{128});
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

  // A workload that shifts between frequency (Zipf over many keys) and recency (a stream
  // of new keys re-read while recent) phases: the window advisor must follow it, so
  // W-TinyLFU stays ahead of LRU on the whole (the frequency phases) and close to it in
  // every recency phase (a window fixed at 1 % trails LRU there by 5 to 10 points).
  void windowFollowsRecencyAndFrequencyPhases() {
    std::mt19937_64 rng(11);
    std::vector<uint64_t> trace;
    testing::RecencyStream recency(rng, 400, 1'000'000);
    for (int phase = 0; phase < 6; ++phase) {
      for (int i = 0; i < 40'000; ++i) {
        if (phase % 2 == 0) {
          // Zipf-like: rank = floor(50000^u) favours small ranks.
          const double u = std::uniform_real_distribution<double>(0, 1)(rng);
          trace.push_back(static_cast<uint64_t>(std::pow(50'000.0, u)));
        } else {
          trace.push_back(recency.next());
        }
      }
    }
    for (size_t capacity : {200, 1000}) {
      const double lru = simulate_policy(trace, EvictionPolicyKind::kLru, capacity).hit_ratio();
      const double tiny = simulate_policy(trace, EvictionPolicyKind::kWTinyLfu, capacity).hit_ratio();
      QVERIFY2(tiny >= lru, qPrintable(QString("capacity %1: W-TinyLFU %2 < LRU %3").arg(capacity).arg(tiny).arg(lru)));
    }
    // Each recency phase, after a frequency phase: close to LRU over the phase
    // (hits in the phase = hits of the trace up to its end minus up to its start).
    for (size_t capacity : {200, 1000}) {
      for (size_t end : {80'000, 160'000, 240'000}) {
        const std::vector<uint64_t> before(trace.begin(), trace.begin() + static_cast<std::ptrdiff_t>(end - 40'000));
        const std::vector<uint64_t> upto(trace.begin(), trace.begin() + static_cast<std::ptrdiff_t>(end));
        auto phase_ratio = [&](EvictionPolicyKind kind) {
          return double(simulate_policy(upto, kind, capacity).hits - simulate_policy(before, kind, capacity).hits) / 40'000.0;
        };
        const double lru = phase_ratio(EvictionPolicyKind::kLru);
        const double tiny = phase_ratio(EvictionPolicyKind::kWTinyLfu);
        // The advisor decides every 4 x 128 x (capacity / 128) sampled requests: at 1,000
        // entries a period is 4,000 of the phase's 40,000 requests, the first switch to a
        // wide window takes a few of them, and a later one at least one — spent at whatever
        // narrow window won the frequency phase before (since the ghost settings, 5 % with a
        // ghost here, which gains more in the frequency phases: 1.8 points behind LRU in
        // the second recency phase, 0.5 with the 25 % window chosen before them).
        const double slack = capacity == 1000 ? (end == 80'000 ? 0.04 : 0.025) : 0.015;
        QVERIFY2(tiny >= lru - slack, qPrintable(QString("recency phase ending at %1, capacity %2: W-TinyLFU %3 vs LRU %4")
                                                    .arg(end).arg(capacity).arg(tiny).arg(lru)));
      }
    }
  }

  // On a workload that does not change, the advisor settles: noise between near-equal
  // candidates must not flip the window period after period (each flip reshuffles the real
  // cache; one decay of 0.7 did that, sprite@200 lost 0.6 points). It still changes its
  // mind when the workload does: a recency stream after the Zipf moves it to a window of
  // 60 % or more within three periods.
  void advisorSettlesOnAStationaryWorkload() {
    internal::WindowAdvisor advisor;
    advisor.set_capacity(200);  // unsampled: every access reaches the simulation
    std::mt19937_64 rng(3);
    auto zipf = [&] { return static_cast<uint64_t>(std::pow(5'000.0, std::uniform_real_distribution<double>(0, 1)(rng))); };
    int periods = 0, changes = 0;
    size_t last = advisor.recommended_index();
    while (periods < 300) {
      if (!advisor.record(internal::mix64(zipf()))) continue;
      ++periods;
      if (periods > 20 && advisor.recommended_index() != last) ++changes;  // after warm-up
      last = advisor.recommended_index();
    }
    // Seeds 1-8: 0-14 changes; with the single 0.7 decay, 18-30.
    QVERIFY2(changes <= 14, qPrintable(QString("%1 changes of setting in 280 periods of one Zipf").arg(changes)));
    testing::RecencyStream stream(rng, 150, 1'000'000);
    int recency_periods = 0;
    while (advisor.recommended().window < 0.6) {
      if (advisor.record(internal::mix64(stream.next()))) QVERIFY2(++recency_periods <= 3, "still a narrow window three periods into recency");
    }
  }

  // The ghost remembers the last refusals — all of the latest half of its size, none of
  // those a whole size ago — with few false positives.
  void ghostFilterRemembersRecentRefusalsOnly() {
    internal::GhostFilter ghost;
    ghost.reset(1'000);
    for (uint64_t k = 0; k < 3'000; ++k) ghost.insert(internal::mix64(k));
    for (uint64_t k = 2'500; k < 3'000; ++k) QVERIFY2(ghost.contains(internal::mix64(k)), qPrintable(QString::number(k)));
    int stale = 0, strangers = 0;
    for (uint64_t k = 0; k < 2'000; ++k) stale += ghost.contains(internal::mix64(k));
    for (uint64_t k = 1'000'000; k < 1'100'000; ++k) strangers += ghost.contains(internal::mix64(k));
    QVERIFY2(stale <= 60, qPrintable(QString("%1 of 2,000 forgotten refusals still remembered").arg(stale)));
    QVERIFY2(strangers <= 3'000, qPrintable(QString("%1 false positives in 100,000").arg(strangers)));
    ghost.reset(1'000);
    QVERIFY(!ghost.contains(internal::mix64(2'999)));
  }

  // With a ghost, a candidate refused once is admitted when it comes back; without, the
  // victim's higher count refuses it every time.
  void ghostGivesARefusedCandidateASecondChance() {
    uint64_t random_state = 1;
    internal::GhostFilter ghost;
    ghost.reset(100);
    QVERIFY(!internal::admit_with_ghost(42, 1, 10, 1, &ghost, &random_state));
    QVERIFY(internal::admit_with_ghost(42, 1, 10, 1, &ghost, &random_state));
    QVERIFY(!internal::admit_with_ghost(43, 1, 10, 1, nullptr, &random_state));
    QVERIFY(!internal::admit_with_ghost(43, 1, 10, 1, nullptr, &random_state));
    QVERIFY(internal::admit_with_ghost(44, 5, 1, 1, nullptr, &random_state));  // the duel itself is unchanged
  }

  // Where popularity drifts, W-TinyLFU without a ghost stays at LRU's hit ratio (this
  // stream at 500 entries: 44.4 vs 44.5 %; with the ghost 46.1), ARC well above both (50.3
  // on make_phase_traces.py's drift): the advisor finds a ghost setting that pays and takes
  // it, in a sharded tier too.
  void wTinyLfuFollowsDriftingPopularity() {
    const auto trace = driftTrace(300'000, 3);
    for (size_t capacity : {200, 500, 1000}) {
      const double lru = double(simulate_policy(trace, EvictionPolicyKind::kLru, capacity).hits) / double(trace.size());
      const double tiny = double(simulate_policy(trace, EvictionPolicyKind::kWTinyLfu, capacity).hits) / double(trace.size());
      qInfo("drift at %zu entries: W-TinyLFU %.4f, LRU %.4f", capacity, tiny, lru);
      QVERIFY2(tiny >= lru + 0.005, qPrintable(QString("drift at %1 entries: W-TinyLFU %2 vs LRU %3").arg(capacity).arg(tiny).arg(lru)));
    }
    // A 16-shard tier (each shard its own ghost, one advisor for all): 53.6 vs LRU 52.8 %
    // on the first half of the stream; 52.2 without the ghost.
    const std::vector<uint64_t> head(trace.begin(), trace.begin() + 150'000);
    const double lru16 = shardedHitRatio(head, EvictionPolicyKind::kLru, 1000, 4);
    const double tiny16 = shardedHitRatio(head, EvictionPolicyKind::kWTinyLfu, 1000, 4);
    QVERIFY2(tiny16 >= lru16 + 0.003, qPrintable(QString("drift, 16 shards: W-TinyLFU %1 vs LRU %2").arg(tiny16).arg(lru16)));
  }

  // The shards of a tier share one window advisor fed by all of them: a 16-shard tier
  // follows a recency workload to LRU's hit ratio as a single shard does.
  void shardsShareOneWindowAdvisor() {
    const auto trace = recencyTrace(300'000, 5);
    const double lru = shardedHitRatio(trace, EvictionPolicyKind::kLru, 4096, 4);
    const double tiny = shardedHitRatio(trace, EvictionPolicyKind::kWTinyLfu, 4096, 4);
    QVERIFY2(tiny >= lru - 0.015, qPrintable(QString("16 shards: W-TinyLFU %1 vs LRU %2").arg(tiny).arg(lru)));
    QVERIFY(lru > 0.3);
  }

  // Shards record concurrently; the advisor drops what arrives while it is busy and never
  // tears its state (TSan runs this too).
  void sharedAdvisorTakesConcurrentSamples() {
    internal::SharedWindowAdvisor advisor(4);
    advisor.plan(256, /*exact=*/true);
    const uint64_t planned = advisor.generation();
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        // A recency stream: the advisor must move off the 1 % window.
        const auto trace = recencyTrace(200'000, 20 + t);
        for (uint64_t k : trace) advisor.record(internal::mix64(k + 1'000'000 * uint64_t(t)), 256);
      });
    }
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) advisor.plan(256, /*exact=*/true);  // unchanged: no reset
    });
    for (auto& th : threads) th.join();
    QVERIFY(advisor.generation() > planned);
    QVERIFY2(advisor.recommended().window > 0.2, qPrintable(QString::number(advisor.recommended().window)));
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
    // A cache of 100 entries with a sketch sized by capacity alone (128 words) let counter
    // collisions decide its admissions: 25.3 % here; Caffeine's median is 28.2 %.
    const auto ps = read_trace(dir / "lirs-ps.trace.gz");
    const double ps100 = simulate_policy(ps, EvictionPolicyKind::kWTinyLfu, 100).hit_ratio();
    QVERIFY2(ps100 >= 0.282, qPrintable(QString("ps at 100 entries: %1").arg(ps100)));
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
