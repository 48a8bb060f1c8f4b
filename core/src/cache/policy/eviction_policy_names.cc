#include <algorithm>
#include <cctype>
#include <string>

#include "tierscope/cache/eviction_policy.h"

namespace tierscope {

std::optional<EvictionPolicyKind> parse_eviction_policy(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "lru") return EvictionPolicyKind::kLru;
  if (lower == "wtinylfu" || lower == "w-tinylfu" || lower == "tinylfu") return EvictionPolicyKind::kWTinyLfu;
  return std::nullopt;
}

std::string_view to_string(EvictionPolicyKind kind) {
  switch (kind) {
    case EvictionPolicyKind::kLru:
      return "lru";
    case EvictionPolicyKind::kWTinyLfu:
      return "wtinylfu";
  }
  return "unknown";
}

}  // namespace tierscope
