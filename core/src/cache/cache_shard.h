// CacheShard: one slice of the MemoryTier — an open-addressing table of entries whose
// eviction order is kept by a pluggable EvictionPolicy (LRU, W-TinyLFU).
//
// The read path takes no lock and writes no line shared with other threads: a lookup
// pins the tier's EpochDomain (a per-thread counter), probes the table with atomic loads,
// records the hit in its thread's stripe of the ReadBuffer and returns. Whoever next holds
// the shard's lock — a put, the tier's Maintainer when a stripe fills, or without one a
// reader whose stripe is full and wins a try-lock — drains the buffer into the policy in a
// batch. Entries are immutable once published — a put of an
// existing key publishes a new node — so a reader never sees one half-written; unlinked
// nodes and outgrown tables are freed only when no pinned reader can still hold them.
//
// Internal to the engine. Ownership: the shard owns its nodes and tables; the budget, the
// epoch domain and the window advisor belong to the MemoryTier and outlive it. Thread safety: get() and
// get_pinned() may run on any number of threads at once with each other and with the
// rest, which take the shard's own mutex (and no other lock).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cache/epoch_domain.h"
#include "cache/policy/eviction_policy.h"
#include "cache/policy/shared_window_advisor.h"
#include "cache/read_buffer.h"
#include "tierscope/base/clock.h"
#include "tierscope/cache/maintainer.h"
#include "tierscope/cache/memory_tier.h"

namespace tierscope::internal {

// A relaxed counter written only under a lock: a plain load+store instead of a locked
// read-modify-write, while readers still see a torn-free value.
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
  TierBudget(size_t entry_limit, size_t byte_limit) : max_entries(entry_limit), max_bytes(byte_limit) {}

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
  struct Node;  // public for layout checks in cache_shard.cc only

  // `maintainer` (may be null) drains full read buffers in the background: see maintainer.h.
  // `advisor`: the tier's window advisor for W-TinyLFU policies. `read_ring_size`: hits
  // each stripe of the read buffer holds before it asks for a drain (see ReadBuffer).
  CacheShard(TierBudget& budget, EpochDomain& epochs, SharedWindowAdvisor& advisor, EvictionPolicyKind policy,
             size_t capacity_hint, AdaptiveTtl adaptive_ttl, Maintainer* maintainer, uint32_t read_ring_size);
  ~CacheShard();
  CacheShard(const CacheShard&) = delete;
  CacheShard& operator=(const CacheShard&) = delete;

  // `hash` is the key's std::hash, already computed by the caller to pick the shard.
  // count_miss=false: a miss is not counted (the caller will look again, counted).
  Value get(std::string_view key, uint64_t hash, const Clock& clock, bool count_miss = true);
  // A hit as get() counts it, but the value is lent, not shared: the pointer stays valid
  // while `pin` (taken by the caller before the call) is held. nullptr on a miss.
  const Value* get_pinned(std::string_view key, uint64_t hash, const Clock& clock);
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
  // Applies buffered reads and frees what no reader can hold any more, moving the epoch
  // on now (an explicit call: not held back by the barrier's spacing).
  void maintain();
  // The same, if a reader asked the maintainer for it since the last time.
  void maintain_if_requested();

  // Starts loading the slot a lookup of `hash` probes first, before the caller pins the
  // epoch: the pin's locked add holds back every load after it, not a prefetch issued
  // before. Reads nothing: the table may be retired meanwhile, and a prefetch of an
  // address that is no longer the table's is harmless.
  void prefetch_first_slot(uint64_t hash) const {
    const uintptr_t word = table_word_.load(std::memory_order_relaxed);
    __builtin_prefetch(reinterpret_cast<const void*>(table_address_of(word) + kTableSlotsOffset +
                                                     (hash & table_mask_of(word)) * sizeof(uintptr_t)));
  }

  void count_miss() {
    ReadBuffer::Stripe& stripe = reads_.mine();
    stripe.count(stripe.misses);
  }
  uint64_t hits() const { return reads_.hits(); }
  uint64_t misses() const { return reads_.misses(); }
  // Nodes and tables unlinked but not yet freed (a pinned reader may still hold them).
  size_t retired_count();
  LockedCounter puts, evictions, expirations, erases;

 private:
  struct Table;
  struct Retired {
    uint64_t epoch;
    Node* node;    // exactly one of node and table is set
    Table* table;
  };

  // Probes for key under a pin (or the lock); *position gets the slot it was found in.
  Node* find(std::string_view key, uint64_t hash, size_t* position) const;
  bool expired(const Node* n, const Clock& clock) const;
  void record_hit(ReadBuffer::Stripe& stripe, size_t position, uint64_t hash);
  // The rare part of record_hit, out of line so that the rest inlines into a lookup: the
  // stripe was full or contended.
  [[gnu::noinline]] void record_hit_not_recorded(ReadBuffer::Stripe& stripe, uint64_t record, ReadBuffer::Offer offer);
  // Locked fallback when the reader found an expired entry: applies buffered reads (which
  // may extend its life) and then removes it if it is still expired.
  Node* recheck_expired(std::string_view key, uint64_t hash, const Clock& clock);

  void apply_reads_locked();
  void on_read_locked(Node* n);
  void remove_locked(Node* n);
  size_t position_locked(const Node* n) const;
  void grow_locked(size_t live_after);
  void retire_locked(Node* n, Table* t);
  // Frees what no pinned reader can hold, after trying to move the epoch on as `advance`
  // says: not at all, when the domain's barrier spacing allows, or now.
  enum class Advance { kNo, kWhenDue, kNow };
  void reclaim_locked(Advance advance);

  // The table as seen under the lock.
  Table* table_locked() const;

  // The current table's address with log2 of its capacity in the bits of kTableTagMask
  // (tables are allocated 64-byte aligned), so a lookup learns where to probe from one load.
  // Readers load it on every lookup: it sits on a line of its own, so neither the lock
  // (taken by the maintainer every few reads) nor the counts beside it invalidate their copy.
  static constexpr uintptr_t kTableTagMask = 63;
  static constexpr size_t kTableSlotsOffset = sizeof(size_t);  // the slots follow the mask
  static uintptr_t table_address_of(uintptr_t word) { return word & ~kTableTagMask; }
  static size_t table_mask_of(uintptr_t word) { return (size_t{1} << (word & kTableTagMask)) - 1; }
  alignas(64) std::atomic<uintptr_t> table_word_;
  alignas(64) std::mutex mu_;
  size_t live_ = 0;        // guarded by mu_
  size_t tombstones_ = 0;  // guarded by mu_
  ReadBuffer reads_;
  std::unique_ptr<EvictionPolicy> policy_;  // guarded by mu_
  std::deque<Retired> retired_;             // guarded by mu_, oldest first
  size_t retired_since_advance_ = 0;       // guarded by mu_
  std::vector<void*> spare_nodes_;          // guarded by mu_: freed nodes' memory for reuse
  TierBudget& budget_;
  EpochDomain& epochs_;
  SharedWindowAdvisor& advisor_;
  Maintainer* const maintainer_;
  std::atomic<bool> drain_requested_{false};
  AdaptiveTtl adaptive_ttl_;  // guarded by mu_
};

}  // namespace tierscope::internal
