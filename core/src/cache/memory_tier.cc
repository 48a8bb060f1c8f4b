#include "tierscope/cache/memory_tier.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <bit>
#include <vector>

#include "cache/cache_shard.h"
#include "tierscope/cache/maintainer.h"

namespace tierscope {

namespace {
// Hits a tier buffers for its policy at most, over all its shards' read rings. The
// Maintainer applies what is buffered once per tick, each record a few cache misses
// (node, queue neighbours, sketch): with 64 shards of 4 stripes of 16, uniform reads on two
// threads kept it busy 19 % of the time — time the readers of a two-core machine lose —
// for a policy that needs a sample of the hits, not all of them (Caffeine's whole read
// buffer is 4 x cores x 16). With 1,024, that share fell to 7 % (docs/benchmarks.md §8).
constexpr size_t kTierBufferedReads = 1024;
constexpr uint32_t kMinReadRing = 4;

uint32_t read_ring_size(unsigned shard_bits) {
  // The rings in use while each reading thread owns a stripe; shared stripes, used only
  // beyond that, get the same size.
  const size_t rings = (size_t{1} << shard_bits) * internal::kOwnedStripes;
  const size_t per_ring = std::bit_floor(std::max<size_t>(1, kTierBufferedReads / rings));
  return static_cast<uint32_t>(std::clamp<size_t>(per_ring, kMinReadRing, internal::ReadBuffer::kMaxRingSize));
}
}  // namespace

using internal::CacheShard;
using internal::EpochDomain;

namespace {
// A tier's shards side by side in one allocation: a read finds its shard by arithmetic on
// one address instead of loading the shard's pointer first, one dependent load fewer on
// every lookup. Fixed size, not copyable or movable (the shards hold locks).
class ShardArray {
 public:
  template <class MakeShard>
  ShardArray(size_t count, MakeShard make) : count_(count) {
    shards_ = static_cast<CacheShard*>(::operator new(count * sizeof(CacheShard), std::align_val_t{alignof(CacheShard)}));
    try {
      for (; built_ < count; ++built_) make(&shards_[built_]);
    } catch (...) {
      destroy();
      throw;
    }
  }
  ~ShardArray() { destroy(); }
  ShardArray(const ShardArray&) = delete;
  ShardArray& operator=(const ShardArray&) = delete;

  CacheShard& operator[](size_t i) { return shards_[i]; }
  const CacheShard& operator[](size_t i) const { return shards_[i]; }
  size_t size() const { return count_; }
  CacheShard* begin() { return shards_; }
  CacheShard* end() { return shards_ + count_; }
  const CacheShard* begin() const { return shards_; }
  const CacheShard* end() const { return shards_ + count_; }

 private:
  void destroy() {
    while (built_ > 0) shards_[--built_].~CacheShard();
    ::operator delete(shards_, std::align_val_t{alignof(CacheShard)});
    shards_ = nullptr;
  }
  const size_t count_;
  size_t built_ = 0;
  CacheShard* shards_ = nullptr;
};
}  // namespace

LentValue& LentValue::operator=(LentValue&& o) noexcept {
  if (this != &o) {
    release();
    pin_ = o.pin_;
    value_ = o.value_;
    o.pin_ = 0;
    o.value_ = nullptr;
  }
  return *this;
}

struct MemoryTier::Impl final : Maintainer::Client {
  explicit Impl(MemoryTierOptions opts)
      : options(std::move(opts)),
        clock(options.clock ? options.clock : &system_clock),
        shard_bits(options.shard_bits > 12 ? 12 : options.shard_bits),
        budget(options.max_entries, options.max_bytes),
        advisor(size_t{1} << shard_bits),
        policy(options.policy),
        shards(size_t{1} << shard_bits, [this](void* at) {
          new (at) CacheShard(budget, epochs, advisor, options.policy, shard_capacity_hint(), options.adaptive_ttl,
                              options.maintainer, read_ring_size(shard_bits));
        }) {
    if (options.maintainer) options.maintainer->add(this);
  }
  ~Impl() override {
    if (options.maintainer) options.maintainer->remove(this);
  }
  void run_maintenance_now() override {
    for (auto& shard : shards) shard.maintain_if_requested();
  }

  static uint64_t hash_of(std::string_view key) { return MemoryTier::hash_of(key); }

  size_t shard_of(uint64_t hash) const {
    if (shard_bits == 0) return 0;
    // Fibonacci mixing so the shard index does not reuse the bits that pick the
    // bucket inside the shard's hash map.
    return static_cast<size_t>((hash * 0x9E3779B97F4A7C15ull) >> (64 - shard_bits));
  }

  // Each shard's share of the entry limit, which sizes W-TinyLFU's window and sketch;
  // 0 (unknown) with no entry limit, and the policy then follows the shard's size.
  size_t shard_capacity_hint() const { return budget.max_entries.load() >> shard_bits; }

  bool over_budget() const { return budget.exceeded(); }

  // Evicts round-robin from the shards other than `home` until within budget, for
  // when the shard that just grew had nothing else to evict.
  void enforce_capacity(size_t home) {
    size_t idle_in_a_row = 0;
    for (size_t i = (home + 1) % shards.size(); over_budget() && idle_in_a_row + 1 < shards.size();
         i = (i + 1) % shards.size()) {
      if (i == home) continue;
      idle_in_a_row = shards[i].evict_one() ? 0 : idle_in_a_row + 1;
    }
  }

  MemoryTierOptions options;
  SystemClock system_clock;
  const Clock* clock;
  const unsigned shard_bits;
  internal::TierBudget budget;
  // Declared before the shards, so they outlive them.
  EpochDomain epochs;
  internal::SharedWindowAdvisor advisor;
  std::atomic<EvictionPolicyKind> policy;
  std::atomic<uint64_t> rejected{0};
  ShardArray shards;
};

MemoryTier::MemoryTier(MemoryTierOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
MemoryTier::~MemoryTier() = default;

Value MemoryTier::get(std::string_view key) { return get(key, Impl::hash_of(key)); }

Value MemoryTier::get(std::string_view key, uint64_t hash) {
  return impl_->shards[impl_->shard_of(hash)].get(key, hash, *impl_->clock);
}

LentValue MemoryTier::read(std::string_view key) { return read(key, Impl::hash_of(key)); }

LentValue MemoryTier::read(std::string_view key, uint64_t hash) {
  CacheShard& shard = impl_->shards[impl_->shard_of(hash)];
  shard.prefetch_first_slot(hash);
  EpochDomain::Guard pin = impl_->epochs.pin();
  const Value* v = shard.get_pinned(key, hash, *impl_->clock);
  if (v == nullptr) {
    shard.count_miss();
    return LentValue();
  }
  return LentValue(pin.detach(), v);
}

Value MemoryTier::get_if_present(std::string_view key, uint64_t hash) {
  return impl_->shards[impl_->shard_of(hash)].get(key, hash, *impl_->clock, /*count_miss=*/false);
}

bool MemoryTier::put(std::string_view key, Value value, Duration ttl) {
  if (!value || ttl < Duration::zero()) return false;
  const size_t charge = charge_of(key.size(), value->size());
  const size_t max_bytes = impl_->budget.max_bytes.load(std::memory_order_relaxed);
  if (max_bytes != 0 && charge > max_bytes) {
    impl_->rejected.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (ttl == Duration::zero()) ttl = impl_->options.default_ttl;
  // Only entries with a TTL pay for reading the clock.
  const TimePoint created = ttl == Duration::zero() ? TimePoint{} : impl_->clock->now();
  const uint64_t hash = Impl::hash_of(key);
  const size_t home = impl_->shard_of(hash);
  impl_->shards[home].put(key, hash, std::move(value), charge, created, ttl);
  if (impl_->over_budget()) impl_->enforce_capacity(home);
  return true;
}

bool MemoryTier::erase(std::string_view key) {
  const uint64_t hash = Impl::hash_of(key);
  return impl_->shards[impl_->shard_of(hash)].erase(key, hash);
}

Value MemoryTier::peek(std::string_view key) const { return peek(key, nullptr); }

Value MemoryTier::peek(std::string_view key, EntryInfo* info) const {
  const uint64_t hash = Impl::hash_of(key);
  return impl_->shards[impl_->shard_of(hash)].peek(key, hash, *impl_->clock, info);
}

void MemoryTier::visit_entries(const std::function<void(const EntryView&)>& fn) const {
  const TimePoint now = impl_->clock->now();
  for (auto& shard : impl_->shards) shard.visit(fn, now);
}

size_t MemoryTier::erase_matching(std::string_view pattern) {
  size_t removed = 0;
  for (auto& shard : impl_->shards) removed += shard.erase_matching(pattern);
  return removed;
}

void MemoryTier::clear() {
  size_t removed = 0;
  for (auto& shard : impl_->shards) removed += shard.clear();
  if (impl_->options.logger) impl_->options.logger->info("L1 cleared: {} entries removed", removed);
}

void MemoryTier::set_capacity(size_t max_entries, size_t max_bytes) {
  const uint64_t evictions_before = snapshot().evictions;
  impl_->budget.max_entries.store(max_entries, std::memory_order_relaxed);
  impl_->budget.max_bytes.store(max_bytes, std::memory_order_relaxed);
  // Shrink evenly: one entry from each shard per round keeps every shard's share
  // (hashing spreads keys evenly) instead of emptying the first shards.
  size_t idle_in_a_row = 0;
  for (size_t i = 0; impl_->over_budget() && idle_in_a_row < impl_->shards.size();
       i = (i + 1) % impl_->shards.size()) {
    idle_in_a_row = impl_->shards[i].evict_one() ? 0 : idle_in_a_row + 1;
  }
  for (auto& shard : impl_->shards) shard.set_capacity_hint(impl_->shard_capacity_hint());
  if (impl_->options.logger) {
    impl_->options.logger->info("L1 capacity set to {} entries, {} bytes ({} evicted)", max_entries, max_bytes,
                                snapshot().evictions - evictions_before);
  }
}

void MemoryTier::set_policy(EvictionPolicyKind kind) {
  if (impl_->policy.exchange(kind) == kind) return;
  for (auto& shard : impl_->shards) shard.set_policy(kind, impl_->shard_capacity_hint());
  if (impl_->options.logger) impl_->options.logger->info("L1 eviction policy set to {}", to_string(kind));
}

EvictionPolicyKind MemoryTier::policy() const { return impl_->policy.load(); }

void MemoryTier::set_adaptive_ttl(AdaptiveTtl rule) {
  for (auto& shard : impl_->shards) shard.set_adaptive_ttl(rule);
}

MemoryTierStats MemoryTier::snapshot() const {
  MemoryTierStats s;
  for (const auto& shard : impl_->shards) {
    s.hits += shard.hits();
    s.misses += shard.misses();
    s.puts += shard.puts.get();
    s.evictions += shard.evictions.get();
    s.expirations += shard.expirations.get();
    s.erases += shard.erases.get();
  }
  s.rejected = impl_->rejected.load(std::memory_order_relaxed);
  // Totals can dip below zero for an instant while another thread is mid-update.
  s.entries = static_cast<uint64_t>(std::max<int64_t>(0, impl_->budget.entries.load(std::memory_order_relaxed)));
  s.bytes = static_cast<uint64_t>(std::max<int64_t>(0, impl_->budget.bytes.load(std::memory_order_relaxed)));
  s.max_entries = impl_->budget.max_entries.load(std::memory_order_relaxed);
  s.max_bytes = impl_->budget.max_bytes.load(std::memory_order_relaxed);
  if (impl_->policy.load(std::memory_order_relaxed) == EvictionPolicyKind::kWTinyLfu) {
    const internal::WindowAdvisor::Setting setting = impl_->advisor.recommended();
    s.window_share = setting.window;
    s.ghost_admission = setting.ghost;
  }
  return s;
}

void MemoryTier::run_maintenance() {
  // Twice: the epoch moves on at most once per pass, and freeing needs two moves.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& shard : impl_->shards) shard.maintain();
  }
}

size_t MemoryTier::shard_count() const { return impl_->shards.size(); }

}  // namespace tierscope
