// AccessRecorder: a lossy tap on one namespace's request stream, for the live hit-ratio
// curve and for "what-if on the recorded live traffic". Each request's key is hashed
// (key_hash()); hashes below the sampling threshold go into a fixed ring — one ring per
// stripe, a thread always writing the same stripe, so requests on two cores never write
// one cache line (Caffeine's striped read buffers). A consumer drains the rings every
// fraction of a second, interleaving the stripes by their position in the interval (the
// order within a thread is kept, the exact order across threads is not); if writers lap a
// ring, its oldest unread records are lost and counted. A request never waits.
//
// The threshold is SHARDS' spatial sampling: a key is either always recorded or never,
// so reuse distances among recorded keys scale by 1 / rate. The consumer lowers it as
// the number of distinct keys grows (see monitor/shards_curve.h).
//
// Ownership: owns its ring. Thread safety: record() from any number of threads at once;
// drain() from one thread at a time; set_threshold()/threshold() from any thread.
// Not copyable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace tierscope {

// A well-mixed 64-bit hash of a key: the identity of a key in recorded traffic.
uint64_t key_hash(std::string_view key);
// The same from the key's string_hash() (base/string_hash.h), when the caller has it already.
uint64_t key_hash_from_string_hash(uint64_t hash);

// The sampling value of a key hash: its top 24 bits, compared against the threshold.
inline uint32_t sampling_value(uint64_t hash) { return static_cast<uint32_t>(hash >> 40); }
inline constexpr uint32_t kSamplingModulus = uint32_t{1} << 24;

class AccessRecorder {
 public:
  // `capacity_log2`: the rings hold 2^capacity_log2 hashes in all (8 bytes each),
  // split over kStripes stripes.
  explicit AccessRecorder(unsigned capacity_log2 = 17);
  static constexpr size_t kStripes = 8;
  AccessRecorder(const AccessRecorder&) = delete;
  AccessRecorder& operator=(const AccessRecorder&) = delete;

  // Records one request for a key with this hash, if its sampling value is below the
  // threshold and recording is on. Wait-free.
  void record(uint64_t hash) {
    if (!enabled_.load(std::memory_order_relaxed)) return;
    if (sampling_value(hash) >= threshold_.load(std::memory_order_relaxed)) return;
    Stripe& s = stripes_[stripe_of_this_thread()];
    const uint64_t pos = s.head.fetch_add(1, std::memory_order_relaxed);
    s.ring[pos & mask_].store(hash, std::memory_order_relaxed);
  }

  // Appends the records written since the last drain to `out`, oldest first, and returns
  // how many were lost because the ring was lapped.
  uint64_t drain(std::vector<uint64_t>& out);

  // Sampling threshold in [0, kSamplingModulus]; kSamplingModulus records every key.
  void set_threshold(uint32_t threshold) { threshold_.store(threshold, std::memory_order_relaxed); }
  uint32_t threshold() const { return threshold_.load(std::memory_order_relaxed); }
  double sampling_rate() const { return double(threshold()) / double(kSamplingModulus); }

  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // Records written since construction (lost ones included).
  uint64_t recorded() const;

 private:
  struct alignas(64) Stripe {
    std::atomic<uint64_t> head{0};
    std::unique_ptr<std::atomic<uint64_t>[]> ring;
    uint64_t tail = 0;  // drain side only
  };
  static size_t stripe_of_this_thread();

  const uint64_t mask_;  // per stripe
  Stripe stripes_[kStripes];
  alignas(64) std::atomic<uint32_t> threshold_{kSamplingModulus};
  std::atomic<bool> enabled_{true};
  std::vector<std::vector<uint64_t>> scratch_;  // drain side only
};

}  // namespace tierscope
