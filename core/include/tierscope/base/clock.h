// Clock: the engine's only source of time, injected so tests and trace replays can
// drive time by hand.
//
// Ownership: callers own their Clock and must keep it alive for as long as any engine
// object that was given it (the engine stores a non-owning pointer or a shared_ptr).
// Thread safety: every method of every Clock here may be called from any thread at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tierscope {

// Wall-clock nanoseconds since the Unix epoch. Wall time (not steady time) because
// expiry deadlines are persisted by the disk tier and must survive a restart.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;
using Duration = std::chrono::nanoseconds;

// A deadline that never comes: entries without a TTL carry it.
inline constexpr TimePoint kNever = TimePoint::max();

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to; for tests and simulations.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{} + std::chrono::hours(24 * 365 * 50))
      : now_ns_(start.time_since_epoch().count()) {}

  TimePoint now() const override {
    return TimePoint{Duration{now_ns_.load(std::memory_order_acquire)}};
  }
  void advance(Duration by) { now_ns_.fetch_add(by.count(), std::memory_order_acq_rel); }
  void set(TimePoint to) { now_ns_.store(to.time_since_epoch().count(), std::memory_order_release); }

 private:
  std::atomic<int64_t> now_ns_;
};

}  // namespace tierscope
