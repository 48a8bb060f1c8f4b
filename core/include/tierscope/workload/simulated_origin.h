// SimulatedOrigin: a stand-in for the slow last tier (object store or model) — every
// load takes a configurable latency and returns a deterministic value whose size
// varies per key within [min_value_bytes, max_value_bytes].
//
// Ownership: a self-contained object; values it returns are owned by the caller.
// Thread safety: load() and the setters may be called from any thread at once.
// Not copyable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tierscope/base/clock.h"
#include "tierscope/cache/loader.h"
#include "tierscope/cache/memory_tier.h"

namespace tierscope {

struct SimulatedOriginOptions {
  // How long one load blocks its caller (sleeping, as a network fetch would).
  Duration latency = std::chrono::microseconds(500);
  // Value sizes are spread evenly over this range, chosen by a hash of the key so a
  // key always gets the same value.
  size_t min_value_bytes = 1024;
  size_t max_value_bytes = 8192;
};

class SimulatedOrigin final : public Loader {
 public:
  explicit SimulatedOrigin(SimulatedOriginOptions options);
  SimulatedOrigin(const SimulatedOrigin&) = delete;
  SimulatedOrigin& operator=(const SimulatedOrigin&) = delete;

  // Blocks for the latency, then returns the key's value.
  Value load(std::string_view key) override;
  std::string describe() const override;

  // The value load(key) returns, without the wait; for checking values read back.
  static std::string expected_value(std::string_view key, size_t min_bytes, size_t max_bytes);

  void set_latency(Duration latency) { latency_ns_.store(latency.count(), std::memory_order_relaxed); }
  Duration latency() const { return Duration{latency_ns_.load(std::memory_order_relaxed)}; }
  uint64_t loads() const { return loads_.load(std::memory_order_relaxed); }

 private:
  const size_t min_value_bytes_;
  const size_t max_value_bytes_;
  std::atomic<int64_t> latency_ns_;
  std::atomic<uint64_t> loads_{0};
};

}  // namespace tierscope
