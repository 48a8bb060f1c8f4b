#include "tierscope/redis/circuit_breaker.h"

#include <algorithm>

namespace tierscope::redis {

const char* to_string(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, const Clock& clock)
    : options_(options), clock_(clock), current_cooldown_(options.cooldown) {}

bool CircuitBreaker::allow() {
  if (state_.load(std::memory_order_acquire) == State::kClosed) return true;
  std::lock_guard lock(mu_);
  if (state_.load(std::memory_order_relaxed) == State::kOpen && clock_.now() >= retry_at_) {
    state_.store(State::kHalfOpen, std::memory_order_release);
    return true;  // this caller is the probe
  }
  short_circuited_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void CircuitBreaker::record_success() {
  consecutive_failures_.store(0, std::memory_order_relaxed);
  if (state_.load(std::memory_order_acquire) == State::kClosed) return;
  std::lock_guard lock(mu_);
  state_.store(State::kClosed, std::memory_order_release);
  current_cooldown_ = options_.cooldown;
}

void CircuitBreaker::record_failure() {
  const int failures = consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  const State state = state_.load(std::memory_order_acquire);
  if (state == State::kClosed && failures < options_.failure_threshold) return;
  std::lock_guard lock(mu_);
  const State now_state = state_.load(std::memory_order_relaxed);
  if (now_state == State::kOpen) return;  // another failure already opened it
  if (now_state == State::kHalfOpen) {
    current_cooldown_ = std::min<Duration>(current_cooldown_ * 2, options_.max_cooldown);
  }
  retry_at_ = clock_.now() + current_cooldown_;
  state_.store(State::kOpen, std::memory_order_release);
  opened_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tierscope::redis
