// GhostFilter: remembers, approximately, the hashes of the last few hundred or thousand
// candidates that W-TinyLFU's admission refused — ARC's ghost list B1 as a pair of Bloom
// filters. A refused candidate asked for again while still remembered is admitted without
// the frequency duel: it came back within about a cache's worth of refusals, the recency
// signal the sketch cannot give when the victim's count is that of a key no longer asked
// for (popularity that drifts: docs/benchmarks.md §8).
//
// The two filters take turns: inserts go to the current one; when it holds half the
// remembered count, the older one is cleared and becomes current. So a hash is remembered
// for between half and all of `remembered` later inserts. 16 bits per inserted hash and
// three bits in one 64-bit word: 0.5-1.5 % false positives with both filters full, 2 bytes
// per remembered hash in all (rounded up to a power of two: 1-2 bytes per entry of the
// cache at the default of half its capacity).
//
// Internal. Thread safety: none; the owner serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tierscope::internal {

class GhostFilter {
 public:
  // Remember about `remembered` hashes; forgets all of them.
  void reset(size_t remembered);
  // reset(remembered) when never sized, or sized for half or twice as many (the cache it
  // serves has grown or shrunk); otherwise keeps what it remembers.
  void fit(size_t remembered) {
    if (remembered_ == 0 || remembered >= 2 * remembered_ || 2 * remembered <= remembered_) reset(remembered);
  }
  size_t remembered() const { return remembered_; }
  bool contains(uint64_t hash) const;
  void insert(uint64_t hash);

 private:
  static uint64_t bits_of(uint64_t mixed) {
    return (1ull << (mixed >> 46 & 63)) | (1ull << (mixed >> 52 & 63)) | (1ull << (mixed >> 58));
  }

  std::vector<uint64_t> filters_[2];
  size_t mask_ = 0;  // words per filter - 1
  size_t current_ = 0;
  size_t inserted_ = 0;  // into filters_[current_]
  size_t remembered_ = 0;
};

}  // namespace tierscope::internal
