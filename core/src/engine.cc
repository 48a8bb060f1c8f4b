#include "tierscope/engine.h"

#include <algorithm>

#include "tierscope/inference/inference_stack.h"

namespace tierscope {

Engine::Engine(EngineOptions options)
    : origin_(std::make_shared<SimulatedOrigin>(options.origin)),
      demo_namespace_(options.demo_namespace),
      memory_budget_bytes_(options.memory_budget_bytes) {
  for (NamespaceOptions& ns : options.cache.namespaces) {
    if (!ns.loader) ns.loader = origin_;
  }
  const auto& names = options.cache.namespaces;
  if (std::none_of(names.begin(), names.end(), [&](const NamespaceOptions& n) { return n.name == demo_namespace_; })) {
    throw std::invalid_argument("demo namespace '" + demo_namespace_ + "' is not a cache namespace");
  }
  auto logger = options.cache.logger;
  const Clock* clock = options.cache.clock;
  cache_ = std::make_unique<TieredCache>(std::move(options.cache));
  if (options.inference) {
    inference_ = std::make_unique<InferenceStack>(*cache_, options.inference->settings, options.inference->model_path, logger);
  }
  if (options.tryon) {
    if (!options.tryon->logger) options.tryon->logger = logger;
    tryon_ = std::make_unique<tryon::TryOnPipeline>(*cache_, classifier(), std::move(*options.tryon));
  }
  MonitorOptions monitor = std::move(options.monitor);
  monitor.memory_budget_bytes = memory_budget_bytes_;
  if (!monitor.logger) monitor.logger = logger;
  if (!monitor.clock) monitor.clock = clock;
  monitor.samplers.push_back(latency_sampler());
  monitor_ = std::make_unique<Monitor>(*cache_, std::move(monitor));
}

std::function<void(PerformanceMonitor&)> Engine::latency_sampler() {
  // p95 over each metrics interval, from the histograms' counts (not since start).
  struct Previous {
    LatencyCounts end_to_end, model, tryon;
  };
  auto previous = std::make_shared<Previous>();
  return [this, previous](PerformanceMonitor& m) {
    if (Classifier* c = classifier()) {
      const ClassifierStats s = c->stats();
      const LatencySummary e2e = summarize(s.end_to_end_counts, previous->end_to_end);
      const LatencySummary model = summarize(s.model.inference_latency_counts, previous->model);
      if (e2e.count) m.add_metric("inference.latency_p95_ms", e2e.p95_ms, "ms");
      if (model.count) m.add_metric("inference.model_latency_p95_ms", model.p95_ms, "ms");
      previous->end_to_end = s.end_to_end_counts;
      previous->model = s.model.inference_latency_counts;
    }
    if (tryon_) {
      const tryon::TryOnStats s = tryon_->stats();
      const LatencySummary t = summarize(s.latency_counts, previous->tryon);
      if (t.count) m.add_metric("tryon.latency_p95_ms", t.p95_ms, "ms");
      previous->tryon = s.latency_counts;
    }
  };
}

Engine::~Engine() {
  monitor_.reset();  // its thread reads everything below
  // Try-on borrows the classifier and the cache; the classifier borrows the cache.
  tryon_.reset();
  inference_.reset();
}

Classifier* Engine::classifier() { return inference_ ? &inference_->classifier() : nullptr; }
ModelService* Engine::model() { return inference_ ? &inference_->model() : nullptr; }
Preloader* Engine::preloader() { return inference_ ? &inference_->preloader() : nullptr; }

}  // namespace tierscope
