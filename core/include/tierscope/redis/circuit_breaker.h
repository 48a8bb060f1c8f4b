// CircuitBreaker: keeps a cache serving when Redis is away. Closed, every request may use
// Redis; after `failure_threshold` failures in a row (errors or timeouts) it opens and
// requests skip Redis without waiting on it; after a cooldown one caller is let through
// as a probe (half-open): success closes the breaker, failure opens it again with the
// cooldown doubled, up to `max_cooldown` (reconnect with backoff).
//
// Thread safety: every method may be called from any thread; the closed-state check is
// one atomic load. Not copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "tierscope/base/clock.h"

namespace tierscope::redis {

struct CircuitBreakerOptions {
  // Consecutive failures that open the breaker.
  int failure_threshold = 3;
  // First wait before a probe, doubled after each failed probe up to max_cooldown.
  Duration cooldown = std::chrono::milliseconds(500);
  Duration max_cooldown = std::chrono::seconds(8);
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  // `clock` must outlive the breaker.
  CircuitBreaker(CircuitBreakerOptions options, const Clock& clock);
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // Whether this caller may use Redis now. While open it returns false until the cooldown
  // has passed; then it returns true to exactly one caller (the probe) and false to the
  // rest until that probe reports.
  bool allow();
  void record_success();
  void record_failure();

  State state() const { return state_.load(std::memory_order_acquire); }
  uint64_t times_opened() const { return opened_.load(std::memory_order_relaxed); }
  // Requests that skipped Redis because the breaker was open.
  uint64_t short_circuited() const { return short_circuited_.load(std::memory_order_relaxed); }

 private:
  const CircuitBreakerOptions options_;
  const Clock& clock_;
  std::atomic<State> state_{State::kClosed};
  std::atomic<int> consecutive_failures_{0};
  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> short_circuited_{0};
  std::mutex mu_;                 // guards the fields below and state changes
  TimePoint retry_at_{};          // when open: the earliest probe
  Duration current_cooldown_{0};  // grows with failed probes
};

const char* to_string(CircuitBreaker::State state);

}  // namespace tierscope::redis
