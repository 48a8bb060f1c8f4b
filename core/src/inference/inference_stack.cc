#include "tierscope/inference/inference_stack.h"

#include <unistd.h>

#include <cstdlib>

namespace tierscope {

InferenceStack::InferenceStack(TieredCache& cache, const Settings& settings, const std::filesystem::path& model_path,
                               std::shared_ptr<spdlog::logger> logger) {
  ModelServiceOptions mo;
  mo.model_path = settings.model_path.empty() ? model_path : std::filesystem::path(settings.model_path);
  mo.intra_op_threads = settings.omp_num_threads;
  mo.max_batch = settings.batch_size;
  mo.max_concurrent_inferences = settings.max_concurrent_inferences;
  mo.logger = logger;
  model_ = std::make_unique<ModelService>(mo);
  ClassifierOptions co;
  co.enable_cache = settings.enable_model_cache;
  co.cache_size = settings.model_cache_size;
  co.limits.max_image_size = settings.max_image_size;
  classifier_ = std::make_unique<Classifier>(*model_, cache, co);
  preloader_ = std::make_unique<Preloader>(settings.preload_max_concurrent, logger);
  if (settings.preload_models && !settings.lazy_loading_enabled) {
    preloader_->add({"fashion_cnn", 10, {}, std::chrono::milliseconds(500), [this] { model_->load(); }});
    preloader_->start();
    if (!settings.enable_background_preloading) preloader_->wait();
  }
}

InferenceStack::~InferenceStack() { preloader_.reset(); }

std::filesystem::path find_bundled_model(const std::filesystem::path& source_tree_models) {
  std::vector<std::filesystem::path> candidates;
  if (const char* dir = std::getenv("TIERSCOPE_MODEL_DIR")) candidates.emplace_back(dir);
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) candidates.push_back(std::filesystem::path(std::string(exe, static_cast<size_t>(n))).parent_path().parent_path() /
                                  "share" / "tierscope" / "models");
  candidates.push_back(source_tree_models);
  for (const auto& dir : candidates) {
    if (std::filesystem::exists(dir / "fashion_cnn.pt")) return dir / "fashion_cnn.pt";
  }
  return source_tree_models / "fashion_cnn.pt";  // load() will say it is missing
}

}  // namespace tierscope
