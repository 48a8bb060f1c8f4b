// RateLimiter: one token bucket per client (an API key's name, or the remote address
// when no key is presented): `rate` tokens per second up to `burst`; a request takes one.
// A refused request learns how long until a token is there (Retry-After).
//
// Thread safety: acquire() from any thread (one mutex; the buckets map stays bounded by
// evicting buckets that have refilled completely). Time is injected for tests.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tierscope::server {

struct RateDecision {
  bool allowed = true;
  double retry_after_seconds = 0;  // > 0 when refused
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `max_clients`: buckets kept at most; full buckets are dropped first (a dropped bucket
  // is full anyway, so nothing is forgotten that matters).
  explicit RateLimiter(size_t max_clients = 100'000) : max_clients_(max_clients) {}
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from `client`'s bucket. rate <= 0 means unlimited.
  RateDecision acquire(const std::string& client, double rate_per_second, double burst, Clock::time_point now = Clock::now());

  size_t clients() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
    double rate = 0, burst = 0;
  };
  void prune(Clock::time_point now);

  const size_t max_clients_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tierscope::server
