#include "cache/policy/shared_window_advisor.h"

namespace tierscope::internal {

void SharedWindowAdvisor::plan(size_t shard_capacity, bool exact) {
  std::lock_guard lock(mu_);
  const size_t planned = planned_shard_capacity_.load(std::memory_order_relaxed);
  const bool moved = exact ? shard_capacity != planned : shard_capacity > 2 * planned || 2 * shard_capacity < planned;
  if (moved) plan_locked(shard_capacity);
}

void SharedWindowAdvisor::record(uint64_t hash, size_t shard_capacity) {
  const size_t planned = planned_shard_capacity_.load(std::memory_order_relaxed);
  const bool grown_or_shrunk = shard_capacity > 2 * planned || 2 * shard_capacity < planned;
  if (!grown_or_shrunk && !WindowAdvisor::in_sample(hash, sample_mask_.load(std::memory_order_relaxed))) return;
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const size_t now_planned = planned_shard_capacity_.load(std::memory_order_relaxed);
  if (shard_capacity > 2 * now_planned || 2 * shard_capacity < now_planned) plan_locked(shard_capacity);
  if (advisor_.record(hash)) {
    best_.store(advisor_.recommended_index(), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
}

void SharedWindowAdvisor::plan_locked(size_t shard_capacity) {
  planned_shard_capacity_.store(shard_capacity, std::memory_order_relaxed);
  advisor_.set_capacity(shard_capacity * shards_);
  sample_mask_.store(advisor_.sample_mask(), std::memory_order_relaxed);
  best_.store(advisor_.recommended_index(), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
}

}  // namespace tierscope::internal
