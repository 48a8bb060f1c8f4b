#include "tierscope/monitor/live_curves.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

double NamespaceCurve::effective_entries() const {
  double entries = l1_max_entries > 0 ? l1_max_entries : 0;
  if (l1_max_bytes > 0 && mean_entry_bytes > 0) {
    const double by_bytes = l1_max_bytes / mean_entry_bytes;
    entries = entries > 0 ? std::min(entries, by_bytes) : by_bytes;
  }
  return entries > 0 ? entries : distinct_keys;
}

double curve_hit_ratio(const std::vector<CurvePoint>& points, double entries) {
  if (points.empty() || entries <= 0) return 0.0;
  if (entries <= points.front().size_entries) return points.front().hit_ratio * entries / points.front().size_entries;
  for (size_t i = 1; i < points.size(); ++i) {
    if (entries <= points[i].size_entries) {
      const CurvePoint& a = points[i - 1];
      const CurvePoint& b = points[i];
      // Curves are read on a log size axis, so interpolate there.
      const double t = std::log(entries / a.size_entries) / std::log(b.size_entries / a.size_entries);
      return a.hit_ratio + t * (b.hit_ratio - a.hit_ratio);
    }
  }
  return points.back().hit_ratio;
}

struct LiveCurves::State {
  struct PerNamespace {
    std::string name;
    AccessRecorder* recorder = nullptr;
    ShardsCurve curve;
    std::deque<uint64_t> recent;  // sampled requests, oldest first
    double recent_rate = 1;       // rate of the newest entries in `recent`
    uint64_t lost = 0;
    explicit PerNamespace(size_t max_tracked) : curve(max_tracked) {}
  };
  mutable std::mutex estimator_mu;  // guards `spaces` (held for a whole update)
  std::vector<std::unique_ptr<PerNamespace>> spaces;
  mutable std::mutex published_mu;  // guards `published` (held for a copy only)
  std::vector<NamespaceCurve> published;
  std::vector<uint64_t> scratch;
};

LiveCurves::LiveCurves(TieredCache& cache, LiveCurvesOptions options)
    : cache_(cache), options_(options), state_(std::make_unique<State>()) {
  for (const std::string& name : cache_.namespace_names()) {
    auto p = std::make_unique<State::PerNamespace>(options_.max_tracked_keys);
    p->name = name;
    p->recorder = &cache_.access_recorder(name);
    state_->spaces.push_back(std::move(p));
  }
}

LiveCurves::~LiveCurves() = default;

void LiveCurves::update() {
  const TieredStats stats = cache_.snapshot();
  std::vector<NamespaceCurve> fresh;
  {
    std::lock_guard lock(state_->estimator_mu);
    for (auto& p : state_->spaces) {
      state_->scratch.clear();
      p->lost += p->recorder->drain(state_->scratch);
      p->curve.decay(options_.decay_per_update);
      for (uint64_t h : state_->scratch) {
        p->curve.access(h);
        // Only requests the estimator still samples belong in the replayable trace, so
        // that its keys are one consistent spatial sample.
        if (sampling_value(h) < p->curve.threshold()) p->recent.push_back(h);
      }
      if (p->curve.sampling_rate() < p->recent_rate) {
        // The sample thinned: drop the keys it no longer covers from the trace.
        const uint32_t t = p->curve.threshold();
        std::erase_if(p->recent, [t](uint64_t h) { return sampling_value(h) >= t; });
        p->recent_rate = p->curve.sampling_rate();
      }
      while (p->recent.size() > options_.recorded_trace_length) p->recent.pop_front();
      p->recorder->set_threshold(p->curve.threshold());

      NamespaceCurve c;
      c.name = p->name;
      c.sampling_rate = p->curve.sampling_rate();
      c.samples = p->curve.samples();
      c.lost = p->lost;
      c.references = p->curve.references();
      c.distinct_keys = p->curve.distinct_keys();
      for (const NamespaceStats& ns : stats.namespaces) {
        if (ns.name != p->name) continue;
        c.l1_entries = double(ns.l1.entries);
        c.l1_max_entries = double(ns.l1.max_entries);
        c.l1_max_bytes = double(ns.l1.max_bytes);
        c.mean_entry_bytes = ns.l1.entries ? double(ns.l1.bytes) / double(ns.l1.entries) : 0.0;
      }
      const double reach = std::max({c.effective_entries() * options_.reach, c.distinct_keys * 1.25, 16.0});
      c.points = p->curve.curve(reach, options_.curve_points);
      c.hit_ratio_now = p->curve.hit_ratio_at(c.effective_entries());
      fresh.push_back(std::move(c));
    }
  }
  std::lock_guard lock(state_->published_mu);
  state_->published = std::move(fresh);
}

std::vector<NamespaceCurve> LiveCurves::curves() const {
  std::lock_guard lock(state_->published_mu);
  return state_->published;
}

std::optional<double> LiveCurves::hit_ratio_at(std::string_view ns, double entries) const {
  std::lock_guard lock(state_->estimator_mu);
  for (const auto& p : state_->spaces) {
    if (p->name == ns) return p->curve.hit_ratio_at(entries);
  }
  return std::nullopt;
}

RecordedTrace LiveCurves::recorded_trace(std::string_view ns) const {
  std::lock_guard lock(state_->estimator_mu);
  RecordedTrace t;
  for (const auto& p : state_->spaces) {
    if (p->name != ns) continue;
    t.keys.assign(p->recent.begin(), p->recent.end());
    t.sampling_rate = p->recent_rate;
  }
  return t;
}

}  // namespace tierscope
