// WindowAdvisor: chooses W-TinyLFU's window share (and whether it keeps a ghost of refused
// candidates) by simulation (the "mini-sim" climber of Caffeine's simulator) instead of by
// hill climbing. A sample of the keys (all of them for small caches, 1 in 2^k for large
// ones) is replayed through a few small W-TinyLFU caches that differ only in their window
// share, from 1 % to 100 % (which is LRU), and in the ghost. Their hits are
// counted with exponential decay over periods of a few times their capacity; after each
// period the policy adopts the setting of the one that hit most — over a long memory,
// unless a short one shows another clearly ahead. A shift from frequency to
// recency (or back) shows up within a period or two, and the choice lands on the best
// candidate directly rather than after many small steps.
//
// Internal. Thread safety: none; the owning policy serialises calls.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cache/policy/frequency_sketch.h"
#include "cache/policy/ghost_filter.h"

namespace tierscope::internal {

class WindowAdvisor {
 public:
  // A setting of the policy: the window's share of the capacity, the admission margin, and
  // whether refused candidates get ARC's second chance (GhostFilter, admission.h).
  struct Setting {
    double window;
    int margin;
    bool ghost;
  };
  // Each window with and without a ghost (a window of 100 % admits nothing, so it has no
  // ghost variant). The ghost wins where popularity drifts — the last favourites' counts
  // outlive them and refuse every newcomer — and loses on recency-heavy traces like sprite,
  // so it is chosen by workload like the window (docs/benchmarks.md §8). Margin 0 candidates
  // were tried beside the windows (16 caches: no better, at twice the cost) and beside these
  // (19: drift 3 points worse, the shipped traces no better).
  static constexpr std::array<Setting, 15> kCandidates = {{
      {0.01, 1, false}, {0.05, 1, false}, {0.12, 1, false}, {0.25, 1, false}, {0.4, 1, false},
      {0.6, 1, false}, {0.8, 1, false}, {1.0, 1, false},
      {0.01, 1, true}, {0.05, 1, true}, {0.12, 1, true}, {0.25, 1, true}, {0.4, 1, true},
      {0.6, 1, true}, {0.8, 1, true},
  }};

  // The real cache's capacity in entries; resets the simulation.
  void set_capacity(size_t capacity);
  // One access (hit, or a miss about to be stored) of the key with this hash. Returns
  // true when a period ended and recommended() may have changed.
  bool record(uint64_t hash);
  // The setting to use now, and its index in kCandidates.
  Setting recommended() const { return kCandidates[best_]; }
  size_t recommended_index() const { return best_; }
  // Whether record() simulates the key with this hash: 1 key in sample_mask()+1, chosen
  // by hash so a key is always in the sample or always out.
  static bool in_sample(uint64_t hash, uint64_t sample_mask);
  uint64_t sample_mask() const { return sample_mask_; }

 private:
  // A W-TinyLFU cache of keys only, with a fixed window share, sharing the sketch.
  class MiniCache {
   public:
    void reset(size_t capacity, Setting setting);
    // Returns whether the key was resident.
    bool access(uint64_t key, const FrequencySketch& sketch, uint64_t* random_state);

   private:
    enum Queue : uint8_t { kFree = 0, kWindow = 1, kProbation = 2, kProtected = 3 };
    struct Node {
      uint64_t key = 0;
      uint32_t prev = 0, next = 0;
      Queue queue = kFree;
    };
    struct List {
      uint32_t head = 0;  // sentinel index
      size_t size = 0;
    };
    void push_front(List& list, uint32_t n);
    void unlink(List& list, uint32_t n);
    List& list_of(Queue q) { return q == kWindow ? window_ : q == kProbation ? probation_ : protected_; }
    void evict(uint32_t n);

    // Open addressing over node indices (0 = empty), linear probing, backward-shift erase:
    // no allocation per access.
    uint32_t* find_slot(uint64_t key);
    void index_insert(uint64_t key, uint32_t n);
    void index_erase(uint64_t key);

    std::vector<Node> nodes_;  // [0..2]: sentinels of window, probation, protected
    std::vector<uint32_t> free_;
    std::vector<uint32_t> index_;
    size_t index_mask_ = 0;
    size_t resident_ = 0;
    List window_{0}, probation_{1}, protected_{2};
    size_t capacity_ = 0, window_max_ = 0, protected_max_ = 0;
    int margin_ = 0;
    bool ghost_on_ = false;
    GhostFilter ghost_;
  };

  std::array<MiniCache, kCandidates.size()> caches_;
  std::array<double, kCandidates.size()> steady_score_{};  // see kSteadyDecay
  std::array<double, kCandidates.size()> quick_score_{};   // see kQuickDecay
  std::array<uint64_t, kCandidates.size()> period_hits_{};
  FrequencySketch sketch_;
  uint64_t sample_mask_ = 0;  // a key is sampled when its mixed hash & mask == 0
  uint64_t period_ = 0, in_period_ = 0;
  size_t best_ = 0;  // Caffeine's 1 % window
  uint64_t random_state_ = 0x2545f4914f6cdd1dull;
};

}  // namespace tierscope::internal
