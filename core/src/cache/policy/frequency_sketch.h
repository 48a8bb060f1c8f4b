// FrequencySketch: a count-min sketch of 4-bit counters estimating how often each key
// hash was seen recently, with periodic halving ("aging") so old popularity fades —
// the admission filter of TinyLFU (Einziger, Friedman, Manes 2017), laid out as in
// Caffeine 3: 16 counters per 64-bit word, a key's 4 counters in one 64-byte block.
//
// Internal. Thread safety: none; the owning shard serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace tierscope::internal {

class FrequencySketch {
 public:
  // `min_table_words`: the table never has fewer words (16 counters each), whatever the
  // capacity asked for.
  explicit FrequencySketch(size_t min_table_words = 16) : min_table_words_(min_table_words) {}

  // Sizes the table for about `max_entries` distinct keys; a resize forgets all counts.
  void ensure_capacity(size_t max_entries);
  // Estimated recent count of `hash`, 0..15.
  int frequency(uint64_t hash) const;
  // Counts one occurrence; halves every counter after 10 x capacity increments.
  void increment(uint64_t hash);
  size_t table_size() const { return table_.size(); }

 private:
  // Word and nibble of each of a hash's four counters.
  struct Counters {
    size_t word[4];
    int shift[4];
  };
  Counters locate(uint64_t hash) const;
  int minimum(const Counters& c) const;
  void age();

  // Blocks of 8 words on cache-line boundaries: a key's counters share one line.
  template <class T>
  struct LineAligned {
    using value_type = T;
    LineAligned() = default;
    template <class U>
    LineAligned(const LineAligned<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t{64}); }
    bool operator==(const LineAligned&) const { return true; }
  };
  std::vector<uint64_t, LineAligned<uint64_t>> table_;
  size_t mask_ = 0;
  size_t additions_ = 0;
  size_t sample_size_ = 0;
  size_t min_table_words_;
};

}  // namespace tierscope::internal
