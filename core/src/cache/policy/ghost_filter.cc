#include "cache/policy/ghost_filter.h"

#include <algorithm>
#include <bit>

#include "base/hash_mix.h"

namespace tierscope::internal {
namespace {

// Decorrelates the filter's bits from the sketch's and the table's uses of the same hash.
constexpr uint64_t kSeed = 0x3c6ef372fe94f82bull;

}  // namespace

void GhostFilter::reset(size_t remembered) {
  remembered_ = std::max<size_t>(remembered, 2);
  // 16 bits per hash of a filter's half: remembered / 2 * 16 / 64 words.
  const size_t words = std::bit_ceil(std::max<size_t>(remembered_ / 8, 8));
  for (auto& f : filters_) f.assign(words, 0);
  mask_ = words - 1;
  current_ = 0;
  inserted_ = 0;
}

bool GhostFilter::contains(uint64_t hash) const {
  if (remembered_ == 0) return false;
  const uint64_t mixed = mix64(hash ^ kSeed);
  const uint64_t bits = bits_of(mixed);
  const size_t word = mixed & mask_;
  return (filters_[0][word] & bits) == bits || (filters_[1][word] & bits) == bits;
}

void GhostFilter::insert(uint64_t hash) {
  if (remembered_ == 0) return;
  if (inserted_ >= remembered_ / 2) {
    current_ ^= 1;
    std::fill(filters_[current_].begin(), filters_[current_].end(), 0);
    inserted_ = 0;
  }
  const uint64_t mixed = mix64(hash ^ kSeed);
  filters_[current_][mixed & mask_] |= bits_of(mixed);
  ++inserted_;
}

}  // namespace tierscope::internal
