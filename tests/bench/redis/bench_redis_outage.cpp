// Redis killed under load (issue #12): four threads read a keyspace larger than L1
// through TieredCache (no L2, so misses go to Redis, else to a 2 ms origin) while Redis is
// shut down at 2 s and started again at 5 s. Reports per phase the requests, failures and
// p50/p99 latency, the share served by Redis, and how long after Redis came back the
// breaker closed. Run by bench_redis.sh (which owns the port and cleans up).
//
//   bench_redis_outage PORT
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tierscope/cache/loader.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/redis/redis_tier.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())))];
}

}  // namespace

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
  tierscope::NamespaceOptions ns;
  ns.name = "bench";
  ns.l1_max_entries = 1000;
  ns.ttl = 600s;
  ns.use_l2 = false;
  ns.loader = tierscope::make_compute_loader([](std::string_view key) {
    std::this_thread::sleep_for(2ms);  // the model
    return tierscope::make_value(std::string(1024, key.empty() ? 'x' : key.back()));
  });
  tierscope::TieredCacheOptions o;
  o.namespaces = {ns};
  o.shared = redis;
  o.record_accesses = false;
  o.loader_threads = 8;
  tierscope::TieredCache cache(o);
  constexpr int kKeys = 5000;
  for (int k = 0; k < kKeys; ++k) cache.get("bench", "k" + std::to_string(k));  // Redis holds them all
  std::this_thread::sleep_for(500ms);  // write-throughs land

  enum Phase { kBefore, kOutage, kAfter };
  struct Sample {
    double ms;
    int phase;
  };
  std::mutex mu;
  std::vector<Sample> samples;
  std::atomic<uint64_t> failures[3] = {};
  std::atomic<int> phase{kBefore};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      uint64_t x = 0x9E3779B97F4A7C15ull * uint64_t(t + 1);
      std::vector<Sample> mine;
      while (!stop.load()) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const int p = phase.load();
        const auto t0 = Clock::now();
        try {
          cache.get("bench", "k" + std::to_string(x % kKeys));
        } catch (const std::exception&) {
          failures[p].fetch_add(1);
          continue;
        }
        mine.push_back({std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), p});
      }
      std::lock_guard lock(mu);
      samples.insert(samples.end(), mine.begin(), mine.end());
    });
  }
  auto served_redis = [&] { return cache.snapshot().served_shared; };
  std::this_thread::sleep_for(2s);
  const uint64_t redis_before = served_redis();
  {
    tierscope::redis::RedisEndpoint e;
    e.port = port;
    try {
      tierscope::redis::RedisConnection(e).command({"SHUTDOWN", "NOSAVE"});
    } catch (const tierscope::redis::RedisError&) {
      // the connection drops as the server exits
    }
  }
  phase.store(kOutage);
  std::this_thread::sleep_for(3s);
  const uint64_t redis_outage = served_redis();
  const std::string restart = "redis-server --port " + std::to_string(port) +
                              " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --logfile /dev/null";
  if (std::system(restart.c_str()) != 0) std::fprintf(stderr, "bench_redis_outage: could not restart redis-server\n");
  const auto back = Clock::now();
  phase.store(kAfter);
  double closed_after_ms = -1;
  while (Clock::now() - back < 3s) {
    if (redis->status().breaker == "closed" && redis->status().available && closed_after_ms < 0) {
      closed_after_ms = std::chrono::duration<double, std::milli>(Clock::now() - back).count();
    }
    std::this_thread::sleep_for(10ms);
  }
  stop.store(true);
  for (auto& c : clients) c.join();
  const uint64_t redis_after = served_redis();
  std::system(("redis-cli -p " + std::to_string(port) + " shutdown nosave >/dev/null 2>&1").c_str());

  const char* names[3] = {"before (2 s)", "Redis down (3 s)", "Redis back (3 s)"};
  const uint64_t from_redis[3] = {redis_before, redis_outage - redis_before, redis_after - redis_outage};
  std::printf("%-18s %9s %9s %9s %9s %12s\n", "phase", "requests", "failed", "p50 ms", "p99 ms", "from Redis");
  for (int p = 0; p < 3; ++p) {
    std::vector<double> ms;
    for (const Sample& s : samples) {
      if (s.phase == p) ms.push_back(s.ms);
    }
    std::printf("%-18s %9zu %9llu %9.3f %9.3f %12llu\n", names[p], ms.size(),
                static_cast<unsigned long long>(failures[p].load()), percentile(ms, 0.5), percentile(ms, 0.99),
                static_cast<unsigned long long>(from_redis[p]));
  }
  std::printf("breaker closed %.0f ms after Redis was started again\n", closed_after_ms);
  return 0;
}
