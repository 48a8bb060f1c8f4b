#include "cache/policy/frequency_sketch.h"

#include "base/hash_mix.h"

#include <algorithm>
#include <bit>

namespace tierscope::internal {
namespace {

constexpr uint64_t kSeeds[4] = {0xc3a5c85c97cb3127ull, 0xb492b66fbe98f273ull, 0x9ae16a3b2f90404full,
                                0xcbf29ce484222325ull};

// splitmix64 finaliser: spreads weak std::hash values over all bits.
uint64_t mix(uint64_t x) { return mix64(x); }

}  // namespace

void FrequencySketch::ensure_capacity(size_t max_entries) {
  const size_t want = std::bit_ceil(std::max(max_entries, min_table_words_));
  if (want <= table_.size()) return;
  table_.assign(want, 0);
  mask_ = want - 1;
  additions_ = 0;
  sample_size_ = 10 * std::max<size_t>(max_entries, 16);
}

FrequencySketch::Counters FrequencySketch::locate(uint64_t hash) const {
  // All four counters in one 64-byte block of 8 words (Caffeine 3's layout): one cache
  // miss per lookup instead of four. The low bits pick the block; each of four bytes of
  // the high half picks one of two words (counter i only ever in words 2i, 2i+1) and a nibble.
  Counters c;
  const uint64_t h = mix(hash + kSeeds[0]);
  const size_t block = static_cast<size_t>(h & (mask_ >> 3)) << 3;
  for (int i = 0; i < 4; ++i) {
    const auto byte = static_cast<unsigned>(h >> (32 + 8 * i));
    c.word[i] = block + static_cast<size_t>(2 * i) + (byte & 1);
    c.shift[i] = static_cast<int>((byte >> 1) & 15) << 2;
  }
  return c;
}

int FrequencySketch::minimum(const Counters& c) const {
  int result = 15;
  for (int i = 0; i < 4; ++i) result = std::min(result, static_cast<int>((table_[c.word[i]] >> c.shift[i]) & 0xf));
  return result;
}

int FrequencySketch::frequency(uint64_t hash) const {
  if (table_.empty()) return 0;
  return minimum(locate(hash));
}

void FrequencySketch::increment(uint64_t hash) {
  if (table_.empty()) return;
  // Conservative update: raise only the counters at the current minimum, which keeps
  // overestimates from colliding keys down.
  const Counters c = locate(hash);
  const int current = minimum(c);
  if (current == 15) return;
  for (int i = 0; i < 4; ++i) {
    if (static_cast<int>((table_[c.word[i]] >> c.shift[i]) & 0xf) == current) table_[c.word[i]] += uint64_t{1} << c.shift[i];
  }
  if (++additions_ >= sample_size_) age();
}

void FrequencySketch::age() {
  for (uint64_t& w : table_) w = (w >> 1) & 0x7777777777777777ull;
  additions_ /= 2;
}

}  // namespace tierscope::internal
