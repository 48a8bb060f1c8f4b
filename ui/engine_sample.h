// EngineSample: one reading of the engine, taken on the engine worker thread and sent
// to the GUI thread by value over a queued signal. Rates are over the interval since the
// previous sample, latency percentiles over a sliding window (latency_window_seconds),
// counts are totals since start.
//
// A plain value type: copy freely, no thread-safety concerns.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <vector>

#include "tierscope/monitor/shards_curve.h"

namespace tierscope::ui {

// p50 / p95 / p99 in milliseconds over the window, and how many requests they cover.
struct LatencyWindow {
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  quint64 count = 0;
};

// One namespace's row in the dashboard's table.
struct NamespaceSample {
  QString name;
  double hit_rate = 0;        // L1 hits / L1 lookups this interval, 0..1
  double lookups_per_second = 0;
  quint64 entries = 0;
  quint64 max_entries = 0;  // 0 = none
  quint64 bytes = 0;
  quint64 max_bytes = 0;    // 0 = none
  double ttl_seconds = 0;   // 0 = no expiry
  // W-TinyLFU's window now, 0.01..1 (1 = LRU), or kWindowNotReported (a server older than
  // the field; the table shows "–" rather than guessing LRU).
  static constexpr double kWindowNotReported = 0;
  double window_share = kWindowNotReported;
  bool ghost_admission = false;
};

// What the Workload panel asks for: Zipf keys, or a trace file replayed in a loop.
struct WorkloadRequest {
  quint64 keys = 50'000;
  double zipf = 0.9;
  double rate = 5'000;  // requests/s, 0 = as fast as possible
  int threads = 4;
  double origin_latency_ms = 0.5;
  QString trace_path;  // non-empty: replay it instead of Zipf keys
  QString cache_namespace = QStringLiteral("general");
};

// One namespace's live hit-ratio curve (LRU, from sampled live requests; see
// monitor/live_curves.h), sizes in entries and bytes.
struct CurveSample {
  QString name;
  double sampling_rate = 1;
  quint64 samples = 0;
  double distinct_keys = 0;
  double mean_entry_bytes = 0;
  double current_entries = 0;  // the effective L1 size now
  double current_bytes = 0;    // its byte limit (0 = none)
  double hit_ratio_now = 0;
  std::vector<CurvePoint> points;  // size in entries -> hit ratio 0..1
};

// One alert rule and where it stands.
struct AlertSample {
  QString name, metric, op, state;  // state: "ok", "pending", "firing"
  double threshold = 0;
  double duration_seconds = 0;
  bool has_value = false;
  double value = 0;
  double since_seconds = 0;  // how long pending/firing
  quint64 times_fired = 0;
};

// One change the auto-tuner made.
struct TuningSample {
  quint64 sequence = 0;
  double seconds_since_start = 0;  // chart x of the change
  QString name;
  quint64 old_bytes = 0, new_bytes = 0;
  double old_hit_ratio = 0, new_hit_ratio = 0;
};

struct EngineSample {
  double seconds_since_start = 0;  // x coordinate of the charts
  // Requests that ended this interval, per second, and the shares by how they ended
  // (0..1; they add up to 1 whenever anything ended).
  double requests_per_second = 0;
  double l1_hit_rate = 0;
  double l2_hit_rate = 0;
  double origin_rate = 0;
  double failed_rate = 0;
  double redis_rate = 0;         // answered by the shared Redis tier
  double l1_hit_rate_total = 0;  // since start
  quint64 requests_completed = 0;
  // L1 over all namespaces, and the memory budget (CACHE_MEMORY_LIMIT_MB) it shares.
  quint64 l1_entries = 0;
  quint64 l1_bytes = 0;
  quint64 memory_budget_bytes = 0;  // 0 = none set
  quint64 process_rss_bytes = 0;
  QList<NamespaceSample> namespace_rows;
  // L2.
  bool l2_enabled = false;
  quint64 l2_entries = 0;
  quint64 l2_bytes = 0;
  quint64 l2_max_bytes = 0;
  double l2_high_watermark = 0;
  double l2_low_watermark = 0;
  quint64 l2_corrupt_dropped = 0;
  // The shared Redis tier, when there is one.
  bool redis_enabled = false;
  bool redis_available = false;
  QString redis_breaker;   // closed, open, half-open
  QString redis_endpoint;  // host:port or "cluster <masters>"
  QString redis_mode;      // standalone, cluster
  // Single flight, eviction by cause (L1 + L2), load problems: per second and since start.
  double stampedes_per_second = 0;
  double evictions_per_second = 0;  // all causes
  double size_evictions_per_second = 0;
  double ttl_expirations_per_second = 0;
  double invalidations_per_second = 0;
  double load_errors_per_second = 0;
  double load_timeouts_per_second = 0;
  quint64 stampede_prevented = 0;
  quint64 evictions = 0;
  quint64 size_evictions = 0;
  quint64 ttl_expirations = 0;
  quint64 invalidations = 0;
  quint64 load_errors = 0;
  quint64 load_timeouts = 0;
  quint64 origin_loads = 0;
  // Latency over the window, per tier.
  double latency_window_seconds = 10;
  LatencyWindow l1_latency;      // L1 hits (sampled)
  LatencyWindow l2_latency;      // L2 reads that hit
  LatencyWindow origin_latency;  // origin loads
  LatencyWindow miss_latency;    // whole gets of keys not in L1
  // Inference (when a classifier is attached): end to end (decode + preprocess + model
  // + cache, what callers wait for) and the model alone.
  bool inference_enabled = false;
  bool model_loaded = false;
  LatencyWindow inference_latency;        // end to end
  LatencyWindow model_latency;            // forward pass (and its queue)
  double inference_p50_ms = 0;  // = inference_latency, kept for the charts' series names
  double inference_p95_ms = 0;
  double inference_p99_ms = 0;
  double prediction_hit_rate = 0;        // prediction cache, this interval, 0..1
  double prediction_hit_rate_total = 0;  // since start
  quint64 predictions = 0;
  int max_image_size = 0;             // MAX_IMAGE_SIZE
  int max_concurrent_inferences = 0;  // forward passes allowed at once
  // Try-on (when the pipeline is attached).
  bool tryon_enabled = false;
  LatencyWindow tryon_latency;
  quint64 tryon_requests = 0;
  QString policy;  // "lru" / "wtinylfu"
  // The namespace the tuning controls act on.
  QString focus_namespace;
  QStringList namespaces;
  quint64 focus_entries = 0;
  quint64 focus_bytes = 0;
  quint64 focus_max_entries = 0;
  quint64 focus_max_bytes = 0;
  double focus_ttl_seconds = 0;
  // Adaptive TTL, every namespace: the longest lifetime in base TTLs; 0 = off.
  int adaptive_ttl_max_multiplier = 0;
  // The built-in load, when running.
  bool workload_running = false;
  double workload_target_rate = 0;
  QString workload_description;
  // The monitor: live curves, alert rules, auto-tuning, system health.
  QList<CurveSample> curves;
  QList<AlertSample> alerts;
  QStringList metric_names;  // every metric the monitor has samples of (what rules can watch)
  int alerts_firing = 0;
  bool auto_tuning = false;
  QList<TuningSample> tuning;  // the most recent changes, oldest first
  double system_cpu_percent = 0;
  double system_memory_percent = 0;
  double process_cpu_percent = 0;
  // How long taking this sample took on the worker thread (engine snapshot included).
  double sample_cost_ms = 0;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::EngineSample)
Q_DECLARE_METATYPE(tierscope::ui::WorkloadRequest)
