// EpochDomain: lets readers use nodes of a shared structure without a lock while writers
// unlink and later free them (epoch-based reclamation). A reader pins the domain for the
// length of one lookup; a writer that unlinks a node retires it with the current epoch and
// frees it only once the epoch has moved on twice, which cannot happen while any reader
// that might still hold the node is pinned.
//
// Readers announce themselves in counter pairs (one counter per epoch parity) that other
// threads rarely touch, never a shared line. The first kOwnedSlots threads (owned_slot())
// each own a pair and count their pins and unpins with a plain load and store; threads
// beyond share kSharedSlots pairs by ticket with locked adds, a collision of two only
// adding up their counts. The epoch advances when no reader is left in the previous
// epoch's parity.
//
// An owner's pin is a plain store, so the CPU may let the reader's next loads pass it
// (x86 orders a store before later loads only with a locked instruction or a fence: the
// two of those, pin and unpin, were a tenth of a hot read on two threads). The reclaimer
// makes up for that with an asymmetric barrier: Linux membarrier(PRIVATE_EXPEDITED) runs a
// full fence on every thread of the process before try_advance() looks at the counters,
// so a pin is either seen, or was made after the fence and the reader's lookup sees the
// unlink that came before it. The barrier costs 1-20 µs, so try_advance() spaces them
// (kMinBarrierInterval) and in between leaves the epoch where it is. Where membarrier is
// missing (or under TSan, which cannot see it), owners pin with a locked add and only
// their unpins stay plain.
//
// Internal. Ownership: the domain owns nothing it is given; whoever retires a node keeps
// it until epoch() says it may go (see can_free). Thread safety: every method may be called
// from any thread; a Guard may be released on another thread than the one that pinned.
// Not copyable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "cache/thread_ticket.h"
#include "tierscope/cache/epoch_pin.h"

namespace tierscope::internal {

class EpochDomain {
 public:
  static constexpr size_t kSharedSlots = 32;
  // Between two barriers at least 50 times what the last one took (about 1 µs with no
  // other thread of the process running, 20 µs with one on another vCPU of a KVM guest:
  // the interrupt is a VM exit), within these bounds. Retired nodes wait about two
  // intervals before they are freed.
  static constexpr std::chrono::microseconds kMinBarrierInterval{100};
  static constexpr std::chrono::microseconds kMaxBarrierInterval{2000};
  static constexpr int kBarrierIntervalFactor = 50;

  enum class PinMode {
    kAuto,    // plain pins for owners when the process-wide barrier works (not under TSan)
    kLocked,  // owners pin with a locked add; no barrier needed
  };

  // Keeps the domain pinned (nothing retired after it was taken is freed) until released.
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& o) noexcept : word_(o.word_) { o.word_ = 0; }
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        release();
        word_ = o.word_;
        o.word_ = 0;
      }
      return *this;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { release(); }
    void release() {
      if (word_) tierscope::detail::unpin(word_);
      word_ = 0;
    }
    // Hands the pin over to a holder outside this class (which later calls detail::unpin).
    uintptr_t detach() {
      const uintptr_t w = word_;
      word_ = 0;
      return w;
    }

   private:
    friend class EpochDomain;
    explicit Guard(uintptr_t word) : word_(word) {}
    uintptr_t word_ = 0;
  };

  explicit EpochDomain(PinMode mode = PinMode::kAuto);
  EpochDomain(const EpochDomain&) = delete;
  EpochDomain& operator=(const EpochDomain&) = delete;

  Guard pin() const {
    const uint32_t owned = owned_slot();
    for (;;) {
      const uint64_t e = epoch_.load(std::memory_order_seq_cst);
      std::atomic<uint64_t>* counter;
      uintptr_t word;
      if (owned < kOwnedSlots) [[likely]] {
        counter = &owned_[owned].readers[e & 1];
        word = tierscope::detail::make_pin_word(counter, owned + 1);
        if (plain_pins_) {
          counter->store(counter->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
          // Keeps the compiler from moving the lookup's loads above the count; the CPU is
          // kept in order by the reclaimer's barrier (see the top of this file).
          std::atomic_signal_fence(std::memory_order_seq_cst);
        } else {
          // seq_cst: the count must be visible before any pointer this reader loads next.
          counter->fetch_add(1, std::memory_order_seq_cst);
        }
      } else {
        counter = &shared_[thread_ticket() % kSharedSlots].readers[e & 1];
        word = tierscope::detail::make_pin_word(counter, 0);
        counter->fetch_add(1, std::memory_order_seq_cst);
      }
      // Counted in the epoch it read? A reader held up between reading the epoch and
      // counting itself could otherwise land in a parity whose check has already passed,
      // and keep a node that the next advance frees. Rare: count again in the new one.
      if (epoch_.load(std::memory_order_seq_cst) == e) [[likely]] return Guard(word);
      tierscope::detail::unpin(word);
    }
  }

  uint64_t epoch() const { return epoch_.load(std::memory_order_seq_cst); }

  // Moves the epoch on if no reader is left in the previous epoch's parity; returns the
  // epoch now. Cheap enough to call on every batch of retirements, not on every read: with
  // plain pins it issues the process-wide barrier at most once per interval (see
  // kMinBarrierInterval), and between those it leaves the epoch where it is.
  // `now`: an explicit call (maintenance, tests) that should not wait for the spacing.
  uint64_t try_advance(bool now = false);

  // Something retired at epoch `retired` may be freed once the domain reached `now`.
  static bool can_free(uint64_t retired, uint64_t now) { return now >= retired + 2; }

 private:
  // Read by every pin: on a line of its own, away from the barrier's timestamp.
  alignas(64) std::atomic<uint64_t> epoch_{2};
  bool plain_pins_ = false;  // set once
  alignas(64) std::atomic<int64_t> last_barrier_ns_{0};
  std::atomic<int64_t> barrier_interval_ns_{std::chrono::nanoseconds(kMinBarrierInterval).count()};
  struct alignas(64) OwnedSlot {
    std::atomic<uint64_t> readers[2] = {0, 0};  // written by the owner alone
    // Unpins of this slot's pins made on other threads (locked adds). A line apart so the
    // owner's plain stores and these never share a line.
    alignas(64) std::atomic<uint64_t> foreign_unpins[2] = {0, 0};
  };
  static_assert(offsetof(OwnedSlot, foreign_unpins) ==
                offsetof(OwnedSlot, readers) + tierscope::detail::kForeignUnpinOffset * sizeof(std::atomic<uint64_t>));
  struct alignas(64) SharedSlot {
    std::atomic<uint64_t> readers[2] = {0, 0};
  };
  mutable OwnedSlot owned_[kOwnedSlots];
  mutable SharedSlot shared_[kSharedSlots];
};

}  // namespace tierscope::internal
