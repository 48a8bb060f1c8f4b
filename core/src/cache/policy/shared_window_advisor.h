// SharedWindowAdvisor: one WindowAdvisor for all the shards of a tier. Each shard's
// W-TinyLFU sees a hash-partitioned slice of the same traffic, so one simulation of the
// whole tier ranks the window settings as well as one per shard would — at a 1/shards of
// the memory and, because it samples 1 key in tier_capacity/128 instead of 1 in
// shard_capacity/128, at a 1/shards of the work per access. With 64 shards the per-shard
// simulations were a sixth of a put's time and 30 bytes per entry.
//
// Internal. Owned by the MemoryTier, outlives its shards' policies. Thread safety: every
// method may be called from any thread. record() is lossy: a sample that arrives while
// another shard is recording one is dropped (the simulation misses one access, as the
// read buffers do); alone, a thread never loses one, so a replay stays exact.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "cache/policy/window_advisor.h"

namespace tierscope::internal {

class SharedWindowAdvisor {
 public:
  explicit SharedWindowAdvisor(size_t shards) : shards_(shards == 0 ? 1 : shards) {}
  SharedWindowAdvisor(const SharedWindowAdvisor&) = delete;
  SharedWindowAdvisor& operator=(const SharedWindowAdvisor&) = delete;

  // A shard's capacity in entries (its share of the entry limit, or with none its current
  // size): the simulation is re-planned for shard_capacity x shards when that is new (an
  // explicit limit) or has doubled or halved since (a tier that grows or shrinks).
  void plan(size_t shard_capacity, bool exact);
  // One access of the key with this hash, from a shard whose capacity is shard_capacity
  // (re-planned as plan(shard_capacity, false) would).
  void record(uint64_t hash, size_t shard_capacity);
  // The setting to use now, and a number that changes whenever it may have.
  WindowAdvisor::Setting recommended() const {
    return WindowAdvisor::kCandidates[best_.load(std::memory_order_relaxed)];
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  void plan_locked(size_t shard_capacity);

  const size_t shards_;
  std::mutex mu_;
  WindowAdvisor advisor_;  // guarded by mu_
  // Read before the lock: the sample test and the re-plan test cost no lock for the keys
  // (almost all of them, in a large tier) that are not sampled.
  std::atomic<uint64_t> sample_mask_{0};
  std::atomic<size_t> planned_shard_capacity_{0};
  std::atomic<size_t> best_{0};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace tierscope::internal
