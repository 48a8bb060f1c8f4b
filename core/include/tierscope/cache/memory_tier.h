// MemoryTier: the L1 tier — an in-memory cache of immutable byte values, bounded both
// in entries and in bytes, with per-entry TTL and a switchable eviction policy (LRU or
// W-TinyLFU).
//
// Ownership: a MemoryTier owns its entries. get() hands values out as
// shared_ptr<const std::string>, so a value read by a caller stays valid after the
// entry is evicted; read() lends one without a reference count (LentValue), valid while
// the loan lives. The Clock and logger in the options are shared with the caller;
// the Clock must outlive the tier.
// Thread safety: every public method may be called from any number of threads at once.
// Reads take no lock: a hit is recorded in a per-thread buffer that the policy catches up
// with in batches (see core/src/cache/cache_shard.h). Writes take the lock of the key's
// shard (one of 2^shard_bits), never two at once, so there is no lock ordering to respect.
// Not copyable, not movable.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tierscope/base/string_hash.h"
#include "tierscope/cache/adaptive_ttl.h"
#include "tierscope/cache/entry_info.h"
#include "tierscope/cache/epoch_pin.h"
#include "tierscope/base/clock.h"
#include "tierscope/cache/eviction_policy.h"

namespace spdlog {
class logger;
}

namespace tierscope {

class Maintainer;

using Value = std::shared_ptr<const std::string>;

// Builds a Value from bytes (one allocation for the string, one for the control block).
inline Value make_value(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

// A value lent by MemoryTier::read(): no reference count is taken, so many threads
// reading one hot key write no shared cache line. While any loan lives the tier frees
// nothing it unlinks (from any shard), so use the bytes and let it go; call share() for a
// counted reference that may be kept. Movable, not copyable; may end on another thread.
class LentValue {
 public:
  LentValue() = default;
  LentValue(LentValue&& o) noexcept : pin_(o.pin_), value_(o.value_) { o.pin_ = 0, o.value_ = nullptr; }
  LentValue& operator=(LentValue&& o) noexcept;
  LentValue(const LentValue&) = delete;
  LentValue& operator=(const LentValue&) = delete;
  ~LentValue() { release(); }

  explicit operator bool() const { return value_ != nullptr; }
  const std::string& operator*() const { return **value_; }
  const std::string* operator->() const { return value_->get(); }
  // A counted reference to the same bytes, valid after the loan ends; nullptr if empty.
  Value share() const { return value_ ? *value_ : nullptr; }
  // Ends the loan early; the LentValue is empty afterwards. Inline (it is on every read):
  // no locked instruction when the loan ends on the thread that owns its pin's slot.
  void release() {
    if (pin_) detail::unpin(pin_);
    pin_ = 0;
    value_ = nullptr;
  }

 private:
  friend class MemoryTier;
  LentValue(uintptr_t pin, const Value* value) : pin_(pin), value_(value) {}
  uintptr_t pin_ = 0;  // the epoch pin's word (epoch_pin.h); 0 when empty
  const Value* value_ = nullptr;
};

struct MemoryTierOptions {
  // Most entries held at once; 0 means no entry limit (the byte budget still applies).
  size_t max_entries = 10'000;
  // Most bytes held at once, counting key, value and kEntryOverheadBytes per entry;
  // 0 means no byte limit.
  size_t max_bytes = size_t{256} << 20;
  // TTL of entries put without one; zero means they never expire.
  Duration default_ttl = Duration::zero();
  // Reads extend the lifetime of entries that have a TTL (see adaptive_ttl.h).
  AdaptiveTtl adaptive_ttl;
  // log2 of the shard count. 0 gives one shard and so an exact global policy order (use
  // it for simulation); more shards cut lock contention, each shard keeping its own order.
  unsigned shard_bits = 6;
  // Which entries go when the tier is full; switchable later with set_policy().
  EvictionPolicyKind policy = EvictionPolicyKind::kLru;
  // Source of time for TTLs; nullptr uses the system clock. Not owned; must outlive the tier.
  const Clock* clock = nullptr;
  // Background thread that applies buffered reads to the policy (maintainer.h); nullptr:
  // readers apply them when a buffer fills (exact on one thread, for simulations). Not
  // owned; must outlive the tier.
  Maintainer* maintainer = nullptr;
  // Where the tier logs capacity changes; nullptr logs nothing.
  std::shared_ptr<spdlog::logger> logger;
};

// A point-in-time copy of the tier's counters. Counters are read one by one without a
// global lock, so under concurrent traffic they may be a few operations apart.
struct MemoryTierStats {
  uint64_t hits = 0;         // get() that found a live entry
  uint64_t misses = 0;       // get() that found nothing, or an expired entry
  uint64_t puts = 0;         // put() that stored its value (new key or replacement)
  uint64_t rejected = 0;     // put() refused: the entry alone exceeds the byte budget
  uint64_t evictions = 0;    // entries removed to respect the capacity
  uint64_t expirations = 0;  // entries removed because their TTL had passed
  uint64_t erases = 0;       // entries removed by erase() or clear()
  uint64_t entries = 0;      // entries held now
  uint64_t bytes = 0;        // bytes charged now (see MemoryTierOptions::max_bytes)
  uint64_t max_entries = 0;  // current entry limit (0 = none)
  uint64_t max_bytes = 0;    // current byte limit (0 = none)
  // W-TinyLFU's setting now, as its window advisor last chose it (LRU: 1 and false):
  double window_share = 1;       // the window's share of the capacity, 0.01..1 (1 = LRU)
  bool ghost_admission = false;  // refused candidates that return are admitted (GhostFilter)

  uint64_t lookups() const { return hits + misses; }
  // Fraction of lookups that hit, 0 when there were none.
  double hit_rate() const { return lookups() ? double(hits) / double(lookups()) : 0.0; }
};

class MemoryTier {
 public:
  // Bookkeeping charged per entry on top of key and value sizes (node, links, hash slot).
  static constexpr size_t kEntryOverheadBytes = 96;

  explicit MemoryTier(MemoryTierOptions options);
  ~MemoryTier();
  MemoryTier(const MemoryTier&) = delete;
  MemoryTier& operator=(const MemoryTier&) = delete;

  // Returns the live value for key and marks it most recently used, or nullptr.
  Value get(std::string_view key);
  // The same with the key's hash_of() already computed by the caller (TieredCache
  // hashes each key once for the request tap and the tier).
  Value get(std::string_view key, uint64_t hash);
  // A lookup counted and recorded exactly as get(), the value lent instead of shared.
  LentValue read(std::string_view key);
  LentValue read(std::string_view key, uint64_t hash);
  // A hit exactly as get(); a miss counts nothing (see TieredCache::get_if_in_memory).
  Value get_if_present(std::string_view key, uint64_t hash);
  static uint64_t hash_of(std::string_view key) { return string_hash(key); }

  // Stores value under key, replacing any previous value, as most recently used.
  // ttl zero uses options.default_ttl; a negative ttl stores nothing and returns false.
  // Evicts the policy's victims as needed; under W-TinyLFU that may be the new entry
  // itself when it is colder than what it would displace. Returns false (and stores
  // nothing) when the entry alone is larger than the byte budget, or value is null.
  bool put(std::string_view key, Value value, Duration ttl = Duration::zero());

  // Removes key; returns whether it was present.
  bool erase(std::string_view key);

  // The live value for key without counting a lookup or touching recency; nullptr
  // when absent or expired. For double-checks inside the engine, not for serving.
  Value peek(std::string_view key) const;
  // The same, also filling `info` (key, charge, created, expiry, reads) when found.
  Value peek(std::string_view key, EntryInfo* info) const;

  // Removes every entry whose key matches a glob (glob.h); returns how many.
  size_t erase_matching(std::string_view pattern);

  // Removes every entry (counted as erases).
  void clear();

  // Changes the limits (0 = none) while running; shrinking evicts before returning.
  void set_capacity(size_t max_entries, size_t max_bytes);

  // Switches the eviction policy while running; entries stay, in their current order.
  void set_policy(EvictionPolicyKind kind);
  EvictionPolicyKind policy() const;

  // Changes how reads extend lifetimes, from the next read on (adaptive_ttl.h).
  void set_adaptive_ttl(AdaptiveTtl rule);

  // Calls fn for every live entry, one shard at a time under that shard's lock: fn must
  // be quick and must not call back into this tier. Reads nothing into stats or order.
  void visit_entries(const std::function<void(const EntryView&)>& fn) const;

  MemoryTierStats snapshot() const;

  // Applies every buffered read to the policy and frees unlinked entries no reader can
  // still hold. The tier does both as it goes; this is for tests and measurements.
  void run_maintenance();

  size_t shard_count() const;

  // What an entry of these sizes is charged against the byte budget.
  static size_t charge_of(size_t key_size, size_t value_size) {
    return key_size + value_size + kEntryOverheadBytes;
  }

 private:
  class Shard;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tierscope
