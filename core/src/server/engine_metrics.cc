#include "tierscope/server/engine_metrics.h"

#include "tierscope/base/version.h"

namespace tierscope::server {
namespace {

const std::vector<double>& cache_buckets() {
  // Cache loads and misses run from microseconds (L2) to seconds (a slow origin).
  static const std::vector<double> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   5, 10};
  return kBounds;
}

}  // namespace

void write_engine_metrics(Engine& engine, PrometheusText& out) {
  const TieredStats s = engine.cache().snapshot();

  out.family("tierscope_build_info", "gauge", "Tierscope version (value 1).");
  out.sample({{"version", version_string()}}, 1);

  out.family("tierscope_cache_requests_total", "counter", "Cache gets, all namespaces.");
  out.sample(double(s.total_requests));

  uint64_t l1_hits = 0, l1_misses = 0;
  for (const NamespaceStats& ns : s.namespaces) {
    l1_hits += ns.l1.hits;
    l1_misses += ns.l1.misses;
  }
  out.family("tierscope_cache_gets_total", "counter", "Lookups by tier and result (a miss in one tier goes on to the next).");
  out.sample({{"tier", "l1"}, {"result", "hit"}}, double(l1_hits));
  out.sample({{"tier", "l1"}, {"result", "miss"}}, double(l1_misses));
  if (s.l2_enabled) {
    out.sample({{"tier", "l2"}, {"result", "hit"}}, double(s.l2.hits));
    out.sample({{"tier", "l2"}, {"result", "miss"}}, double(s.l2.misses));
  }
  if (s.shared) {
    out.sample({{"tier", "redis"}, {"result", "hit"}}, double(s.shared->hits));
    out.sample({{"tier", "redis"}, {"result", "miss"}}, double(s.shared->misses));
  }
  out.sample({{"tier", "origin"}, {"result", "loaded"}}, double(s.l3_hits));
  out.sample({{"tier", "origin"}, {"result", "error"}}, double(s.load_errors));

  out.family("tierscope_cache_requests_served_total", "counter", "Requests by the tier that answered them, or failed.");
  out.sample({{"tier", "l1"}}, double(s.served_l1));
  out.sample({{"tier", "l2"}}, double(s.served_l2));
  if (s.shared) out.sample({{"tier", "redis"}}, double(s.served_shared));
  out.sample({{"tier", "origin"}}, double(s.served_origin));
  out.sample({{"tier", "failed"}}, double(s.failed_requests));

  if (s.shared) {
    const SharedTierStatus& r = *s.shared;
    out.family("tierscope_redis_up", "gauge", "1 while the shared Redis tier answers (breaker closed), else 0.");
    out.sample(r.available ? 1 : 0);
    out.family("tierscope_redis_breaker_state", "gauge", "The Redis circuit breaker: 1 for the state it is in.");
    for (const char* state : {"closed", "open", "half-open"}) out.sample({{"state", state}}, r.breaker == state ? 1 : 0);
    out.family("tierscope_redis_errors_total", "counter", "Redis calls that failed, by kind.");
    out.sample({{"kind", "connect"}}, double(r.errors_connect));
    out.sample({{"kind", "timeout"}}, double(r.errors_timeout));
    out.sample({{"kind", "other"}}, double(r.errors_other));
    out.family("tierscope_redis_short_circuited_total", "counter", "Calls that skipped Redis while the breaker was open.");
    out.sample(double(r.short_circuited));
    out.family("tierscope_redis_corrupted_total", "counter", "Redis values whose checksum failed (read as misses).");
    out.sample(double(r.corrupted));
    out.family("tierscope_redis_nodes", "gauge", "Redis masters serving the tier (1 standalone).");
    out.sample(double(r.nodes));
    out.family("tierscope_redis_redirects_total", "counter", "Redis Cluster redirections followed, by kind.");
    out.sample({{"kind", "moved"}}, double(r.moved_redirects));
    out.sample({{"kind", "ask"}}, double(r.ask_redirects));
    out.family("tierscope_redis_used_memory_bytes", "gauge", "Redis used_memory at the last refresh (-1 unknown).");
    out.sample(double(r.used_memory_bytes));
    out.family("tierscope_redis_connected_clients", "gauge", "Redis connected_clients at the last refresh (-1 unknown).");
    out.sample(double(r.connected_clients));
  }

  out.family("tierscope_cache_loads_total", "counter", "Origin loads that succeeded.");
  out.sample(double(s.l3_hits));
  out.family("tierscope_cache_load_errors_total", "counter", "Origin loads that failed.");
  out.sample(double(s.load_errors));
  out.family("tierscope_cache_load_timeouts_total", "counter", "Gets that gave up waiting for a load.");
  out.sample(double(s.load_timeouts));
  out.family("tierscope_cache_overloaded_total", "counter", "Gets refused because the load queue was full.");
  out.sample(double(s.overloaded));
  out.family("tierscope_cache_loads_in_flight", "gauge", "Origin loads running now.");
  out.sample(double(s.loads_in_flight));
  out.family("tierscope_cache_stampedes_prevented_total", "counter",
             "Gets that waited for a load already running instead of starting another (single flight).");
  out.sample(double(s.stampede_prevented));

  out.family("tierscope_cache_evictions_total", "counter", "Entries removed, by tier and cause.");
  for (const NamespaceStats& ns : s.namespaces) {
    out.sample({{"tier", "l1"}, {"namespace", ns.name}, {"cause", "size"}}, double(ns.l1.evictions));
    out.sample({{"tier", "l1"}, {"namespace", ns.name}, {"cause", "ttl"}}, double(ns.l1.expirations));
    out.sample({{"tier", "l1"}, {"namespace", ns.name}, {"cause", "invalidation"}}, double(ns.l1.erases));
  }
  if (s.l2_enabled) {
    out.sample({{"tier", "l2"}, {"namespace", "all"}, {"cause", "size"}}, double(s.l2.evictions));
    out.sample({{"tier", "l2"}, {"namespace", "all"}, {"cause", "ttl"}}, double(s.l2.expirations));
    out.sample({{"tier", "l2"}, {"namespace", "all"}, {"cause", "invalidation"}}, double(s.l2.erases));
    out.sample({{"tier", "l2"}, {"namespace", "all"}, {"cause", "corrupt"}}, double(s.l2.corrupt_dropped));
  }

  out.family("tierscope_cache_entries", "gauge", "Entries held, by tier and namespace (L2 counts all namespaces together).");
  for (const NamespaceStats& ns : s.namespaces) out.sample({{"tier", "l1"}, {"namespace", ns.name}}, double(ns.l1.entries));
  if (s.l2_enabled) out.sample({{"tier", "l2"}, {"namespace", "all"}}, double(s.l2.entries));
  out.family("tierscope_cache_bytes", "gauge", "Bytes charged, by tier and namespace (L2: disk blocks taken).");
  for (const NamespaceStats& ns : s.namespaces) out.sample({{"tier", "l1"}, {"namespace", ns.name}}, double(ns.l1.bytes));
  if (s.l2_enabled) out.sample({{"tier", "l2"}, {"namespace", "all"}}, double(s.l2.bytes));
  out.family("tierscope_cache_max_entries", "gauge", "L1 entry limit per namespace (0 = none).");
  for (const NamespaceStats& ns : s.namespaces) out.sample({{"namespace", ns.name}}, double(ns.l1.max_entries));
  out.family("tierscope_cache_max_bytes", "gauge", "L1 byte limit per namespace (0 = none).");
  for (const NamespaceStats& ns : s.namespaces) out.sample({{"namespace", ns.name}}, double(ns.l1.max_bytes));
  out.family("tierscope_cache_window_share", "gauge",
             "W-TinyLFU's window share of each namespace's L1 as its advisor chose it (1 = LRU).");
  for (const NamespaceStats& ns : s.namespaces) out.sample({{"namespace", ns.name}}, ns.l1.window_share);
  out.family("tierscope_cache_ghost_admission", "gauge",
             "1 where W-TinyLFU admits refused candidates that return (its advisor's choice), else 0.");
  for (const NamespaceStats& ns : s.namespaces) out.sample({{"namespace", ns.name}}, ns.l1.ghost_admission ? 1.0 : 0.0);
  out.family("tierscope_cache_ttl_seconds", "gauge", "Base TTL per namespace (0 = no expiry).");
  for (const NamespaceStats& ns : s.namespaces) {
    out.sample({{"namespace", ns.name}}, std::chrono::duration<double>(ns.ttl).count());
  }
  if (s.l2_enabled) {
    out.family("tierscope_disk_usage_bytes", "gauge", "L2 disk space taken.");
    out.sample(double(s.l2.bytes));
    out.family("tierscope_disk_limit_bytes", "gauge", "L2 disk limit (max_disk_usage_gb).");
    out.sample(double(s.l2.max_bytes));
    out.family("tierscope_disk_write_errors_total", "counter", "L2 writes that failed (nothing stored).");
    out.sample(double(s.l2.write_errors));
  }

  out.family("tierscope_cache_miss_duration_seconds", "histogram", "Whole gets of keys not in L1 (L2 read or origin load).");
  out.latency_histogram({}, cache_buckets(), s.miss_latency_counts);
  out.family("tierscope_cache_load_duration_seconds", "histogram", "Origin loads.");
  out.latency_histogram({}, cache_buckets(), s.origin_latency_counts);
  if (s.l2_enabled) {
    out.family("tierscope_cache_l2_read_duration_seconds", "histogram", "L2 reads that hit.");
    out.latency_histogram({}, cache_buckets(), s.l2_latency_counts);
  }

  const MonitorSnapshot monitor = engine.monitor().snapshot();
  out.family("tierscope_memory_budget_bytes", "gauge", "Memory budget the L1 namespaces share (CACHE_MEMORY_LIMIT_MB; 0 = none).");
  out.sample(double(engine.memory_budget_bytes()));
  if (monitor.health.valid) {
    out.family("tierscope_process_resident_memory_bytes", "gauge", "Resident memory of this process.");
    out.sample(double(monitor.health.process_rss_bytes));
    out.family("tierscope_system_memory_used_ratio", "gauge", "Machine memory in use, 0..1.");
    out.sample(monitor.health.memory_percent / 100.0);
  }
  out.family("tierscope_alerts_firing", "gauge", "Alert rules firing now.");
  out.sample(double(monitor.alerts_firing));
  out.family("tierscope_alert_state", "gauge", "Per alert rule: 0 ok, 1 pending, 2 firing.");
  for (const AlertStatus& a : monitor.alerts) {
    out.sample({{"alert", a.rule.name}}, a.state == AlertState::kFiring ? 2 : a.state == AlertState::kPending ? 1 : 0);
  }
  out.family("tierscope_auto_tuning_enabled", "gauge", "1 when auto-tuning of the L1 memory split is on.");
  out.sample(monitor.auto_tuning ? 1 : 0);

  if (Classifier* classifier = engine.classifier()) {
    const ClassifierStats c = classifier->stats();
    out.family("tierscope_model_loaded", "gauge", "1 when the classifier's model is loaded.");
    out.sample(c.model.loaded ? 1 : 0);
    out.family("tierscope_model_warmup_completed", "gauge", "1 once the model's warm-up has run.");
    out.sample(c.model.warmup_completed ? 1 : 0);
    out.family("tierscope_model_load_seconds", "gauge", "Time the model took to load and warm up.");
    out.sample(c.model.load_time_ms / 1000.0);
    out.family("tierscope_model_predictions_total", "counter", "Images run through the network.");
    out.sample(double(c.model.total_predictions));
    out.family("tierscope_model_forward_passes_total", "counter", "Forward passes (batches).");
    out.sample(double(c.model.forward_passes));
    out.family("tierscope_model_refused_total", "counter", "Inferences refused because too many were waiting.");
    out.sample(double(c.model.refused));
    out.family("tierscope_model_max_concurrent_inferences", "gauge", "Forward passes allowed at once.");
    out.sample(double(c.model.max_concurrent_inferences));
    out.family("tierscope_inference_duration_seconds", "histogram", "Model inference per call: wait for a slot + forward pass.");
    out.latency_histogram({}, default_duration_buckets_seconds(), c.model.inference_latency_counts);
    out.family("tierscope_classifier_requests_total", "counter", "Classifications by result.");
    out.sample({{"result", "cache_hit"}}, double(c.cache_hits));
    out.sample({{"result", "cache_miss"}}, double(c.cache_misses));
    out.sample({{"result", "error"}}, double(c.errors));
    out.family("tierscope_classifier_duration_seconds", "histogram", "Whole classifications: cache, decode, model.");
    out.latency_histogram({}, default_duration_buckets_seconds(), c.end_to_end_counts);
    out.family("tierscope_model_cache_enabled", "gauge", "1 when the prediction cache is on (ENABLE_MODEL_CACHE).");
    out.sample(c.cache_enabled ? 1 : 0);
  }
  if (tryon::TryOnPipeline* tryon = engine.tryon()) {
    const tryon::TryOnStats t = tryon->stats();
    out.family("tierscope_tryon_requests_total", "counter", "Try-on previews asked for.");
    out.sample(double(t.requests));
    out.family("tierscope_tryon_errors_total", "counter", "Try-on previews refused (bad photos) or failed.");
    out.sample(double(t.errors));
    out.family("tierscope_tryon_cache_hits_total", "counter", "Try-on stages answered from the cache.");
    out.sample({{"stage", "composite"}}, double(t.composites_from_cache));
    out.sample({{"stage", "person"}}, double(t.persons_from_cache));
    out.sample({{"stage", "garment"}}, double(t.garments_from_cache));
    out.family("tierscope_tryon_duration_seconds", "histogram", "Whole try-on previews, cached or computed.");
    out.latency_histogram({}, default_duration_buckets_seconds(), t.latency_counts);
  }
}

void write_server_metrics(const HttpServerStats& s, PrometheusText& out) {
  out.family("tierscope_http_connections_open", "gauge", "HTTP connections open now.");
  out.sample(double(s.connections_open));
  out.family("tierscope_http_connections_accepted_total", "counter", "HTTP connections accepted.");
  out.sample(double(s.connections_accepted));
  out.family("tierscope_http_connections_refused_total", "counter", "HTTP connections closed at accept (over the limit).");
  out.sample(double(s.connections_refused));
  out.family("tierscope_http_requests_in_flight", "gauge", "HTTP requests being handled now.");
  out.sample(double(s.in_flight));
  out.family("tierscope_http_rejected_total", "counter", "HTTP requests refused before handling, by reason.");
  out.sample({{"reason", "overload"}}, double(s.rejected_overload));
  out.sample({{"reason", "limits"}}, double(s.rejected_limits));
}

}  // namespace tierscope::server
