// TieredCache's browser queries: pages of entries, quiet inspection, memory analysis.
// Kept apart from the read path (tiered_cache.cc); they use only the tiers' visitors.
#include <algorithm>
#include <map>

#include "cache/tiered_cache_impl.h"
#include "tierscope/cache/glob.h"

namespace tierscope {

namespace {

EntryInfo info_of(const EntryView& v, std::string_view key) { return {std::string(key), v.bytes, v.created, v.expires, v.hits}; }

size_t ttl_bucket(TimePoint expires, TimePoint now) {
  if (expires == kNever) return 5;
  const Duration left = expires - now;
  using namespace std::chrono;
  if (left < minutes(1)) return 0;
  if (left < minutes(10)) return 1;
  if (left < hours(1)) return 2;
  if (left < hours(24)) return 3;
  return 4;
}

}  // namespace

EntryPage TieredCache::list_entries(std::string_view ns, CacheTier tier, const EntryQuery& query) const {
  const Namespace& n = impl_->lookup(ns);
  EntryPage page;
  const std::string& pattern = query.pattern.empty() ? std::string("*") : query.pattern;
  auto consider = [&](const EntryView& v, std::string_view key) {
    if (!glob_match(pattern, key)) return;
    const uint64_t index = page.total_matching++;
    if (index >= query.offset && page.entries.size() < query.limit) page.entries.push_back(info_of(v, key));
  };
  if (tier == CacheTier::kL1) {
    n.l1->visit_entries([&](const EntryView& v) { consider(v, v.key); });
  } else if (tier == CacheTier::kL2 && n.use_l2 && impl_->l2) {
    const std::string prefix = n.name + "/";
    impl_->l2->visit_entries([&](const EntryView& v) {
      if (v.key.size() > prefix.size() && v.key.compare(0, prefix.size(), prefix) == 0) {
        consider(v, v.key.substr(prefix.size()));
      }
    });
  }
  return page;
}

std::optional<std::pair<Value, EntryInfo>> TieredCache::inspect(std::string_view ns, std::string_view key,
                                                                CacheTier tier) const {
  const Namespace& n = impl_->lookup(ns);
  if (tier == CacheTier::kL1) {
    EntryInfo info;
    Value v = n.l1->peek(key, &info);
    if (!v) return std::nullopt;
    return std::make_pair(std::move(v), std::move(info));
  }
  if (tier == CacheTier::kL2 && n.use_l2 && impl_->l2) {
    const std::string full = Impl::full_key(n, key);
    auto entry = impl_->l2->peek(full);
    if (!entry) return std::nullopt;
    EntryInfo info{std::string(key), impl_->l2->charge_of(full.size(), entry->value->size()), entry->created,
                   entry->expires, 0};
    return std::make_pair(std::move(entry->value), std::move(info));
  }
  return std::nullopt;
}

MemoryAnalysis TieredCache::analyze_memory(size_t top) const {
  MemoryAnalysis a;
  const TimePoint now = impl_->clock->now();
  std::map<std::string, PrefixUsage> prefixes;
  // The `top` largest so far, smallest first, so the next candidate is compared once.
  std::vector<EntryInfo> largest;
  auto account = [&](const EntryView& v, std::string_view ns, std::string_view key) {
    std::string prefix = std::string(ns) + "/" + std::string(key_prefix(key));
    PrefixUsage& p = prefixes[prefix];
    p.prefix = std::move(prefix);
    ++p.entries;
    p.bytes += v.bytes;
    ++a.ttl_spread[ttl_bucket(v.expires, now)];
    if (top == 0) return;
    if (largest.size() < top || v.bytes > largest.front().bytes) {
      EntryInfo e = info_of(v, std::string(ns) + "/" + std::string(key));
      auto at = std::lower_bound(largest.begin(), largest.end(), e.bytes,
                                 [](const EntryInfo& x, uint64_t b) { return x.bytes < b; });
      largest.insert(at, std::move(e));
      if (largest.size() > top) largest.erase(largest.begin());
    }
  };
  std::map<std::string, NamespaceUsage, std::less<>> usage;
  for (const auto& n : impl_->namespaces) {
    NamespaceUsage& u = usage[n->name];
    u.name = n->name;
    n->l1->visit_entries([&](const EntryView& v) {
      ++u.l1_entries;
      u.l1_bytes += v.bytes;
      account(v, n->name, v.key);
    });
  }
  if (impl_->l2) {
    impl_->l2->visit_entries([&](const EntryView& v) {
      const size_t slash = v.key.find('/');
      if (slash == std::string_view::npos) return;
      auto it = usage.find(v.key.substr(0, slash));
      if (it == usage.end()) return;
      ++it->second.l2_entries;
      it->second.l2_bytes += v.bytes;
      account(v, it->first, v.key.substr(slash + 1));
    });
  }
  for (auto& [name, u] : usage) a.namespaces.push_back(u);
  std::sort(a.namespaces.begin(), a.namespaces.end(), [](const NamespaceUsage& x, const NamespaceUsage& y) {
    return x.l1_bytes + x.l2_bytes > y.l1_bytes + y.l2_bytes;
  });
  for (auto& [name, p] : prefixes) a.prefixes.push_back(std::move(p));
  std::sort(a.prefixes.begin(), a.prefixes.end(), [](const PrefixUsage& x, const PrefixUsage& y) { return x.bytes > y.bytes; });
  if (a.prefixes.size() > top) a.prefixes.resize(top);
  a.largest.assign(largest.rbegin(), largest.rend());
  return a;
}

}  // namespace tierscope
