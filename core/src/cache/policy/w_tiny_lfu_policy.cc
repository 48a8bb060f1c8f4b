#include "cache/policy/w_tiny_lfu_policy.h"

#include "cache/policy/admission.h"

#include <algorithm>
#include <cmath>

namespace tierscope::internal {

WTinyLfuPolicy::WTinyLfuPolicy(SharedWindowAdvisor& advisor)
    : advisor_(advisor),
      window_fraction_(advisor.recommended().window),
      admission_margin_(advisor.recommended().margin),
      ghost_on_(advisor.recommended().ghost) {}

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
  if (sketch_.table_size() > 0) sketch_.ensure_capacity(capacity());  // else: sized when half full
  advisor_.plan(capacity(), /*exact=*/capacity_hint_ != 0);
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
  record_access(n->hash);
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
  // The sketch starts counting once the cache is half full, as Caffeine's does. Counts
  // from the first fill would give its entries — often a one-off warm-up or scan — a head
  // start no later key can beat on a tie: ps at 200 entries, 45.9 % counting from the
  // start, 49.0 % from half full (docs/benchmarks.md §8).
  if (sketch_.table_size() == 0 && 2 * (window_.size() + probation_.size() + protected_.size() + 1) >= capacity()) {
    sketch_.ensure_capacity(capacity());
  }
  sketch_.increment(hash);
  record_access(hash);
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
  if (ghost_on_) ghost_.fit(ghost_size_for(capacity()));  // a shard without a limit grows
  return admit_with_ghost(candidate_hash, sketch_.frequency(candidate_hash), sketch_.frequency(victim_hash),
                          admission_margin_, ghost_on_ ? &ghost_ : nullptr, &random_state_);
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

void WTinyLfuPolicy::record_access(uint64_t hash) {
  advisor_.record(hash, capacity());
  if (const uint64_t g = advisor_.generation(); g != advisor_generation_) {
    advisor_generation_ = g;
    window_fraction_ = advisor_.recommended().window;
    admission_margin_ = advisor_.recommended().margin;
    ghost_on_ = advisor_.recommended().ghost;
  }
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
