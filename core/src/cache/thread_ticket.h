// thread_ticket(): a small number fixed per thread, handed out in order of first use, for
// picking a stripe (counter slot, read buffer, epoch slot) that other threads rarely share.
//
// Internal. Thread safety: callable from any thread.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>

namespace tierscope::internal {

inline uint32_t thread_ticket() {
  static std::atomic<uint32_t> next{0};
  thread_local const uint32_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

// owned_stripe(): a number in [0, kOwnedStripes) that no other live thread holds, or
// kNotOwned while all are taken. Taken on a thread's first call, given back at its exit
// (a release that the next taker's acquire pairs with). A stripe a thread owns is written
// by it alone, so its counters need no locked add (ReadBuffer).
inline constexpr uint32_t kOwnedStripes = 4;
inline constexpr uint32_t kNotOwned = UINT32_MAX;

namespace detail {
inline std::atomic<uint32_t>& owned_stripes_taken() {
  static std::atomic<uint32_t> taken{0};  // bit i: stripe i has a live owner
  return taken;
}
struct OwnedStripe {
  uint32_t index = kNotOwned;  // not const: given up at thread exit
  OwnedStripe() {
    std::atomic<uint32_t>& taken = owned_stripes_taken();
    uint32_t now = taken.load(std::memory_order_relaxed);
    for (;;) {
      const uint32_t free = ~now & ((uint32_t{1} << kOwnedStripes) - 1);
      if (free == 0) return;
      const uint32_t bit = free & (~free + 1);
      if (taken.compare_exchange_weak(now, now | bit, std::memory_order_acquire, std::memory_order_relaxed)) {
        index = static_cast<uint32_t>(std::countr_zero(bit));
        return;
      }
    }
  }
  ~OwnedStripe() {
    if (index == kNotOwned) return;
    owned_stripes_taken().fetch_and(~(uint32_t{1} << index), std::memory_order_release);
    // A read from a later thread_local destructor of this thread then shares a stripe
    // (locked adds) instead of writing one that another thread may own by now.
    index = kNotOwned;
  }
  OwnedStripe(const OwnedStripe&) = delete;
  OwnedStripe& operator=(const OwnedStripe&) = delete;
};
}  // namespace detail

inline uint32_t owned_stripe() {
  thread_local detail::OwnedStripe mine;
  return mine.index;
}

}  // namespace tierscope::internal
