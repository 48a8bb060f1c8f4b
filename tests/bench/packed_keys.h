// PackedKeys: a benchmark's keys in fixed-size records of one array, so fetching key i
// costs the harness one memory access — as a Java benchmark's String (one object holding
// its cached hash) does — instead of a std::string's two (the object, then its heap
// buffer), which a uniform stream over 100k keys would time as the cache's own misses.
// Record: [hash: 8 bytes, with_hash only][length: 1 byte][the key's bytes].
//
// Built once, then read-only: safe to read from any number of threads.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/cache/memory_tier.h"

namespace tierscope::bench {

class PackedKeys {
 public:
  // Keys make_key(0) .. make_key(count - 1), each at most 31 bytes (23 with the hash).
  template <typename MakeKey>
  PackedKeys(size_t count, MakeKey make_key, bool with_hash = false)
      : stride_(with_hash ? 64 : 32), hash_bytes_(with_hash ? 8 : 0), bytes_(count * stride_) {
    for (size_t i = 0; i < count; ++i) {
      const std::string k = make_key(i);
      if (k.size() + 1 + hash_bytes_ > stride_) {
        std::fprintf(stderr, "PackedKeys: key %zu is %zu bytes, longer than a record holds\n", i, k.size());
        std::abort();
      }
      char* record = &bytes_[i * stride_];
      if (with_hash) {
        const uint64_t h = MemoryTier::hash_of(k);
        std::memcpy(record, &h, sizeof h);
      }
      record[hash_bytes_] = static_cast<char>(k.size());
      std::memcpy(record + hash_bytes_ + 1, k.data(), k.size());
    }
  }

  size_t size() const { return bytes_.size() / stride_; }
  std::string_view operator[](size_t i) const {
    const char* r = &bytes_[i * stride_ + hash_bytes_];
    return {r + 1, static_cast<unsigned char>(r[0])};
  }
  // MemoryTier::hash_of(key i); only when built with_hash.
  uint64_t hash(size_t i) const {
    uint64_t h;
    std::memcpy(&h, &bytes_[i * stride_], sizeof h);
    return h;
  }

 private:
  size_t stride_, hash_bytes_;
  std::vector<char> bytes_;
};

}  // namespace tierscope::bench
