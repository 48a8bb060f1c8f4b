#include "cache/cache_shard.h"

#include <algorithm>

#include "tierscope/cache/glob.h"

namespace tierscope::internal {

CacheShard::CacheShard(TierBudget& budget, EvictionPolicyKind policy, size_t capacity_hint,
                       AdaptiveTtl adaptive_ttl)
    : policy_(make_eviction_policy(policy, capacity_hint)), budget_(budget), adaptive_ttl_(adaptive_ttl) {}

void CacheShard::remove_locked(Node* n) {
  policy_->on_remove(n);
  budget_.entries.fetch_sub(1, std::memory_order_relaxed);
  budget_.bytes.fetch_sub(static_cast<int64_t>(n->charge), std::memory_order_relaxed);
  map_.erase(map_.find(PrehashedKey{*n->key, n->hash}));  // by iterator: the key lives in the node being erased
}

Value CacheShard::get(std::string_view key, uint64_t hash, const Clock& clock, bool count_miss) {
  std::lock_guard lock(mu_);
  auto it = map_.find(PrehashedKey{key, hash});
  if (it == map_.end()) {
    if (count_miss) {
      policy_->on_miss(hash);
      misses.add();
    }
    return nullptr;
  }
  Node& n = it->second;
  // Only entries with a TTL pay for reading the clock.
  if (n.expires != kNever && clock.now() >= n.expires) {
    remove_locked(&n);
    expirations.add();
    if (count_miss) {
      policy_->on_miss(hash);
      misses.add();
    }
    return nullptr;
  }
  if (n.expires != kNever && adaptive_ttl_.enabled) {
    n.expires = std::max(n.expires, adaptive_expiry(n.created, n.ttl, ++n.reads, adaptive_ttl_));
  }
  policy_->on_hit(&n);
  hits.add();
  return n.value;
}

void CacheShard::put(std::string_view key, uint64_t hash, Value value, size_t charge, TimePoint created, Duration ttl) {
  std::lock_guard lock(mu_);
  // One hash for the common case of a new key; a replaced key wastes only the copy.
  auto [it, inserted] = map_.try_emplace(std::string(key));
  Node& n = it->second;
  if (inserted) {
    n.key = &it->first;
    n.hash = hash;
    budget_.entries.fetch_add(1, std::memory_order_relaxed);
  } else {
    budget_.bytes.fetch_sub(static_cast<int64_t>(n.charge), std::memory_order_relaxed);
  }
  n.value = std::move(value);
  n.charge = charge;
  n.created = created;
  n.ttl = ttl;
  n.reads = 0;
  n.expires = ttl > Duration::zero() ? created + ttl : kNever;
  budget_.bytes.fetch_add(static_cast<int64_t>(charge), std::memory_order_relaxed);
  if (inserted) {
    policy_->on_insert(&n);
  } else {
    policy_->on_hit(&n);
  }
  puts.add();
  // Evict under the same lock: no second acquisition for the usual one-in-one-out.
  while (budget_.exceeded()) {
    auto* victim = static_cast<Node*>(policy_->victim());
    if (victim == nullptr || (victim == &n && map_.size() == 1)) break;
    remove_locked(victim);
    evictions.add();
  }
}

bool CacheShard::erase(std::string_view key, uint64_t hash) {
  std::lock_guard lock(mu_);
  auto it = map_.find(PrehashedKey{key, hash});
  if (it == map_.end()) return false;
  remove_locked(&it->second);
  erases.add();
  return true;
}

Value CacheShard::peek(std::string_view key, uint64_t hash, const Clock& clock, EntryInfo* info) {
  std::lock_guard lock(mu_);
  auto it = map_.find(PrehashedKey{key, hash});
  if (it == map_.end() || (it->second.expires != kNever && clock.now() >= it->second.expires)) return nullptr;
  const Node& n = it->second;
  if (info) *info = EntryInfo{it->first, n.charge, n.created, n.expires, n.reads};
  return n.value;
}

void CacheShard::visit(const std::function<void(const EntryView&)>& fn, TimePoint now) {
  std::lock_guard lock(mu_);
  for (const auto& [key, n] : map_) {
    if (n.expires != kNever && now >= n.expires) continue;
    fn(EntryView{key, n.charge, n.created, n.expires, n.reads});
  }
}

size_t CacheShard::erase_matching(std::string_view pattern) {
  std::lock_guard lock(mu_);
  size_t removed = 0;
  for (auto it = map_.begin(); it != map_.end();) {
    Node* n = &it->second;
    ++it;  // remove_locked invalidates the erased element's iterator only
    if (glob_match(pattern, *n->key)) {
      remove_locked(n);
      ++removed;
    }
  }
  erases.add(removed);
  return removed;
}

bool CacheShard::evict_one() {
  std::lock_guard lock(mu_);
  auto* victim = static_cast<Node*>(policy_->victim());
  if (victim == nullptr) return false;
  remove_locked(victim);
  evictions.add();
  return true;
}

size_t CacheShard::clear() {
  std::lock_guard lock(mu_);
  size_t n = map_.size();
  int64_t bytes = 0;
  for (auto& [key, node] : map_) bytes += static_cast<int64_t>(node.charge);
  policy_->drain();
  map_.clear();
  budget_.entries.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed);
  budget_.bytes.fetch_sub(bytes, std::memory_order_relaxed);
  erases.add(n);
  return n;
}

void CacheShard::set_policy(EvictionPolicyKind kind, size_t capacity_hint) {
  std::lock_guard lock(mu_);
  if (policy_->kind() == kind) return;
  auto next = make_eviction_policy(kind, capacity_hint);
  next->adopt(policy_->drain());
  policy_ = std::move(next);
}

void CacheShard::set_capacity_hint(size_t capacity_hint) {
  std::lock_guard lock(mu_);
  policy_->set_capacity_hint(capacity_hint);
}

void CacheShard::set_adaptive_ttl(AdaptiveTtl rule) {
  std::lock_guard lock(mu_);
  adaptive_ttl_ = rule;
}

}  // namespace tierscope::internal
