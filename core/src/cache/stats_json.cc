#include "tierscope/cache/stats_json.h"

#include <nlohmann/json.hpp>

namespace tierscope {
namespace {

nlohmann::json latency(const LatencySummary& s) {
  return {{"count", s.count}, {"mean_ms", s.mean_ms}, {"p50_ms", s.p50_ms},
          {"p95_ms", s.p95_ms}, {"p99_ms", s.p99_ms}, {"max_ms", s.max_ms}};
}

}  // namespace

std::string namespace_count_key(const std::string& ns) {
  std::string key = "l1_";
  for (char c : ns) key += (c == ':' || c == '-' || c == '.') ? '_' : c;
  return key + "_count";
}

std::string cache_stats_json(const TieredStats& s, int indent) {
  nlohmann::json j;
  j["total_requests"] = s.total_requests;
  j["l1_hits"] = s.l1_hits;
  j["l2_hits"] = s.l2_hits;
  j["l3_hits"] = s.l3_hits;
  j["shared_hits"] = s.shared_hits;
  if (s.shared) {
    // SPEC 1.3: the Redis tier reports availability, memory used and connected clients.
    const SharedTierStatus& r = *s.shared;
    j["redis"] = {{"endpoint", r.endpoint},
                  {"mode", r.mode},
                  {"nodes", r.nodes},
                  {"redirects", {{"moved", r.moved_redirects}, {"ask", r.ask_redirects}}},
                  {"available", r.available},
                  {"breaker", r.breaker},
                  {"hits", r.hits},
                  {"misses", r.misses},
                  {"corrupted", r.corrupted},
                  {"short_circuited", r.short_circuited},
                  {"errors", {{"connect", r.errors_connect}, {"timeout", r.errors_timeout}, {"other", r.errors_other}}},
                  {"used_memory", r.used_memory_bytes},
                  {"connected_clients", r.connected_clients}};
  }
  j["evictions"] = s.evictions;
  j["stampede_prevented"] = s.stampede_prevented;
  j["l1_hit_rate"] = s.l1_hit_rate;
  j["l2_hit_rate"] = s.l2_hit_rate;
  j["origin_rate"] = s.origin_rate;
  j["load_errors"] = s.load_errors;
  j["load_timeouts"] = s.load_timeouts;
  j["overloaded"] = s.overloaded;
  j["loads_in_flight"] = s.loads_in_flight;
  j["l1_policy"] = std::string(to_string(s.l1_policy));
  nlohmann::json namespaces = nlohmann::json::object();
  for (const NamespaceStats& ns : s.namespaces) {
    j[namespace_count_key(ns.name)] = ns.l1.entries;
    namespaces[ns.name] = {{"entries", ns.l1.entries},
                           {"bytes", ns.l1.bytes},
                           {"max_entries", ns.l1.max_entries},
                           {"max_bytes", ns.l1.max_bytes},
                           {"hits", ns.l1.hits},
                           {"misses", ns.l1.misses},
                           {"evictions", ns.l1.evictions},
                           {"expirations", ns.l1.expirations},
                           {"window_share", ns.l1.window_share},
                           {"ghost_admission", ns.l1.ghost_admission},
                           {"ttl_seconds", std::chrono::duration<double>(ns.ttl).count()}};
  }
  j["namespaces"] = namespaces;
  j["l2_enabled"] = s.l2_enabled;
  j["l2_disk_usage_gb"] = s.l2_disk_usage_gb;
  j["l2_disk_limit_gb"] = s.l2_disk_limit_gb;
  if (s.l2_enabled) {
    j["l2"] = {{"entries", s.l2.entries},         {"bytes", s.l2.bytes},
               {"hits", s.l2.hits},               {"misses", s.l2.misses},
               {"writes", s.l2.writes},           {"write_errors", s.l2.write_errors},
               {"evictions", s.l2.evictions},     {"expirations", s.l2.expirations},
               {"corrupt_dropped", s.l2.corrupt_dropped}, {"rejected", s.l2.rejected}};
  }
  j["latency"] = {{"l1", latency(s.l1_latency)},
                  {"l2", latency(s.l2_latency)},
                  {"origin", latency(s.origin_latency)},
                  {"miss", latency(s.miss_latency)}};
  return j.dump(indent);
}

}  // namespace tierscope
