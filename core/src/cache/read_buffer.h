// ReadBuffer: where a cache shard's hits are recorded without its lock (Caffeine's read
// buffer). Each thread writes to one of kStripes small rings; a ring that is full drops the
// record (the policy then misses one access, which costs nothing but a little precision).
// The shard's owner drains every ring under its lock, in batches, and applies the records
// to its eviction policy. Each stripe also counts its threads' hits and misses, so a hit
// writes one line that other threads rarely share — and only once: a recorded hit is
// counted by the ring's own write index, only hits left out of the ring add to a counter.
//
// A record is a table position and a hash tag, never a pointer: a record can outlive the
// entry it names, and the drainer checks that the position still holds an entry with that
// tag before applying it.
//
// Internal. Thread safety: record() and the counters from any thread; drain() from one
// thread at a time (the shard's lock holder).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cache/thread_ticket.h"

namespace tierscope::internal {

class ReadBuffer {
 public:
  // The first kOwnedStripes belong to one live thread each (owned_slot() numbers below
  // kOwnedStripes); threads beyond those share the rest by ticket, and only those pay a
  // locked add to count.
  static constexpr size_t kSharedStripes = 4;
  static constexpr size_t kStripes = kOwnedStripes + kSharedStripes;
  static constexpr uint32_t kMaxRingSize = 16;  // power of two

  // `ring_size` (1..kMaxRingSize): records a stripe holds before it asks to be drained.
  explicit ReadBuffer(uint32_t ring_size = kMaxRingSize) {
    for (size_t i = 0; i < kStripes; ++i) {
      stripes_[i].limit = ring_size < 1 ? 1 : ring_size > kMaxRingSize ? kMaxRingSize : ring_size;
      stripes_[i].owned = i < kOwnedStripes;
    }
  }

  // A packed record: (table position + 1) << 32 | low 32 bits of the key's hash; 0 = empty.
  static uint64_t pack(size_t position, uint64_t hash) {
    return (static_cast<uint64_t>(position + 1) << 32) | static_cast<uint32_t>(hash);
  }
  static size_t position_of(uint64_t record) { return static_cast<size_t>((record >> 32) - 1); }
  static uint32_t tag_of(uint64_t record) { return static_cast<uint32_t>(record); }

  // The readers' counters and the drainer's index on separate lines: a drain then moves
  // the `read` line to the drainer and back, not the line every read CASes.
  struct alignas(64) Stripe {
    std::atomic<uint64_t> write{0};  // next ring index to claim (readers): hits recorded so far
    std::atomic<uint64_t> unrecorded_hits{0};  // hits dropped from the ring, or applied directly
    std::atomic<uint64_t> misses{0};
    uint32_t limit = kMaxRingSize;              // records held before kFull; set once
    bool owned = false;                         // written by its owner alone; set once
    // Adds one to a counter of this stripe: a plain load and store when one thread owns
    // the stripe (a locked add here cost hot reads on two threads a fifth of their rate:
    // with the rings full, every hit counts itself here), a locked add when shared.
    void count(std::atomic<uint64_t>& counter) {
      if (owned) {
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      } else {
        counter.fetch_add(1, std::memory_order_relaxed);
      }
    }
    alignas(64) std::atomic<uint64_t> read{0};  // next ring index to drain (drainer)
    // Indexed modulo kMaxRingSize: at most `limit` records are outstanding, so a smaller
    // limit slides over the same slots without overlap.
    alignas(64) std::array<std::atomic<uint64_t>, kMaxRingSize> ring{};
  };

  Stripe& mine() {
    const uint32_t owned = owned_slot();
    return owned < kOwnedStripes ? stripes_[owned] : stripes_[kOwnedStripes + thread_ticket() % kSharedStripes];
  }

  enum class Offer { kRecorded, kFull, kContended };
  // Records one read in the calling thread's stripe; kFull asks the caller to drain.
  static Offer record(Stripe& s, uint64_t packed) {
    uint64_t w = s.write.load(std::memory_order_relaxed);
    const uint64_t r = s.read.load(std::memory_order_acquire);
    if (w - r >= s.limit) return Offer::kFull;
    if (!s.write.compare_exchange_strong(w, w + 1, std::memory_order_relaxed)) return Offer::kContended;
    s.ring[w & (kMaxRingSize - 1)].store(packed, std::memory_order_release);
    return Offer::kRecorded;
  }

  // Hands every record written so far to fn(packed) and empties the rings. A slot claimed
  // but not yet written ends that stripe's drain; it is picked up by the next one.
  template <typename Fn>
  void drain(Fn&& fn) {
    for (Stripe& s : stripes_) {
      uint64_t r = s.read.load(std::memory_order_relaxed);
      const uint64_t w = s.write.load(std::memory_order_acquire);
      for (; r != w; ++r) {
        std::atomic<uint64_t>& slot = s.ring[r & (kMaxRingSize - 1)];
        const uint64_t packed = slot.load(std::memory_order_acquire);
        if (packed == 0) break;
        slot.store(0, std::memory_order_relaxed);
        fn(packed);
      }
      s.read.store(r, std::memory_order_release);
    }
  }

  bool maybe_pending() const {
    for (const Stripe& s : stripes_) {
      if (s.write.load(std::memory_order_relaxed) != s.read.load(std::memory_order_relaxed)) return true;
    }
    return false;
  }

  uint64_t hits() const { return sum(&Stripe::write) + sum(&Stripe::unrecorded_hits); }
  uint64_t misses() const { return sum(&Stripe::misses); }

 private:
  uint64_t sum(std::atomic<uint64_t> Stripe::*field) const {
    uint64_t total = 0;
    for (const Stripe& s : stripes_) total += (s.*field).load(std::memory_order_relaxed);
    return total;
  }
  std::array<Stripe, kStripes> stripes_;
};

}  // namespace tierscope::internal
