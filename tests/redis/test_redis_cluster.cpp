// The Redis tier against a real six-node Redis Cluster (3 masters, 3 replicas) started by
// the test: hash slots, keys spread over the masters, pipelines split per node, MOVED
// after a slot is resharded, ASK mid-migration (CLUSTER SETSLOT ... MIGRATING), a manual
// failover and a killed master (the replica's promotion followed), fleet invalidation
// over sharded pub/sub, two caches sharing the cluster with one origin load.
#include <QtTest>

#include <atomic>
#include <set>
#include <thread>

#include "support/fleet_cache.h"
#include "support/redis_cluster.h"
#include "tierscope/cache/loader.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/redis/cluster_slot.h"
#include "tierscope/redis/redis_tier.h"

using namespace tierscope;
using namespace tierscope::redis;
using namespace std::chrono_literals;

namespace {

RedisTierOptions cluster_options(testing::RedisCluster& cluster) {
  RedisTierOptions o;
  o.endpoint = cluster.seed();
  o.endpoint.command_timeout = 300ms;
  o.endpoint.connect_timeout = 300ms;
  o.cluster = true;
  o.more_seeds = cluster.all_addresses();
  o.pool_size = 4;
  o.info_refresh_interval = Duration::zero();
  o.breaker.failure_threshold = 3;
  o.breaker.cooldown = 300ms;
  return o;
}

std::string node_id(const RedisEndpoint& e) { return RedisConnection(e).command({"CLUSTER", "MYID"}).text; }

// Starts moving `slot` to another master and moves its keys; `finish` also hands the slot
// over on every master (after which the old owner answers MOVED). Returns the new owner.
int migrate_slot(testing::RedisCluster& cluster, uint16_t slot, bool finish) {
  const int source = cluster.master_of(slot);
  int target = -1;
  for (int m : cluster.masters()) {
    if (m != source) target = m;
  }
  RedisConnection src(cluster.endpoint(source));
  RedisConnection dst(cluster.endpoint(target));
  const std::string source_id = node_id(cluster.endpoint(source));
  const std::string target_id = node_id(cluster.endpoint(target));
  const std::string s = std::to_string(slot);
  dst.command({"CLUSTER", "SETSLOT", s, "IMPORTING", source_id});
  src.command({"CLUSTER", "SETSLOT", s, "MIGRATING", target_id});
  for (const RedisReply& key : src.command({"CLUSTER", "GETKEYSINSLOT", s, "1000"}).elements) {
    src.command({"MIGRATE", "127.0.0.1", std::to_string(target), key.text, "0", "5000"});
  }
  if (finish) {
    dst.command({"CLUSTER", "SETSLOT", s, "NODE", target_id});
    src.command({"CLUSTER", "SETSLOT", s, "NODE", target_id});
    for (int m : cluster.masters()) {
      if (m != source && m != target) RedisConnection(cluster.endpoint(m)).command({"CLUSTER", "SETSLOT", s, "NODE", target_id});
    }
  }
  return target;
}

}  // namespace

class RedisClusterTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void slotsFollowRedisRules() {
    QCOMPARE(crc16_xmodem("123456789"), uint16_t(0x31C3));  // the CRC16/XMODEM check value
    QCOMPARE(cluster_slot("foo"), uint16_t(12182));          // CLUSTER KEYSLOT foo
    QCOMPARE(cluster_slot("{user1000}.following"), cluster_slot("{user1000}.followers"));
    QCOMPARE(cluster_slot("foo{}{bar}"), uint16_t(crc16_xmodem("foo{}{bar}") % 16384));  // empty tag: whole key
    QCOMPARE(cluster_slot("foo{{bar}}zap"), cluster_slot("{bar"));
    QCOMPARE(cluster_slot("foo{bar}{zap}"), cluster_slot("bar"));
    QCOMPARE(cluster_slot("tsc:v1:ns:0:{abc}"), cluster_slot("abc"));
  }

  void keysSpreadAndMatchTheServersSlots() {
    TIERSCOPE_REQUIRE_REDIS_CLUSTER();
    testing::RedisCluster cluster;
    QVERIFY2(cluster.start(), cluster.error().c_str());
    RedisTier tier(cluster_options(cluster));
    std::vector<std::string> keys;
    for (int i = 0; i < 300; ++i) keys.push_back("img:" + std::to_string(i));
    for (const std::string& k : keys) QVERIFY(tier.put("model", k, "v:" + k, 60s));
    // Our slot is the server's, and every master holds a share.
    RedisConnection any(cluster.seed());
    const std::string rk = tier.redis_key("model", "img:1");
    QCOMPARE(any.command({"CLUSTER", "KEYSLOT", rk}).integer, int64_t(cluster_slot(rk)));
    for (int m : cluster.masters()) {
      const int64_t n = RedisConnection(cluster.endpoint(m)).command({"DBSIZE"}).integer;
      QVERIFY2(n > 50, qPrintable(QStringLiteral("master %1 holds %2 of 300 keys").arg(m).arg(n)));
    }
    // One get_many over every node: one pipeline per node, replies back in order.
    const auto values = tier.get_many("model", keys);
    for (size_t i = 0; i < keys.size(); ++i) QCOMPARE(values[i].value(), "v:" + keys[i]);
    const RedisTierStats s = tier.snapshot();
    QVERIFY(s.cluster);
    QCOMPARE(s.cluster_masters, int64_t(3));
    QCOMPARE(s.moved_redirects, 0u);
    QCOMPARE(s.errors_total(), 0u);
    QVERIFY2(s.endpoint.rfind("cluster 127.0.0.1:", 0) == 0, s.endpoint.c_str());
    tier.refresh_server_info();
    QVERIFY(tier.snapshot().used_memory_bytes > 0);
    QVERIFY(tier.snapshot().connected_clients >= 3);
    // A damaged value in the cluster: a miss, counted, removed from its node.
    RedisConnection owner(cluster.endpoint(cluster.master_of(cluster_slot(rk))));
    owner.command({"SET", rk, "garbage"});
    QVERIFY(!tier.get("model", "img:1"));
    QCOMPARE(tier.snapshot().corrupted, 1u);
    QCOMPARE(owner.command({"EXISTS", rk}).integer, int64_t(0));
  }

  void movedAfterReshardAndAskMidMigration() {
    TIERSCOPE_REQUIRE_REDIS_CLUSTER();
    testing::RedisCluster cluster;
    QVERIFY2(cluster.start(), cluster.error().c_str());
    RedisTier tier(cluster_options(cluster));
    QVERIFY(tier.put("model", "a", "value-a", 60s));
    QVERIFY(tier.put("model", "b", "value-b", 60s));
    // The slot of "a" moves for good: the old owner answers MOVED, the tier follows it.
    const uint16_t slot_a = cluster_slot(tier.redis_key("model", "a"));
    const int new_owner = migrate_slot(cluster, slot_a, true);
    QCOMPARE(tier.get("model", "a").value(), std::string("value-a"));
    QVERIFY(tier.snapshot().moved_redirects >= 1);
    const uint64_t moved = tier.snapshot().moved_redirects;
    QCOMPARE(tier.get("model", "a").value(), std::string("value-a"));
    QCOMPARE(tier.snapshot().moved_redirects, moved);  // the map was updated: no second MOVED
    QVERIFY(tier.put("model", "a", "value-a2", 60s));
    QCOMPARE(RedisConnection(cluster.endpoint(new_owner)).command({"EXISTS", tier.redis_key("model", "a")}).integer,
             int64_t(1));
    // The slot of "b" is mid-migration with its key already moved: the source answers
    // ASK, the tier asks the importing node (ASKING) without changing its map.
    const uint16_t slot_b = cluster_slot(tier.redis_key("model", "b"));
    const int source_b = cluster.master_of(slot_b);
    migrate_slot(cluster, slot_b, false);
    QCOMPARE(tier.get("model", "b").value(), std::string("value-b"));
    QVERIFY(tier.snapshot().ask_redirects >= 1);
    QCOMPARE(cluster.master_of(slot_b), source_b);  // still the owner until SETSLOT NODE
    // A new key of that slot is written where the slot is going, and read back from there.
    QVERIFY(tier.put("model", "b", "value-b2", 60s));
    QCOMPARE(tier.get("model", "b").value(), std::string("value-b2"));
    QCOMPARE(tier.snapshot().errors_total(), 0u);
  }

  void concurrentCallersWhileSlotsMove() {
    TIERSCOPE_REQUIRE_REDIS_CLUSTER();
    testing::RedisCluster cluster;
    QVERIFY2(cluster.start(), cluster.error().c_str());
    RedisTier tier(cluster_options(cluster));
    std::vector<std::string> keys;
    for (int i = 0; i < 200; ++i) keys.push_back("c" + std::to_string(i));
    for (const std::string& k : keys) QVERIFY(tier.put("model", k, "v" + k, 600s));
    // Four threads read (pipelined and single) and write while eight slots move.
    std::atomic<bool> stop{false};
    std::atomic<int> wrong{0}, missing{0}, calls{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        while (!stop.load()) {
          if (t % 2 == 0) {
            const auto values = tier.get_many("model", keys);
            for (size_t i = 0; i < keys.size(); ++i) {
              if (!values[i]) {
                missing.fetch_add(1);
              } else if (*values[i] != "v" + keys[i]) {
                wrong.fetch_add(1);
              }
            }
          } else {
            const std::string& k = keys[size_t(calls.load()) % keys.size()];
            if (!tier.put("model", k, "v" + k, 600s)) missing.fetch_add(1);
          }
          calls.fetch_add(1);
        }
      });
    }
    for (int i = 0; i < 8; ++i) {
      migrate_slot(cluster, cluster_slot(tier.redis_key("model", keys[size_t(i) * 7])), true);
      // Before the next hand-over, every node has heard of this one's epoch: SETSLOTs in
      // quick succession on a cluster whose epochs are still travelling can leave a slot
      // owned by nobody (each node names the other), a cluster-side race, not the client's.
      QVERIFY(cluster.wait_for_epochs_to_agree(5000));
    }
    QTRY_VERIFY_WITH_TIMEOUT(calls.load() > 40, 10'000);
    stop.store(true);
    for (auto& t : threads) t.join();
    QCOMPARE(wrong.load(), 0);
    QCOMPARE(missing.load(), 0);  // every key found, every write stored, slots moving or not
    QVERIFY(tier.snapshot().moved_redirects >= 1);
    QCOMPARE(tier.snapshot().errors_total(), 0u);
  }

  void failoverIsFollowed() {
    TIERSCOPE_REQUIRE_REDIS_CLUSTER();
    testing::RedisCluster cluster;
    QVERIFY2(cluster.start(), cluster.error().c_str());
    RedisTier tier(cluster_options(cluster));
    std::vector<std::string> keys;
    for (int i = 0; i < 60; ++i) keys.push_back("k" + std::to_string(i));
    for (const std::string& k : keys) QVERIFY(tier.put("model", k, "v" + k, 600s));
    const uint16_t slot = cluster_slot(tier.redis_key("model", "k0"));
    // Manual failover: the replica takes over cleanly; the old master now answers MOVED.
    const int old_master = cluster.master_of(slot);
    const int replica = cluster.replica_of(slot);
    QVERIFY(replica > 0);
    RedisConnection(cluster.endpoint(replica)).command({"WAIT", "1", "1000"});
    RedisConnection(cluster.endpoint(replica)).command({"CLUSTER", "FAILOVER"});
    for (int i = 0; i < 100 && cluster.master_of(slot) != replica; ++i) QThread::msleep(100);
    QCOMPARE(cluster.master_of(slot), replica);
    QCOMPARE(tier.get("model", "k0").value(), std::string("vk0"));
    QCOMPARE(tier.snapshot().errors_total(), 0u);
    // The new master is killed: until its replica (the old master) is promoted, its keys
    // are misses that return at once; after it, every key is served again.
    QVERIFY(cluster.wait_until_healthy(10000));
    cluster.node(replica).kill();
    const auto killed_at = std::chrono::steady_clock::now();
    bool all_served = false;
    double slowest_ms = 0;
    while (!all_served && std::chrono::steady_clock::now() - killed_at < 20s) {
      all_served = true;
      for (const std::string& k : keys) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto v = tier.get("model", k);
        slowest_ms = std::max(slowest_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (!v) {
          all_served = false;
        } else {
          QCOMPARE(*v, "v" + k);
        }
      }
      if (!all_served) QThread::msleep(50);
    }
    QVERIFY2(all_served, "keys of the failed master were not served again within 20 s");
    QCOMPARE(cluster.master_of(slot), old_master);  // promoted back
    // Bounded by connect timeouts (two attempts of 300 ms at most), never a hang.
    QVERIFY2(slowest_ms < 1500, qPrintable(QString::number(slowest_ms)));
    QVERIFY(tier.snapshot().map_refreshes >= 2);
  }

  void fleetSharesTheClusterAndInvalidatesOverShardedPubSub() {
    TIERSCOPE_REQUIRE_REDIS_CLUSTER();
    testing::RedisCluster cluster;
    QVERIFY2(cluster.start(), cluster.error().c_str());
    std::atomic<int> origin_loads{0};
    auto loader = make_compute_loader([&](std::string_view key) {
      origin_loads.fetch_add(1);
      return make_value("computed:" + std::string(key));
    });
    auto make_cache = [&](std::shared_ptr<SharedTier> shared) { return testing::make_fleet_cache(std::move(shared), loader); };
    auto redis_a = std::make_shared<RedisTier>(cluster_options(cluster));
    auto redis_b = std::make_shared<RedisTier>(cluster_options(cluster));
    auto a = make_cache(redis_a);
    auto b = make_cache(redis_b);
    for (int i = 0; i < 300 && !(redis_a->listening() && redis_b->listening()); ++i) std::this_thread::sleep_for(10ms);
    QVERIFY(redis_a->listening() && redis_b->listening());
    // Subscribed where the channel's slot lives.
    QCOMPARE(redis_b->snapshot().subscribed_on, "127.0.0.1:" + std::to_string(cluster.master_of(cluster_slot("tsc:v1:invalidate"))));
    for (int i = 0; i < 20; ++i) QVERIFY(a->get("predictions", "img:" + std::to_string(i)));
    QCOMPARE(origin_loads.load(), 20);
    // Up to 5 s: under a parallel test run the write-through has taken over 1 s to land.
    for (int i = 0; i < 500 && !redis_b->fetch("predictions", "img:19"); ++i) std::this_thread::sleep_for(10ms);
    QVERIFY(redis_b->fetch("predictions", "img:19"));
    for (int i = 0; i < 20; ++i) {
      QCOMPARE(*b->get("predictions", "img:" + std::to_string(i)), "computed:img:" + std::to_string(i));
    }
    QCOMPARE(origin_loads.load(), 20);  // b took all twenty from the cluster
    QCOMPARE(b->snapshot().served_shared, 20u);
    using testing::in_l1;
    auto eventually_gone = testing::eventually_gone_from_l1;
    QVERIFY(a->invalidate("predictions", "img:3"));
    QVERIFY(eventually_gone(*b, "img:3"));
    QVERIFY(in_l1(*b, "img:4"));
    a->invalidate_matching("img:*", "predictions");
    QVERIFY(eventually_gone(*b, "img:4"));
    QVERIFY(!redis_b->fetch("predictions", "img:4"));  // a new generation
    QCOMPARE(*b->get("predictions", "img:4"), std::string("computed:img:4"));
    QCOMPARE(origin_loads.load(), 21);
    QCOMPARE(a->snapshot().failed_requests + b->snapshot().failed_requests, 0u);
  }
};

QTEST_GUILESS_MAIN(RedisClusterTest)
#include "test_redis_cluster.moc"
