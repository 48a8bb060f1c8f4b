// The only engine translation unit that includes libtorch.
#include "tierscope/inference/model_service.h"

#include <spdlog/logger.h>
#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "tierscope/cache/tiered_cache.h"  // OverloadedError

namespace tierscope {

std::string libtorch_version() { return TORCH_VERSION; }

int64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return -1;
  return resident * ::sysconf(_SC_PAGESIZE);
}

struct ModelService::Impl {
  explicit Impl(ModelServiceOptions o) : options(std::move(o)), gate_limit(options.max_concurrent_inferences) {}

  // The concurrency gate: a counting semaphore whose size can change while it is in use.
  void enter_gate() {
    std::unique_lock lock(gate_mu);
    gate_cv.wait(lock, [&] { return gate_active < gate_limit.load(std::memory_order_relaxed); });
    gate_peak = std::max(gate_peak, ++gate_active);
  }
  void leave_gate() {
    {
      std::lock_guard lock(gate_mu);
      --gate_active;
    }
    gate_cv.notify_one();
  }

  // The sidecar alone: enough for info() (classes, version) without loading weights.
  void read_sidecar_locked() {
    if (sidecar_read.load()) return;
    std::filesystem::path sidecar_path = options.model_path;
    sidecar_path.replace_extension(".json");
    std::ifstream sidecar_file(sidecar_path);
    if (!sidecar_file) throw std::runtime_error("model sidecar " + sidecar_path.string() + " not found");
    nlohmann::json sidecar;
    try {
      sidecar = nlohmann::json::parse(sidecar_file);
      info.name = sidecar.at("name").get<std::string>();
      info.model_version = sidecar.at("model_version").get<std::string>();
      info.classes = sidecar.at("classes").get<std::vector<std::string>>();
      const auto& input = sidecar.at("input");
      info.channels = input.at("channels").get<int>();
      info.height = input.at("height").get<int>();
      info.width = input.at("width").get<int>();
      info.scale = input.at("scale").get<double>();
      info.mean = input.at("mean").get<double>();
      info.std = input.at("std").get<double>();
      info.test_accuracy = sidecar.value("test_accuracy", 0.0);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("model sidecar " + sidecar_path.string() + " is invalid: " + e.what());
    }
    if (info.classes.empty() || info.height <= 0 || info.width <= 0 || info.channels != 1 || info.std <= 0) {
      throw std::runtime_error("model sidecar " + sidecar_path.string() + " describes an unusable input");
    }
    sidecar_read.store(true, std::memory_order_release);
  }

  void load_locked() {
    const auto start = std::chrono::steady_clock::now();
    // The load's figures are gathered here and published under stats_mu at the end:
    // stats() reads them from other threads while a load runs.
    const int64_t rss_before = resident_memory_bytes();
    if (options.logger) {
      options.logger->info("loading model {} (RSS {:.1f} MiB)", options.model_path.string(), rss_before / 1048576.0);
    }
    read_sidecar_locked();
    at::set_num_threads(std::max(1, options.intra_op_threads));
    try {
      module = torch::jit::load(options.model_path.string());
    } catch (const c10::Error& e) {
      throw std::runtime_error("cannot load model " + options.model_path.string() + ": " + e.what_without_backtrace());
    }
    module.eval();
    // Freezes and fuses for CPU inference; done here at start, never saved.
    module = torch::jit::optimize_for_inference(module);
    bool warmed_up = false;
    if (options.warmup) {
      torch::InferenceMode guard;
      const auto dummy = torch::zeros({1, 1, info.height, info.width});
      for (int i = 0; i < 3; ++i) module.forward({dummy});
      warmed_up = true;
    }
    const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const int64_t rss_after = resident_memory_bytes();
    {
      std::lock_guard lock(stats_mu);
      stats.rss_before_load_bytes = rss_before;
      stats.warmup_completed = warmed_up;
      stats.loaded = true;
      stats.load_time_ms = load_ms;
      stats.rss_after_load_bytes = rss_after;
    }
    if (options.logger) {
      options.logger->info("model {} ({}) loaded in {:.0f} ms, warm-up {}; RSS {:.1f} MiB -> {:.1f} MiB; test accuracy {:.2f} %",
                           info.name, info.model_version, load_ms, warmed_up ? "done" : "skipped", rss_before / 1048576.0,
                           rss_after / 1048576.0, 100.0 * info.test_accuracy);
    }
  }

  ModelServiceOptions options;
  std::once_flag once;
  std::mutex load_mu;
  std::atomic<bool> is_loaded{false};
  std::atomic<bool> sidecar_read{false};  // written under load_mu; read without it once true
  torch::jit::Module module;
  ModelInfo info;
  mutable std::mutex stats_mu;
  ModelStats stats;
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  std::atomic<size_t> gate_limit;  // written under gate_mu; read without it for the queue bound
  size_t gate_active = 0, gate_peak = 0;
  LatencyHistogram latency;
  std::atomic<size_t> waiting{0};
};

ModelService::ModelService(ModelServiceOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.max_concurrent_inferences == 0) throw std::invalid_argument("max_concurrent_inferences must be >= 1");
  if (impl_->options.max_batch == 0) throw std::invalid_argument("max_batch must be >= 1");
}

ModelService::~ModelService() = default;

void ModelService::load() {
  if (impl_->is_loaded.load(std::memory_order_acquire)) return;
  std::lock_guard lock(impl_->load_mu);
  if (impl_->is_loaded.load()) return;
  impl_->load_locked();  // a failure leaves it unloaded: the next call tries again
  impl_->is_loaded.store(true, std::memory_order_release);
}

bool ModelService::loaded() const { return impl_->is_loaded.load(std::memory_order_acquire); }

const ModelInfo& ModelService::info() {
  // The sidecar is read once and never changes: later calls (every cache hit) take no lock.
  if (!impl_->sidecar_read.load(std::memory_order_acquire)) {
    std::lock_guard lock(impl_->load_mu);
    impl_->read_sidecar_locked();
  }
  return impl_->info;
}

std::vector<float> ModelService::predict_pixels(const uint8_t* pixels, size_t count) {
  load();
  Impl& d = *impl_;
  const int64_t h = d.info.height, w = d.info.width, classes = static_cast<int64_t>(d.info.classes.size());
  std::vector<float> probabilities(count * static_cast<size_t>(classes));
  if (count == 0) return probabilities;
  if (d.waiting.fetch_add(1) >= d.options.max_queued + d.gate_limit.load(std::memory_order_relaxed)) {
    d.waiting.fetch_sub(1);
    std::lock_guard lock(d.stats_mu);
    ++d.stats.refused;
    throw OverloadedError("model busy: " + std::to_string(d.options.max_queued) + " requests already waiting");
  }
  const auto queued_at = std::chrono::steady_clock::now();
  d.enter_gate();
  struct Release {
    Impl& d;
    ~Release() {
      d.leave_gate();
      d.waiting.fetch_sub(1);
    }
  } release{d};
  const auto start = std::chrono::steady_clock::now();
  uint64_t passes = 0;
  {
    // Normalisation and softmax in plain loops: each tensor op costs a dispatch of a few
    // microseconds, which on a 28x28 image is a visible share of the forward itself.
    torch::InferenceMode guard;
    const size_t image_size = static_cast<size_t>(h * w);
    const float scale = static_cast<float>(d.info.scale / d.info.std), offset = static_cast<float>(d.info.mean / d.info.std);
    std::vector<float> normalised(std::min(d.options.max_batch, count) * image_size);
    for (size_t first = 0; first < count; first += d.options.max_batch) {
      const size_t n = std::min(d.options.max_batch, count - first);
      const uint8_t* source = pixels + first * image_size;
      for (size_t i = 0; i < n * image_size; ++i) normalised[i] = float(source[i]) * scale - offset;
      auto input = torch::from_blob(normalised.data(), {static_cast<int64_t>(n), 1, h, w}, torch::kFloat32);
      const auto logits = d.module.forward({input}).toTensor().to(torch::kFloat32).contiguous();
      if (logits.dim() != 2 || logits.size(0) != static_cast<int64_t>(n) || logits.size(1) != classes) {
        throw std::runtime_error("model returned logits of shape " + c10::str(logits.sizes()) + ", expected [" + std::to_string(n) +
                                 ", " + std::to_string(classes) + "]");
      }
      const float* in = logits.data_ptr<float>();
      float* out = probabilities.data() + first * classes;
      for (size_t row = 0; row < n; ++row, in += classes, out += classes) {
        const float top = *std::max_element(in, in + classes);
        float sum = 0;
        for (int64_t c = 0; c < classes; ++c) sum += (out[c] = std::exp(in[c] - top));
        for (int64_t c = 0; c < classes; ++c) out[c] /= sum;
      }
      ++passes;
    }
  }
  const auto end = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(end - start).count();
  d.latency.record(end - queued_at);
  std::lock_guard lock(d.stats_mu);
  d.stats.total_predictions += count;
  d.stats.forward_passes += passes;
  d.stats.total_inference_time_ms += ms;
  d.stats.avg_inference_time_ms = d.stats.total_inference_time_ms / double(d.stats.total_predictions);
  return probabilities;
}

void ModelService::set_max_concurrent_inferences(size_t limit) {
  if (limit == 0) throw std::invalid_argument("max_concurrent_inferences must be >= 1");
  {
    std::lock_guard lock(impl_->gate_mu);
    impl_->gate_limit.store(limit, std::memory_order_relaxed);
  }
  impl_->gate_cv.notify_all();
  if (impl_->options.logger) impl_->options.logger->info("model concurrency set to {} forward passes at once", limit);
}

ModelStats ModelService::stats() const {
  ModelStats s;
  {
    std::lock_guard lock(impl_->stats_mu);
    s = impl_->stats;
  }
  {
    std::lock_guard lock(impl_->gate_mu);
    s.max_concurrent_inferences = impl_->gate_limit.load(std::memory_order_relaxed);
    s.peak_concurrent_inferences = impl_->gate_peak;
  }
  s.inference_latency = impl_->latency.summary();
  s.inference_latency_counts = impl_->latency.counts();
  return s;
}

}  // namespace tierscope
