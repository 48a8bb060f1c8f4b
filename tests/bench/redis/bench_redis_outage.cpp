// Redis killed under load (issue #12): four threads read a keyspace larger than L1
// through TieredCache (no L2, so misses go to Redis, else to a 2 ms origin) while Redis is
// shut down at 2 s and started again at 5 s. Reports per phase the requests, failures and
// p50/p99 latency, the share served by Redis, and how long after Redis came back the
// breaker closed. Run by bench_redis.sh (which owns the port and cleans up).
//
//   bench_redis_outage PORT
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "phased_load.h"
#include "tierscope/redis/redis_tier.h"

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_redis_outage PORT\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  tierscope::redis::RedisTierOptions ro;
  ro.endpoint.port = port;
  ro.info_refresh_interval = tierscope::Duration::zero();
  auto redis = std::make_shared<tierscope::redis::RedisTier>(ro);
  auto cache = bench::make_shared_tier_cache(redis, 5000);
  bench::PhasedLoad load(*cache, 5000, {"before (2 s)", "Redis down (3 s)", "Redis back (3 s)"});
  std::this_thread::sleep_for(2s);
  {
    tierscope::redis::RedisEndpoint e;
    e.port = port;
    try {
      tierscope::redis::RedisConnection(e).command({"SHUTDOWN", "NOSAVE"});
    } catch (const tierscope::redis::RedisError&) {
      // the connection drops as the server exits
    }
  }
  load.next_phase();
  std::this_thread::sleep_for(3s);
  const std::string restart = "redis-server --port " + std::to_string(port) +
                              " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile /dev/null";
  if (std::system(restart.c_str()) != 0) std::fprintf(stderr, "bench_redis_outage: could not restart redis-server\n");
  const auto back = Clock::now();
  load.next_phase();
  double closed_after_ms = -1;
  while (Clock::now() - back < 3s) {
    if (redis->status().breaker == "closed" && redis->status().available && closed_after_ms < 0) {
      closed_after_ms = std::chrono::duration<double, std::milli>(Clock::now() - back).count();
    }
    std::this_thread::sleep_for(10ms);
  }
  load.stop();
  std::system(("redis-cli -p " + std::to_string(port) + " shutdown nosave >/dev/null 2>&1").c_str());
  load.print();
  std::printf("breaker closed %.0f ms after Redis was started again\n", closed_after_ms);
  return 0;
}
