// EngineSample: one reading of the engine, taken on the engine worker thread and sent
// to the GUI thread by value over a queued signal. Rates are over the interval since
// the previous sample; counts are totals since start.
//
// A plain value type: copy freely, no thread-safety concerns.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace tierscope::ui {

struct EngineSample {
  double seconds_since_start = 0;  // x coordinate of the charts
  double requests_per_second = 0;
  // Shares of the interval's requests served by each tier, 0..1.
  double l1_hit_rate = 0;
  double l2_hit_rate = 0;
  double origin_rate = 0;
  double l1_hit_rate_total = 0;  // since start
  // L1 over all namespaces.
  quint64 l1_entries = 0;
  quint64 l1_bytes = 0;
  quint64 l1_max_entries = 0;  // sum of the namespaces' limits; 0 = some unlimited
  quint64 l1_max_bytes = 0;
  // L2.
  bool l2_enabled = false;
  quint64 l2_entries = 0;
  quint64 l2_bytes = 0;
  quint64 l2_max_bytes = 0;
  quint64 l2_corrupt_dropped = 0;
  // Single flight and eviction.
  double stampedes_per_second = 0;
  double evictions_per_second = 0;
  quint64 stampede_prevented = 0;
  quint64 evictions = 0;
  quint64 load_errors = 0;
  quint64 origin_loads = 0;
  // Latency of requests L1 could not answer, since start.
  double miss_p50_ms = 0;
  double miss_p95_ms = 0;
  double miss_p99_ms = 0;
  // Inference (when a classifier is attached).
  bool inference_enabled = false;
  bool model_loaded = false;
  double inference_p50_ms = 0;  // model latency since start (wait + forward)
  double inference_p95_ms = 0;
  double inference_p99_ms = 0;
  double prediction_hit_rate = 0;        // prediction cache, this interval, 0..1
  double prediction_hit_rate_total = 0;  // since start
  quint64 predictions = 0;
  int max_image_size = 0;             // MAX_IMAGE_SIZE
  int max_concurrent_inferences = 0;  // forward passes allowed at once
  QString policy;  // "lru" / "wtinylfu"
  // The namespace the tuning controls act on.
  QString focus_namespace;
  QStringList namespaces;
  quint64 focus_entries = 0;
  quint64 focus_max_entries = 0;
  quint64 focus_max_bytes = 0;
  double focus_ttl_seconds = 0;
  // Adaptive TTL, every namespace: the longest lifetime in base TTLs; 0 = off.
  int adaptive_ttl_max_multiplier = 0;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::EngineSample)
