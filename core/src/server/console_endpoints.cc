#include "server/console_endpoints.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>

#include "tierscope/cache/tiered_cache.h"
#include "tierscope/monitor/live_curves.h"

namespace tierscope::server::console {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

double unix_seconds(TimePoint t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

bool known_namespace(Engine& engine, const std::string& ns) {
  const auto names = engine.cache().namespace_names();
  return std::find(names.begin(), names.end(), ns) != names.end();
}

}  // namespace

HttpResponse cache_entry(Engine& engine, const HttpRequest& request) {
  const auto ns = request.query_value("namespace");
  const auto key = request.query_value("key");
  if (!ns || !key || key->empty()) return json_error(400, "query parameters 'namespace' and 'key' are required");
  if (!known_namespace(engine, *ns)) return json_error(404, "no such namespace: " + *ns);
  const std::string tier_text = request.query_value("tier").value_or("l1");
  if (tier_text != "l1" && tier_text != "l2") return json_error(400, "tier must be l1 or l2, not '" + tier_text + "'");
  const CacheTier tier = tier_text == "l1" ? CacheTier::kL1 : CacheTier::kL2;
  // inspect() reads quietly: no hit counted, no promotion, no change of order.
  const auto found = engine.cache().inspect(*ns, *key, tier);
  if (!found) return json_error(404, "no entry '" + *key + "' in " + tier_text + " of " + *ns);
  const std::string& value = *found->first;
  const EntryInfo& info = found->second;
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.body = value.substr(0, std::min(value.size(), kPreviewBytes));
  r.with_header("X-Entry-Bytes", std::to_string(value.size()));
  r.with_header("X-Entry-Charge", std::to_string(info.bytes));
  r.with_header("X-Entry-Created", json(unix_seconds(info.created)).dump());
  if (info.expires != kNever) r.with_header("X-Entry-Expires", json(unix_seconds(info.expires)).dump());
  r.with_header("X-Entry-Hits", std::to_string(info.hits));
  return r;
}

HttpResponse memory_analysis(Engine& engine, const HttpRequest& request) {
  const auto top = request.query_number("top", 20, 1000);
  if (!top || *top == 0) return json_error(400, "top must be 1..1000");
  const MemoryAnalysis a = engine.cache().analyze_memory(*top);
  json namespaces = json::array();
  for (const NamespaceUsage& n : a.namespaces) {
    namespaces.push_back({{"name", n.name}, {"l1_entries", n.l1_entries}, {"l1_bytes", n.l1_bytes},
                          {"l2_entries", n.l2_entries}, {"l2_bytes", n.l2_bytes}});
  }
  json prefixes = json::array();
  for (const PrefixUsage& p : a.prefixes) prefixes.push_back({{"prefix", p.prefix}, {"entries", p.entries}, {"bytes", p.bytes}});
  json largest = json::array();
  for (const EntryInfo& e : a.largest) {
    json row = {{"key", e.key}, {"bytes", e.bytes}, {"hits", e.hits}, {"created", unix_seconds(e.created)}};
    if (e.expires != kNever) row["expires"] = unix_seconds(e.expires);
    largest.push_back(std::move(row));
  }
  json ttl = json::array();
  for (size_t i = 0; i < MemoryAnalysis::kTtlBuckets; ++i) ttl.push_back({{"bucket", MemoryAnalysis::ttl_bucket_name(i)}, {"entries", a.ttl_spread[i]}});
  return json_response(200, dump(json{{"namespaces", std::move(namespaces)},
                                      {"prefixes", std::move(prefixes)},
                                      {"largest", std::move(largest)},
                                      {"ttl_spread", std::move(ttl)}}));
}

HttpResponse recorded_trace(Engine& engine, const HttpRequest& request) {
  const auto ns = request.query_value("namespace");
  if (!ns) return json_error(400, "query parameter 'namespace' is required");
  if (!known_namespace(engine, *ns)) return json_error(404, "no such namespace: " + *ns);
  const RecordedTrace trace = engine.monitor().curves().recorded_trace(*ns);
  // Key hashes, not keys (enough to replay through policies, nothing to read back), as
  // little-endian 64-bit words: JSON numbers would lose the low bits of most of them.
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.body.resize(trace.keys.size() * 8);
  for (size_t i = 0; i < trace.keys.size(); ++i) {
    for (int b = 0; b < 8; ++b) r.body[i * 8 + b] = static_cast<char>((trace.keys[i] >> (8 * b)) & 0xff);
  }
  r.with_header("X-Sampling-Rate", json(trace.sampling_rate).dump());
  r.with_header("X-Keys", std::to_string(trace.keys.size()));
  return r;
}

HttpResponse run_auto_tuning(Engine& engine) {
  if (engine.memory_budget_bytes() == 0) {
    return json_error(409, "auto-tuning needs a memory budget (CACHE_MEMORY_LIMIT_MB)");
  }
  const std::vector<BudgetChange> changes = engine.monitor().auto_tune_now();
  json out = json::array();
  for (const BudgetChange& c : changes) {
    out.push_back({{"namespace", c.name}, {"old_bytes", c.old_bytes}, {"new_bytes", c.new_bytes},
                   {"old_hit_ratio", c.old_hit_ratio}, {"new_hit_ratio", c.new_hit_ratio}});
  }
  json j = {{"changes", std::move(out)}};
  if (changes.empty()) {
    j["detail"] = "nothing to change (no namespace with enough traffic, or every limit is within 10 % of the best split)";
  }
  return json_response(200, dump(j));
}

HttpResponse log_tail(LogRing* ring, const HttpRequest& request) {
  if (!ring) return json_error(503, "this server keeps no log lines for /logs");
  const auto after = request.query_number("after", 0, UINT64_MAX / 2);
  const auto limit = request.query_number("limit", 500, 5000);
  if (!after) return json_error(400, "after must be a whole number (the last sequence number seen)");
  if (!limit || *limit == 0) return json_error(400, "limit must be 1..5000");
  json lines = json::array();
  uint64_t last = *after;
  for (const LogRecord& r : ring->after(*after, *limit)) {
    lines.push_back({{"sequence", r.sequence},
                     {"time", std::chrono::duration<double>(r.time.time_since_epoch()).count()},
                     {"level", r.level},
                     {"message", r.message}});
    last = r.sequence;
  }
  return json_response(200, dump(json{{"lines", std::move(lines)}, {"last", last}}));
}

json curves_json(const MonitorSnapshot& m) {
  json out = json::array();
  for (const NamespaceCurve& c : m.curves) {
    json points = json::array();
    for (const CurvePoint& p : c.points) points.push_back({p.size_entries, p.hit_ratio});
    out.push_back({{"name", c.name},
                   {"sampling_rate", c.sampling_rate},
                   {"samples", c.samples},
                   {"distinct_keys", c.distinct_keys},
                   {"mean_entry_bytes", c.mean_entry_bytes},
                   {"current_entries", c.effective_entries()},
                   {"current_bytes", c.l1_max_bytes},
                   {"hit_ratio_now", c.hit_ratio_now},
                   {"points", std::move(points)}});
  }
  return out;
}

json tuning_json(const MonitorSnapshot& m) {
  json out = json::array();
  for (const TuningEvent& e : m.tuning) {
    out.push_back({{"sequence", e.sequence},
                   {"time", unix_seconds(e.at)},
                   {"namespace", e.change.name},
                   {"old_bytes", e.change.old_bytes},
                   {"new_bytes", e.change.new_bytes},
                   {"old_hit_ratio", e.change.old_hit_ratio},
                   {"new_hit_ratio", e.change.new_hit_ratio}});
  }
  return out;
}

}  // namespace tierscope::server::console
