// CacheShard: one lock-protected slice of the MemoryTier — a hash map of entries whose
// eviction order is kept by a pluggable EvictionPolicy (LRU, W-TinyLFU).
//
// Internal to the engine. Thread safety: every public method takes the shard's own
// mutex and no other lock. Counters are atomics written under the mutex and read
// without it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cache/policy/eviction_policy.h"
#include "tierscope/base/clock.h"
#include "tierscope/cache/memory_tier.h"

namespace tierscope::internal {

// Not noexcept on purpose: libstdc++ then caches each node's hash code, so rehashing
// and erasing never hash a key again and bucket scans compare hashes before bytes.
// A key with its std::hash already computed (the tier hashes once to pick the shard):
// lookups and evictions reuse it instead of hashing the key a second time.
struct PrehashedKey {
  std::string_view key;
  size_t hash;
};
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  size_t operator()(const PrehashedKey& k) const noexcept { return k.hash; }
};
struct TransparentStringEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  bool operator()(const PrehashedKey& a, std::string_view b) const noexcept { return a.key == b; }
  bool operator()(std::string_view a, const PrehashedKey& b) const noexcept { return a == b.key; }
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

class alignas(64) CacheShard {
 public:
  CacheShard(TierBudget& budget, EvictionPolicyKind policy, size_t capacity_hint, AdaptiveTtl adaptive_ttl);
  CacheShard(const CacheShard&) = delete;
  CacheShard& operator=(const CacheShard&) = delete;

  // `hash` is the key's std::hash, already computed by the caller to pick the shard.
  // count_miss=false: a miss leaves no trace (no miss counted, no frequency bump): the
  // caller will look again through the counted path.
  Value get(std::string_view key, uint64_t hash, const Clock& clock, bool count_miss = true);
  // Stores the entry, then evicts this shard's policy victims while the tier is over
  // budget. The new entry itself may be the victim (W-TinyLFU refusing a cold key)
  // unless it is alone here, in which case the caller evicts from other shards.
  void put(std::string_view key, uint64_t hash, Value value, size_t charge, TimePoint created, Duration ttl);
  bool erase(std::string_view key, uint64_t hash);
  // The live value without touching order or counters; fills `info` (if given) when found.
  Value peek(std::string_view key, uint64_t hash, const Clock& clock, EntryInfo* info = nullptr);
  size_t erase_matching(std::string_view pattern);
  // Calls fn for each entry not expired at `now`, under the shard's lock.
  void visit(const std::function<void(const EntryView&)>& fn, TimePoint now);
  // Evicts the policy's victim; false when the shard is empty.
  bool evict_one();
  // Removes every entry; returns how many.
  size_t clear();
  // Hands every entry over to a new policy, keeping their relative order.
  void set_policy(EvictionPolicyKind kind, size_t capacity_hint);
  void set_capacity_hint(size_t capacity_hint);
  // Applies to reads from now on; lifetimes already extended stay extended.
  void set_adaptive_ttl(AdaptiveTtl rule);

  LockedCounter hits, misses, puts, evictions, expirations, erases;

 private:
  struct Node : PolicyNode {
    Value value;
    size_t charge = 0;
    TimePoint expires = kNever;
    TimePoint created;
    Duration ttl{0};     // base TTL; zero = never expires
    uint64_t reads = 0;  // since stored, for adaptive TTL
    const std::string* key = nullptr;  // the map's own key; map nodes never move
  };
  using Map = std::unordered_map<std::string, Node, TransparentStringHash, TransparentStringEqual>;

  void remove_locked(Node* n);

  std::mutex mu_;
  Map map_;
  std::unique_ptr<EvictionPolicy> policy_;
  TierBudget& budget_;
  AdaptiveTtl adaptive_ttl_;  // guarded by mu_
};

}  // namespace tierscope::internal
