#include "cache/cache_shard.h"

#include <algorithm>
#include <cstddef>
#include <bit>
#include <new>
#include <stdexcept>

#include "tierscope/cache/glob.h"

namespace tierscope::internal {

// An entry, laid out so that readers and the lock holder do not share a cache line: the
// first 64 bytes (policy links, `reads`, bookkeeping) are written under the lock when the
// policy catches up with reads; the next line holds what a lookup reads (hash, value,
// expiry, key), written once before the node is published. Only `expires_ns` changes
// later, when adaptive TTL extends a read entry.
struct alignas(64) CacheShard::Node : PolicyNode {
  // Lock holder's line (PolicyNode: links, hash, queue).
  int64_t created_ns;
  int64_t ttl_ns;     // base TTL; 0 = never expires
  uint64_t charge;
  uint32_t reads = 0;  // since stored, for adaptive TTL and the browser
  // Readers' line.
  alignas(64) uint64_t lookup_hash;
  Value value;
  std::atomic<int64_t> expires_ns;  // kNever's count when the entry has no TTL
  uint32_t key_size;
  // The key: its first bytes fill the rest of the readers' line, a longer key runs on
  // past the end of the node in the same allocation.
  char key_head[28];

  std::string_view key() const { return {key_head, key_size}; }
  TimePoint expires() const { return TimePoint{Duration{expires_ns.load(std::memory_order_relaxed)}}; }

  static size_t allocation_size(size_t key_size) {
    return sizeof(Node) + (key_size > sizeof(key_head) ? key_size - sizeof(key_head) : 0);
  }

  // `spare`: a freed node of the plain size (short key) to reuse, or null.
  static Node* make(std::string_view key, uint64_t hash, Value value, size_t charge, TimePoint created, Duration ttl,
                    void* spare) {
    void* raw = spare != nullptr && key.size() <= sizeof(key_head)
                    ? spare
                    : ::operator new(allocation_size(key.size()), std::align_val_t{alignof(Node)});
    if (raw != spare && spare != nullptr) ::operator delete(spare, std::align_val_t{alignof(Node)});
    if ((reinterpret_cast<uintptr_t>(raw) >> 48) != 0) {
      // The table keeps a hash tag in the address's top 16 bits (see Slot).
      ::operator delete(raw, std::align_val_t{alignof(Node)});
      throw std::runtime_error("MemoryTier: the allocator returned an address above 48 bits, which the L1 table cannot tag");
    }
    Node* n = new (raw) Node;
    n->hash = hash;
    n->lookup_hash = hash;
    n->value = std::move(value);
    const TimePoint expires = ttl > Duration::zero() ? created + ttl : kNever;
    n->expires_ns.store(expires.time_since_epoch().count(), std::memory_order_relaxed);
    n->created_ns = created.time_since_epoch().count();
    n->ttl_ns = ttl.count();
    n->charge = charge;
    n->key_size = static_cast<uint32_t>(key.size());
    std::copy(key.begin(), key.end(), n->key_head);
    return n;
  }
  static void destroy(Node* n) {
    n->~Node();
    ::operator delete(n, std::align_val_t{alignof(Node)});
  }
  // Destroys n and returns its memory for reuse when it has the plain size, else frees it.
  static void* recycle(Node* n) {
    const bool plain = n->key_size <= sizeof(key_head);
    n->~Node();
    if (plain) return n;
    ::operator delete(n, std::align_val_t{alignof(Node)});
    return nullptr;
  }
};
static_assert(sizeof(CacheShard::Node) == 128, "two cache lines: the lock holder's and the readers'");

namespace {

// A table slot holds a node's address with the top 16 bits of its key's hash above it
// (user-space addresses on x86-64 and AArch64 Linux fit in 48 bits unless a program asks
// mmap for more), so a probe passes other keys' slots without loading their nodes: one
// cache miss saved per collision, and a miss — a put's existence check — loads no node.
using Slot = uintptr_t;
constexpr int kTagShift = 48;
constexpr Slot kAddressMask = (Slot{1} << kTagShift) - 1;
constexpr Slot kEmpty = 0;
constexpr Slot kTombstone = 1;  // a removed entry's slot: probes go past it, inserts may reuse it

Slot tag_of(uint64_t hash) { return static_cast<Slot>(hash >> kTagShift) << kTagShift; }

}  // namespace

// A power-of-two array of slots, probed linearly. A removed entry leaves a tombstone so
// probes for keys placed after it keep going; rehashing clears them. Allocated 64-byte
// aligned, so the shard keeps log2 of the capacity in the low bits of the table's address
// (CacheShard::table_word_): a lookup learns both from one load.
struct CacheShard::Table {
  size_t mask;
  std::atomic<Slot>* slots() { return reinterpret_cast<std::atomic<Slot>*>(reinterpret_cast<char*>(this) + kTableSlotsOffset); }
  const std::atomic<Slot>* slots() const {
    return reinterpret_cast<const std::atomic<Slot>*>(reinterpret_cast<const char*>(this) + kTableSlotsOffset);
  }
  size_t capacity() const { return mask + 1; }
  // The entry in slot i, or null for an empty slot or a tombstone.
  Node* entry(size_t i) const {
    const Slot s = slots()[i].load(std::memory_order_relaxed);
    return s == kTombstone ? nullptr : reinterpret_cast<Node*>(s & kAddressMask);
  }
  void set(size_t i, Node* n) { slots()[i].store(tag_of(n->hash) | reinterpret_cast<Slot>(n), std::memory_order_release); }
  void set(size_t i, Slot s) { slots()[i].store(s, std::memory_order_release); }
  Slot at(size_t i) const { return slots()[i].load(std::memory_order_relaxed); }

  static constexpr size_t kAlignment = kTableTagMask + 1;

  static Table* make(size_t capacity) {
    void* raw = ::operator new(kTableSlotsOffset + capacity * sizeof(std::atomic<Slot>), std::align_val_t{kAlignment});
    Table* t = new (raw) Table{capacity - 1};
    for (size_t i = 0; i < capacity; ++i) new (&t->slots()[i]) std::atomic<Slot>(kEmpty);
    return t;
  }
  static void destroy(Table* t) { ::operator delete(t, std::align_val_t{kAlignment}); }

  // The shard's word for this table: its address, log2 of its capacity in the low bits.
  uintptr_t word() const { return reinterpret_cast<uintptr_t>(this) | static_cast<uintptr_t>(std::countr_zero(mask + 1)); }
  static Table* of(uintptr_t word) { return reinterpret_cast<Table*>(table_address_of(word)); }
};

CacheShard::Table* CacheShard::table_locked() const { return Table::of(table_word_.load(std::memory_order_relaxed)); }

namespace {

constexpr size_t kMinTableSize = 16;
// Rehash when live entries plus tombstones pass this share of the slots: linear probing
// stays short (under two probes on average for a hit) below it.
constexpr double kMaxLoad = 0.6;
// Retirements between two attempts to move the epoch on: each attempt reads every
// epoch slot, so it is batched.
constexpr size_t kReclaimBatch = 64;
// Freed nodes kept per shard for reuse by later puts.
constexpr size_t kMaxSpareNodes = 64;

}  // namespace

CacheShard::CacheShard(TierBudget& budget, EpochDomain& epochs, SharedWindowAdvisor& advisor, EvictionPolicyKind policy,
                       size_t capacity_hint, AdaptiveTtl adaptive_ttl, Maintainer* maintainer, uint32_t read_ring_size)
    : table_word_(Table::make(kMinTableSize)->word()),
      reads_(read_ring_size),
      policy_(make_eviction_policy(policy, capacity_hint, advisor)),
      budget_(budget),
      epochs_(epochs),
      advisor_(advisor),
      maintainer_(maintainer),
      adaptive_ttl_(adaptive_ttl) {}

CacheShard::~CacheShard() {
  // No reader can be pinned on a shard being destroyed: free everything outright.
  Table* t = table_locked();
  for (size_t i = 0; i < t->capacity(); ++i) {
    if (Node* n = t->entry(i)) Node::destroy(n);
  }
  Table::destroy(t);
  for (const Retired& r : retired_) {
    if (r.node) Node::destroy(r.node);
    if (r.table) Table::destroy(r.table);
  }
  for (void* p : spare_nodes_) ::operator delete(p, std::align_val_t{alignof(Node)});
}

// Inlined into every caller here: a read is a chain of dependent loads, and a call between
// them costs as much as a cache miss (docs/benchmarks.md §8).
[[gnu::always_inline]] inline CacheShard::Node* CacheShard::find(std::string_view key, uint64_t hash,
                                                                 size_t* position) const {
  // seq_cst loads (plain loads on x86): with the writer's fence before it reads the epoch
  // to retire, they order this probe after the reader's pin (see EpochDomain).
  // The mask comes with the table's address: no load of the table's header before the
  // first slot.
  const uintptr_t word = table_word_.load(std::memory_order_seq_cst);
  const std::atomic<Slot>* slots = Table::of(word)->slots();
  const size_t mask = table_mask_of(word);
  const Slot tag = tag_of(hash);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot s = slots[i].load(std::memory_order_seq_cst);
    if (s == kEmpty) return nullptr;
    if ((s & ~kAddressMask) != tag || s == kTombstone) continue;
    Node* n = reinterpret_cast<Node*>(s & kAddressMask);
    if (n->lookup_hash == hash && keys_equal(n->key(), key)) {
      *position = i;
      return n;
    }
  }
}

[[gnu::always_inline]] inline bool CacheShard::expired(const Node* n, const Clock& clock) const {
  // Only entries with a TTL pay for reading the clock.
  const int64_t expires = n->expires_ns.load(std::memory_order_relaxed);
  return expires != kNever.time_since_epoch().count() && clock.now().time_since_epoch().count() >= expires;
}

void CacheShard::record_hit(ReadBuffer::Stripe& stripe, size_t position, uint64_t hash) {
  const uint64_t record = ReadBuffer::pack(position, hash);
  const ReadBuffer::Offer offer = ReadBuffer::record(stripe, record);
  if (offer == ReadBuffer::Offer::kRecorded) return;
  // On hot keys the rings stay full between the maintainer's drains: then nearly every
  // hit lands here with the drain already asked for, and only counts itself.
  if (offer == ReadBuffer::Offer::kFull && maintainer_ != nullptr && drain_requested_.load(std::memory_order_relaxed)) {
    stripe.count(stripe.unrecorded_hits);
    return;
  }
  record_hit_not_recorded(stripe, record, offer);
}

void CacheShard::record_hit_not_recorded(ReadBuffer::Stripe& stripe, uint64_t record, ReadBuffer::Offer offer) {
  if (offer == ReadBuffer::Offer::kFull && maintainer_ != nullptr) {
    // The maintainer applies the batch; this record is dropped meanwhile.
    if (!drain_requested_.load(std::memory_order_relaxed) && !drain_requested_.exchange(true)) maintainer_->wake();
  } else if (offer == ReadBuffer::Offer::kFull && mu_.try_lock()) {
    // Full: drain it, unless somebody else is at it. Alone, a thread always drains, so a
    // replay on one thread applies every read in order.
    apply_reads_locked();
    offer = ReadBuffer::record(stripe, record);
    mu_.unlock();
  }
  // Dropped (lossy by design: the policy misses one access), but still counted.
  if (offer != ReadBuffer::Offer::kRecorded) stripe.count(stripe.unrecorded_hits);
}

Value CacheShard::get(std::string_view key, uint64_t hash, const Clock& clock, bool count_miss) {
  prefetch_first_slot(hash);
  EpochDomain::Guard pin = epochs_.pin();
  if (const Value* v = get_pinned(key, hash, clock)) return *v;
  if (count_miss) this->count_miss();
  return nullptr;
}

const Value* CacheShard::get_pinned(std::string_view key, uint64_t hash, const Clock& clock) {
  size_t position;
  Node* n = find(key, hash, &position);
  if (n == nullptr) return nullptr;
  if (expired(n, clock)) {
    n = recheck_expired(key, hash, clock);
    if (n == nullptr) return nullptr;
    ReadBuffer::Stripe& stripe = reads_.mine();
    stripe.count(stripe.unrecorded_hits);
    return &n->value;
  }
  record_hit(reads_.mine(), position, hash);
  return &n->value;
}

CacheShard::Node* CacheShard::recheck_expired(std::string_view key, uint64_t hash, const Clock& clock) {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  size_t position;
  Node* n = find(key, hash, &position);
  if (n == nullptr) return nullptr;
  if (expired(n, clock)) {
    remove_locked(n);
    expirations.add();
    return nullptr;
  }
  on_read_locked(n);  // the caller's pin keeps n alive after the lock is released
  return n;
}

void CacheShard::on_read_locked(Node* n) {
  policy_->on_hit(n);
  if (n->reads != UINT32_MAX) ++n->reads;
  if (n->ttl_ns > 0 && adaptive_ttl_.enabled) {
    const TimePoint extended = adaptive_expiry(TimePoint{Duration{n->created_ns}}, Duration{n->ttl_ns}, n->reads,
                                               adaptive_ttl_);
    if (extended > n->expires()) n->expires_ns.store(extended.time_since_epoch().count(), std::memory_order_relaxed);
  }
}

void CacheShard::apply_reads_locked() {
  Table* t = table_locked();
  reads_.drain([&](uint64_t record) {
    // A record may be stale (the entry replaced, removed or moved by a rehash): apply it
    // only if its slot still holds an entry with the recorded hash. The hash is read from
    // the node's policy line (which on_read_locked writes anyway), not the readers' line.
    const size_t position = ReadBuffer::position_of(record);
    if (position > t->mask) return;
    Node* n = t->entry(position);
    if (n != nullptr && static_cast<uint32_t>(n->hash) == ReadBuffer::tag_of(record)) on_read_locked(n);
  });
}

size_t CacheShard::position_locked(const Node* n) const {
  const Table* t = table_locked();
  for (size_t i = n->hash & t->mask;; i = (i + 1) & t->mask) {
    if (t->entry(i) == n) return i;
  }
}

void CacheShard::retire_locked(Node* n, Table* t) {
  // Orders the unlink before reading the epoch, against readers' pin-then-probe.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  retired_.push_back(Retired{epochs_.epoch(), n, t});
  if (++retired_since_advance_ >= kReclaimBatch) {
    retired_since_advance_ = 0;
    reclaim_locked(Advance::kWhenDue);
  }
}

void CacheShard::reclaim_locked(Advance advance) {
  if (retired_.empty()) return;
  const uint64_t now = advance == Advance::kNo ? epochs_.epoch() : epochs_.try_advance(advance == Advance::kNow);
  size_t freed = 0;
  for (; freed < retired_.size() && EpochDomain::can_free(retired_[freed].epoch, now); ++freed) {
    if (Node* n = retired_[freed].node) {
      // Keep a few for the next puts: allocating 64-byte-aligned nodes is slow in glibc.
      if (spare_nodes_.size() < kMaxSpareNodes) {
        if (void* p = Node::recycle(n)) spare_nodes_.push_back(p);
      } else {
        Node::destroy(n);
      }
    }
    if (retired_[freed].table) Table::destroy(retired_[freed].table);
  }
  retired_.erase(retired_.begin(), retired_.begin() + static_cast<std::ptrdiff_t>(freed));
}

void CacheShard::remove_locked(Node* n) {
  policy_->on_remove(n);
  budget_.entries.fetch_sub(1, std::memory_order_relaxed);
  budget_.bytes.fetch_sub(static_cast<int64_t>(n->charge), std::memory_order_relaxed);
  Table* t = table_locked();
  size_t i = position_locked(n);
  --live_;
  if (t->at((i + 1) & t->mask) != kEmpty) {
    t->set(i, kTombstone);
    ++tombstones_;
  } else {
    // The end of a probe run: no probe goes past this slot to reach a later entry, so it
    // (and the tombstones right before it) can be empty again.
    t->set(i, kEmpty);
    for (i = (i - 1) & t->mask; t->at(i) == kTombstone; i = (i - 1) & t->mask) {
      t->set(i, kEmpty);
      --tombstones_;
    }
  }
  retire_locked(n, nullptr);
}

void CacheShard::grow_locked(size_t live_after) {
  Table* old = table_locked();
  const size_t capacity = std::bit_ceil(std::max(kMinTableSize, live_after * 2));
  Table* t = Table::make(capacity);
  for (size_t i = 0; i < old->capacity(); ++i) {
    const Slot s = old->at(i);
    if (s == kEmpty || s == kTombstone) continue;
    size_t j = reinterpret_cast<Node*>(s & kAddressMask)->hash & t->mask;
    while (t->at(j) != kEmpty) j = (j + 1) & t->mask;
    t->slots()[j].store(s, std::memory_order_relaxed);
  }
  table_word_.store(t->word(), std::memory_order_release);
  tombstones_ = 0;
  retire_locked(nullptr, old);
}

void CacheShard::put(std::string_view key, uint64_t hash, Value value, size_t charge, TimePoint created, Duration ttl) {
  std::lock_guard lock(mu_);
  // Reads that happened before this write reach the policy first, in order.
  apply_reads_locked();
  void* spare = nullptr;
  if (!spare_nodes_.empty()) {
    spare = spare_nodes_.back();
    spare_nodes_.pop_back();
  }
  Node* fresh = Node::make(key, hash, std::move(value), charge, created, ttl, spare);
  size_t position;
  if (Node* old = find(key, hash, &position)) {
    policy_->on_replace(old, fresh);
    table_locked()->set(position, fresh);
    budget_.bytes.fetch_add(static_cast<int64_t>(charge) - static_cast<int64_t>(old->charge),
                            std::memory_order_relaxed);
    retire_locked(old, nullptr);
    policy_->on_hit(fresh);
  } else {
    Table* t = table_locked();
    if (static_cast<double>(live_ + tombstones_ + 1) > kMaxLoad * static_cast<double>(t->capacity())) {
      grow_locked(live_ + 1);
      t = table_locked();
    }
    size_t i = hash & t->mask;
    while (t->at(i) != kEmpty && t->at(i) != kTombstone) i = (i + 1) & t->mask;
    if (t->at(i) == kTombstone) --tombstones_;
    t->set(i, fresh);
    ++live_;
    budget_.entries.fetch_add(1, std::memory_order_relaxed);
    budget_.bytes.fetch_add(static_cast<int64_t>(charge), std::memory_order_relaxed);
    // A new key counts as an access of it for the frequency sketch (Caffeine counts on
    // insert too); reads of keys that are absent are not counted, so a miss costs no lock.
    policy_->on_miss(hash);
    policy_->on_insert(fresh);
  }
  puts.add();
  // Evict under the same lock: no second acquisition for the usual one-in-one-out.
  while (budget_.exceeded()) {
    auto* victim = static_cast<Node*>(policy_->victim());
    if (victim == nullptr || (victim == fresh && live_ == 1)) break;
    remove_locked(victim);
    evictions.add();
  }
  if (!retired_.empty() && EpochDomain::can_free(retired_.front().epoch, epochs_.epoch())) reclaim_locked(Advance::kNo);
}

bool CacheShard::erase(std::string_view key, uint64_t hash) {
  std::lock_guard lock(mu_);
  size_t position;
  Node* n = find(key, hash, &position);
  if (n == nullptr) return false;
  remove_locked(n);
  erases.add();
  return true;
}

Value CacheShard::peek(std::string_view key, uint64_t hash, const Clock& clock, EntryInfo* info) {
  std::lock_guard lock(mu_);
  apply_reads_locked();  // so `reads` and the expiry include every read so far
  size_t position;
  const Node* n = find(key, hash, &position);
  if (n == nullptr || expired(n, clock)) return nullptr;
  if (info) *info = EntryInfo{std::string(n->key()), n->charge, TimePoint{Duration{n->created_ns}}, n->expires(), n->reads};
  return n->value;
}

void CacheShard::visit(const std::function<void(const EntryView&)>& fn, TimePoint now) {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  const Table* t = table_locked();
  for (size_t i = 0; i < t->capacity(); ++i) {
    const Node* n = t->entry(i);
    if (n == nullptr || now >= n->expires()) continue;
    fn(EntryView{n->key(), n->charge, TimePoint{Duration{n->created_ns}}, n->expires(), n->reads});
  }
}

size_t CacheShard::erase_matching(std::string_view pattern) {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  size_t removed = 0;
  const Table* t = table_locked();
  for (size_t i = 0; i < t->capacity(); ++i) {
    Node* n = t->entry(i);
    if (n != nullptr && glob_match(pattern, n->key())) {
      remove_locked(n);
      ++removed;
    }
  }
  erases.add(removed);
  return removed;
}

bool CacheShard::evict_one() {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  auto* victim = static_cast<Node*>(policy_->victim());
  if (victim == nullptr) return false;
  remove_locked(victim);
  evictions.add();
  return true;
}

size_t CacheShard::clear() {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  const size_t n = live_;
  std::vector<PolicyNode*> nodes = policy_->drain();
  int64_t bytes = 0;
  for (PolicyNode* p : nodes) bytes += static_cast<int64_t>(static_cast<Node*>(p)->charge);
  // Readers may still be probing the old table: publish an empty one, retire the rest.
  Table* old = table_locked();
  table_word_.store(Table::make(kMinTableSize)->word(), std::memory_order_release);
  live_ = tombstones_ = 0;
  for (PolicyNode* p : nodes) retire_locked(static_cast<Node*>(p), nullptr);
  retire_locked(nullptr, old);
  budget_.entries.fetch_sub(static_cast<int64_t>(n), std::memory_order_relaxed);
  budget_.bytes.fetch_sub(bytes, std::memory_order_relaxed);
  erases.add(n);
  return n;
}

void CacheShard::set_policy(EvictionPolicyKind kind, size_t capacity_hint) {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  if (policy_->kind() == kind) return;
  auto next = make_eviction_policy(kind, capacity_hint, advisor_);
  next->adopt(policy_->drain());
  policy_ = std::move(next);
}

void CacheShard::set_capacity_hint(size_t capacity_hint) {
  std::lock_guard lock(mu_);
  policy_->set_capacity_hint(capacity_hint);
}

void CacheShard::set_adaptive_ttl(AdaptiveTtl rule) {
  std::lock_guard lock(mu_);
  apply_reads_locked();  // reads made under the old rule extend by the old rule
  adaptive_ttl_ = rule;
}

void CacheShard::maintain() {
  std::lock_guard lock(mu_);
  apply_reads_locked();
  reclaim_locked(Advance::kNow);
}

void CacheShard::maintain_if_requested() {
  if (!drain_requested_.load(std::memory_order_relaxed) || !drain_requested_.exchange(false)) return;
  std::lock_guard lock(mu_);
  apply_reads_locked();
  reclaim_locked(Advance::kNo);
}

size_t CacheShard::retired_count() {
  std::lock_guard lock(mu_);
  return retired_.size();
}

}  // namespace tierscope::internal
