// LruShard: one lock-protected slice of the MemoryTier — a hash map whose nodes are
// threaded on an intrusive doubly linked list in recency order (front = most recent).
//
// Internal to the engine. Thread safety: every method takes the shard's own mutex and
// no other lock. Counters are atomics written under the mutex and read without it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tierscope/clock.h"
#include "tierscope/memory_tier.h"

namespace tierscope::internal {

// Not noexcept on purpose: libstdc++ then caches each node's hash code, so rehashing
// and erasing never hash a key again and bucket scans compare hashes before bytes.
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct TransparentStringEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

// A relaxed counter written only under a lock: a plain load+store instead of a locked
// read-modify-write keeps the hit path cheap, while readers still see a torn-free value.
class LockedCounter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Entry and byte totals shared by all shards of one tier, and the limits they are held
// to. The limits are global, not per shard, so a tier of 10 entries holds 10 entries
// whatever its shard count.
struct TierBudget {
  std::atomic<int64_t> entries{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<size_t> max_entries{0};  // 0 = no limit
  std::atomic<size_t> max_bytes{0};    // 0 = no limit

  bool exceeded() const {
    const size_t me = max_entries.load(std::memory_order_relaxed);
    const size_t mb = max_bytes.load(std::memory_order_relaxed);
    return (me != 0 && entries.load(std::memory_order_relaxed) > static_cast<int64_t>(me)) ||
           (mb != 0 && bytes.load(std::memory_order_relaxed) > static_cast<int64_t>(mb));
  }
};

class alignas(64) LruShard {
 public:
  explicit LruShard(TierBudget& budget) : totals_(budget) { head_.next = head_.prev = &head_; }
  LruShard(const LruShard&) = delete;
  LruShard& operator=(const LruShard&) = delete;

  Value get(std::string_view key, const Clock& clock);
  // Stores the entry as most recent, then evicts this shard's least recent entries
  // (never the new one) while the tier is over budget. The caller evicts from other
  // shards if this one runs out.
  void put(std::string_view key, Value value, size_t charge, TimePoint expires);
  bool erase(std::string_view key);
  // Evicts the least recently used entry unless it is `protected_key`. Returns false
  // when there is nothing else to evict.
  bool evict_one(std::string_view protected_key);
  // Removes every entry; returns how many.
  size_t clear();

  LockedCounter hits, misses, puts, evictions, expirations, erases;

 private:
  struct Node {
    Value value;
    size_t charge = 0;
    TimePoint expires = kNever;
    Node* prev = nullptr;
    Node* next = nullptr;
    const std::string* key = nullptr;  // the map's own key; map nodes never move
  };
  using Map = std::unordered_map<std::string, Node, TransparentStringHash, TransparentStringEqual>;

  void link_front(Node* n);
  void unlink(Node* n);
  void remove_locked(Map::iterator it);

  std::mutex mu_;
  Map map_;
  // Sentinel of the circular recency list: head_.next is the most recent entry.
  Node head_;
  TierBudget& totals_;
};

}  // namespace tierscope::internal
