// thread_ticket(): a small number fixed per thread, handed out in order of first use, for
// picking a stripe (counter slot, read buffer, epoch slot) that other threads rarely share.
//
// Internal. Thread safety: callable from any thread.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>

#include "tierscope/cache/epoch_pin.h"

namespace tierscope::internal {

inline uint32_t thread_ticket() {
  static std::atomic<uint32_t> next{0};
  thread_local const uint32_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

// owned_slot(): a number in [0, kOwnedSlots) that no other live thread holds, or
// kNotOwned while all are taken. Taken on a thread's first call, given back at its exit
// (a release that the next taker's acquire pairs with). What a thread's slot number picks
// is written by it alone, so it needs no locked instruction: its epoch pin counters
// (EpochDomain) and, for the first kOwnedStripes numbers, its read-buffer stripe
// (ReadBuffer). The number is mirrored in detail::owned_slot_plus_one (epoch_pin.h), which
// LentValue reads inline to tell whether the releasing thread owns the pin's slot.
inline constexpr uint32_t kOwnedSlots = 64;
inline constexpr uint32_t kOwnedStripes = 4;
inline constexpr uint32_t kNotOwned = UINT32_MAX;

namespace detail {
inline std::atomic<uint64_t>& owned_slots_taken() {
  static std::atomic<uint64_t> taken{0};  // bit i: slot i has a live owner
  return taken;
}
struct OwnedSlot {
  uint32_t index = kNotOwned;  // not const: given up at thread exit
  OwnedSlot() {
    std::atomic<uint64_t>& taken = owned_slots_taken();
    uint64_t now = taken.load(std::memory_order_relaxed);
    for (;;) {
      const uint64_t free = ~now;
      if (free == 0) return;
      const uint64_t bit = free & (~free + 1);
      if (taken.compare_exchange_weak(now, now | bit, std::memory_order_acquire, std::memory_order_relaxed)) {
        index = static_cast<uint32_t>(std::countr_zero(bit));
        tierscope::detail::owned_slot_plus_one = index + 1;
        return;
      }
    }
  }
  ~OwnedSlot() {
    if (index == kNotOwned) return;
    // Unpins and reads from a later thread_local destructor of this thread then count as
    // foreign / shared instead of writing a slot that another thread may own by now.
    tierscope::detail::owned_slot_plus_one = 0;
    owned_slots_taken().fetch_and(~(uint64_t{1} << index), std::memory_order_release);
    index = kNotOwned;
  }
  OwnedSlot(const OwnedSlot&) = delete;
  OwnedSlot& operator=(const OwnedSlot&) = delete;
};
static_assert(kOwnedSlots == 64, "the registry is one 64-bit word");
}  // namespace detail

inline uint32_t owned_slot() {
  thread_local detail::OwnedSlot mine;
  return mine.index;
}

}  // namespace tierscope::internal
