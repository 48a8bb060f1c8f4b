#include "tierscope/workload/simulated_origin.h"

#include <algorithm>
#include <functional>
#include <thread>

namespace tierscope {

SimulatedOrigin::SimulatedOrigin(SimulatedOriginOptions options)
    : min_value_bytes_(std::min(options.min_value_bytes, options.max_value_bytes)),
      max_value_bytes_(std::max(options.min_value_bytes, options.max_value_bytes)),
      latency_ns_(options.latency.count()) {}

Value SimulatedOrigin::load(std::string_view key) {
  const Duration wait = latency();
  if (wait > Duration::zero()) std::this_thread::sleep_for(wait);
  loads_.fetch_add(1, std::memory_order_relaxed);
  return make_value(expected_value(key, min_value_bytes_, max_value_bytes_));
}

std::string SimulatedOrigin::describe() const {
  return "simulated origin (" + std::to_string(latency().count() / 1000) + " us per load)";
}

std::string SimulatedOrigin::expected_value(std::string_view key, size_t min_bytes, size_t max_bytes) {
  const uint64_t h = std::hash<std::string_view>{}(key);
  const size_t span = max_bytes - min_bytes + 1;
  const size_t size = min_bytes + static_cast<size_t>(h % span);
  std::string value(size, '\0');
  // The key repeated: cheap to produce, and a value read under the wrong key shows.
  for (size_t i = 0; i < size; ++i) value[i] = key.empty() ? 'x' : key[i % key.size()];
  return value;
}

}  // namespace tierscope
