// EvictionPolicy: decides which entry of one cache shard goes next. The shard owns the
// entries (nodes) and calls the policy under the shard lock; the policy only threads
// the nodes onto its own intrusive queues.
//
// Internal to the engine. Thread safety: none; the owning shard serialises every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tierscope/cache/eviction_policy.h"

namespace tierscope::internal {

// The policy's part of a cache entry: queue links, the key's hash for frequency
// sketches, and which queue the node is on.
struct PolicyNode {
  PolicyNode* prev = nullptr;
  PolicyNode* next = nullptr;
  uint64_t hash = 0;
  uint8_t queue = 0;
};

// A circular doubly linked list of PolicyNodes around a sentinel. front() is the most
// recently used end, back() the least recently used.
class IntrusiveList {
 public:
  IntrusiveList() { head_.prev = head_.next = &head_; }
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_.next == &head_; }
  size_t size() const { return size_; }
  PolicyNode* front() const { return empty() ? nullptr : head_.next; }
  PolicyNode* back() const { return empty() ? nullptr : head_.prev; }
  // The node after n towards the LRU end, or nullptr.
  PolicyNode* older(PolicyNode* n) const { return n->next == &head_ ? nullptr : n->next; }

  void push_front(PolicyNode* n) {
    n->prev = &head_;
    n->next = head_.next;
    head_.next->prev = n;
    head_.next = n;
    ++size_;
  }
  void remove(PolicyNode* n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
    --size_;
  }
  // `fresh` takes `old`'s place on whichever list old is on (same neighbours, same queue).
  static void replace(PolicyNode* old, PolicyNode* fresh) {
    fresh->prev = old->prev;
    fresh->next = old->next;
    fresh->queue = old->queue;
    old->prev->next = fresh;
    old->next->prev = fresh;
    old->prev = old->next = nullptr;
  }
  void move_to_front(PolicyNode* n) {
    if (head_.next == n) return;
    remove(n);
    push_front(n);
  }

 private:
  PolicyNode head_;
  size_t size_ = 0;
};

class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;
  virtual EvictionPolicyKind kind() const = 0;

  // A new entry was stored.
  virtual void on_insert(PolicyNode* n) = 0;
  // An entry was read, or its value replaced.
  virtual void on_hit(PolicyNode* n) = 0;
  // A key not held was asked for: frequency policies count the access. The shard calls
  // it when the key is stored (reads of absent keys take no lock, so they report nothing).
  virtual void on_miss(uint64_t hash) = 0;
  // A put replaced an entry with a new node for the same key: `fresh` takes `old`'s place.
  virtual void on_replace(PolicyNode* old, PolicyNode* fresh) { IntrusiveList::replace(old, fresh); }
  // An entry leaves the shard (evicted, expired, erased): unlink it.
  virtual void on_remove(PolicyNode* n) = 0;
  // The entry to evict next, still linked (the shard then calls on_remove), or nullptr
  // when the policy holds nothing. May reorder queues (e.g. window -> main).
  virtual PolicyNode* victim() = 0;
  // The shard's capacity in entries, for sizing windows and sketches; 0 = unknown.
  virtual void set_capacity_hint(size_t entries) = 0;
  // Every node, coldest first, unlinked from this policy: for handing over to another.
  virtual std::vector<PolicyNode*> drain() = 0;
  // Takes over nodes listed coldest first (from another policy's drain()).
  virtual void adopt(const std::vector<PolicyNode*>& coldest_first) {
    for (PolicyNode* n : coldest_first) on_insert(n);
  }
};

class SharedWindowAdvisor;
// `advisor` (must outlive the policy): the tier's window advisor, which W-TinyLFU follows.
std::unique_ptr<EvictionPolicy> make_eviction_policy(EvictionPolicyKind kind, size_t capacity_hint,
                                                     SharedWindowAdvisor& advisor);

}  // namespace tierscope::internal
