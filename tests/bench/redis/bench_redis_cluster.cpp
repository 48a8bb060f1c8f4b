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

#include "tierscope/cache/loader.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/redis/cluster_slot.h"
#include "tierscope/redis/redis_tier.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tierscope::redis::RedisConnection;
using tierscope::redis::RedisEndpoint;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())))];
}

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
  for (int k = 0; k < kKeys; ++k) cache.get("bench", "k" + std::to_string(k));
  std::this_thread::sleep_for(500ms);  // write-throughs land

  enum Phase { kBefore, kReshard, kFailover, kAfter, kPhases };
  struct Sample {
    double ms;
    int phase;
  };
  std::mutex mu;
  std::vector<Sample> samples;
  std::atomic<uint64_t> failures[kPhases] = {};
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
  uint64_t from_redis[kPhases] = {};
  double phase_seconds[kPhases] = {};
  auto served_redis = [&] { return cache.snapshot().served_shared; };
  auto phase_start = Clock::now();
  uint64_t redis_mark = 0;
  auto next_phase = [&](Phase p) {
    const uint64_t now_served = served_redis();
    from_redis[phase.load()] = now_served - redis_mark;
    phase_seconds[phase.load()] = std::chrono::duration<double>(Clock::now() - phase_start).count();
    redis_mark = now_served;
    phase_start = Clock::now();
    phase.store(p);
  };
  std::this_thread::sleep_for(2s);

  // (1) 1,000 slots move from the first master to the second, keys and all.
  auto before = masters(ports);
  next_phase(kReshard);
  const std::string reshard = "redis-cli --cluster reshard 127.0.0.1:" + std::to_string(ports.front()) +
                              " --cluster-from $(redis-cli -p " + std::to_string(before[0].first) +
                              " cluster myid) --cluster-to $(redis-cli -p " + std::to_string(before[1].first) +
                              " cluster myid) --cluster-slots 1000 --cluster-yes >/dev/null 2>&1";
  const int reshard_rc = std::system(reshard.c_str());
  auto after_reshard = masters(ports);

  // (2) the master now holding the most slots goes away; its replica takes over.
  next_phase(kFailover);
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
  next_phase(kAfter);
  std::this_thread::sleep_for(2s);
  next_phase(kAfter);  // closes the books on the last phase
  stop.store(true);
  for (auto& c : clients) c.join();

  // Every key still in the cluster? (Read through a fresh tier: no L1 to hide behind.)
  tierscope::redis::RedisTier check(ro);
  std::vector<std::string> keys;
  for (int k = 0; k < kKeys; ++k) keys.push_back("k" + std::to_string(k));
  size_t served = 0;
  for (const auto& v : check.get_many("bench", keys)) served += v.has_value();

  std::printf("cluster: 3 masters + 3 replicas on loopback; reshard of 1,000 slots %s (%.1f s); master :%d shut down\n",
              reshard_rc == 0 ? "done" : "FAILED", phase_seconds[kReshard], victim.first);
  const char* names[kPhases] = {"before", "resharding", "failover", "after"};
  std::printf("%-12s %7s %9s %9s %9s %9s %12s\n", "phase", "secs", "requests", "failed", "p50 ms", "p99 ms", "from Redis");
  for (int p = 0; p < kPhases; ++p) {
    std::vector<double> ms;
    for (const Sample& s : samples) {
      if (s.phase == p) ms.push_back(s.ms);
    }
    std::printf("%-12s %7.1f %9zu %9llu %9.3f %9.3f %12llu\n", names[p], phase_seconds[p], ms.size(),
                static_cast<unsigned long long>(failures[p].load()), percentile(ms, 0.5), percentile(ms, 0.99),
                static_cast<unsigned long long>(from_redis[p]));
  }
  const auto st = redis->snapshot();
  std::printf("replica promoted %.1f s after the master went, followed (breaker closed, Redis answering) at %.1f s\n",
              promoted_s, followed_s);
  std::printf("redirects followed: %llu MOVED, %llu ASK; slot map reads: %llu; errors: %llu\n",
              static_cast<unsigned long long>(st.moved_redirects), static_cast<unsigned long long>(st.ask_redirects),
              static_cast<unsigned long long>(st.map_refreshes), static_cast<unsigned long long>(st.errors_total()));
  std::printf("keys served by the cluster afterwards: %zu of %d\n", served, kKeys);
  return 0;
}
