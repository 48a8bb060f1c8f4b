#include "cache/epoch_domain.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace tierscope::internal {

namespace {

long membarrier(int cmd) { return syscall(__NR_membarrier, cmd, 0u, 0); }

// Registered once per process: the expedited command needs it, and it is cheap.
bool register_barrier() {
  const long supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Whether process_wide_barrier() works here (asked once, for the whole process).
bool process_wide_barrier_available() {
  static const bool available = register_barrier();
  return available;
}

// Runs a full memory barrier on every running thread of this process, or returns false.
bool process_wide_barrier() {
  return process_wide_barrier_available() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
}

}  // namespace

EpochDomain::EpochDomain(PinMode mode) {
#if defined(__SANITIZE_THREAD__)
  (void)mode;  // TSan cannot see the barrier's ordering: keep every pin locked there
#else
  plain_pins_ = mode == PinMode::kAuto && process_wide_barrier_available();
#endif
}

uint64_t EpochDomain::try_advance(bool now_please) {
  uint64_t e = epoch_.load(std::memory_order_seq_cst);
  if (plain_pins_) {
    // One barrier per interval for the whole domain; whoever loses the claim leaves the
    // epoch for a later call (its retired nodes wait a little longer, nothing else).
    const int64_t now = steady_ns();
    int64_t last = last_barrier_ns_.load(std::memory_order_relaxed);
    if (now_please) {
      last_barrier_ns_.store(now, std::memory_order_relaxed);
    } else if (now - last < barrier_interval_ns_.load(std::memory_order_relaxed) ||
               !last_barrier_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
      return e;
    }
    // After the barrier every owner's pin made before it is visible, and every lookup made
    // after it sees what was unlinked before this call.
    if (!process_wide_barrier()) return e;  // registered, so not expected: just do not advance
    const int64_t took = steady_ns() - now;
    barrier_interval_ns_.store(std::clamp(took * kBarrierIntervalFactor,
                                          int64_t{std::chrono::nanoseconds(kMinBarrierInterval).count()},
                                          int64_t{std::chrono::nanoseconds(kMaxBarrierInterval).count()}),
                               std::memory_order_relaxed);
  }
  const unsigned old_parity = (e + 1) & 1;
  for (const OwnedSlot& slot : owned_) {
    // Foreign unpins first: an unpin seen here has its pin seen below, so a slot's
    // difference never runs ahead of its readers.
    const uint64_t foreign = slot.foreign_unpins[old_parity].load(std::memory_order_seq_cst);
    if (slot.readers[old_parity].load(std::memory_order_seq_cst) != foreign) return e;
  }
  for (const SharedSlot& slot : shared_) {
    if (slot.readers[old_parity].load(std::memory_order_seq_cst) != 0) return e;
  }
  epoch_.compare_exchange_strong(e, e + 1, std::memory_order_seq_cst);
  return epoch_.load(std::memory_order_seq_cst);
}

}  // namespace tierscope::internal
