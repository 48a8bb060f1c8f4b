// InferenceStack: what a Tierscope process needs to classify images, built from the
// resolved Settings — the ModelService, the Classifier on the engine's cache, and the
// Preloader that (per profile) loads the model in the background at start.
//
// Ownership: owns the three; borrows the cache (must outlive it). Thread safety: the
// accessors may be used from any thread, and so may the objects they return.
#pragma once

#include <filesystem>
#include <memory>

#include "tierscope/inference/classifier.h"
#include "tierscope/inference/model_service.h"
#include "tierscope/runtime/preloader.h"
#include "tierscope/runtime/settings.h"
#include "tierscope/cache/tiered_cache.h"

namespace tierscope {

class InferenceStack {
 public:
  // `model_path` is used when settings.model_path is empty. With PRELOAD_MODELS (and
  // not LAZY_LOADING_ENABLED) the model loads now — in the background with
  // ENABLE_BACKGROUND_PRELOADING, else before the constructor returns.
  InferenceStack(TieredCache& cache, const Settings& settings, const std::filesystem::path& model_path,
                 std::shared_ptr<spdlog::logger> logger = nullptr);
  ~InferenceStack();

  ModelService& model() { return *model_; }
  Classifier& classifier() { return *classifier_; }
  Preloader& preloader() { return *preloader_; }

 private:
  std::unique_ptr<ModelService> model_;
  std::unique_ptr<Classifier> classifier_;
  std::unique_ptr<Preloader> preloader_;
};

// The bundled classifier: $TIERSCOPE_MODEL_DIR, then <exe>/../share/tierscope/models,
// then the source tree's resources/models; the first holding fashion_cnn.pt.
std::filesystem::path find_bundled_model(const std::filesystem::path& source_tree_models);

}  // namespace tierscope
