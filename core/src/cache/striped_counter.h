// StripedCounter: a counter bumped from many threads on a hot path. Each thread adds
// to one of several cache-line-sized slots, so two cores never fight over one line;
// reading sums the slots (slightly behind under concurrent adds, never torn).
//
// Internal. Thread safety: add() and load() from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "cache/thread_ticket.h"

namespace tierscope::internal {

class StripedCounter {
 public:
  void add(uint64_t n = 1) { slots_[slot()].value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t load() const {
    uint64_t sum = 0;
    for (const auto& s : slots_) sum += s.value.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  static constexpr size_t kSlots = 16;
  struct alignas(64) Slot {
    std::atomic<uint64_t> value{0};
  };
  static size_t slot() { return thread_ticket() % kSlots; }
  std::array<Slot, kSlots> slots_;
};

}  // namespace tierscope::internal
