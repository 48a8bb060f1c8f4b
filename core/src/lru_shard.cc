#include "lru_shard.h"

namespace tierscope::internal {

void LruShard::link_front(Node* n) {
  n->prev = &head_;
  n->next = head_.next;
  head_.next->prev = n;
  head_.next = n;
}

void LruShard::unlink(Node* n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->prev = n->next = nullptr;
}

void LruShard::remove_locked(Map::iterator it) {
  unlink(&it->second);
  totals_.entries.fetch_sub(1, std::memory_order_relaxed);
  totals_.bytes.fetch_sub(static_cast<int64_t>(it->second.charge), std::memory_order_relaxed);
  map_.erase(it);
}

Value LruShard::get(std::string_view key, const Clock& clock) {
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) {
    misses.add();
    return nullptr;
  }
  Node& n = it->second;
  // Only entries with a TTL pay for reading the clock.
  if (n.expires != kNever && clock.now() >= n.expires) {
    remove_locked(it);
    expirations.add();
    misses.add();
    return nullptr;
  }
  if (head_.next != &n) {
    unlink(&n);
    link_front(&n);
  }
  hits.add();
  return n.value;
}

void LruShard::put(std::string_view key, Value value, size_t charge, TimePoint expires) {
  std::lock_guard lock(mu_);
  // One hash for the common case of a new key; a replaced key wastes only the copy.
  auto [it, inserted] = map_.try_emplace(std::string(key));
  Node& n = it->second;
  if (inserted) {
    n.key = &it->first;
    totals_.entries.fetch_add(1, std::memory_order_relaxed);
  } else {
    unlink(&n);
    totals_.bytes.fetch_sub(static_cast<int64_t>(n.charge), std::memory_order_relaxed);
  }
  n.value = std::move(value);
  n.charge = charge;
  n.expires = expires;
  link_front(&n);
  totals_.bytes.fetch_add(static_cast<int64_t>(charge), std::memory_order_relaxed);
  puts.add();
  // Evict under the same lock: no second acquisition for the usual one-in-one-out.
  while (totals_.exceeded() && head_.prev != &n) {
    remove_locked(map_.find(*head_.prev->key));
    evictions.add();
  }
}

bool LruShard::erase(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  remove_locked(it);
  erases.add();
  return true;
}

bool LruShard::evict_one(std::string_view protected_key) {
  std::lock_guard lock(mu_);
  if (map_.empty()) return false;
  Node* victim = head_.prev;
  if (*victim->key == protected_key) {
    if (victim->prev == &head_) return false;  // the protected entry is the only one
    victim = victim->prev;
  }
  remove_locked(map_.find(*victim->key));
  evictions.add();
  return true;
}

size_t LruShard::clear() {
  std::lock_guard lock(mu_);
  size_t n = map_.size();
  int64_t bytes = 0;
  for (auto& [key, node] : map_) bytes += static_cast<int64_t>(node.charge);
  map_.clear();
  head_.next = head_.prev = &head_;
  totals_.entries.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed);
  totals_.bytes.fetch_sub(bytes, std::memory_order_relaxed);
  erases.add(n);
  return n;
}

}  // namespace tierscope::internal
