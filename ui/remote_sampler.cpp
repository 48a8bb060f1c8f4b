#include "remote_sampler.h"

#include <QJsonArray>

#include <algorithm>

namespace tierscope::ui {
namespace {

double number(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toDouble(); }
quint64 count(const QJsonObject& o, const char* key) { return static_cast<quint64>(o.value(QLatin1String(key)).toDouble()); }
QJsonObject object(const QJsonObject& o, const char* key) { return o.value(QLatin1String(key)).toObject(); }

double delta(double before, double after) { return after >= before ? after - before : 0.0; }

LatencyWindow windowOf(const LatencyCounts& now, const LatencyCounts& before) {
  const LatencySummary s = summarize(now, before);
  return {s.p50_ms, s.p95_ms, s.p99_ms, s.count};
}

}  // namespace

QList<AlertSample> RemoteSampler::alertsFromJson(const QJsonObject& alerts) {
  QList<AlertSample> out;
  for (const QJsonValue& v : alerts.value("alerts").toArray()) {
    const QJsonObject a = v.toObject();
    AlertSample s;
    s.name = a.value("name").toString();
    s.metric = a.value("metric_name").toString();
    s.op = a.value("operator").toString();
    s.state = a.value("state").toString();
    s.threshold = a.value("threshold").toDouble();
    s.duration_seconds = a.value("duration_seconds").toDouble();
    s.has_value = a.contains("value");
    s.value = a.value("value").toDouble();
    s.times_fired = static_cast<quint64>(a.value("times_fired").toDouble());
    out.append(s);
  }
  return out;
}

LatencyCounts RemoteSampler::countsFromJson(const QJsonObject& sparse) {
  LatencyCounts c;
  c.count = count(sparse, "count");
  c.total_ns = count(sparse, "total_ns");
  for (const QJsonValue& pair : sparse.value("buckets").toArray()) {
    const QJsonArray p = pair.toArray();
    const int index = p.at(0).toInt(-1);
    if (index >= 0 && index < static_cast<int>(c.buckets.size())) c.buckets[static_cast<size_t>(index)] = static_cast<uint64_t>(p.at(1).toDouble());
  }
  return c;
}

EngineSample RemoteSampler::add(const QJsonObject& now, double seconds) {
  EngineSample s;
  s.seconds_since_start = seconds;
  const QJsonObject before = has_previous_ ? previous_ : now;
  const double dt = has_previous_ ? seconds - previous_seconds_ : 0.0;
  auto per_second = [dt](double b, double a) { return dt > 0 ? delta(b, a) / dt : 0.0; };

  const QJsonObject served = object(now, "served"), served_before = object(before, "served");
  double ended = 0, total = 0;
  for (const char* tier : {"l1", "l2", "redis", "origin", "failed"}) {
    ended += delta(number(served_before, tier), number(served, tier));
    total += number(served, tier);
  }
  s.requests_completed = static_cast<quint64>(total);
  s.requests_per_second = dt > 0 ? ended / dt : 0.0;
  if (ended > 0) {
    s.l1_hit_rate = delta(number(served_before, "l1"), number(served, "l1")) / ended;
    s.l2_hit_rate = delta(number(served_before, "l2"), number(served, "l2")) / ended;
    s.origin_rate = delta(number(served_before, "origin"), number(served, "origin")) / ended;
    s.failed_rate = delta(number(served_before, "failed"), number(served, "failed")) / ended;
    s.redis_rate = delta(number(served_before, "redis"), number(served, "redis")) / ended;
  }
  const QJsonObject cache_stats = object(now, "cache_stats");
  if (cache_stats.contains("redis")) {
    const QJsonObject redis = object(cache_stats, "redis");
    s.redis_enabled = true;
    s.redis_available = redis.value("available").toBool();
    s.redis_breaker = redis.value("breaker").toString();
    s.redis_endpoint = redis.value("endpoint").toString();
    s.redis_mode = redis.value("mode").toString(QStringLiteral("standalone"));
  }
  s.l1_hit_rate_total = number(cache_stats, "l1_hit_rate");

  const QJsonObject causes = object(now, "evictions_by_cause"), causes_before = object(before, "evictions_by_cause");
  s.size_evictions = count(causes, "size");
  s.ttl_expirations = count(causes, "ttl");
  s.invalidations = count(causes, "invalidation");
  s.size_evictions_per_second = per_second(number(causes_before, "size"), number(causes, "size"));
  s.ttl_expirations_per_second = per_second(number(causes_before, "ttl"), number(causes, "ttl"));
  s.invalidations_per_second = per_second(number(causes_before, "invalidation"), number(causes, "invalidation"));
  s.stampedes_per_second = per_second(number(before, "stampede_prevented"), number(now, "stampede_prevented"));
  s.evictions_per_second = per_second(number(before, "evictions"), number(now, "evictions"));
  s.load_errors_per_second = per_second(number(before, "load_errors"), number(now, "load_errors"));
  s.load_timeouts_per_second = per_second(number(before, "load_timeouts"), number(now, "load_timeouts"));
  s.stampede_prevented = count(now, "stampede_prevented");
  s.evictions = count(now, "evictions");
  s.load_errors = count(now, "load_errors");
  s.load_timeouts = count(now, "load_timeouts");
  s.origin_loads = count(now, "l3_hits");

  QHash<QString, QJsonObject> before_by_name;
  for (const QJsonValue& v : before.value("namespaces").toArray()) before_by_name.insert(v.toObject().value("name").toString(), v.toObject());
  if (focus_.isEmpty()) focus_ = now.value("demo_namespace").toString();
  for (const QJsonValue& v : now.value("namespaces").toArray()) {
    const QJsonObject ns = v.toObject();
    NamespaceSample row;
    row.name = ns.value("name").toString();
    const QJsonObject b = before_by_name.value(row.name);
    const double lookups = delta(number(b, "hits") + number(b, "misses"), number(ns, "hits") + number(ns, "misses"));
    row.hit_rate = lookups > 0 ? delta(number(b, "hits"), number(ns, "hits")) / lookups : 0.0;
    row.lookups_per_second = dt > 0 ? lookups / dt : 0.0;
    row.entries = count(ns, "entries");
    row.max_entries = count(ns, "max_entries");
    row.bytes = count(ns, "bytes");
    row.max_bytes = count(ns, "max_bytes");
    row.ttl_seconds = number(ns, "ttl_seconds");
    // A server older than these two fields sends neither: a missing share reads as
    // kWindowNotReported (number() gives 0), a missing ghost as none.
    row.window_share = number(ns, "window_share");
    row.ghost_admission = ns.value("ghost_admission").toBool(false);
    s.l1_entries += row.entries;
    s.l1_bytes += row.bytes;
    s.namespaces << row.name;
    s.namespace_rows << row;
    if (row.name == focus_) {
      s.focus_entries = row.entries;
      s.focus_bytes = row.bytes;
      s.focus_max_entries = row.max_entries;
      s.focus_max_bytes = row.max_bytes;
      s.focus_ttl_seconds = row.ttl_seconds;
    }
  }
  s.focus_namespace = focus_;
  s.memory_budget_bytes = count(now, "memory_budget_bytes");
  s.process_rss_bytes = count(now, "process_rss_bytes");
  s.adaptive_ttl_max_multiplier = static_cast<int>(number(now, "adaptive_ttl_max_multiplier"));
  s.policy = now.value("policy").toString();
  if (now.contains("l2")) {
    const QJsonObject l2 = object(now, "l2");
    s.l2_enabled = true;
    s.l2_entries = count(l2, "entries");
    s.l2_bytes = count(l2, "bytes");
    s.l2_max_bytes = count(l2, "max_bytes");
    s.l2_high_watermark = number(l2, "high_watermark");
    s.l2_low_watermark = number(l2, "low_watermark");
    s.l2_corrupt_dropped = count(l2, "corrupt_dropped");
  }
  s.alerts_firing = static_cast<int>(number(now, "alerts_firing"));
  const QJsonObject system = object(now, "system");
  s.system_cpu_percent = number(system, "cpu_percent");
  s.system_memory_percent = number(system, "memory_percent");
  s.process_cpu_percent = number(system, "process_cpu_percent");
  s.auto_tuning = now.value("auto_tuning").toBool();
  for (const QJsonValue& v : now.value("curves").toArray()) {
    const QJsonObject c = v.toObject();
    CurveSample cs;
    cs.name = c.value("name").toString();
    cs.sampling_rate = number(c, "sampling_rate");
    cs.samples = count(c, "samples");
    cs.distinct_keys = number(c, "distinct_keys");
    cs.mean_entry_bytes = number(c, "mean_entry_bytes");
    cs.current_entries = number(c, "current_entries");
    cs.current_bytes = number(c, "current_bytes");
    cs.hit_ratio_now = number(c, "hit_ratio_now");
    for (const QJsonValue& p : c.value("points").toArray()) {
      const QJsonArray xy = p.toArray();
      cs.points.push_back({xy.at(0).toDouble(), xy.at(1).toDouble()});
    }
    s.curves.append(std::move(cs));
  }
  // A change's place on the charts: its age by the server's clock, back from this sample.
  const double server_time = number(now, "time");
  for (const QJsonValue& v : now.value("tuning").toArray()) {
    const QJsonObject e = v.toObject();
    TuningSample t;
    t.sequence = count(e, "sequence");
    t.seconds_since_start = seconds - std::max(0.0, server_time - number(e, "time"));
    t.name = e.value("namespace").toString();
    t.old_bytes = count(e, "old_bytes");
    t.new_bytes = count(e, "new_bytes");
    t.old_hit_ratio = number(e, "old_hit_ratio");
    t.new_hit_ratio = number(e, "new_hit_ratio");
    s.tuning.append(std::move(t));
  }

  // Latency over the window, from the raw counts.
  WindowPoint point;
  point.seconds = seconds;
  const QJsonObject counts = object(now, "latency_counts");
  point.l1 = countsFromJson(object(counts, "l1"));
  point.l2 = countsFromJson(object(counts, "l2"));
  point.origin = countsFromJson(object(counts, "origin"));
  point.miss = countsFromJson(object(counts, "miss"));
  if (now.contains("model")) {
    const QJsonObject model = object(now, "model");
    const QJsonObject model_before = object(before, "model");
    s.inference_enabled = true;
    s.model_loaded = model.value("loaded").toBool();
    s.max_image_size = static_cast<int>(number(model, "max_image_size"));
    s.max_concurrent_inferences = static_cast<int>(number(model, "max_concurrent_inferences"));
    point.inference = countsFromJson(object(model, "end_to_end_counts"));
    point.model = countsFromJson(object(model, "latency_counts"));
    const double answered = delta(number(model_before, "cache_hits") + number(model_before, "cache_misses"),
                                  number(model, "cache_hits") + number(model, "cache_misses"));
    s.prediction_hit_rate = answered > 0 ? delta(number(model_before, "cache_hits"), number(model, "cache_hits")) / answered : 0.0;
    s.prediction_hit_rate_total = number(model, "cache_hit_rate_percent") / 100.0;
    s.predictions = count(model, "requests");
  }
  if (now.contains("tryon")) {
    const QJsonObject tryon = object(now, "tryon");
    s.tryon_enabled = true;
    s.tryon_requests = count(tryon, "requests");
    point.tryon = countsFromJson(object(tryon, "latency_counts"));
  }
  window_.push_back(point);
  while (window_.size() > 1 && window_[1].seconds <= seconds - window_seconds_) window_.pop_front();
  const WindowPoint& oldest = window_.size() > 1 ? window_.front() : WindowPoint{};
  s.latency_window_seconds = window_seconds_;
  s.l1_latency = windowOf(point.l1, oldest.l1);
  s.l2_latency = windowOf(point.l2, oldest.l2);
  s.origin_latency = windowOf(point.origin, oldest.origin);
  s.miss_latency = windowOf(point.miss, oldest.miss);
  s.inference_latency = windowOf(point.inference, oldest.inference);
  s.model_latency = windowOf(point.model, oldest.model);
  s.tryon_latency = windowOf(point.tryon, oldest.tryon);
  s.inference_p50_ms = s.inference_latency.p50_ms;
  s.inference_p95_ms = s.inference_latency.p95_ms;
  s.inference_p99_ms = s.inference_latency.p99_ms;

  previous_ = now;
  previous_seconds_ = seconds;
  has_previous_ = true;
  return s;
}

}  // namespace tierscope::ui
