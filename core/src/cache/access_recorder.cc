#include "tierscope/cache/access_recorder.h"

#include <functional>

#include "tierscope/base/string_hash.h"

#include "base/hash_mix.h"

namespace tierscope {

uint64_t key_hash(std::string_view key) {
  // The engine's string hash then a 64-bit finaliser, so the top bits used for sampling
  // are as uniform as the low ones.
  return key_hash_from_string_hash(string_hash(key));
}

uint64_t key_hash_from_string_hash(uint64_t hash) { return internal::mix64(hash); }

AccessRecorder::AccessRecorder(unsigned capacity_log2)
    : mask_((uint64_t{1} << (capacity_log2 > 7 ? capacity_log2 - 3 : 4)) - 1), scratch_(kStripes) {
  static_assert(kStripes == 8, "capacity_log2 - 3 splits the capacity over 8 stripes");
  for (Stripe& s : stripes_) {
    s.ring.reset(new std::atomic<uint64_t>[mask_ + 1]);
    for (uint64_t i = 0; i <= mask_; ++i) s.ring[i].store(0, std::memory_order_relaxed);
  }
}

size_t AccessRecorder::stripe_of_this_thread() {
  // Threads take stripes in turn as they first record; with up to kStripes busy threads
  // no two share one.
  static std::atomic<size_t> next{0};
  thread_local const size_t mine = next.fetch_add(1, std::memory_order_relaxed) % kStripes;
  return mine;
}

uint64_t AccessRecorder::recorded() const {
  uint64_t n = 0;
  for (const Stripe& s : stripes_) n += s.head.load(std::memory_order_relaxed);
  return n;
}

uint64_t AccessRecorder::drain(std::vector<uint64_t>& out) {
  // Records claimed in the last few slots of a stripe may not be stored yet; leave them
  // for the next drain rather than read the previous lap's value.
  constexpr uint64_t kSettleSlack = 64;
  const uint64_t capacity = mask_ + 1;
  uint64_t lost = 0;
  size_t total = 0;
  for (size_t i = 0; i < kStripes; ++i) {
    Stripe& s = stripes_[i];
    std::vector<uint64_t>& got = scratch_[i];
    got.clear();
    const uint64_t head = s.head.load(std::memory_order_acquire);
    const uint64_t end = head > kSettleSlack ? head - kSettleSlack : 0;
    if (end <= s.tail) continue;
    // Anything older than one ring behind the writers has been overwritten.
    if (end - s.tail > capacity - kSettleSlack) {
      const uint64_t first = end - (capacity - kSettleSlack);
      lost += first - s.tail;
      s.tail = first;
    }
    got.reserve(end - s.tail);
    for (uint64_t p = s.tail; p < end; ++p) got.push_back(s.ring[p & mask_].load(std::memory_order_relaxed));
    s.tail = end;
    total += got.size();
  }
  // Interleave the stripes by relative position: the k-th of n records of a stripe goes
  // where k/n falls among the others, so each thread's order is kept and the threads are
  // spread over the interval as they were, approximately.
  out.reserve(out.size() + total);
  std::vector<size_t> next(kStripes, 0);
  for (size_t emitted = 0; emitted < total; ++emitted) {
    size_t best = kStripes;
    double best_pos = 2.0;
    for (size_t i = 0; i < kStripes; ++i) {
      const auto& got = scratch_[i];
      if (next[i] >= got.size()) continue;
      const double pos = (double(next[i]) + 0.5) / double(got.size());
      if (pos < best_pos) {
        best_pos = pos;
        best = i;
      }
    }
    out.push_back(scratch_[best][next[best]++]);
  }
  return lost;
}

}  // namespace tierscope
