// EpochPin: the word a reader holds while it keeps a tier's epoch pinned (LentValue,
// the engine's internal guards), and how it lets go. Public only because LentValue ends
// its loan inline; nothing here is for callers to use directly.
//
// A pin is counted in one of two kinds of slot (core/src/cache/epoch_domain.h):
// - a slot owned by one live thread, which counts its own pins and unpins with a plain
//   load and store (no locked instruction on a read); a pin released on another thread
//   is counted on the slot's separate line of foreign unpins, with a locked add;
// - a slot shared by threads beyond the owners, counted with locked adds and subtracts.
// The word is the counter's address, with the owning slot's number + 1 in its top bits
// (0: a shared slot).
//
// Thread safety: unpin() may be called from any thread, once per pin.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tierscope::detail {

// The calling thread's owned slot number + 1, 0 while it owns none. Written only by the
// thread itself (the registry in core/src/cache/thread_ticket.h).
constinit inline thread_local uint32_t owned_slot_plus_one = 0;

inline constexpr unsigned kPinOwnerShift = 48;  // user-space addresses fit in 47 bits
inline constexpr uintptr_t kPinAddressMask = (uintptr_t{1} << kPinOwnerShift) - 1;
// Foreign unpins of an owned slot's counter sit this many counters after it (next line).
inline constexpr size_t kForeignUnpinOffset = 8;

inline uintptr_t make_pin_word(std::atomic<uint64_t>* counter, uint32_t owner_plus_one) {
  return reinterpret_cast<uintptr_t>(counter) | (uintptr_t{owner_plus_one} << kPinOwnerShift);
}

inline void unpin(uintptr_t word) {
  auto* counter = reinterpret_cast<std::atomic<uint64_t>*>(word & kPinAddressMask);
  const auto owner = static_cast<uint32_t>(word >> kPinOwnerShift);
  if (owner == 0) {
    counter->fetch_sub(1, std::memory_order_release);
  } else if (owner == owned_slot_plus_one) {
    // This thread owns the slot now (whoever pinned): it is the counter's only writer.
    // Release: the reads made under the pin come before a reclaimer seeing it gone.
    counter->store(counter->load(std::memory_order_relaxed) - 1, std::memory_order_release);
  } else {
    counter[kForeignUnpinOffset].fetch_add(1, std::memory_order_release);
  }
}

}  // namespace tierscope::detail
