// Classifier: image bytes in, top-k garment classes out — Fashion-MNIST preprocessing,
// the ModelService, and a prediction cache on the tiered engine (namespace
// `prediction`). The cache key is SHA-256 of the image bytes + model version +
// preprocessing parameters, so a new model or a changed transform never serves old
// answers. Identical images asked for at once are computed once (single flight).
// Bad input (empty, truncated, not an image, oversized) throws ImageError and caches
// nothing.
//
// Ownership: borrows the ModelService and the TieredCache (both must outlive it).
// Thread safety: classify() and stats() may be called from any thread at once.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/inference/image_preprocess.h"
#include "tierscope/inference/model_service.h"
#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

struct ClassifierOptions {
  // `ENABLE_MODEL_CACHE`: answer repeated images from the cache.
  bool enable_cache = true;
  // `MODEL_CACHE_SIZE`: L1 entries of the prediction namespace (set on construction).
  size_t cache_size = 128;
  // The namespace holding predictions.
  std::string cache_namespace = "prediction";
  // `MAX_IMAGE_SIZE` and the other intake limits.
  ImageLimits limits;
  // How many classes a result lists.
  size_t top_k = 5;
};

struct ClassScore {
  size_t index = 0;
  std::string name;
  double probability = 0;
};

struct Classification {
  std::vector<ClassScore> predictions;  // most probable first
  std::string category;                 // try-on category of the top class (fashion_mnist.h)
  double processing_time_ms = 0;
  int image_width = 0;  // image_size, as uploaded
  int image_height = 0;
  std::string filename;
  std::string model_version;
  bool cache_enabled = false;
  bool from_cache = false;
  // Empty, or why the top class should not be taken as the answer: the image is smaller
  // than the model's 28x28 input (nothing a garment can be recognised from), or the model
  // is unsure (top probability below kConfidentProbability). Callers show it instead of
  // naming the class.
  std::string doubt;
};

// The top probability below which a classification is reported as unsure.
inline constexpr double kConfidentProbability = 0.5;

struct ClassifierStats {
  uint64_t requests = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t errors = 0;  // bad images and failed inferences
  double cache_hit_rate_percent = 0;
  bool cache_enabled = false;
  size_t cache_size = 0;      // maxsize
  size_t cache_entries = 0;   // currsize (L1 of the prediction namespace)
  ModelStats model;
  // Whole classify() calls that answered — decode, preprocess, model or cache — as the
  // caller waited for them (model.inference_latency is the forward pass alone).
  LatencySummary end_to_end_latency;
  LatencyCounts end_to_end_counts;
};

// `GET /model/stats` as JSON with the keys of the earlier ModelService: total_predictions,
// cache_enabled, cache_size, cache_hits, cache_misses, cache_hit_rate_percent,
// avg_inference_time_ms, total_inference_time_ms, warmup_completed (plus model_loaded,
// errors and latency percentiles).
std::string model_stats_json(const ClassifierStats& stats, int indent = -1);
// `GET /model/cache`: hits, misses, maxsize, currsize.
std::string model_cache_info_json(const ClassifierStats& stats, int indent = -1);

class Classifier {
 public:
  // Throws std::invalid_argument when the cache lacks the namespace.
  Classifier(ModelService& model, TieredCache& cache, ClassifierOptions options);

  Classification classify(std::string_view image_bytes, std::string filename = {});
  // The answer when the prediction cache holds it in memory — hashing the image, no
  // decoding, no model — counted as classify() counts a cache hit; nullopt otherwise
  // (nothing counted: call classify(), which will compute it). Never blocks on a load.
  std::optional<Classification> classify_if_cached(std::string_view image_bytes, std::string filename = {});

  // Empties the prediction cache (`DELETE /model/cache`); returns entries removed.
  size_t clear_cache();
  void set_cache_enabled(bool enabled) { cache_enabled_.store(enabled); }
  // `MAX_IMAGE_SIZE` while running (28..16384): the longest edge kept after decoding. It is
  // part of the cache key, so answers computed under another size are not reused.
  // Throws std::invalid_argument outside the range.
  void set_max_image_size(int pixels);
  int max_image_size() const { return max_image_size_.load(); }
  ModelService& model() const { return model_; }

  ClassifierStats stats() const;

 private:
  Classification from_probabilities(const float* probabilities, size_t classes) ;
  // The cache key of an image under the current limits.
  std::string cache_key(std::string_view image_bytes, const ImageLimits& limits);
  // A Classification from a cached (or just computed) value.
  Classification decode(const Value& cached, std::string filename, bool use_cache, bool from_cache);
  void finish(Classification& c, std::chrono::steady_clock::time_point start);

  ModelService& model_;
  TieredCache& cache_;
  ClassifierOptions options_;
  std::atomic<bool> cache_enabled_;
  std::atomic<int> max_image_size_;
  std::atomic<uint64_t> requests_{0}, hits_{0}, misses_{0}, errors_{0};
  LatencyHistogram end_to_end_;
};

}  // namespace tierscope
