// ModelService: the lifecycle of one TorchScript classifier — load (lazily or at
// start), optimise for inference, warm up, run, and count. libtorch stays inside the
// implementation (pimpl): including this header costs nothing.
//
// Load reads `<model>.pt` and its JSON sidecar `<model>.json` (classes, input size,
// normalisation, test accuracy). The process's resident memory is logged before and
// after the load. Warm-up runs a dummy input three times, because the profiling
// executor re-optimises during the first calls. Inference runs under
// torch::InferenceMode with `intra_op_threads` threads, at most
// `max_concurrent_inferences` at once; callers beyond that wait, and more than
// `max_queued` waiting are refused (OverloadedError) — no thread per request.
//
// Ownership: owns the loaded module. Thread safety: every public method may be called
// from any thread; load() happens once however many threads ask. Not copyable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tierscope/cache/latency_histogram.h"

namespace spdlog {
class logger;
}

namespace tierscope {

struct ModelServiceOptions {
  // The TorchScript file; its sidecar is the same path with ".json".
  std::filesystem::path model_path;
  // libtorch intra-op threads for this process (`OMP_NUM_THREADS`); Debian's default is 1.
  int intra_op_threads = 1;
  // Run three dummy inferences at load so the first request is not the slow one.
  bool warmup = true;
  // Forward passes running at once, and callers allowed to wait for one.
  size_t max_concurrent_inferences = 2;
  size_t max_queued = 64;
  // Largest batch one forward pass takes (`CLIP_BATCH_SIZE`-like); bigger requests are split.
  size_t max_batch = 32;
  std::shared_ptr<spdlog::logger> logger;
};

struct ModelInfo {
  std::string name;
  std::string model_version;  // from the sidecar: name + hash of the weights file
  std::vector<std::string> classes;
  int channels = 1, height = 28, width = 28;
  double mean = 0, std = 1, scale = 1.0 / 255.0;
  double test_accuracy = 0;
};

struct ModelStats {
  bool loaded = false;
  bool warmup_completed = false;
  uint64_t total_predictions = 0;  // images run through the network
  uint64_t forward_passes = 0;
  double total_inference_time_ms = 0;
  double avg_inference_time_ms = 0;  // per image
  double load_time_ms = 0;
  int64_t rss_before_load_bytes = 0;
  int64_t rss_after_load_bytes = 0;
  uint64_t refused = 0;  // OverloadedError
  size_t max_concurrent_inferences = 0;   // the current limit
  size_t peak_concurrent_inferences = 0;  // most forward passes seen running at once
  LatencySummary inference_latency;  // per predict_pixels call: wait + forward
  LatencyCounts inference_latency_counts;  // the same, raw (for windows)
};

class ModelService {
 public:
  // Does not load; see load(). Throws std::invalid_argument for unusable options.
  explicit ModelService(ModelServiceOptions options);
  ~ModelService();
  ModelService(const ModelService&) = delete;
  ModelService& operator=(const ModelService&) = delete;

  // Loads, optimises and warms up the model (once); throws std::runtime_error naming
  // the file when it or its sidecar is missing or invalid.
  void load();
  bool loaded() const;
  // The model's description from its sidecar (read once; the weights are not loaded
  // for this). Throws like load() when the sidecar is missing or invalid.
  const ModelInfo& info();

  // Class probabilities for `count` images given as raw 8-bit pixels (count x H x W,
  // scaled and normalised here per the sidecar). Loads lazily. Result: count x classes.
  std::vector<float> predict_pixels(const uint8_t* pixels, size_t count);

  // Changes how many forward passes may run at once (live; waiting callers are let in when
  // it grows, running ones finish when it shrinks). Throws std::invalid_argument for 0.
  void set_max_concurrent_inferences(size_t limit);

  ModelStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Resident set size of this process in bytes (/proc/self/statm), or -1.
int64_t resident_memory_bytes();

// The libtorch version this build runs on ("1.13.1"), for About boxes and /health.
std::string libtorch_version();

}  // namespace tierscope
