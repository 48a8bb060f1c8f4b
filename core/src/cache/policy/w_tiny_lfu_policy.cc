#include "cache/policy/w_tiny_lfu_policy.h"

#include <algorithm>
#include <cmath>

namespace tierscope::internal {
namespace {

// Caffeine's defaults.
constexpr double kInitialWindowFraction = 0.01;
constexpr double kMaxWindowFraction = 0.80;
constexpr double kProtectedShareOfMain = 0.80;
// Half Caffeine's first step (6.25 %) and a faster decay (Caffeine: 0.98): the window
// settles in fewer, smaller moves instead of overshooting and oscillating around the best
// size. Measured over the six shipped traces at five sizes each (docs/benchmarks.md §8):
// points below max(LRU, ARC, Caffeine) 14 -> 10, their sum -33.8 -> -23.1 points; on the
// synthetic phase-shift traces of tests/bench/peer/make_phase_traces.py, a wash.
constexpr double kInitialStep = 0.03;  // of the capacity
constexpr double kStepDecay = 0.9;
// Requests per hill-climber step, per entry of capacity. Caffeine uses 10; 5 adapts
// twice as often, which OLTP (recency-heavy, wants a large window) needs to stay above
// LRU at 4000 entries (52.6 % vs 51.0 %), at a cost on LIRS loop (49.1 -> 46.3 %, still
// within 3.1 points of Belady). Measured with tierscope-replay, docs/benchmarks.md.
constexpr double kClimberSamplePerEntry = 5;
constexpr double kRestartThreshold = 0.05;      // a hit-rate jump this big means a new workload
constexpr int kHashFloodThreshold = 6;          // above this, admit at random 1/128 (HashDoS guard)
// Unlike Caffeine, a candidate must be more frequent than the victim by more than one.
// The candidate's count already includes the access that brought it in, while the
// victim (probation's least recent entry) is typically just about to be asked for
// again; without the margin, a loop over more keys than fit makes every candidate win
// by one and the cache degrades towards LRU (LIRS loop at 500: 40.7 % -> 49.1 %, with
// Belady at 49.4 %). Measured in docs/benchmarks.md.
constexpr int kAdmissionMargin = 1;

}  // namespace

WTinyLfuPolicy::WTinyLfuPolicy() : window_fraction_(kInitialWindowFraction), step_(kInitialStep) {}

size_t WTinyLfuPolicy::capacity() const {
  const size_t total = window_.size() + probation_.size() + protected_.size();
  return std::max<size_t>(capacity_hint_ ? capacity_hint_ : total, 1);
}

size_t WTinyLfuPolicy::window_max() const {
  return static_cast<size_t>(std::llround(window_fraction_ * static_cast<double>(capacity())));
}

size_t WTinyLfuPolicy::protected_max() const {
  const size_t main = capacity() - std::min(capacity(), window_max());
  return static_cast<size_t>(kProtectedShareOfMain * static_cast<double>(main));
}

IntrusiveList& WTinyLfuPolicy::list_of(const PolicyNode* n) {
  switch (n->queue) {
    case kWindow:
      return window_;
    case kProbation:
      return probation_;
    default:
      return protected_;
  }
}

void WTinyLfuPolicy::set_capacity_hint(size_t entries) {
  capacity_hint_ = entries;
  sketch_.ensure_capacity(capacity());
}

void WTinyLfuPolicy::on_insert(PolicyNode* n) {
  n->queue = kWindow;
  window_.push_front(n);
  if (capacity_hint_ == 0) sketch_.ensure_capacity(capacity());  // grows with the shard
  move_window_overflow_to_probation();
}

void WTinyLfuPolicy::move_window_overflow_to_probation() {
  while (window_.size() > window_max()) {
    PolicyNode* n = window_.back();
    window_.remove(n);
    n->queue = kProbation;
    probation_.push_front(n);
    candidate_ = n;
  }
}

void WTinyLfuPolicy::demote_protected_overflow() {
  while (protected_.size() > protected_max()) {
    PolicyNode* n = protected_.back();
    protected_.remove(n);
    n->queue = kProbation;
    probation_.push_front(n);
  }
}

void WTinyLfuPolicy::on_hit(PolicyNode* n) {
  sketch_.increment(n->hash);
  record_sample(true);
  switch (n->queue) {
    case kWindow:
      window_.move_to_front(n);
      break;
    case kProbation:
      if (candidate_ == n) candidate_ = nullptr;  // proven itself: no longer on trial
      probation_.remove(n);
      n->queue = kProtected;
      protected_.push_front(n);
      demote_protected_overflow();
      break;
    default:
      protected_.move_to_front(n);
  }
}

void WTinyLfuPolicy::on_miss(uint64_t hash) {
  sketch_.increment(hash);
  record_sample(false);
}

void WTinyLfuPolicy::on_remove(PolicyNode* n) {
  if (candidate_ == n) candidate_ = nullptr;
  list_of(n).remove(n);
  n->queue = 0;
}

void WTinyLfuPolicy::on_replace(PolicyNode* old, PolicyNode* fresh) {
  IntrusiveList::replace(old, fresh);
  if (candidate_ == old) candidate_ = fresh;
}

bool WTinyLfuPolicy::admit(uint64_t candidate_hash, uint64_t victim_hash) {
  const int candidate = sketch_.frequency(candidate_hash);
  const int victim = sketch_.frequency(victim_hash);
  if (candidate > victim + kAdmissionMargin) return true;
  if (candidate < kHashFloodThreshold) return false;
  // An attacker could keep a victim's count high with colliding keys; a small random
  // admission keeps warm candidates from being locked out forever.
  random_state_ ^= random_state_ << 13;
  random_state_ ^= random_state_ >> 7;
  random_state_ ^= random_state_ << 17;
  return (random_state_ & 127) == 0;
}

PolicyNode* WTinyLfuPolicy::victim() {
  move_window_overflow_to_probation();  // the window may have shrunk since the last insert
  if (PolicyNode* candidate = candidate_) {
    candidate_ = nullptr;
    PolicyNode* main_victim = probation_.back();
    if (main_victim == candidate) main_victim = probation_.size() > 1 ? nullptr : protected_.back();
    if (main_victim == nullptr || main_victim == candidate) return candidate;
    return admit(candidate->hash, main_victim->hash) ? main_victim : candidate;
  }
  if (PolicyNode* n = probation_.back()) return n;
  if (PolicyNode* n = protected_.back()) return n;
  return window_.back();
}

void WTinyLfuPolicy::record_sample(bool hit) {
  (hit ? sample_hits_ : sample_misses_) += 1;
  const uint64_t sample = sample_hits_ + sample_misses_;
  if (sample < kClimberSamplePerEntry * capacity()) return;
  const double hit_rate = static_cast<double>(sample_hits_) / static_cast<double>(sample);
  sample_hits_ = sample_misses_ = 0;
  if (previous_hit_rate_ >= 0) {
    const double delta = hit_rate - previous_hit_rate_;
    const double amount = delta >= 0 ? step_ : -step_;  // keep going while it helps
    window_fraction_ = std::clamp(window_fraction_ + amount, 0.0, kMaxWindowFraction);
    step_ = std::abs(delta) >= kRestartThreshold ? std::copysign(kInitialStep, amount) : kStepDecay * amount;
  }
  previous_hit_rate_ = hit_rate;
}

std::vector<PolicyNode*> WTinyLfuPolicy::drain() {
  // Coldest first: probation, then protected, then the window (newest entries).
  std::vector<PolicyNode*> nodes;
  nodes.reserve(window_.size() + probation_.size() + protected_.size());
  for (IntrusiveList* list : {&probation_, &protected_, &window_}) {
    while (PolicyNode* n = list->back()) {
      list->remove(n);
      n->queue = 0;
      nodes.push_back(n);
    }
  }
  candidate_ = nullptr;
  return nodes;
}

void WTinyLfuPolicy::adopt(const std::vector<PolicyNode*>& coldest_first) {
  // The hottest window_max entries form the window; the rest start on probation.
  const size_t window_count = std::min(window_max(), coldest_first.size());
  const size_t split = coldest_first.size() - window_count;
  for (size_t i = 0; i < coldest_first.size(); ++i) {
    PolicyNode* n = coldest_first[i];
    n->queue = i < split ? kProbation : kWindow;
    (i < split ? probation_ : window_).push_front(n);
  }
}

}  // namespace tierscope::internal
