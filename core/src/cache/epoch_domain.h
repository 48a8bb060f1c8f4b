// EpochDomain: lets readers use nodes of a shared structure without a lock while writers
// unlink and later free them (epoch-based reclamation). A reader pins the domain for the
// length of one lookup; a writer that unlinks a node retires it with the current epoch and
// frees it only once the epoch has moved on twice, which cannot happen while any reader
// that might still hold the node is pinned.
//
// Readers announce themselves in one of kSlots counter pairs picked by thread, so pinning
// writes a line that other threads rarely touch, never a shared one; a collision of two
// threads on one slot only adds up their counts. The epoch advances when no reader is left
// in the previous epoch's parity.
//
// Internal. Ownership: the domain owns nothing it is given; whoever retires a node keeps
// it until epoch() says it may go (see can_free). Thread safety: every method may be called
// from any thread; a Guard may be released on another thread than the one that pinned.
// Not copyable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cache/thread_ticket.h"

namespace tierscope::internal {

class EpochDomain {
 public:
  static constexpr size_t kSlots = 32;

  // Keeps the domain pinned (nothing retired after it was taken is freed) until released.
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& o) noexcept : counter_(o.counter_) { o.counter_ = nullptr; }
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        release();
        counter_ = o.counter_;
        o.counter_ = nullptr;
      }
      return *this;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { release(); }
    void release() {
      if (counter_) unpin(counter_);
      counter_ = nullptr;
    }
    // Hands the pin over to a holder outside this class (which later calls unpin).
    std::atomic<uint64_t>* detach() {
      std::atomic<uint64_t>* c = counter_;
      counter_ = nullptr;
      return c;
    }

   private:
    friend class EpochDomain;
    explicit Guard(std::atomic<uint64_t>* counter) : counter_(counter) {}
    std::atomic<uint64_t>* counter_ = nullptr;
  };

  EpochDomain() = default;
  EpochDomain(const EpochDomain&) = delete;
  EpochDomain& operator=(const EpochDomain&) = delete;

  Guard pin() const {
    Slot& slot = slots_[thread_ticket() % kSlots];
    std::atomic<uint64_t>* counter = &slot.readers[epoch_.load(std::memory_order_seq_cst) & 1];
    // seq_cst: the count must be visible before any pointer this reader loads next.
    counter->fetch_add(1, std::memory_order_seq_cst);
    return Guard(counter);
  }

  static void unpin(std::atomic<uint64_t>* counter) { counter->fetch_sub(1, std::memory_order_release); }

  uint64_t epoch() const { return epoch_.load(std::memory_order_seq_cst); }

  // Moves the epoch on if no reader is left in the previous epoch's parity; returns the
  // epoch now. Cheap enough to call on every batch of retirements, not on every read.
  uint64_t try_advance() {
    uint64_t e = epoch_.load(std::memory_order_seq_cst);
    const unsigned old_parity = (e + 1) & 1;
    for (const Slot& slot : slots_) {
      if (slot.readers[old_parity].load(std::memory_order_seq_cst) != 0) return e;
    }
    epoch_.compare_exchange_strong(e, e + 1, std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst);
  }

  // Something retired at epoch `retired` may be freed once the domain reached `now`.
  static bool can_free(uint64_t retired, uint64_t now) { return now >= retired + 2; }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> readers[2] = {0, 0};
  };
  std::atomic<uint64_t> epoch_{2};
  mutable Slot slots_[kSlots];
};

}  // namespace tierscope::internal
