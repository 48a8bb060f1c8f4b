// PhasedLoad: the read load the Redis benches put on a TieredCache while they break Redis
// in different ways. Threads read keys k0..k<keys-1> at random (every L1 miss goes to the
// shared tier, else to a 2 ms origin); each request is timed and booked to the phase it
// started in, failures too; print() gives per phase the seconds, requests, failures,
// p50/p99 and how many requests Redis answered.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tierscope/cache/loader.h"
#include "tierscope/cache/tiered_cache.h"

namespace bench {

// A cache of `keys` 1 KB values in namespace "bench" (1,000-entry L1, no L2) in front
// of `shared`, every key loaded once so the shared tier holds them all.
inline std::unique_ptr<tierscope::TieredCache> make_shared_tier_cache(std::shared_ptr<tierscope::SharedTier> shared,
                                                                      int keys) {
  using namespace std::chrono_literals;
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
  o.shared = std::move(shared);
  o.record_accesses = false;
  o.loader_threads = 8;
  auto cache = std::make_unique<tierscope::TieredCache>(o);
  for (int k = 0; k < keys; ++k) cache->get("bench", "k" + std::to_string(k));
  std::this_thread::sleep_for(500ms);  // write-throughs land
  return cache;
}

class PhasedLoad {
 public:
  using Clock = std::chrono::steady_clock;

  PhasedLoad(tierscope::TieredCache& cache, int keys, std::vector<std::string> phase_names, int threads = 4)
      : cache_(cache), names_(std::move(phase_names)), failures_(names_.size()), from_redis_(names_.size()),
        seconds_(names_.size()), phase_start_(Clock::now()) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, t, keys] {
        uint64_t x = 0x9E3779B97F4A7C15ull * uint64_t(t + 1);
        std::vector<Sample> mine;
        while (!stop_.load()) {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
          const int p = phase_.load();
          const auto t0 = Clock::now();
          try {
            cache_.get("bench", "k" + std::to_string(x % uint64_t(keys)));
          } catch (const std::exception&) {
            failures_[p].fetch_add(1);
            continue;
          }
          mine.push_back({std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), p});
        }
        std::lock_guard lock(mu_);
        samples_.insert(samples_.end(), mine.begin(), mine.end());
      });
    }
  }
  ~PhasedLoad() { stop(); }

  // Closes the books on the current phase and starts the next.
  void next_phase() {
    close_phase();
    phase_.store(std::min<int>(phase_.load() + 1, int(names_.size()) - 1));
  }
  // Closes the last phase and joins the threads.
  void stop() {
    if (stop_.exchange(true)) return;
    close_phase();
    for (auto& t : threads_) t.join();
  }
  double seconds(int phase) const { return seconds_[phase]; }

  void print() const {
    std::printf("%-18s %7s %9s %9s %9s %9s %12s\n", "phase", "secs", "requests", "failed", "p50 ms", "p99 ms", "from Redis");
    for (size_t p = 0; p < names_.size(); ++p) {
      std::vector<double> ms;
      for (const Sample& s : samples_) {
        if (s.phase == int(p)) ms.push_back(s.ms);
      }
      std::printf("%-18s %7.1f %9zu %9llu %9.3f %9.3f %12llu\n", names_[p].c_str(), seconds_[p], ms.size(),
                  static_cast<unsigned long long>(failures_[p].load()), percentile(ms, 0.5), percentile(ms, 0.99),
                  static_cast<unsigned long long>(from_redis_[p]));
    }
  }

 private:
  struct Sample {
    double ms;
    int phase;
  };
  static double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())))];
  }
  void close_phase() {
    const uint64_t served = cache_.snapshot().served_shared;
    const int p = phase_.load();
    from_redis_[p] = served - redis_mark_;
    seconds_[p] = std::chrono::duration<double>(Clock::now() - phase_start_).count();
    redis_mark_ = served;
    phase_start_ = Clock::now();
  }

  tierscope::TieredCache& cache_;
  const std::vector<std::string> names_;
  std::vector<std::atomic<uint64_t>> failures_;
  std::vector<uint64_t> from_redis_;
  std::vector<double> seconds_;
  Clock::time_point phase_start_;
  uint64_t redis_mark_ = 0;
  std::atomic<int> phase_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Sample> samples_;  // guarded by mu_ until the threads are joined
  std::vector<std::thread> threads_;
};

}  // namespace bench
