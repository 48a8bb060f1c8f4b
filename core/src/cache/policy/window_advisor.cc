#include "cache/policy/window_advisor.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "base/hash_mix.h"
#include "cache/policy/admission.h"

namespace tierscope::internal {
namespace {

// Simulated caches hold about this many entries (all of a smaller cache): enough for their
// hit ratios to rank the candidates as the real cache would, few enough that sampling
// (1 key in capacity/128 for larger caches) keeps the cost per access small. 128 and 256
// ranked alike on the shipped and synthetic traces (docs/benchmarks.md §8).
constexpr size_t kMiniCapacity = 128;
// A period is this many sampled accesses per simulated entry.
constexpr double kPeriodPerEntry = 4;
// Each candidate keeps two scores. The steady one weighs the past by kSteadyDecay: a
// period's hits are noisy, and a choice that flips on noise costs the real cache a
// reshuffle each time. The quick one (kQuickDecay) sees a phase shift within a period or
// two; its leader takes over only when it beats the steady leader there by more than
// kQuickLead. One decay of 0.7 for both was the trade before: sprite@200 lost 0.6 points
// to flipping, and slower decay alone lost phase shifts (docs/benchmarks.md §8).
constexpr double kSteadyDecay = 0.85;
constexpr double kQuickDecay = 0.5;
constexpr double kQuickLead = 0.01;

}  // namespace

void WindowAdvisor::MiniCache::reset(size_t capacity, Setting setting) {
  capacity_ = std::max<size_t>(capacity, 1);
  margin_ = setting.margin;
  ghost_on_ = setting.ghost;
  if (ghost_on_) ghost_.reset(ghost_size_for(capacity_));
  window_max_ = std::max<size_t>(1, static_cast<size_t>(std::llround(setting.window * static_cast<double>(capacity_))));
  protected_max_ = static_cast<size_t>(kProtectedShareOfMain * static_cast<double>(capacity_ - std::min(capacity_, window_max_)));
  nodes_.assign(3, Node{});
  for (uint32_t s = 0; s < 3; ++s) nodes_[s].prev = nodes_[s].next = s;
  free_.clear();
  index_.assign(std::bit_ceil(2 * (capacity_ + 1)), 0);
  index_mask_ = index_.size() - 1;
  resident_ = 0;
  window_ = List{0};
  probation_ = List{1};
  protected_ = List{2};
}

void WindowAdvisor::MiniCache::push_front(List& list, uint32_t n) {
  const uint32_t head = list.head;
  nodes_[n].prev = head;
  nodes_[n].next = nodes_[head].next;
  nodes_[nodes_[head].next].prev = n;
  nodes_[head].next = n;
  ++list.size;
}

void WindowAdvisor::MiniCache::unlink(List& list, uint32_t n) {
  nodes_[nodes_[n].prev].next = nodes_[n].next;
  nodes_[nodes_[n].next].prev = nodes_[n].prev;
  --list.size;
}

uint32_t* WindowAdvisor::MiniCache::find_slot(uint64_t key) {
  for (size_t i = mix64(key) & index_mask_;; i = (i + 1) & index_mask_) {
    if (index_[i] == 0 || nodes_[index_[i]].key == key) return &index_[i];
  }
}

void WindowAdvisor::MiniCache::index_insert(uint64_t key, uint32_t n) {
  *find_slot(key) = n;
  ++resident_;
}

void WindowAdvisor::MiniCache::index_erase(uint64_t key) {
  size_t hole = static_cast<size_t>(find_slot(key) - index_.data());
  if (index_[hole] == 0) return;
  --resident_;
  // Backward shift: move later entries of the run into the hole when their home allows.
  for (size_t i = (hole + 1) & index_mask_; index_[i] != 0; i = (i + 1) & index_mask_) {
    const size_t home = mix64(nodes_[index_[i]].key) & index_mask_;
    // The entry at i may fill the hole unless its home lies cyclically in (hole, i].
    const bool home_after_hole = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (!home_after_hole) {
      index_[hole] = index_[i];
      hole = i;
    }
  }
  index_[hole] = 0;
}

void WindowAdvisor::MiniCache::evict(uint32_t n) {
  unlink(list_of(nodes_[n].queue), n);
  index_erase(nodes_[n].key);
  nodes_[n].queue = kFree;
  free_.push_back(n);
}

bool WindowAdvisor::MiniCache::access(uint64_t key, const FrequencySketch& sketch, uint64_t* random_state) {
  if (const uint32_t found = *find_slot(key); found != 0) {
    const uint32_t n = found;
    Node& node = nodes_[n];
    if (node.queue == kProbation) {
      unlink(probation_, n);
      node.queue = kProtected;
      push_front(protected_, n);
      while (protected_.size > protected_max_) {
        const uint32_t demoted = nodes_[protected_.head].prev;
        unlink(protected_, demoted);
        nodes_[demoted].queue = kProbation;
        push_front(probation_, demoted);
      }
    } else {
      List& list = list_of(node.queue);
      unlink(list, n);
      push_front(list, n);
    }
    return true;
  }
  uint32_t n;
  if (!free_.empty()) {
    n = free_.back();
    free_.pop_back();
  } else {
    n = static_cast<uint32_t>(nodes_.size());
    nodes_.push_back(Node{});
  }
  nodes_[n].key = key;
  nodes_[n].queue = kWindow;
  push_front(window_, n);
  index_insert(key, n);
  uint32_t candidate = 0;  // 0: none (index 0 is a sentinel)
  if (window_.size > window_max_) {
    candidate = nodes_[window_.head].prev;
    unlink(window_, candidate);
    nodes_[candidate].queue = kProbation;
    push_front(probation_, candidate);
  }
  if (resident_ <= capacity_) return false;
  // Over capacity by one: the candidate against probation's least recent entry (protected's
  // when the candidate is alone on probation), exactly as WTinyLfuPolicy::victim() judges.
  if (candidate != 0) {
    uint32_t victim = nodes_[probation_.head].prev;
    if (victim == candidate) victim = probation_.size > 1 || protected_.size == 0 ? 0 : nodes_[protected_.head].prev;
    if (victim == 0) {
      evict(candidate);
    } else {
      const uint64_t candidate_key = nodes_[candidate].key;
      const bool admitted = admit_with_ghost(candidate_key, sketch.frequency(candidate_key),
                                             sketch.frequency(nodes_[victim].key), margin_,
                                             ghost_on_ ? &ghost_ : nullptr, random_state);
      evict(admitted ? victim : candidate);
    }
    return false;
  }
  for (List* list : {&probation_, &protected_, &window_}) {
    if (list->size > 0) {
      evict(nodes_[list->head].prev);
      break;
    }
  }
  return false;
}

void WindowAdvisor::set_capacity(size_t capacity) {
  capacity = std::max<size_t>(capacity, 1);
  const uint64_t rate = capacity <= kMiniCapacity ? 1 : std::bit_floor(capacity / kMiniCapacity);
  sample_mask_ = rate - 1;
  const size_t mini = std::max<size_t>(1, capacity / rate);
  for (size_t i = 0; i < caches_.size(); ++i) caches_[i].reset(mini, kCandidates[i]);
  sketch_ = FrequencySketch();
  sketch_.ensure_capacity(mini);
  steady_score_.fill(0);
  quick_score_.fill(0);
  period_hits_.fill(0);
  period_ = static_cast<uint64_t>(kPeriodPerEntry * static_cast<double>(mini));
  in_period_ = 0;
}

bool WindowAdvisor::in_sample(uint64_t hash, uint64_t sample_mask) {
  return (mix64(hash ^ 0x6a09e667f3bcc909ull) & sample_mask) == 0;
}

bool WindowAdvisor::record(uint64_t hash) {
  if (period_ == 0) return false;
  if (!in_sample(hash, sample_mask_)) return false;
  sketch_.increment(hash);
  for (size_t i = 0; i < caches_.size(); ++i) period_hits_[i] += caches_[i].access(hash, sketch_, &random_state_);
  if (++in_period_ < period_) return false;
  in_period_ = 0;
  size_t best = best_, quick_best = 0;
  for (size_t i = 0; i < caches_.size(); ++i) {
    steady_score_[i] = kSteadyDecay * steady_score_[i] + static_cast<double>(period_hits_[i]);
    quick_score_[i] = kQuickDecay * quick_score_[i] + static_cast<double>(period_hits_[i]);
    if (steady_score_[i] > steady_score_[best]) best = i;
    if (quick_score_[i] > quick_score_[quick_best]) quick_best = i;
  }
  if (quick_score_[quick_best] > (1 + kQuickLead) * quick_score_[best]) best = quick_best;
  period_hits_.fill(0);
  best_ = best;
  return true;
}

}  // namespace tierscope::internal
