// L1 memory tier semantics: LRU order, TTL with a fake clock, byte budget, live
// resizing, statistics, and concurrent use.
#include <QtTest>

#include <atomic>
#include <latch>
#include <optional>
#include <random>
#include <set>
#include <thread>
#ifdef TIERSCOPE_WITH_TCMALLOC
#include <dlfcn.h>
#endif

#include "cache/epoch_domain.h"
#include "cache/read_buffer.h"
#include "cache/thread_ticket.h"
#include "recency_stream.h"
#include "tierscope/cache/maintainer.h"
#include "tierscope/cache/memory_tier.h"

using namespace tierscope;
using namespace std::chrono_literals;

namespace {

Value bytes(size_t n, char fill = 'v') { return make_value(std::string(n, fill)); }

MemoryTierOptions exactLru(size_t max_entries, size_t max_bytes = 0) {
  MemoryTierOptions o;
  o.max_entries = max_entries;
  o.max_bytes = max_bytes;
  o.shard_bits = 0;  // one shard: a single global LRU order
  return o;
}

#ifdef TIERSCOPE_WITH_TCMALLOC
// Bytes tcmalloc counts as allocated, looked up at run time (so this binary does not itself
// keep the library linked); nullopt when tcmalloc is not the allocator.
std::optional<size_t> tcmallocAllocatedBytes() {
  using GetProperty = int (*)(const char*, size_t*);
  static const auto get_property =
      reinterpret_cast<GetProperty>(dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty"));
  size_t bytes = 0;
  if (get_property == nullptr || !get_property("generic.current_allocated_bytes", &bytes)) return std::nullopt;
  return bytes;
}
#endif

// Asks the domain to advance until it reaches `target` or stops moving; with plain pins it
// moves at most once per barrier interval, so it keeps asking for a while. Returns the epoch.
uint64_t advanceEpochTo(internal::EpochDomain& d, uint64_t target) {
  for (int i = 0; i < 200 && d.epoch() < target; ++i) {
    d.try_advance();
    std::this_thread::sleep_for(internal::EpochDomain::kMaxBarrierInterval / 4);
  }
  return d.epoch();
}

}  // namespace

class MemoryTierTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // The build links tcmalloc (CMake's TIERSCOPE_MALLOC): the entries and values this test
  // binary allocates must really come from it, not from glibc because the linker dropped a
  // library nothing calls by name. Looked up at run time, so this test does not itself
  // keep the library linked.
  void allocationsGoThroughTheChosenAllocator() {
#ifdef TIERSCOPE_WITH_TCMALLOC
    QVERIFY2(tcmallocAllocatedBytes().has_value(), "tcmalloc is not loaded");
    auto allocated = [] { return tcmallocAllocatedBytes().value_or(0); };
    const size_t before = allocated();
    {
      MemoryTier tier(exactLru(1000));
      for (int i = 0; i < 1000; ++i) tier.put("key-" + std::to_string(i), bytes(1000));
      QVERIFY2(allocated() >= before + 1000 * 1000, "1,000 values of 1,000 bytes did not come from tcmalloc");
    }
#else
    QSKIP("built with the system allocator (TIERSCOPE_MALLOC=system or a sanitizer)");
#endif
  }

  void getReturnsWhatPutStored() {
    MemoryTier tier(exactLru(10));
    QVERIFY(tier.get("a") == nullptr);
    QVERIFY(tier.put("a", make_value("alpha")));
    Value v = tier.get("a");
    QVERIFY(v);
    QCOMPARE(*v, std::string("alpha"));
    QVERIFY(tier.put("a", make_value("beta")));  // replace
    QCOMPARE(*tier.get("a"), std::string("beta"));
    QCOMPARE(tier.snapshot().entries, 1u);
  }

  void evictsLeastRecentlyUsed() {
    MemoryTier tier(exactLru(3));
    tier.put("a", bytes(1));
    tier.put("b", bytes(1));
    tier.put("c", bytes(1));
    QVERIFY(tier.get("a"));  // a is now most recent; b is the LRU
    tier.put("d", bytes(1));
    QVERIFY(tier.get("b") == nullptr);
    QVERIFY(tier.get("a") && tier.get("c") && tier.get("d"));
    tier.put("c", bytes(2));  // a replace refreshes recency too: order now a, d, c
    tier.put("e", bytes(1));  // evicts a
    QVERIFY(tier.get("a") == nullptr);
    QVERIFY(tier.get("d") && tier.get("c") && tier.get("e"));
    QCOMPARE(tier.snapshot().evictions, 2u);
  }

  void valuesOutliveEviction() {
    MemoryTier tier(exactLru(1));
    tier.put("a", make_value("kept by the reader"));
    Value held = tier.get("a");
    tier.put("b", bytes(1));
    QVERIFY(tier.get("a") == nullptr);
    QCOMPARE(*held, std::string("kept by the reader"));
  }

  void ttlExpiresOnReadWithFakeClock() {
    ManualClock clock;
    MemoryTierOptions o = exactLru(10);
    o.clock = &clock;
    o.default_ttl = 60s;
    MemoryTier tier(o);
    tier.put("short", bytes(1), 10s);
    tier.put("default", bytes(1));          // 60 s
    tier.put("long", bytes(1), 3600s);
    clock.advance(9s);
    QVERIFY(tier.get("short"));
    clock.advance(1s);  // exactly at the deadline: expired
    QVERIFY(tier.get("short") == nullptr);
    clock.advance(49s);
    QVERIFY(tier.get("default"));
    clock.advance(1s);
    QVERIFY(tier.get("default") == nullptr);
    QVERIFY(tier.get("long"));
    const MemoryTierStats s = tier.snapshot();
    QCOMPARE(s.expirations, 2u);
    QCOMPARE(s.entries, 1u);
    QCOMPARE(s.bytes, uint64_t(MemoryTier::charge_of(4, 1)));
    // Re-putting an expired key starts a fresh TTL.
    tier.put("short", bytes(1), 10s);
    clock.advance(5s);
    QVERIFY(tier.get("short"));
  }

  void noTtlMeansNoExpiry() {
    ManualClock clock;
    MemoryTierOptions o = exactLru(10);
    o.clock = &clock;
    MemoryTier tier(o);
    tier.put("k", bytes(1));
    clock.advance(24h * 365 * 10);
    QVERIFY(tier.get("k"));
    QVERIFY(!tier.put("neg", bytes(1), -1s));
    QVERIFY(tier.get("neg") == nullptr);
  }

  void byteBudgetWithMixedSizes() {
    // Room for exactly a (1000 B), b (100 B) and c (1000 B).
    const size_t budget = MemoryTier::charge_of(1, 1000) * 2 + MemoryTier::charge_of(1, 100);
    MemoryTier tier(exactLru(0, budget));
    tier.put("a", bytes(1000));
    tier.put("b", bytes(100));
    tier.put("c", bytes(1000));
    tier.put("d", bytes(500));
    // d does not fit beside a, b and c: a, the least recently used, goes.
    MemoryTierStats s = tier.snapshot();
    QVERIFY(tier.get("a") == nullptr);
    QCOMPARE(s.entries, 3u);
    QCOMPARE(s.bytes, uint64_t(MemoryTier::charge_of(1, 100) + MemoryTier::charge_of(1, 1000) +
                               MemoryTier::charge_of(1, 500)));
    QVERIFY(s.bytes <= budget);
    // One large entry pushes out several small ones.
    tier.put("big", bytes(1600));
    s = tier.snapshot();
    QVERIFY(s.bytes <= budget);
    QVERIFY(tier.get("big"));
    QCOMPARE(s.evictions, 3u);  // a, then b and c for big; d still fits beside it
    QVERIFY(tier.get("d"));
    // An entry larger than the whole budget is refused and counted, nothing evicted.
    QVERIFY(!tier.put("huge", bytes(budget)));
    QCOMPARE(tier.snapshot().rejected, 1u);
    QVERIFY(tier.get("big"));
  }

  void replacingChangesBytesNotEntries() {
    MemoryTier tier(exactLru(10));
    tier.put("k", bytes(10));
    tier.put("k", bytes(1000));
    const MemoryTierStats s = tier.snapshot();
    QCOMPARE(s.entries, 1u);
    QCOMPARE(s.bytes, uint64_t(MemoryTier::charge_of(1, 1000)));
    QCOMPARE(s.puts, 2u);
  }

  void liveShrinkEvictsAtOnceKeepingMostRecent() {
    MemoryTier tier(exactLru(1000));
    for (int i = 0; i < 1000; ++i) tier.put("k" + std::to_string(i), bytes(10));
    tier.set_capacity(100, 0);
    MemoryTierStats s = tier.snapshot();
    QCOMPARE(s.entries, 100u);
    QCOMPARE(s.evictions, 900u);
    QCOMPARE(s.max_entries, 100u);
    for (int i = 900; i < 1000; ++i) QVERIFY2(tier.get("k" + std::to_string(i)), "a recent key was evicted");
    // Growing again lets the tier fill up again.
    tier.set_capacity(2000, 0);
    for (int i = 0; i < 1500; ++i) tier.put("n" + std::to_string(i), bytes(10));
    QCOMPARE(tier.snapshot().entries, 1600u);
    // Shrinking the byte budget also evicts at once.
    tier.set_capacity(0, MemoryTier::charge_of(5, 10) * 10);
    QVERIFY(tier.snapshot().bytes <= MemoryTier::charge_of(5, 10) * 10);
  }

  void liveShrinkAcrossShards() {
    MemoryTierOptions o;
    o.max_entries = 10'000;
    o.max_bytes = 0;
    o.shard_bits = 4;
    MemoryTier tier(o);
    QCOMPARE(tier.shard_count(), 16u);
    for (int i = 0; i < 10'000; ++i) tier.put("k" + std::to_string(i), bytes(8));
    QCOMPARE(tier.snapshot().entries, 10'000u);
    tier.set_capacity(1'000, 0);
    QCOMPARE(tier.snapshot().entries, 1'000u);
    tier.set_capacity(10, 0);  // fewer entries than shards still holds exactly
    QCOMPARE(tier.snapshot().entries, 10u);
    int present = 0;
    for (int i = 0; i < 10'000; ++i) present += tier.get("k" + std::to_string(i)) != nullptr;
    QCOMPARE(present, 10);
  }

  void statsMatchOperations() {
    MemoryTier tier(exactLru(2));
    tier.put("a", bytes(1));   // puts 1
    tier.get("a");             // hit
    tier.get("zz");            // miss
    tier.put("b", bytes(1));   // puts 2
    tier.put("c", bytes(1));   // puts 3, evicts a
    tier.get("a");             // miss
    QVERIFY(tier.erase("b"));  // erase
    QVERIFY(!tier.erase("b"));
    tier.clear();              // erases c
    const MemoryTierStats s = tier.snapshot();
    QCOMPARE(s.hits, 1u);
    QCOMPARE(s.misses, 2u);
    QCOMPARE(s.puts, 3u);
    QCOMPARE(s.evictions, 1u);
    QCOMPARE(s.erases, 2u);
    QCOMPARE(s.entries, 0u);
    QCOMPARE(s.bytes, 0u);
    QCOMPARE(s.lookups(), 3u);
    QCOMPARE(s.hit_rate(), 1.0 / 3.0);
  }

  // The snapshot shows W-TinyLFU's setting as its advisor chose it: Caffeine's 1 % window
  // at first, a wide window once the traffic is a stream of new keys re-read while recent;
  // LRU reports a window of 100 % and no ghost.
  void snapshotShowsTheAdvisorsSetting() {
    MemoryTierOptions o = exactLru(200);
    o.policy = EvictionPolicyKind::kWTinyLfu;
    MemoryTier tier(o);
    QCOMPARE(tier.snapshot().window_share, 0.01);
    QVERIFY(!tier.snapshot().ghost_admission);
    std::mt19937_64 rng(7);
    testing::RecencyStream stream(rng, 150);
    for (int i = 0; i < 20'000; ++i) {
      const std::string key = "k" + std::to_string(stream.next());
      if (!tier.get(key)) tier.put(key, bytes(1));
    }
    QVERIFY2(tier.snapshot().window_share >= 0.6, qPrintable(QString::number(tier.snapshot().window_share)));
    tier.set_policy(EvictionPolicyKind::kLru);
    QCOMPARE(tier.snapshot().window_share, 1.0);
    QVERIFY(!tier.snapshot().ghost_admission);
  }

  // run_maintenance() frees everything a replaced or evicted entry left behind, at once:
  // the epoch's reclaimer spaces its process-wide barriers, an explicit call does not wait
  // for that spacing (the memory-per-entry benchmark measures right after it).
  void runMaintenanceFreesWhatWasReplaced() {
#ifdef TIERSCOPE_WITH_TCMALLOC
    QVERIFY2(tcmallocAllocatedBytes().has_value(), "tcmalloc is not loaded");
    auto allocated = [] { return tcmallocAllocatedBytes().value_or(0); };
    MemoryTierOptions o;
    o.max_entries = 1000;
    o.max_bytes = 0;
    MemoryTier tier(o);
    std::vector<std::string> keys;
    for (int i = 0; i < 1000; ++i) keys.push_back("key-" + std::to_string(i));
    for (const std::string& k : keys) tier.put(k, bytes(16000));
    tier.run_maintenance();
    const size_t filled = allocated();
    for (int round = 0; round < 5; ++round) {
      for (const std::string& k : keys) tier.put(k, bytes(16000));  // each put retires a node
    }
    tier.run_maintenance();
    const size_t after = allocated();
    // 5,000 values of 16,000 bytes were replaced; spare nodes (without values) stay for
    // reuse, up to 64 a shard.
    QVERIFY2(after < filled + 1024 * 1024,
             qPrintable(QString("%1 KiB more after maintenance").arg((double(after) - double(filled)) / 1024)));
#else
    QSKIP("built with the system allocator (TIERSCOPE_MALLOC=system or a sanitizer)");
#endif
  }

  // An owned slot (read-buffer stripe, epoch pin counters: plain adds) belongs to one live
  // thread at a time: threads alive together never share one, one that exits gives its
  // slot back for the next, and the inline mirror LentValue reads agrees.
  void ownedSlotsAreNeverShared() {
    using tierscope::internal::kNotOwned;
    using tierscope::internal::kOwnedSlots;
    using tierscope::internal::owned_slot;
    for (int round = 0; round < 3; ++round) {
      constexpr int kThreads = kOwnedSlots + 3;
      std::latch all_taken(kThreads), done(1);
      std::vector<uint32_t> got(kThreads);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          got[t] = owned_slot();
          if (tierscope::detail::owned_slot_plus_one != (got[t] == kNotOwned ? 0 : got[t] + 1)) got[t] = kNotOwned - 1;
          all_taken.count_down();
          done.wait();  // alive until every thread has taken its slot
        });
      }
      all_taken.wait();
      done.count_down();
      for (auto& th : threads) th.join();
      std::set<uint32_t> owned;
      int unowned = 0;
      for (uint32_t g : got) {
        if (g == kNotOwned) {
          ++unowned;
        } else {
          QVERIFY2(g != kNotOwned - 1, "owned_slot_plus_one disagrees with owned_slot()");
          QVERIFY(g < kOwnedSlots);
          QVERIFY2(owned.insert(g).second, "two live threads own one slot");
        }
      }
      // This thread may hold one; the others were free again after the last round.
      QVERIFY(owned.size() >= kOwnedSlots - 1);
      QCOMPARE(int(owned.size()) + unowned, kThreads);
    }
  }

  // An epoch pin holds back the second advance (what frees nodes retired while it was
  // taken) wherever it ends: on its own thread (plain unpin), on another (foreign unpin),
  // for owners and for threads beyond the owned slots (shared slots), with plain pins and
  // with locked ones. Then, all released, the epoch moves on.
  void epochPinsHoldTheEpochWhereverTheyEnd() {
    using internal::EpochDomain;
    for (EpochDomain::PinMode mode : {EpochDomain::PinMode::kAuto, EpochDomain::PinMode::kLocked}) {
      EpochDomain d(mode);
      // One pin on this thread: the epoch may move once, not twice.
      {
        const uint64_t e0 = d.epoch();
        EpochDomain::Guard g = d.pin();
        QCOMPARE(advanceEpochTo(d, e0 + 2), e0 + 1);
        g.release();
        QCOMPARE(advanceEpochTo(d, e0 + 2), e0 + 2);
      }
      // Threads more than the owned slots (so some pin in shared slots), each pinning,
      // then ending a neighbour's pin (foreign) or its own.
      constexpr int kThreads = int(internal::kOwnedSlots) + 6;  // even: every thread has a pair
      const uint64_t e0 = d.epoch();
      std::vector<uintptr_t> words(kThreads);
      std::latch pinned(kThreads), checked(1), released(kThreads), leave(1);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          words[t] = d.pin().detach();
          pinned.arrive_and_wait();
          checked.wait();
          const int whose = (t / 2) % 3 == 0 ? t : t ^ 1;  // a third end their own, pairs swap
          tierscope::detail::unpin(words[whose]);
          released.count_down();
          leave.wait();  // stay alive: the owned slots stay owned while others unpin
        });
      }
      pinned.wait();
      QCOMPARE(advanceEpochTo(d, e0 + 2), e0 + 1);
      checked.count_down();
      released.wait();
      QCOMPARE(advanceEpochTo(d, e0 + 3), e0 + 3);
      leave.count_down();
      for (auto& th : threads) th.join();
    }
  }

  // Readers pinning and unpinning as fast as they can while the epoch is pushed on: any
  // lost count (a plain add racing another writer) would stop the epoch for good or let
  // it move while a pin holds. Every reader checks that no advance passed two while it
  // held its pin.
  void epochCountsStayExactUnderChurn() {
    using internal::EpochDomain;
    for (EpochDomain::PinMode mode : {EpochDomain::PinMode::kAuto, EpochDomain::PinMode::kLocked}) {
      EpochDomain d(mode);
      std::atomic<bool> stop{false};
      std::atomic<uint64_t> overrun{0};
      std::vector<std::thread> readers;
      for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
          while (!stop.load(std::memory_order_relaxed)) {
            EpochDomain::Guard g = d.pin();
            const uint64_t at = d.epoch();
            for (int spin = 0; spin < 50; ++spin) {
              if (d.epoch() >= at + 2) overrun.fetch_add(1);
            }
            g.release();
          }
        });
      }
      const uint64_t start = d.epoch();
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
      while (std::chrono::steady_clock::now() < until) {
        d.try_advance();
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      stop.store(true);
      for (auto& th : readers) th.join();
      QCOMPARE(overrun.load(), 0u);
      QVERIFY2(d.epoch() > start + 2, "the epoch never moved under churn");
      // All released: two more advances must come.
      const uint64_t now = d.epoch();
      QCOMPARE(advanceEpochTo(d, now + 2), now + 2);
    }
  }

  // Hits and misses counted exactly while threads come and go: owners counting with plain
  // adds, the rest with locked ones, stripes handed from an exited thread to a new one.
  void countsStayExactAsReadersComeAndGo() {
    MemoryTierOptions o;
    o.max_entries = 1000;
    o.max_bytes = 0;
    o.shard_bits = 1;
    o.policy = EvictionPolicyKind::kWTinyLfu;
    tierscope::Maintainer maintainer;
    o.maintainer = &maintainer;
    MemoryTier tier(o);
    for (int k = 0; k < 100; ++k) tier.put("k" + std::to_string(k), make_value("v"));
    std::atomic<uint64_t> reads{0}, found{0};
    for (int round = 0; round < 4; ++round) {
      std::vector<std::thread> threads;
      for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
          std::mt19937 rng(round * 10 + t);
          for (int i = 0; i < 20'000; ++i) {
            const std::string key = "k" + std::to_string(rng() % 120);  // 100 resident, 20 never
            reads.fetch_add(1, std::memory_order_relaxed);
            const bool hit = i % 2 ? tier.get(key) != nullptr : bool(tier.read(key));
            if (hit) found.fetch_add(1, std::memory_order_relaxed);
          }
        });
      }
      for (auto& th : threads) th.join();
      const MemoryTierStats s = tier.snapshot();
      QCOMPARE(s.hits, found.load());
      QCOMPARE(s.hits + s.misses, reads.load());
    }
  }

  // Eight threads on a single shard: every value read back belongs to its key, and the
  // counters agree exactly with what the threads did.
  void eightThreadsHammerOneShard() {
    constexpr int kThreads = 8;
    constexpr int kOpsPerThread = 40'000;
    constexpr int kKeys = 500;
    MemoryTier tier(exactLru(200, 64 * 1024));
    std::atomic<uint64_t> gets{0}, hits{0}, puts_ok{0}, erased{0}, wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(t);
        std::uniform_int_distribution<int> key_dist(0, kKeys - 1), op_dist(0, 99), size_dist(0, 400);
        for (int i = 0; i < kOpsPerThread; ++i) {
          const std::string key = "key" + std::to_string(key_dist(rng));
          const int op = op_dist(rng);
          if (op < 30) {
            gets.fetch_add(1);
            if (Value v = tier.get(key)) {
              hits.fetch_add(1);
              if (v->compare(0, key.size(), key) != 0 || (*v)[key.size()] != '|') wrong.fetch_add(1);
            }
          } else if (op < 60) {
            gets.fetch_add(1);
            if (LentValue v = tier.read(key)) {
              hits.fetch_add(1);
              if (v->compare(0, key.size(), key) != 0 || (*v)[key.size()] != '|') wrong.fetch_add(1);
            }
          } else if (op < 95) {
            std::string value = key + "|" + std::string(size_dist(rng), char('a' + t));
            puts_ok.fetch_add(tier.put(key, make_value(std::move(value))) ? 1 : 0);
          } else {
            erased.fetch_add(tier.erase(key) ? 1 : 0);
          }
        }
      });
    }
    for (auto& th : threads) th.join();

    const MemoryTierStats s = tier.snapshot();
    QCOMPARE(wrong.load(), 0u);
    QCOMPARE(s.hits + s.misses, gets.load());
    QCOMPARE(s.hits, hits.load());
    QCOMPARE(s.puts, puts_ok.load());
    QCOMPARE(s.erases, erased.load());
    QVERIFY(s.entries <= 200);
    QVERIFY(s.bytes <= 64 * 1024);
    // The counted entries and bytes are exactly what is really there.
    uint64_t present = 0, charged = 0;
    for (int k = 0; k < kKeys; ++k) {
      const std::string key = "key" + std::to_string(k);
      if (Value v = tier.get(key)) {
        ++present;
        charged += MemoryTier::charge_of(key.size(), v->size());
      }
    }
    QCOMPARE(s.entries, present);
    QCOMPARE(s.bytes, charged);
  }

  // A lent value stays readable while its entry is replaced and evicted under it, and a
  // burst of reads (more than a read buffer holds) reaches the policy in order: on one
  // thread nothing is dropped, so LRU keeps exactly the keys read last.
  void lentValueOutlivesItsEntry() {
    MemoryTier tier(exactLru(2));
    tier.put("a", make_value("alpha"));
    LentValue lent = tier.read("a");
    QVERIFY(lent);
    tier.put("a", make_value("replaced"));
    tier.put("b", bytes(1));
    tier.put("c", bytes(1));  // evicts "a"
    QVERIFY(!tier.peek("a"));
    QCOMPARE(*lent, std::string("alpha"));
    Value shared = lent.share();
    lent.release();
    QVERIFY(!lent);
    QCOMPARE(*shared, std::string("alpha"));
  }

  void burstOfReadsReachesThePolicyInOrder() {
    MemoryTier tier(exactLru(100));
    for (int k = 0; k < 100; ++k) tier.put("k" + std::to_string(k), bytes(1));
    // Read the 50 oldest keys 3 times each (150 reads: many buffer drains), then add 50
    // new keys: LRU must evict exactly the 50 keys not read.
    for (int round = 0; round < 3; ++round) {
      for (int k = 0; k < 50; ++k) QVERIFY(tier.read("k" + std::to_string(k)));
    }
    for (int k = 100; k < 150; ++k) tier.put("k" + std::to_string(k), bytes(1));
    for (int k = 0; k < 50; ++k) QVERIFY2(tier.peek("k" + std::to_string(k)), qPrintable(QString::number(k)));
    for (int k = 50; k < 100; ++k) QVERIFY(!tier.peek("k" + std::to_string(k)));
    QCOMPARE(tier.snapshot().hits, 150u);
  }

  // Readers on hot keys race writers that replace, erase and evict the same keys, under
  // both policies: no read returns another key's bytes, counters add up, and afterwards
  // the policy's order still holds exactly the resident entries (shrinking to one entry
  // and then to none walks it all, and the byte total lands on zero).
  void readersRaceWritersOnHotKeys() {
    for (EvictionPolicyKind policy : {EvictionPolicyKind::kLru, EvictionPolicyKind::kWTinyLfu}) {
      MemoryTierOptions o;
      o.max_entries = 64;
      o.max_bytes = 0;
      o.shard_bits = 2;
      o.policy = policy;
      MemoryTier tier(o);
      std::atomic<bool> stop{false};
      std::atomic<uint64_t> reads{0}, found{0}, wrong{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
          std::mt19937 rng(100 + t);
          std::uniform_int_distribution<int> key_dist(0, 95);
          while (!stop.load(std::memory_order_relaxed)) {
            const std::string key = "hot" + std::to_string(key_dist(rng) % 16);  // 16 hot keys
            reads.fetch_add(1, std::memory_order_relaxed);
            if (LentValue v = tier.read(key)) {
              found.fetch_add(1, std::memory_order_relaxed);
              if (v->compare(0, key.size(), key) != 0) wrong.fetch_add(1);
            }
          }
        });
      }
      std::thread writer([&] {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> key_dist(0, 199), op_dist(0, 9);
        for (int i = 0; i < 60'000; ++i) {
          const int k = key_dist(rng);
          const std::string key = k < 100 ? "hot" + std::to_string(k % 16) : "cold" + std::to_string(k);
          if (op_dist(rng) == 0) {
            tier.erase(key);
          } else {
            tier.put(key, make_value(key + "|" + std::to_string(i)));
          }
        }
        stop.store(true);
      });
      writer.join();
      for (auto& th : threads) th.join();
      const MemoryTierStats s = tier.snapshot();
      QCOMPARE(wrong.load(), 0u);
      QCOMPARE(s.hits + s.misses, reads.load());
      QCOMPARE(s.hits, found.load());
      QVERIFY(s.entries <= 64);
      uint64_t visited = 0, visited_bytes = 0;
      tier.visit_entries([&](const EntryView& e) {
        ++visited;
        visited_bytes += e.bytes;
      });
      QCOMPARE(visited, s.entries);
      QCOMPARE(visited_bytes, s.bytes);
      tier.set_capacity(1, 0);
      QCOMPARE(tier.snapshot().entries, 1u);
      tier.set_capacity(0, 1);  // one byte: nothing fits
      QCOMPARE(tier.snapshot().entries, 0u);
      QCOMPARE(tier.snapshot().bytes, 0u);
    }
  }

  // With a Maintainer, full read buffers are applied on its thread: the reads reach the
  // policy (a key read often survives the keys that were not), counts stay exact, and
  // tiers come and go while it runs.
  // A ring smaller than the slots it has (a tier of many shards keeps fewer reads per
  // ring): full after `limit` records, drained in order, and refilled over and over
  // without overlap as its indices slide round the slots.
  void readRingHoldsItsLimitAndDrainsInOrder() {
    internal::ReadBuffer buffer(4);
    internal::ReadBuffer::Stripe& stripe = buffer.mine();
    uint64_t next = 1;
    std::vector<uint64_t> seen;
    for (int round = 0; round < 9; ++round) {
      for (int i = 0; i < 4; ++i) {
        QCOMPARE(internal::ReadBuffer::record(stripe, internal::ReadBuffer::pack(next, next)),
                 internal::ReadBuffer::Offer::kRecorded);
        ++next;
      }
      QCOMPARE(internal::ReadBuffer::record(stripe, internal::ReadBuffer::pack(99, 99)), internal::ReadBuffer::Offer::kFull);
      buffer.drain([&](uint64_t record) { seen.push_back(internal::ReadBuffer::position_of(record)); });
    }
    QCOMPARE(seen.size(), size_t{36});
    for (size_t i = 0; i < seen.size(); ++i) QCOMPARE(seen[i], i + 1);
    QCOMPARE(buffer.hits(), uint64_t{36});
  }

  // 64 shards (rings of 4) on one thread without a maintainer: every hit is counted and
  // the rings drain inline as they fill, whatever their size.
  void manyShardsCountEveryHit() {
    MemoryTierOptions o = exactLru(1000);
    o.shard_bits = 6;
    MemoryTier tier(o);
    for (int k = 0; k < 1000; ++k) tier.put("k" + std::to_string(k), bytes(1));
    for (int round = 0; round < 5; ++round) {
      for (int k = 0; k < 1000; ++k) QVERIFY(tier.read("k" + std::to_string(k)));
    }
    QCOMPARE(tier.snapshot().hits, 5000u);
    QCOMPARE(tier.snapshot().entries, 1000u);
  }

  void maintainerAppliesReadsInTheBackground() {
    Maintainer maintainer;
    MemoryTierOptions o = exactLru(10);
    o.maintainer = &maintainer;
    MemoryTier tier(o);
    for (int k = 0; k < 10; ++k) tier.put("k" + std::to_string(k), bytes(1));
    for (int i = 0; i < 40; ++i) QVERIFY(tier.read("k0"));
    // The buffer filled twice, so the maintainer was asked twice; give it time to run.
    // Meanwhile tiers register and unregister while it may be running.
    for (int i = 0; i < 20; ++i) {
      MemoryTier other(o);
      other.put("x", bytes(1));
      for (int r = 0; r < 40; ++r) QVERIFY(other.read("x"));
      std::this_thread::sleep_for(10ms);
    }
    for (int k = 10; k < 19; ++k) tier.put("k" + std::to_string(k), bytes(1));
    QVERIFY(tier.peek("k0"));
    QVERIFY(!tier.peek("k1"));
    QCOMPARE(tier.snapshot().hits, 40u);

    std::atomic<uint64_t> reads{0}, found{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 20'000; ++i) {
          const std::string key = "k" + std::to_string((i * 7 + t) % 25);
          reads.fetch_add(1);
          if (tier.read(key)) found.fetch_add(1);
          if (i % 10 == 0) tier.put(key, bytes(2));
        }
      });
    }
    for (auto& th : threads) th.join();
    const MemoryTierStats s = tier.snapshot();
    QCOMPARE(s.hits + s.misses - 40, reads.load());
    QCOMPARE(s.hits - 40, found.load());
    QCOMPARE(s.entries, 10u);
  }

  // Many shards under concurrent puts: the global limits hold once the threads stop.
  void concurrentPutsRespectGlobalLimits() {
    MemoryTierOptions o;
    o.max_entries = 1'000;
    o.max_bytes = 0;
    o.shard_bits = 4;
    MemoryTier tier(o);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 20'000; ++i) tier.put("t" + std::to_string(t) + ":" + std::to_string(i), bytes(16));
      });
    }
    for (auto& th : threads) th.join();
    const MemoryTierStats s = tier.snapshot();
    QCOMPARE(s.entries, 1'000u);
    QCOMPARE(s.puts, 160'000u);
    QCOMPARE(s.evictions, 159'000u);
  }
};

QTEST_GUILESS_MAIN(MemoryTierTest)
#include "test_memory_tier.moc"
