// admit_candidate: TinyLFU's admission rule, and the main area's split, shared by W-TinyLFU
// and the window advisor's simulated caches so the simulation judges and sizes entries
// exactly as the policy does.
//
// Internal. A pure function apart from the caller's random state.
#pragma once

#include <cstdint>

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

}  // namespace tierscope::internal
