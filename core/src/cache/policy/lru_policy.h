// LruPolicy: evicts the least recently used entry. Internal; not thread-safe (the
// owning shard serialises calls).
#pragma once

#include "cache/policy/eviction_policy.h"

namespace tierscope::internal {

class LruPolicy final : public EvictionPolicy {
 public:
  EvictionPolicyKind kind() const override { return EvictionPolicyKind::kLru; }
  void on_insert(PolicyNode* n) override { order_.push_front(n); }
  void on_hit(PolicyNode* n) override { order_.move_to_front(n); }
  void on_miss(uint64_t) override {}
  void on_remove(PolicyNode* n) override { order_.remove(n); }
  PolicyNode* victim() override { return order_.back(); }
  void set_capacity_hint(size_t) override {}
  std::vector<PolicyNode*> drain() override;

 private:
  IntrusiveList order_;  // front = most recent
};

}  // namespace tierscope::internal
