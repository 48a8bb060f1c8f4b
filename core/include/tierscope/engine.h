// Engine: what one Tierscope process serves from — the tiered cache, the classifier
// (model service, prediction cache, preloader) and the try-on pipeline, plus a simulated
// origin behind every namespace that has no loader of its own (the built-in demo). The
// desktop console, the command-line tools and the headless server all hold one Engine
// and differ only in their front end.
//
// Ownership: the Engine owns the cache, the inference stack and the try-on pipeline and
// shares the origin with the cache; references and pointers it hands out are valid for
// the Engine's lifetime. The monitor's thread runs from construction to destruction. Thread safety: the accessors are safe from any thread, and so
// are the objects they return. Not copyable.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "tierscope/cache/tiered_cache.h"
#include "tierscope/inference/classifier.h"
#include "tierscope/inference/model_service.h"
#include "tierscope/monitor/monitor.h"
#include "tierscope/runtime/preloader.h"
#include "tierscope/runtime/settings.h"
#include "tierscope/tryon/tryon_pipeline.h"
#include "tierscope/workload/simulated_origin.h"

namespace tierscope {

class InferenceStack;

struct InferenceOptions {
  // Profile, config file and environment (SPEC 1.4): model loading, cache, image limits.
  Settings settings;
  // The TorchScript classifier when settings.model_path is empty (find_bundled_model()).
  std::filesystem::path model_path;
};

struct EngineOptions {
  // Namespaces, L1 policy, L2, TTLs, loader threads, clock and logger (shared by all parts).
  TieredCacheOptions cache;
  // Latency and value sizes of the simulated origin.
  SimulatedOriginOptions origin;
  // The namespace the demo workload and the dashboard's sliders use first.
  std::string demo_namespace = "general";
  // The memory budget the L1 namespaces share (CACHE_MEMORY_LIMIT_MB); 0 = none. The
  // console shows usage and process RSS against it; auto-tuning splits it.
  uint64_t memory_budget_bytes = 0;
  // The classifier; none when empty.
  std::optional<InferenceOptions> inference;
  // The monitor: live curves, metrics, alerts, auto-tuning. Its memory budget is
  // memory_budget_bytes above; the engine adds samplers for inference and try-on latency
  // (inference.latency_p95_ms, inference.model_latency_p95_ms, tryon.latency_p95_ms).
  MonitorOptions monitor;
  // The try-on pipeline; none when empty. It uses the classifier (when there is one) to
  // pick a garment's category, and the intake limits of the settings.
  std::optional<tryon::TryOnPipelineOptions> tryon;
};

class Engine {
 public:
  // Throws like TieredCache's and TryOnPipeline's constructors, and std::invalid_argument
  // when demo_namespace is not one of the cache's namespaces.
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  TieredCache& cache() { return *cache_; }
  const TieredCache& cache() const { return *cache_; }
  SimulatedOrigin& origin() { return *origin_; }
  const std::string& demo_namespace() const { return demo_namespace_; }
  uint64_t memory_budget_bytes() const { return memory_budget_bytes_; }

  // Null when the engine was built without them.
  Classifier* classifier();
  ModelService* model();
  Preloader* preloader();
  tryon::TryOnPipeline* tryon() { return tryon_.get(); }
  Monitor& monitor() { return *monitor_; }

 private:
  std::function<void(PerformanceMonitor&)> latency_sampler();

  std::shared_ptr<SimulatedOrigin> origin_;
  std::string demo_namespace_;
  uint64_t memory_budget_bytes_;
  std::unique_ptr<TieredCache> cache_;
  std::unique_ptr<InferenceStack> inference_;
  std::unique_ptr<tryon::TryOnPipeline> tryon_;
  std::unique_ptr<Monitor> monitor_;  // last: it watches all of the above
};

}  // namespace tierscope
