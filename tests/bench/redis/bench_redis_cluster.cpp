// A Redis Cluster changing under load (issue #12): four threads read 5,000 keys through
// TieredCache (1,000-entry L1, no L2: an L1 miss goes to the cluster, else to a 2 ms
// origin) while (1) 1,000 slots are resharded between masters by redis-cli and (2) a
// master is shut down and its replica promoted. Reports per phase the requests, failures,
// p50/p99 latency and the share served by Redis, how long the failover took to be
// followed, and at the end how many keys the cluster still serves.
// Run by bench_redis_cluster.sh (which builds the cluster and cleans up).
//
//   bench_redis_cluster PORT [PORT...]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "phased_load.h"
#include "tierscope/redis/cluster_slot.h"
#include "tierscope/redis/redis_tier.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tierscope::redis::RedisConnection;
using tierscope::redis::RedisEndpoint;

RedisEndpoint at(int port) {
  RedisEndpoint e;
  e.port = port;
  e.command_timeout = 2000ms;
  return e;
}

// (master port, its slot count) from CLUSTER SLOTS on a live node.
std::vector<std::pair<int, int>> masters(const std::vector<int>& ports) {
  for (int p : ports) {
    try {
      std::vector<std::pair<int, int>> out;
      for (const auto& range : RedisConnection(at(p)).command({"CLUSTER", "SLOTS"}).elements) {
        const int port = static_cast<int>(range.elements[2].elements[1].integer);
        const int n = static_cast<int>(range.elements[1].integer - range.elements[0].integer + 1);
        auto it = std::find_if(out.begin(), out.end(), [&](const auto& m) { return m.first == port; });
        if (it == out.end()) {
          out.push_back({port, n});
        } else {
          it->second += n;
        }
      }
      return out;
    } catch (const tierscope::redis::RedisError&) {
    }
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: bench_redis_cluster PORT x6\n");
    return 2;
  }
  std::vector<int> ports;
  for (int i = 1; i < argc; ++i) ports.push_back(std::atoi(argv[i]));
  tierscope::redis::RedisTierOptions ro;
  ro.endpoint.port = ports.front();
  ro.cluster = true;
  for (size_t i = 1; i < ports.size(); ++i) ro.more_seeds.push_back("127.0.0.1:" + std::to_string(ports[i]));
  ro.info_refresh_interval = tierscope::Duration::zero();
  auto redis = std::make_shared<tierscope::redis::RedisTier>(ro);
  constexpr int kKeys = 5000;
  auto cache = bench::make_shared_tier_cache(redis, kKeys);
  bench::PhasedLoad load(*cache, kKeys, {"before", "resharding", "failover", "after"});
  std::this_thread::sleep_for(2s);

  // (1) 1,000 slots move from the first master to the second, keys and all.
  auto before = masters(ports);
  load.next_phase();
  const std::string reshard = "redis-cli --cluster reshard 127.0.0.1:" + std::to_string(ports.front()) +
                              " --cluster-from $(redis-cli -p " + std::to_string(before[0].first) +
                              " cluster myid) --cluster-to $(redis-cli -p " + std::to_string(before[1].first) +
                              " cluster myid) --cluster-slots 1000 --cluster-yes >/dev/null 2>&1";
  const int reshard_rc = std::system(reshard.c_str());
  auto after_reshard = masters(ports);

  // (2) the master now holding the most slots goes away; its replica takes over.
  load.next_phase();
  const auto victim = *std::max_element(after_reshard.begin(), after_reshard.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
  try {
    RedisConnection(at(victim.first)).command({"SHUTDOWN", "NOSAVE"});
  } catch (const tierscope::redis::RedisError&) {
    // the connection drops as the node exits
  }
  const auto killed = Clock::now();
  double promoted_s = -1, followed_s = -1;
  std::vector<int> live;
  for (int p : ports) {
    if (p != victim.first) live.push_back(p);
  }
  while (Clock::now() - killed < 30s && (promoted_s < 0 || followed_s < 0)) {
    const auto m = masters(live);
    if (promoted_s < 0 && m.size() == 3 &&
        std::none_of(m.begin(), m.end(), [&](const auto& x) { return x.first == victim.first; })) {
      promoted_s = std::chrono::duration<double>(Clock::now() - killed).count();
    }
    if (followed_s < 0 && redis->status().available && redis->status().breaker == "closed" && promoted_s >= 0) {
      followed_s = std::chrono::duration<double>(Clock::now() - killed).count();
    }
    std::this_thread::sleep_for(20ms);
  }
  load.next_phase();
  std::this_thread::sleep_for(2s);
  load.stop();

  // Every key still in the cluster? (Read through a fresh tier: no L1 to hide behind.)
  tierscope::redis::RedisTier check(ro);
  std::vector<std::string> keys;
  for (int k = 0; k < kKeys; ++k) keys.push_back("k" + std::to_string(k));
  size_t served = 0;
  for (const auto& v : check.get_many("bench", keys)) served += v.has_value();

  std::printf("cluster: 3 masters + 3 replicas on loopback; reshard of 1,000 slots %s (%.1f s); master :%d shut down\n",
              reshard_rc == 0 ? "done" : "FAILED", load.seconds(1), victim.first);
  load.print();
  const auto st = redis->snapshot();
  std::printf("replica promoted %.1f s after the master went, followed (breaker closed, Redis answering) at %.1f s\n",
              promoted_s, followed_s);
  std::printf("redirects followed: %llu MOVED, %llu ASK; slot map reads: %llu; errors: %llu\n",
              static_cast<unsigned long long>(st.moved_redirects), static_cast<unsigned long long>(st.ask_redirects),
              static_cast<unsigned long long>(st.map_refreshes), static_cast<unsigned long long>(st.errors_total()));
  std::printf("keys served by the cluster afterwards: %zu of %d\n", served, kKeys);
  return 0;
}
