// WTinyLfuPolicy: Window TinyLFU as Caffeine runs it. New entries enter a small LRU
// window; entries leaving the window become candidates for the main area, a segmented
// LRU (probation, protected). When the shard must evict, the candidate's estimated
// frequency (FrequencySketch) is compared with that of main's probation victim and the
// less frequent one goes — unless the candidate was refused a short while ago and is back
// (a GhostFilter, ARC's B1, in the settings that have one). The window's share of the
// capacity, from 1 % (frequency-heavy workloads) to 100 % (recency-heavy ones, where the
// policy becomes LRU), and the ghost are chosen by a WindowAdvisor that simulates the
// candidates on a sample of the keys — one for the whole tier (SharedWindowAdvisor),
// shared by its shards' policies.
//
// Internal. Thread safety: none; the owning shard serialises calls.
#pragma once

#include <cstdint>

#include "cache/policy/eviction_policy.h"
#include "cache/policy/frequency_sketch.h"
#include "cache/policy/ghost_filter.h"
#include "cache/policy/shared_window_advisor.h"

namespace tierscope::internal {

class WTinyLfuPolicy final : public EvictionPolicy {
 public:
  // `advisor`: the tier's, which chooses the window; it must outlive the policy.
  explicit WTinyLfuPolicy(SharedWindowAdvisor& advisor);

  EvictionPolicyKind kind() const override { return EvictionPolicyKind::kWTinyLfu; }
  void on_insert(PolicyNode* n) override;
  void on_hit(PolicyNode* n) override;
  void on_miss(uint64_t hash) override;
  void on_remove(PolicyNode* n) override;
  void on_replace(PolicyNode* old, PolicyNode* fresh) override;
  PolicyNode* victim() override;
  void set_capacity_hint(size_t entries) override;
  std::vector<PolicyNode*> drain() override;
  void adopt(const std::vector<PolicyNode*>& coldest_first) override;

  // Share of the capacity given to the window now (the hill climber moves it).
  double window_fraction() const { return window_fraction_; }

 private:
  enum Queue : uint8_t { kWindow = 1, kProbation = 2, kProtected = 3 };

  size_t capacity() const;
  size_t window_max() const;
  size_t protected_max() const;
  IntrusiveList& list_of(const PolicyNode* n);
  void move_window_overflow_to_probation();
  void demote_protected_overflow();
  bool admit(uint64_t candidate_hash, uint64_t victim_hash);
  void record_access(uint64_t hash);

  IntrusiveList window_, probation_, protected_;
  // At least 1,024 words (8 KiB, 16,384 counters). Sized by capacity alone (Caffeine's
  // rule), a cache of 100 entries gets 128 words, and the keys of its sample window (10 x
  // capacity accesses) share counters so often that collisions decide admissions between
  // keys seen once or twice: ps at 100 entries 25.3 % with 128 words, 29.6 % with 1,024
  // (Caffeine 28.2); 4 or 8 words per entry gain no more on the shipped traces. From 1,024
  // entries up the rule is Caffeine's, so the floor costs a small cache 8 KiB and a large
  // one nothing. (The window advisor's simulations keep capacity-sized sketches: they
  // judge windows, and with more exact counts they were slower to leave 1 % for a
  // recency phase — test_policies' phase test.)
  FrequencySketch sketch_{1024};
  PolicyNode* candidate_ = nullptr;  // last entry moved from window to probation, not yet judged
  size_t capacity_hint_ = 0;
  uint64_t random_state_ = 0x9e3779b97f4a7c15ull;

  SharedWindowAdvisor& advisor_;
  uint64_t advisor_generation_ = 0;  // of advisor_'s setting last adopted
  double window_fraction_;
  int admission_margin_;
  bool ghost_on_;
  GhostFilter ghost_;  // sized on first use: no memory unless the advisor chooses a ghost
};

}  // namespace tierscope::internal
