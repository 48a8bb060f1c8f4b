#include "tierscope/workload/workload.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "tierscope/workload/zipf.h"

namespace tierscope {

WorkloadDriver::WorkloadDriver(TieredCache& cache, WorkloadOptions options)
    : cache_(cache), options_(std::move(options)), target_rate_(options_.target_rate) {}

WorkloadDriver::~WorkloadDriver() { stop(); }

void WorkloadDriver::start() {
  if (running()) return;
  if (options_.threads == 0) throw std::invalid_argument("workload needs at least one thread");
  if (options_.trace && options_.trace->empty()) throw std::invalid_argument("workload trace is empty");
  if (!options_.trace) ZipfGenerator check(options_.key_count, options_.zipf_exponent, 0);  // validates
  const auto names = cache_.namespace_names();
  if (std::find(names.begin(), names.end(), options_.cache_namespace) == names.end()) {
    throw std::invalid_argument("workload namespace '" + options_.cache_namespace + "' is not a cache namespace");
  }
  running_.store(true, std::memory_order_release);
  for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { run_thread(i); });
  if (options_.logger) {
    options_.logger->info("workload started on '{}': {} threads, {} keys, target {} req/s", options_.cache_namespace, options_.threads,
                          options_.trace ? "trace" : "zipf " + std::to_string(options_.key_count),
                          target_rate());
  }
}

void WorkloadDriver::stop() {
  if (!running_.exchange(false, std::memory_order_acq_rel)) return;
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (options_.logger) options_.logger->info("workload stopped after {} requests", snapshot().requests);
}

void WorkloadDriver::set_target_rate(double requests_per_second) {
  target_rate_.store(requests_per_second < 0 ? 0 : requests_per_second, std::memory_order_relaxed);
  rate_epoch_.fetch_add(1, std::memory_order_relaxed);
}

WorkloadStats WorkloadDriver::snapshot() const {
  return {requests_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed),
          value_errors_.load(std::memory_order_relaxed)};
}

void WorkloadDriver::issue(const std::string& key) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  Value value;
  try {
    value = cache_.get(options_.cache_namespace, key);
  } catch (const std::exception&) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Integrity check: origin values start with their own key (see SimulatedOrigin).
  const size_t n = std::min(value->size(), key.size());
  if (value->empty() || value->compare(0, n, key, 0, n) != 0) value_errors_.fetch_add(1, std::memory_order_relaxed);
}

void WorkloadDriver::run_thread(unsigned index) {
  using SteadyClock = std::chrono::steady_clock;
  ZipfGenerator zipf(options_.key_count, options_.zipf_exponent, options_.seed + index);
  std::string key = options_.key_prefix;
  const size_t prefix_len = key.size();

  auto next_key = [&]() -> uint64_t {
    if (options_.trace) {
      const auto& trace = *options_.trace;
      return trace[trace_cursor_.fetch_add(1, std::memory_order_relaxed) % trace.size()];
    }
    return zipf.next();
  };

  // Pacing: each thread owns an equal share of the rate and issues whatever is due
  // since its baseline, so short sleeps and scheduling noise do not lower the rate.
  uint64_t epoch = ~uint64_t{0};
  SteadyClock::time_point baseline;
  uint64_t done_since_baseline = 0;
  while (running_.load(std::memory_order_acquire)) {
    const double rate = target_rate_.load(std::memory_order_relaxed);
    uint64_t batch = 64;
    if (rate > 0) {
      const uint64_t current_epoch = rate_epoch_.load(std::memory_order_relaxed);
      const auto now = SteadyClock::now();
      // Re-pace after a rate change, and re-base every few seconds so a long stall
      // is not caught up in one burst.
      if (current_epoch != epoch || now - baseline > std::chrono::seconds(5)) {
        epoch = current_epoch;
        baseline = now;
        done_since_baseline = 0;
      }
      const double elapsed = std::chrono::duration<double>(now - baseline).count();
      const double due = elapsed * rate / options_.threads - static_cast<double>(done_since_baseline);
      if (due < 1.0) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        continue;
      }
      batch = std::min<uint64_t>(static_cast<uint64_t>(due), 256);
    }
    for (uint64_t i = 0; i < batch && running_.load(std::memory_order_relaxed); ++i) {
      key.resize(prefix_len);
      key += std::to_string(next_key());
      issue(key);
    }
    done_since_baseline += batch;
  }
}

}  // namespace tierscope
