#include "tierscope/cache/access_recorder.h"

#include <functional>

#include "base/hash_mix.h"

namespace tierscope {

uint64_t key_hash(std::string_view key) {
  // std::hash (murmur-based in libstdc++) then a 64-bit finaliser, so the top bits used
  // for sampling are as uniform as the low ones.
  return internal::mix64(std::hash<std::string_view>{}(key));
}

AccessRecorder::AccessRecorder(unsigned capacity_log2)
    : ring_(new std::atomic<uint64_t>[size_t{1} << capacity_log2]), mask_((uint64_t{1} << capacity_log2) - 1) {
  for (uint64_t i = 0; i <= mask_; ++i) ring_[i].store(0, std::memory_order_relaxed);
}

uint64_t AccessRecorder::drain(std::vector<uint64_t>& out) {
  // Records claimed in the last few slots may not be stored yet; leave them for the next
  // drain rather than read the previous lap's value.
  constexpr uint64_t kSettleSlack = 64;
  const uint64_t head = head_.load(std::memory_order_acquire);
  const uint64_t end = head > kSettleSlack ? head - kSettleSlack : 0;
  if (end <= tail_) return 0;
  uint64_t lost = 0;
  const uint64_t capacity = mask_ + 1;
  // Anything older than one ring behind the writers has been overwritten.
  if (end - tail_ > capacity - kSettleSlack) {
    const uint64_t first = end - (capacity - kSettleSlack);
    lost = first - tail_;
    tail_ = first;
  }
  out.reserve(out.size() + (end - tail_));
  for (uint64_t i = tail_; i < end; ++i) out.push_back(ring_[i & mask_].load(std::memory_order_relaxed));
  tail_ = end;
  return lost;
}

}  // namespace tierscope
