// Redis-hit latency against L2-hit latency, for 1 KB and 100 KB values (issue #12): the
// same keys read back from a DiskTier (page cache warm, checksummed) and from a RedisTier
// on a loopback redis-server, alternating per round; p50 and p99 of each and their ratio.
// Run by bench_redis.sh, which starts and stops the redis-server.
//
//   bench_redis_tier PORT [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "tierscope/cache/disk_tier.h"
#include "tierscope/redis/redis_tier.h"

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_redis_tier PORT [ROUNDS]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 2000;
  const auto dir = std::filesystem::temp_directory_path() / ("bench_redis_l2_" + std::to_string(::getpid()));
  tierscope::DiskTierOptions l2o;
  l2o.root = dir;
  l2o.sync_writes = false;
  tierscope::DiskTier l2(l2o);
  tierscope::redis::RedisTierOptions ro;
  ro.endpoint.port = port;
  ro.info_refresh_interval = tierscope::Duration::zero();
  tierscope::redis::RedisTier redis(ro);

  std::printf("%-8s %12s %12s %12s %12s %10s\n", "value", "L2 p50 us", "L2 p99 us", "Redis p50 us", "Redis p99 us",
              "p50 ratio");
  for (size_t size : {size_t{1024}, size_t{100 * 1024}}) {
    constexpr int kKeys = 64;
    const std::string value(size, 'v');
    for (int k = 0; k < kKeys; ++k) {
      const std::string key = "k" + std::to_string(k);
      l2.put("bench/" + key, value, tierscope::kNever);
      if (!redis.put("bench", key, value, tierscope::Duration::zero())) {
        std::fprintf(stderr, "bench_redis_tier: Redis on port %d did not take the value\n", port);
        return 1;
      }
    }
    std::vector<double> l2_us, redis_us;
    for (int r = 0; r < rounds; ++r) {
      const std::string key = "k" + std::to_string(r % kKeys);
      auto t0 = Clock::now();
      auto a = l2.get("bench/" + key);
      auto t1 = Clock::now();
      auto b = redis.fetch("bench", key);
      auto t2 = Clock::now();
      if (!a || !b || a->value->size() != size || b->value.size() != size) {
        std::fprintf(stderr, "bench_redis_tier: a read missed\n");
        return 1;
      }
      l2_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      redis_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    }
    const double l2_p50 = percentile(l2_us, 0.5), redis_p50 = percentile(redis_us, 0.5);
    std::printf("%-8s %12.1f %12.1f %12.1f %12.1f %9.2fx\n", size == 1024 ? "1 KB" : "100 KB", l2_p50,
                percentile(l2_us, 0.99), redis_p50, percentile(redis_us, 0.99), redis_p50 / l2_p50);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
