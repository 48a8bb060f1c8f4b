// Memory per resident entry: heap bytes the L1 holds per entry beyond the key's and the
// value's own bytes (table slot, entry node, policy links, accounting, the W-TinyLFU
// sketch), measured with the allocator's own count (tcmalloc's allocated bytes; glibc's
// mallinfo2 when built without it) around filling a tier, against a naive
// std::list + std::unordered_map LRU filled the same way, in the same run.
//
//   build/release/tests/bench/bench_memory_per_entry [entries]
#ifdef TIERSCOPE_WITH_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#else
#include <malloc.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tierscope/cache/memory_tier.h"

namespace {

// Bytes the program holds from the allocator, as the allocator counts them (each block at
// its size class), so the figure includes what the allocator rounds up.
size_t heap_in_use() {
#ifdef TIERSCOPE_WITH_TCMALLOC
  size_t bytes = 0;
  MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &bytes);
  return bytes;
#else
  return mallinfo2().uordblks;
#endif
}

// Keys of 24 characters: past the small-string buffer, so each owns a heap block.
std::string key_of(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "model:v3:img:%011zu", i);
  return buf;
}

// One value object shared by every entry: its bytes are counted once, not per entry.
const tierscope::Value& shared_value() {
  static const tierscope::Value v = tierscope::make_value(std::string(256, 'x'));
  return v;
}

struct Measure {
  double bytes_per_entry = 0;
};

template <typename Fill>
Measure measure(size_t n, size_t key_block, Fill fill) {
  // Key strings are built inside fill (as a cache stores its own copy); `key_block` is what
  // one key costs there (a std::string's heap block: malloc rounds 25 bytes up to 32; a key
  // stored inline in the entry: its 24 bytes) and is subtracted as "the key".
  const size_t before = heap_in_use();
  auto keep = fill(n);
  const size_t after = heap_in_use();
  Measure m;
  m.bytes_per_entry = (double(after) - double(before)) / double(n) - double(key_block);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  shared_value();

  auto naive = measure(n, 32, [](size_t count) {
    using List = std::list<std::pair<std::string, tierscope::Value>>;
    auto lru = std::make_shared<std::pair<List, std::unordered_map<std::string, List::iterator>>>();
    lru->second.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      const std::string k = key_of(i);
      lru->first.emplace_front(k, shared_value());
      lru->second.emplace(k, lru->first.begin());
    }
    return lru;
  });
  // The naive LRU stores its key twice (list and map): count one copy as "the key".
  naive.bytes_per_entry -= 32;

  auto tier_of = [](tierscope::EvictionPolicyKind policy) {
    return [policy](size_t count) {
      tierscope::MemoryTierOptions o;
      o.max_entries = count;
      o.max_bytes = 0;
      o.policy = policy;
      o.shard_bits = 6;
      auto tier = std::make_shared<tierscope::MemoryTier>(o);
      for (size_t i = 0; i < count; ++i) tier->put(key_of(i), shared_value());
      if (tier->snapshot().entries != count) std::abort();  // every entry resident
      tier->run_maintenance();  // tables outgrown while filling are freed
      return tier;
    };
  };
  // MemoryTier keeps a key's bytes inside its entry (24 of them here).
  const Measure lru = measure(n, 24, tier_of(tierscope::EvictionPolicyKind::kLru));
  const Measure wtinylfu = measure(n, 24, tier_of(tierscope::EvictionPolicyKind::kWTinyLfu));

  std::printf("heap bytes per resident entry, key and value excluded, %zu entries of 24-byte keys:\n", n);
  std::printf("  naive std::list + unordered_map LRU (baseline) %6.1f B\n", naive.bytes_per_entry);
  std::printf("  MemoryTier, LRU                                %6.1f B  (%.2fx the baseline)\n", lru.bytes_per_entry,
              lru.bytes_per_entry / naive.bytes_per_entry);
  std::printf("  MemoryTier, W-TinyLFU (sketch included)        %6.1f B  (%.2fx the baseline)\n", wtinylfu.bytes_per_entry,
              wtinylfu.bytes_per_entry / naive.bytes_per_entry);
  return 0;
}
