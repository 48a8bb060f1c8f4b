// What a cache browser sees of one entry, and the queries and analyses over entries
// (TieredCache::list_entries, TieredCache::analyze_memory). Plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/base/clock.h"

namespace tierscope {

// One entry as a tier's visitor reports it; the key view is valid during the call only.
struct EntryView {
  std::string_view key;
  uint64_t bytes = 0;       // what the tier charges for it
  TimePoint created{};
  TimePoint expires = kNever;
  uint64_t hits = 0;        // reads since stored (L1; L2 does not count per entry)
};

struct EntryInfo {
  std::string key;
  uint64_t bytes = 0;
  TimePoint created{};
  TimePoint expires = kNever;
  uint64_t hits = 0;
};

struct EntryQuery {
  std::string pattern = "*";  // glob over keys (`*`, `?`)
  size_t offset = 0;          // matching entries to skip
  size_t limit = 100;         // entries to return at most
};

// A page of matching entries, in the tier's internal order (stable while the tier is
// not changed), with how many match in all.
struct EntryPage {
  std::vector<EntryInfo> entries;
  uint64_t total_matching = 0;
};

struct PrefixUsage {
  std::string prefix;  // the key up to its first ':' or '/', inclusive; "" for none
  uint64_t entries = 0;
  uint64_t bytes = 0;
};

struct NamespaceUsage {
  std::string name;
  uint64_t l1_entries = 0, l1_bytes = 0;
  uint64_t l2_entries = 0, l2_bytes = 0;
};

struct MemoryAnalysis {
  std::vector<NamespaceUsage> namespaces;  // by l1 + l2 bytes, largest first
  std::vector<PrefixUsage> prefixes;       // "namespace/prefix", L1 and L2, largest first
  std::vector<EntryInfo> largest;          // keys as "namespace/key", with their tier's bytes
  // Entries by TTL left: < 1 min, < 10 min, < 1 h, < 1 day, longer, never expiring.
  static constexpr size_t kTtlBuckets = 6;
  uint64_t ttl_spread[kTtlBuckets] = {};
  static const char* ttl_bucket_name(size_t i);
};

// The prefix a key is grouped under in analyses.
std::string_view key_prefix(std::string_view key);

}  // namespace tierscope
