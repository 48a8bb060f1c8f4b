// WorkloadDriver: drives a TieredCache from its own threads the way an inference front
// end would — get(namespace, key), the cache doing L1, L2 and the origin. Keys come from
// a Zipf distribution or from a recorded trace (replayed in a loop).
//
// Ownership: the driver borrows the cache, which must outlive it.
// The trace, if any, is shared read-only.
// Thread safety: start(), stop(), set_target_rate() and snapshot() may be called from
// any thread. The destructor stops the threads. Not copyable.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tierscope/cache/tiered_cache.h"

namespace spdlog {
class logger;
}

namespace tierscope {

struct WorkloadOptions {
  // Number of distinct keys the Zipf stream draws from.
  uint64_t key_count = 50'000;
  // Zipf exponent s: P(rank k) ~ 1/k^s. Around 0.7–1.0 for web and inference traffic.
  double zipf_exponent = 0.9;
  // Seed of the key streams; thread i uses seed + i, so a run is repeatable per thread.
  uint64_t seed = 42;
  // When set, the threads replay these keys in order (sharing one cursor, looping at
  // the end) instead of drawing Zipf keys.
  std::shared_ptr<const std::vector<uint64_t>> trace;
  // Worker threads. Each blocks on origin loads, so more threads sustain more misses.
  unsigned threads = 4;
  // Requests per second over all threads; 0 runs as fast as the threads can.
  double target_rate = 5'000;
  // Keys are this prefix followed by the decimal key number.
  std::string key_prefix = "demo:";
  // The cache namespace the requests go to.
  std::string cache_namespace = "general";
  // Where start/stop are logged; nullptr logs nothing.
  std::shared_ptr<spdlog::logger> logger;
};

struct WorkloadStats {
  uint64_t requests = 0;      // gets issued
  uint64_t errors = 0;        // gets that threw (load failures, timeouts, overload)
  uint64_t value_errors = 0;  // values that do not belong to their key (must stay 0)
};

class WorkloadDriver {
 public:
  WorkloadDriver(TieredCache& cache, WorkloadOptions options);
  ~WorkloadDriver();
  WorkloadDriver(const WorkloadDriver&) = delete;
  WorkloadDriver& operator=(const WorkloadDriver&) = delete;

  // Starts the threads; does nothing when already running. Throws
  // std::invalid_argument for options that cannot drive traffic (no threads, empty trace).
  void start();
  // Stops and joins the threads; does nothing when not running.
  void stop();
  bool running() const { return running_.load(std::memory_order_acquire); }

  // Changes the request rate while running (0 = unthrottled).
  void set_target_rate(double requests_per_second);
  double target_rate() const { return target_rate_.load(std::memory_order_relaxed); }

  WorkloadStats snapshot() const;

 private:
  void run_thread(unsigned index);
  void issue(const std::string& key);

  TieredCache& cache_;
  const WorkloadOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<double> target_rate_;
  std::atomic<uint64_t> rate_epoch_{0};  // bumped on every rate change so threads re-pace
  std::atomic<uint64_t> trace_cursor_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> value_errors_{0};
  std::vector<std::thread> threads_;
};

}  // namespace tierscope
