// JSON views of engine statistics, with the key names operators of the earlier systems
// know (SPEC 1.1 `cache_stats`): l1_hits, l2_hits, l3_hits, evictions,
// stampede_prevented, total_requests, l1_hit_rate, l2_hit_rate,
// l1_human_upper_count, l1_human_lower_count, l1_human_dresses_count,
// l1_garment_count, l1_text_count, l2_disk_usage_gb, l2_disk_limit_gb — plus per
// namespace `l1_<name>_count` for every namespace, L2 counters and latency percentiles.
//
// Pure functions on values: thread-safe.
#pragma once

#include <string>

#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

// `cache_stats` as a JSON object text. `indent` < 0 gives one line.
std::string cache_stats_json(const TieredStats& stats, int indent = -1);

// The key a namespace's entry count has in cache_stats: "human:upper" -> "l1_human_upper_count".
std::string namespace_count_key(const std::string& ns);

}  // namespace tierscope
