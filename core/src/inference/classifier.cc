#include "tierscope/inference/classifier.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>

#include <nlohmann/json.hpp>

#include "tierscope/inference/fashion_mnist.h"
#include "tierscope/base/sha256.h"

namespace tierscope {
namespace {

// Cached value layout: width, height (int32 each), then the class probabilities (float).
std::string encode(int width, int height, const std::vector<float>& probabilities) {
  std::string bytes(8 + probabilities.size() * sizeof(float), '\0');
  const int32_t dims[2] = {width, height};
  std::memcpy(bytes.data(), dims, sizeof dims);
  std::memcpy(bytes.data() + 8, probabilities.data(), probabilities.size() * sizeof(float));
  return bytes;
}

}  // namespace

Classifier::Classifier(ModelService& model, TieredCache& cache, ClassifierOptions options)
    : model_(model),
      cache_(cache),
      options_(std::move(options)),
      cache_enabled_(options_.enable_cache),
      max_image_size_(options_.limits.max_image_size) {
  const auto names = cache_.namespace_names();
  if (std::find(names.begin(), names.end(), options_.cache_namespace) == names.end()) {
    throw std::invalid_argument("prediction cache namespace '" + options_.cache_namespace + "' does not exist");
  }
  // MODEL_CACHE_SIZE sets the entry limit; the namespace keeps its memory limit.
  size_t max_bytes = 0;
  for (const auto& ns : cache_.snapshot().namespaces) {
    if (ns.name == options_.cache_namespace) max_bytes = ns.l1.max_bytes;
  }
  cache_.set_l1_capacity(options_.cache_namespace, options_.cache_size, max_bytes);
}

Classification Classifier::from_probabilities(const float* p, size_t classes) {
  const ModelInfo& info = model_.info();
  std::vector<size_t> order(classes);
  std::iota(order.begin(), order.end(), 0);
  const size_t k = std::min(options_.top_k, classes);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](size_t a, size_t b) { return p[a] > p[b]; });
  Classification c;
  for (size_t i = 0; i < k; ++i) c.predictions.push_back({order[i], info.classes[order[i]], p[order[i]]});
  c.category = std::string(tryon_category(order[0]));
  c.model_version = info.model_version;
  return c;
}

void Classifier::set_max_image_size(int pixels) {
  if (pixels < kMinImageSize || pixels > kMaxImageSize) {
    throw std::invalid_argument("MAX_IMAGE_SIZE must be between " + std::to_string(kMinImageSize) + " and " +
                                std::to_string(kMaxImageSize) + ", not " + std::to_string(pixels));
  }
  max_image_size_.store(pixels);
}

Classification Classifier::classify(std::string_view image_bytes, std::string filename) {
  const auto start = std::chrono::steady_clock::now();
  requests_.fetch_add(1, std::memory_order_relaxed);
  const bool use_cache = cache_enabled_.load();
  ImageLimits limits = options_.limits;
  limits.max_image_size = max_image_size_.load();  // one value for both the transform and the key
  Value cached;
  bool computed_here = false;
  try {
    auto compute = [&](std::string_view) -> Value {
      const FashionImage image = to_fashion_mnist(image_bytes, limits);
      const std::vector<float> probabilities = model_.predict_pixels(image.pixels.data(), 1);
      computed_here = true;
      return make_value(encode(image.source_width, image.source_height, probabilities));
    };
    if (use_cache) {
      cached = cache_.get(options_.cache_namespace, cache_key(image_bytes, limits), make_compute_loader(compute, "classifier"));
    } else {
      cached = compute({});
    }
  } catch (...) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    throw;
  }
  Classification c = decode(cached, std::move(filename), use_cache, use_cache && !computed_here);
  finish(c, start);
  return c;
}

std::string Classifier::cache_key(std::string_view image_bytes, const ImageLimits& limits) {
  // The image, the model and the transform; any change means a new key.
  return sha256_hex(image_bytes) + "/" + model_.info().model_version + "/" + fashion_mnist_transform_id(limits);
}

std::optional<Classification> Classifier::classify_if_cached(std::string_view image_bytes, std::string filename) {
  if (!cache_enabled_.load()) return std::nullopt;
  const auto start = std::chrono::steady_clock::now();
  ImageLimits limits = options_.limits;
  limits.max_image_size = max_image_size_.load();
  Value cached = cache_.get_if_in_memory(options_.cache_namespace, cache_key(image_bytes, limits));
  if (!cached) return std::nullopt;
  requests_.fetch_add(1, std::memory_order_relaxed);
  Classification c = decode(cached, std::move(filename), true, true);
  finish(c, start);
  return c;
}

Classification Classifier::decode(const Value& cached, std::string filename, bool use_cache, bool from_cache) {
  const size_t classes = model_.info().classes.size();
  if (cached->size() != 8 + classes * sizeof(float)) throw std::runtime_error("prediction cache entry has the wrong size");
  std::vector<float> probabilities(classes);
  std::memcpy(probabilities.data(), cached->data() + 8, classes * sizeof(float));
  int32_t dims[2];
  std::memcpy(dims, cached->data(), sizeof dims);

  Classification c = from_probabilities(probabilities.data(), classes);
  c.image_width = dims[0];
  c.image_height = dims[1];
  c.filename = std::move(filename);
  c.cache_enabled = use_cache;
  c.from_cache = from_cache;
  return c;
}

void Classifier::finish(Classification& c, std::chrono::steady_clock::time_point start) {
  if (std::min(c.image_width, c.image_height) < 28) {
    c.doubt = "the image is " + std::to_string(c.image_width) + "x" + std::to_string(c.image_height) +
              " px, smaller than the model's 28x28 input: not a photo a garment can be recognised in";
  } else if (!c.predictions.empty() && c.predictions.front().probability < kConfidentProbability) {
    c.doubt = "the model is unsure (best guess " + c.predictions.front().name + " at " +
              std::to_string(static_cast<int>(c.predictions.front().probability * 100 + 0.5)) +
              " %): perhaps not a garment, or not one of its ten classes";
  }
  (c.from_cache ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  end_to_end_.record(std::chrono::duration_cast<Duration>(elapsed));
  c.processing_time_ms = std::chrono::duration<double, std::milli>(elapsed).count();
}

size_t Classifier::clear_cache() { return cache_.invalidate_matching("*", options_.cache_namespace); }

ClassifierStats Classifier::stats() const {
  ClassifierStats s;
  s.requests = requests_.load();
  s.cache_hits = hits_.load();
  s.cache_misses = misses_.load();
  s.errors = errors_.load();
  const uint64_t answered = s.cache_hits + s.cache_misses;
  s.cache_hit_rate_percent = answered ? 100.0 * double(s.cache_hits) / double(answered) : 0.0;
  s.cache_enabled = cache_enabled_.load();
  s.cache_size = options_.cache_size;
  for (const auto& ns : cache_.snapshot().namespaces) {
    if (ns.name == options_.cache_namespace) s.cache_entries = ns.l1.entries;
  }
  s.model = model_.stats();
  s.end_to_end_latency = end_to_end_.summary();
  s.end_to_end_counts = end_to_end_.counts();
  return s;
}

}  // namespace tierscope

namespace tierscope {

std::string model_stats_json(const ClassifierStats& s, int indent) {
  nlohmann::json j;
  j["total_predictions"] = s.model.total_predictions;
  j["cache_enabled"] = s.cache_enabled;
  j["cache_size"] = s.cache_size;
  j["cache_hits"] = s.cache_hits;
  j["cache_misses"] = s.cache_misses;
  j["cache_hit_rate_percent"] = s.cache_hit_rate_percent;
  j["avg_inference_time_ms"] = s.model.avg_inference_time_ms;
  j["total_inference_time_ms"] = s.model.total_inference_time_ms;
  j["max_concurrent_inferences"] = s.model.max_concurrent_inferences;
  j["peak_concurrent_inferences"] = s.model.peak_concurrent_inferences;
  j["warmup_completed"] = s.model.warmup_completed;
  j["model_loaded"] = s.model.loaded;
  j["requests"] = s.requests;
  j["errors"] = s.errors;
  j["refused"] = s.model.refused;
  j["inference_latency_ms"] = {{"p50", s.model.inference_latency.p50_ms},
                               {"p95", s.model.inference_latency.p95_ms},
                               {"p99", s.model.inference_latency.p99_ms}};
  return j.dump(indent);
}

std::string model_cache_info_json(const ClassifierStats& s, int indent) {
  return nlohmann::json{{"hits", s.cache_hits}, {"misses", s.cache_misses}, {"maxsize", s.cache_size}, {"currsize", s.cache_entries}}
      .dump(indent);
}

}  // namespace tierscope
