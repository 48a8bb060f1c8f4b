// Engine tuning as JSON: the knobs the console's sliders move, readable and changeable as
// one document (`GET /config`, `PUT /config`). The document `engine_tuning_json` gives can
// be sent back unchanged; a change names only the keys it changes:
//
//   { "policy": "wtinylfu" | "lru",
//     "adaptive_ttl_max_multiplier": 1..64 (1 = off),
//     "disk_limit_bytes": >= 1 MiB, "disk_high_watermark": (0,1], "disk_low_watermark": (0,high),
//     "model_cache_enabled": bool, "max_image_size": 28..16384, "max_concurrent_inferences": >= 1,
//     "auto_tuning": bool,
//     "namespaces": { "<name>": { "l1_max_entries": n, "l1_max_bytes": n, "ttl_seconds": s } } }
//
// A change is validated whole before anything is applied: an unknown key, a wrong type, a
// value out of range or a knob the engine lacks (disk without L2, classifier knobs without
// a classifier) throws TuningError naming the key, and nothing changes.
//
// Thread safety: as the Engine's setters — any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/engine.h"

namespace tierscope {

class TuningError : public std::invalid_argument {
 public:
  TuningError(std::string key, const std::string& message)
      : std::invalid_argument(key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The current tuning (indent < 0: one line).
std::string engine_tuning_json(Engine& engine, int indent = -1);

// Validates and applies a change; returns the keys changed ("namespaces.general.ttl_seconds").
// Throws TuningError (nothing applied) for anything invalid, including malformed JSON.
std::vector<std::string> apply_engine_tuning(Engine& engine, std::string_view change_json);

}  // namespace tierscope
