#include "cache/policy/lru_policy.h"

#include "cache/policy/w_tiny_lfu_policy.h"

namespace tierscope::internal {

std::vector<PolicyNode*> LruPolicy::drain() {
  std::vector<PolicyNode*> nodes;
  nodes.reserve(order_.size());
  while (PolicyNode* n = order_.back()) {
    order_.remove(n);
    nodes.push_back(n);
  }
  return nodes;
}

std::unique_ptr<EvictionPolicy> make_eviction_policy(EvictionPolicyKind kind, size_t capacity_hint,
                                                     SharedWindowAdvisor& advisor) {
  std::unique_ptr<EvictionPolicy> policy;
  switch (kind) {
    case EvictionPolicyKind::kLru:
      policy = std::make_unique<LruPolicy>();
      break;
    case EvictionPolicyKind::kWTinyLfu:
      policy = std::make_unique<WTinyLfuPolicy>(advisor);
      break;
  }
  policy->set_capacity_hint(capacity_hint);
  return policy;
}

}  // namespace tierscope::internal
