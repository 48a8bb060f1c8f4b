// The Redis tier against a real redis-server started by the test: round trip with TTL,
// key layout, pipelined multi-get, a damaged value (checksum -> miss, counted, removed),
// the breaker opening when Redis is killed and closing when it returns, command timeouts
// under DEBUG SLEEP and CLIENT PAUSE, AUTH from the options, and server figures.
#include <QtTest>

#include <atomic>
#include <thread>

#include "support/fleet_cache.h"
#include "support/redis_server.h"
#include "tierscope/cache/loader.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/redis/redis_config.h"
#include "tierscope/redis/redis_tier.h"

using namespace tierscope;
using namespace tierscope::redis;
using namespace std::chrono_literals;

namespace {

RedisTierOptions options_for(const testing::RedisServer& server, const Clock* clock = nullptr) {
  RedisTierOptions o;
  o.endpoint = server.endpoint();
  o.endpoint.command_timeout = 300ms;
  o.endpoint.connect_timeout = 300ms;
  o.pool_size = 4;
  o.clock = clock;
  o.info_refresh_interval = Duration::zero();  // tests refresh by hand
  o.breaker.failure_threshold = 3;
  o.breaker.cooldown = 500ms;
  return o;
}

}  // namespace

class RedisTierTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void framingDetectsDamage() {
    const std::string framed = RedisTier::frame("hello");
    QCOMPARE(RedisTier::unframe(framed).value(), std::string("hello"));
    std::string flipped = framed;
    flipped.back() ^= 1;
    QVERIFY(!RedisTier::unframe(flipped));
    QVERIFY(!RedisTier::unframe("TSF1"));
    QVERIFY(!RedisTier::unframe(""));
    QCOMPARE(RedisTier::unframe(RedisTier::frame("")).value(), std::string());
  }

  void configObjectIsValidated() {
    RedisConfig c = parse_redis_config_json(
        R"({"endpoint": "10.0.0.5:6380", "username": "app", "password": "pw", "command_timeout_ms": 300,
            "pool_size": 4, "exclude_namespaces": ["tryon"]})");
    QCOMPARE(c.options.endpoint.host, std::string("10.0.0.5"));
    QCOMPARE(c.options.endpoint.port, 6380);
    QVERIFY(!c.options.cluster);
    QCOMPARE(c.options.endpoint.username, std::string("app"));
    QCOMPARE(c.options.endpoint.command_timeout, 300ms);
    QCOMPARE(c.options.pool_size, size_t{4});
    QCOMPARE(c.exclude_namespaces, std::vector<std::string>{"tryon"});
    c = parse_redis_config_json(R"({"cluster": ["a:7000", "b:7001", "c:7002"]})");
    QVERIFY(c.options.cluster);
    QCOMPARE(c.options.endpoint.host, std::string("a"));
    QCOMPARE(c.options.more_seeds, (std::vector<std::string>{"b:7001", "c:7002"}));
    auto error_of = [](const char* json) -> std::string {
      try {
        parse_redis_config_json(json);
      } catch (const RedisConfigError& e) {
        return e.what();
      }
      return "accepted";
    };
    QVERIFY(error_of(R"({})").find("one of 'endpoint'") != std::string::npos);
    QVERIFY(error_of(R"({"endpoint": "a:1", "cluster": ["b:2"]})").find("one of") != std::string::npos);
    QVERIFY(error_of(R"({"endpoint": "a:0"})").find("not a port") != std::string::npos);
    QVERIFY(error_of(R"({"endpoint": "nohost"})").find("not HOST:PORT") != std::string::npos);
    QVERIFY(error_of(R"({"endpoint": "a:1", "pool": 3})").find("redis.pool: unknown") != std::string::npos);
    QVERIFY(error_of(R"({"endpoint": "a:1", "command_timeout_ms": 0})").find("command_timeout_ms") != std::string::npos);
    QVERIFY(error_of(R"({"cluster": []})").find("non-empty") != std::string::npos);
    // A bad password value is named by its key, never echoed.
    const std::string bad_password = error_of(R"({"endpoint": "a:1", "password": 12345678})");
    QVERIFY(bad_password.find("redis.password") != std::string::npos);
    QVERIFY(bad_password.find("12345678") == std::string::npos);
  }

  void roundTripWithTtlAndKeyLayout() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    RedisTier tier(options_for(server));
    const std::string value(100'000, 'v');
    QVERIFY(tier.put("model", "image:42", value, 5s));
    QCOMPARE(tier.get("model", "image:42").value(), value);
    const std::string key = tier.redis_key("model", "image:42");
    QVERIFY2(key.rfind("tsc:v1:model:0:{", 0) == 0 && key.back() == '}', key.c_str());  // generation 0
    RedisConnection raw(server.endpoint());
    const RedisReply ttl = raw.command({"PTTL", key});
    QVERIFY2(ttl.integer > 0 && ttl.integer <= 5000, qPrintable(QString::number(ttl.integer)));
    QVERIFY(tier.put("model", "forever", "x", Duration::zero()));
    QCOMPARE(raw.command({"PTTL", tier.redis_key("model", "forever")}).integer, int64_t(-1));
    QVERIFY(tier.erase("model", "image:42"));
    QVERIFY(!tier.get("model", "image:42"));
    const RedisTierStats s = tier.snapshot();
    QCOMPARE(s.hits, 1u);
    QCOMPARE(s.misses, 1u);
    QCOMPARE(s.stores, 2u);
    QVERIFY(s.available);
    QCOMPARE(s.errors_total(), 0u);
  }

  void getManyIsOnePipeline() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    RedisTier tier(options_for(server));
    for (int i = 0; i < 3; ++i) QVERIFY(tier.put("ns", "k" + std::to_string(i), "v" + std::to_string(i), 10s));
    const auto got = tier.get_many("ns", {"k0", "missing", "k2", "k1"});
    QCOMPARE(got.size(), size_t(4));
    QCOMPARE(got[0].value(), std::string("v0"));
    QVERIFY(!got[1]);
    QCOMPARE(got[2].value(), std::string("v2"));
    QCOMPARE(got[3].value(), std::string("v1"));
  }

  void damagedValueIsAMissCountedAndRemoved() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    RedisTier tier(options_for(server));
    QVERIFY(tier.put("ns", "k", "good value", 10s));
    const std::string key = tier.redis_key("ns", "k");
    RedisConnection raw(server.endpoint());
    std::string framed = raw.command({"GET", key}).text;
    framed[framed.size() - 1] ^= 0x40;  // one bit of the payload
    raw.command({"SET", key, framed});
    QVERIFY(!tier.get("ns", "k"));
    QCOMPARE(tier.snapshot().corrupted, 1u);
    QCOMPARE(raw.command({"EXISTS", key}).integer, int64_t(0));
  }

  void breakerOpensWhenRedisDiesAndClosesWhenItReturns() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    ManualClock clock;
    RedisTier tier(options_for(server, &clock));
    QVERIFY(tier.put("ns", "k", "v", 60s));
    server.kill();
    for (int i = 0; i < 3; ++i) QVERIFY(!tier.get("ns", "k"));
    RedisTierStats s = tier.snapshot();
    QCOMPARE(s.breaker, std::string("open"));
    QVERIFY(!s.available);
    QCOMPARE(s.times_opened, 1u);
    QVERIFY(s.errors[int(RedisErrorKind::kConnect)] + s.errors[int(RedisErrorKind::kIo)] >= 3);
    // Open: calls skip Redis altogether (no connection attempt, so no new error).
    const uint64_t errors_before = s.errors_total();
    QVERIFY(!tier.get("ns", "k"));
    QVERIFY(!tier.put("ns", "k2", "v", 60s));
    s = tier.snapshot();
    QCOMPARE(s.short_circuited, 2u);
    QCOMPARE(s.errors_total(), errors_before);
    // Cooldown passed, still down: the probe fails and the cooldown doubles.
    clock.advance(600ms);
    QVERIFY(!tier.get("ns", "k"));
    QCOMPARE(tier.snapshot().times_opened, 2u);
    clock.advance(600ms);  // less than the doubled cooldown (1 s): still skipped
    QVERIFY(!tier.get("ns", "k"));
    QCOMPARE(tier.snapshot().short_circuited, 3u);
    // Redis returns (empty: no persistence); after the cooldown one probe closes it.
    QVERIFY(server.start());
    clock.advance(500ms);
    QVERIFY(tier.put("ns", "k", "v2", 60s));
    s = tier.snapshot();
    QCOMPARE(s.breaker, std::string("closed"));
    QVERIFY(s.available);
    QCOMPARE(tier.get("ns", "k").value(), std::string("v2"));
  }

  void commandTimeoutUnderDebugSleepAndClientPause() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    RedisTierOptions o = options_for(server);
    o.breaker.failure_threshold = 100;  // this test is about timeouts, not the breaker
    RedisTier tier(o);
    QVERIFY(tier.put("ns", "k", "v", 60s));
    for (const char* blocker : {"sleep", "pause"}) {
      std::atomic<bool> blocking_done{false};
      std::thread blocker_thread([&] {
        auto e = server.endpoint();
        e.command_timeout = 5000ms;
        RedisConnection c(e);
        if (std::string(blocker) == "sleep") {
          c.command({"DEBUG", "SLEEP", "1.5"});
        } else {
          c.command({"CLIENT", "PAUSE", "1500", "ALL"});
          std::this_thread::sleep_for(1500ms);
        }
        blocking_done.store(true);
      });
      std::this_thread::sleep_for(200ms);  // let the blocking command reach the server
      const uint64_t timeouts_before = tier.snapshot().errors[int(RedisErrorKind::kTimeout)];
      QVERIFY(!tier.get("ns", "k"));
      // The get gave up at its own timeout (300 ms), well before the server woke up.
      QVERIFY2(!blocking_done.load(), blocker);
      QCOMPARE(tier.snapshot().errors[int(RedisErrorKind::kTimeout)], timeouts_before + 1);
      blocker_thread.join();
      QCOMPARE(tier.get("ns", "k").value(), std::string("v"));  // and it recovers
    }
  }

  void authFromOptionsAndNeverInMessages() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server({"--requirepass", "s3cret-pass"});
    QVERIFY(server.start());
    RedisTierOptions o = options_for(server);
    o.endpoint.password = "s3cret-pass";
    RedisTier tier(o);
    QVERIFY(tier.put("ns", "k", "v", 10s));
    QCOMPARE(tier.get("ns", "k").value(), std::string("v"));
    auto bad = server.endpoint();
    bad.password = "wrong-pass";
    try {
      RedisConnection c(bad);
      QFAIL("AUTH with a wrong password was accepted");
    } catch (const RedisError& e) {
      QCOMPARE(int(e.kind()), int(RedisErrorKind::kAuth));
      QVERIFY(std::string(e.what()).find("wrong-pass") == std::string::npos);
    }
    o.endpoint.password.clear();
    RedisTier unauthenticated(o);
    QVERIFY(!unauthenticated.get("ns", "k"));
    QVERIFY(unauthenticated.snapshot().errors[int(RedisErrorKind::kServer)] >= 1);  // NOAUTH
  }

  // Two servers' caches sharing one Redis: the second's first request for a key the first
  // computed is a shared-tier hit (one origin load in all), promoted into its L1 with the
  // TTL Redis has left. With Redis killed, both keep serving from their origin.
  void twoServersShareOneRedis() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    std::atomic<int> origin_loads{0};
    auto loader = make_compute_loader([&](std::string_view key) {
      origin_loads.fetch_add(1);
      return make_value("computed:" + std::string(key));
    });
    auto make_cache = [&](std::shared_ptr<SharedTier> shared) { return testing::make_fleet_cache(std::move(shared), loader); };
    auto redis_a = std::make_shared<RedisTier>(options_for(server));
    auto redis_b = std::make_shared<RedisTier>(options_for(server));
    auto a = make_cache(redis_a);
    auto b = make_cache(redis_b);
    QCOMPARE(*a->get("predictions", "img:1"), std::string("computed:img:1"));
    QCOMPARE(origin_loads.load(), 1);
    // The write-through runs after the waiters are answered: wait for it to land.
    // Up to 5 s: under a parallel test run the write-through has taken over 1 s to land.
    for (int i = 0; i < 500 && !redis_b->fetch("predictions", "img:1"); ++i) std::this_thread::sleep_for(10ms);
    QVERIFY(redis_b->fetch("predictions", "img:1"));
    QCOMPARE(*b->get("predictions", "img:1"), std::string("computed:img:1"));
    QCOMPARE(origin_loads.load(), 1);
    TieredStats sb = b->snapshot();
    QCOMPARE(sb.shared_hits, 1u);
    QCOMPARE(sb.served_shared, 1u);
    QCOMPARE(sb.l3_hits, 0u);
    QCOMPARE(*b->get("predictions", "img:1"), std::string("computed:img:1"));
    QCOMPARE(b->snapshot().l1_hits, 1u);
    // Invalidation on one server reaches the other: a key (DEL + broadcast), then a
    // pattern (a new generation for the namespace + broadcast).
    for (int i = 0; i < 300 && !(redis_a->listening() && redis_b->listening()); ++i) std::this_thread::sleep_for(10ms);
    QVERIFY(redis_a->listening() && redis_b->listening());
    using testing::in_l1;
    auto eventually_gone = testing::eventually_gone_from_l1;
    QVERIFY(in_l1(*b, "img:1"));
    QVERIFY(a->invalidate("predictions", "img:1"));
    QVERIFY(!redis_b->fetch("predictions", "img:1"));
    QVERIFY(eventually_gone(*b, "img:1"));
    QCOMPARE(*b->get("predictions", "img:1"), std::string("computed:img:1"));  // from the origin again
    QCOMPARE(origin_loads.load(), 2);
    QCOMPARE(*a->get("predictions", "img:7"), std::string("computed:img:7"));
    QCOMPARE(origin_loads.load(), 3);
    // Up to 5 s: under a parallel test run the write-through has taken over 1 s to land.
    for (int i = 0; i < 500 && !redis_b->fetch("predictions", "img:7"); ++i) std::this_thread::sleep_for(10ms);
    QVERIFY(redis_b->fetch("predictions", "img:7"));
    QCOMPARE(*b->get("predictions", "img:7"), std::string("computed:img:7"));
    QCOMPARE(origin_loads.load(), 3);  // b took it from Redis
    QVERIFY(in_l1(*b, "img:7"));
    a->invalidate_matching("img:*", "predictions");
    QVERIFY(eventually_gone(*b, "img:7"));
    QVERIFY(!redis_b->fetch("predictions", "img:7"));  // a new generation: the old entry is unreachable
    QCOMPARE(*b->get("predictions", "img:7"), std::string("computed:img:7"));
    QCOMPARE(origin_loads.load(), 4);
    // Redis away: requests are still served (from the origin), none fail.
    server.kill();
    for (int i = 2; i < 12; ++i) {
      QCOMPARE(*b->get("predictions", "img:" + std::to_string(i)), "computed:img:" + std::to_string(i));
    }
    sb = b->snapshot();
    QCOMPARE(sb.failed_requests, 0u);
    QCOMPARE(redis_b->snapshot().breaker, std::string("open"));
  }

  void serverFigures() {
    TIERSCOPE_REQUIRE_REDIS();
    testing::RedisServer server;
    QVERIFY(server.start());
    RedisTier tier(options_for(server));
    QCOMPARE(tier.snapshot().used_memory_bytes, int64_t(-1));
    tier.refresh_server_info();
    const RedisTierStats s = tier.snapshot();
    QVERIFY(s.used_memory_bytes > 0);
    QVERIFY(s.connected_clients >= 1);
    // With an interval, a background thread keeps the figures fresh.
    RedisTierOptions o = options_for(server);
    o.info_refresh_interval = 20ms;
    RedisTier refreshed(o);
    for (int i = 0; i < 200 && refreshed.snapshot().connected_clients < 1; ++i) std::this_thread::sleep_for(10ms);
    QVERIFY(refreshed.snapshot().connected_clients >= 1);
    QCOMPARE(refreshed.status().endpoint, "127.0.0.1:" + std::to_string(server.port()));
  }
};

QTEST_GUILESS_MAIN(RedisTierTest)
#include "test_redis_tier.moc"
