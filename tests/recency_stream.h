// RecencyStream: LRU's workload for the policy tests — a new key one time in four, else
// one of the last `window` keys, skewed towards the newest. Draws from the caller's
// generator, so a test can interleave it with other streams on one seed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace tierscope::testing {

class RecencyStream {
 public:
  RecencyStream(std::mt19937_64& rng, size_t window, uint64_t last_key = 0) : rng_(rng), window_(window), fresh_(last_key) {}

  uint64_t next() {
    if (recent_.empty() || std::uniform_real_distribution<double>(0, 1)(rng_) < 0.25) {
      recent_.push_back(++fresh_);
      return fresh_;
    }
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    return recent_[recent_.size() - 1 - static_cast<size_t>(u * u * double(std::min(recent_.size(), window_)))];
  }

 private:
  std::mt19937_64& rng_;
  const size_t window_;
  uint64_t fresh_;
  std::vector<uint64_t> recent_;
};

}  // namespace tierscope::testing
