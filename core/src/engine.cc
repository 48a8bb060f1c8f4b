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
  cache_ = std::make_unique<TieredCache>(std::move(options.cache));
  if (options.inference) {
    inference_ = std::make_unique<InferenceStack>(*cache_, options.inference->settings, options.inference->model_path, logger);
  }
  if (options.tryon) {
    if (!options.tryon->logger) options.tryon->logger = logger;
    tryon_ = std::make_unique<tryon::TryOnPipeline>(*cache_, classifier(), std::move(*options.tryon));
  }
}

Engine::~Engine() {
  // Try-on borrows the classifier and the cache; the classifier borrows the cache.
  tryon_.reset();
  inference_.reset();
}

Classifier* Engine::classifier() { return inference_ ? &inference_->classifier() : nullptr; }
ModelService* Engine::model() { return inference_ ? &inference_->model() : nullptr; }
Preloader* Engine::preloader() { return inference_ ? &inference_->preloader() : nullptr; }

}  // namespace tierscope
