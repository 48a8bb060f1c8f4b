// admit_candidate: TinyLFU's admission rule, and the main area's split, shared by W-TinyLFU
// and the window advisor's simulated caches so the simulation judges and sizes entries
// exactly as the policy does. admit_with_ghost: the same rule with ARC's second chance.
//
// Internal. A pure function apart from the caller's random state.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "cache/policy/ghost_filter.h"

namespace tierscope::internal {

// A candidate is admitted when more frequent than the victim by more than `margin`.
// Caffeine's margin is 0. A margin of 1 helps where the candidate's count, which already
// includes the access that brought it in, ties with a victim that is about to be asked
// for again — a loop over more keys than fit (LIRS loop at 500: 40.7 % -> 49.1 %, Belady
// 49.4 %) — and costs elsewhere (ps at 200 entries); the WindowAdvisor picks it by workload.
// Above this count a refused candidate is still admitted 1 time in 128: an attacker could
// keep a victim's count high with colliding keys (HashDoS), and warm candidates must not
// be locked out forever.
inline constexpr int kHashFloodThreshold = 6;

// Share of the main area (capacity minus window) given to the protected segment (Caffeine's).
inline constexpr double kProtectedShareOfMain = 0.80;

// A ghost filter (in the settings that have one) remembers this share of the capacity in
// refused candidates, each for between half and all of that many later refusals. Measured
// with the replay (docs/benchmarks.md §8): larger ghosts gained more on drifting traces and
// lost more on sprite and ps at 200 entries; 0.5 improved every set of traces.
inline constexpr double kGhostShareOfCapacity = 0.5;
inline size_t ghost_size_for(size_t capacity) {
  return static_cast<size_t>(std::llround(kGhostShareOfCapacity * static_cast<double>(capacity)));
}

inline bool admit_candidate(int candidate_frequency, int victim_frequency, int margin, uint64_t* random_state) {
  if (candidate_frequency > victim_frequency + margin) return true;
  if (candidate_frequency < kHashFloodThreshold) return false;
  uint64_t x = *random_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *random_state = x;
  return (x & 127) == 0;
}

// With `ghost` (null: none), a candidate refused recently is admitted when it comes back,
// and one refused now is remembered.
inline bool admit_with_ghost(uint64_t candidate_hash, int candidate_frequency, int victim_frequency, int margin,
                             GhostFilter* ghost, uint64_t* random_state) {
  if (ghost != nullptr && ghost->contains(candidate_hash)) return true;
  if (admit_candidate(candidate_frequency, victim_frequency, margin, random_state)) return true;
  if (ghost != nullptr) ghost->insert(candidate_hash);
  return false;
}

}  // namespace tierscope::internal
