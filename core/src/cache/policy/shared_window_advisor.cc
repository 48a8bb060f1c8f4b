#include "cache/policy/shared_window_advisor.h"

namespace tierscope::internal {

namespace {
// A tier without an entry limit is re-planned when a shard's size has doubled or halved.
bool doubled_or_halved(size_t now, size_t planned) { return now > 2 * planned || 2 * now < planned; }
}  // namespace

void SharedWindowAdvisor::plan(size_t shard_capacity, bool exact) {
  std::lock_guard lock(mu_);
  const size_t planned = planned_shard_capacity_.load(std::memory_order_relaxed);
  const bool moved = exact ? shard_capacity != planned : doubled_or_halved(shard_capacity, planned);
  if (moved) plan_locked(shard_capacity);
}

void SharedWindowAdvisor::record(uint64_t hash, size_t shard_capacity) {
  const bool grown_or_shrunk =
      doubled_or_halved(shard_capacity, planned_shard_capacity_.load(std::memory_order_relaxed));
  if (!grown_or_shrunk && !WindowAdvisor::in_sample(hash, sample_mask_.load(std::memory_order_relaxed))) return;
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  // Checked again under the lock: another shard may have re-planned meanwhile.
  if (doubled_or_halved(shard_capacity, planned_shard_capacity_.load(std::memory_order_relaxed))) {
    plan_locked(shard_capacity);
  }
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
