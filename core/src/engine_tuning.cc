#include "tierscope/engine_tuning.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <optional>

#include "tierscope/inference/image_preprocess.h"

namespace tierscope {
namespace {

using nlohmann::json;

uint64_t as_count(const json& v, const std::string& key, uint64_t min, uint64_t max) {
  if (!v.is_number_integer() && !v.is_number_unsigned()) throw TuningError(key, "must be an integer");
  if (v.is_number_integer() && v.get<int64_t>() < 0) throw TuningError(key, "must not be negative");
  const uint64_t n = v.get<uint64_t>();
  if (n < min || n > max) {
    throw TuningError(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " + std::to_string(n));
  }
  return n;
}

double as_number(const json& v, const std::string& key, double min, double max) {
  if (!v.is_number()) throw TuningError(key, "must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    throw TuningError(key, "must be between " + json(min).dump() + " and " + json(max).dump() + ", not " + v.dump());
  }
  return d;
}

bool as_bool(const json& v, const std::string& key) {
  if (!v.is_boolean()) throw TuningError(key, "must be true or false");
  return v.get<bool>();
}

}  // namespace

std::string engine_tuning_json(Engine& engine, int indent) {
  const TieredStats stats = engine.cache().snapshot();
  json j;
  j["policy"] = std::string(to_string(stats.l1_policy));
  const AdaptiveTtl adaptive = engine.cache().adaptive_ttl();
  j["adaptive_ttl_max_multiplier"] = adaptive.enabled ? adaptive.max_multiplier : 1u;
  if (stats.l2_enabled) {
    j["disk_limit_bytes"] = stats.l2.max_bytes;
    j["disk_high_watermark"] = stats.l2.high_watermark;
    j["disk_low_watermark"] = stats.l2.low_watermark;
  }
  if (Classifier* classifier = engine.classifier()) {
    const ClassifierStats cs = classifier->stats();
    j["model_cache_enabled"] = cs.cache_enabled;
    j["max_image_size"] = classifier->max_image_size();
    j["max_concurrent_inferences"] = cs.model.max_concurrent_inferences;
  }
  j["auto_tuning"] = engine.monitor().auto_tuning();
  json namespaces = json::object();
  for (const NamespaceStats& ns : stats.namespaces) {
    namespaces[ns.name] = {{"l1_max_entries", ns.l1.max_entries},
                           {"l1_max_bytes", ns.l1.max_bytes},
                           {"ttl_seconds", std::chrono::duration<double>(ns.ttl).count()}};
  }
  j["namespaces"] = std::move(namespaces);
  return j.dump(indent);
}

std::vector<std::string> apply_engine_tuning(Engine& engine, std::string_view change_json) {
  json change;
  try {
    change = json::parse(change_json);
  } catch (const json::exception& e) {
    throw TuningError("body", std::string("is not valid JSON: ") + e.what());
  }
  if (!change.is_object()) throw TuningError("body", "must be a JSON object");

  // Validation builds the list of actions; only when every key passed do they run.
  std::vector<std::function<void()>> actions;
  std::vector<std::string> changed;
  TieredCache& cache = engine.cache();
  const TieredStats stats = cache.snapshot();
  Classifier* classifier = engine.classifier();
  std::optional<double> high, low;

  for (const auto& [key, value] : change.items()) {
    if (key == "policy") {
      if (!value.is_string()) throw TuningError(key, "must be a string");
      auto kind = parse_eviction_policy(value.get<std::string>());
      if (!kind) throw TuningError(key, "must be wtinylfu or lru, not " + value.dump());
      actions.push_back([&cache, k = *kind] { cache.set_policy(k); });
    } else if (key == "adaptive_ttl_max_multiplier") {
      const uint64_t m = as_count(value, key, 1, 64);
      actions.push_back([&cache, m] {
        AdaptiveTtl rule = cache.adaptive_ttl();
        rule.enabled = m > 1;
        if (rule.enabled) rule.max_multiplier = static_cast<uint32_t>(m);
        cache.set_adaptive_ttl(rule);
      });
    } else if (key == "disk_limit_bytes") {
      if (!stats.l2_enabled) throw TuningError(key, "this engine runs without L2");
      const uint64_t bytes = as_count(value, key, 1ull << 20, 1ull << 50);
      actions.push_back([&cache, bytes] { cache.set_disk_limit(bytes); });
    } else if (key == "disk_high_watermark" || key == "disk_low_watermark") {
      if (!stats.l2_enabled) throw TuningError(key, "this engine runs without L2");
      (key == "disk_high_watermark" ? high : low) = as_number(value, key, 0.01, 1.0);
    } else if (key == "model_cache_enabled") {
      if (!classifier) throw TuningError(key, "this engine runs without the classifier");
      const bool on = as_bool(value, key);
      actions.push_back([classifier, on] { classifier->set_cache_enabled(on); });
    } else if (key == "max_image_size") {
      if (!classifier) throw TuningError(key, "this engine runs without the classifier");
      const auto pixels = static_cast<int>(as_count(value, key, kMinImageSize, kMaxImageSize));
      actions.push_back([classifier, pixels] { classifier->set_max_image_size(pixels); });
    } else if (key == "max_concurrent_inferences") {
      if (!classifier) throw TuningError(key, "this engine runs without the classifier");
      const uint64_t limit = as_count(value, key, 1, 1024);
      actions.push_back([classifier, limit] { classifier->model().set_max_concurrent_inferences(limit); });
    } else if (key == "auto_tuning") {
      const bool on = as_bool(value, key);
      actions.push_back([&engine, on] { engine.monitor().set_auto_tuning(on); });
    } else if (key == "namespaces") {
      if (!value.is_object()) throw TuningError(key, "must be an object of namespace names");
      for (const auto& [name, knobs] : value.items()) {
        const std::string prefix = "namespaces." + name;
        const NamespaceStats* current = nullptr;
        for (const NamespaceStats& ns : stats.namespaces) {
          if (ns.name == name) current = &ns;
        }
        if (!current) throw TuningError(prefix, "no such namespace");
        if (!knobs.is_object()) throw TuningError(prefix, "must be an object");
        std::optional<uint64_t> entries, bytes;
        for (const auto& [knob, v] : knobs.items()) {
          const std::string full = prefix + "." + knob;
          if (knob == "l1_max_entries") {
            entries = as_count(v, full, 0, 1ull << 40);
          } else if (knob == "l1_max_bytes") {
            bytes = as_count(v, full, 0, 1ull << 50);
          } else if (knob == "ttl_seconds") {
            const double seconds = as_number(v, full, 0, 10.0 * 365 * 86400);
            actions.push_back([&cache, name = name, seconds] {
              cache.set_ttl(name, std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
            });
            changed.push_back(full);
          } else {
            throw TuningError(full, "unknown setting (l1_max_entries, l1_max_bytes, ttl_seconds)");
          }
        }
        if (entries || bytes) {
          const uint64_t e = entries.value_or(current->l1.max_entries);
          const uint64_t b = bytes.value_or(current->l1.max_bytes);
          actions.push_back([&cache, name = name, e, b] { cache.set_l1_capacity(name, e, b); });
          if (entries) changed.push_back(prefix + ".l1_max_entries");
          if (bytes) changed.push_back(prefix + ".l1_max_bytes");
        }
      }
      continue;
    } else {
      throw TuningError(key, "unknown setting");
    }
    changed.push_back(key);
  }
  if (high || low) {
    const double h = high.value_or(stats.l2.high_watermark);
    const double l = low.value_or(stats.l2.low_watermark);
    if (!(l < h)) {
      throw TuningError(low ? "disk_low_watermark" : "disk_high_watermark",
                        "the low watermark must be below the high one (" + json(l).dump() + " >= " + json(h).dump() + ")");
    }
    actions.push_back([&cache, h, l] { cache.set_disk_watermarks(h, l); });
  }
  for (auto& action : actions) action();
  return changed;
}

}  // namespace tierscope
