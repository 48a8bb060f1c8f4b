#include "tierscope/server/rate_limiter.h"

#include <algorithm>

namespace tierscope::server {

RateDecision RateLimiter::acquire(const std::string& client, double rate, double burst, Clock::time_point now) {
  if (rate <= 0) return {};
  burst = std::max(burst, 1.0);
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(client);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = burst;
    b.updated = now;
  } else if (now > b.updated) {
    b.tokens = std::min(burst, b.tokens + rate * std::chrono::duration<double>(now - b.updated).count());
    b.updated = now;
  }
  b.rate = rate;
  b.burst = burst;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    if (inserted && buckets_.size() > max_clients_) prune(now);
    return {};
  }
  return {false, (1 - b.tokens) / rate};
}

void RateLimiter::prune(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double refilled = b.tokens + b.rate * std::chrono::duration<double>(now - b.updated).count();
    it = refilled >= b.burst ? buckets_.erase(it) : std::next(it);
  }
}

size_t RateLimiter::clients() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace tierscope::server
