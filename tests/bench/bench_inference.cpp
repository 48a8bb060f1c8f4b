// Inference speed, same-run ratios:
//  - engine predict on a miss (ModelService: normalise, forward, softmax, stats) vs a
//    bare module.forward on the same tensor (goal: within 10 %), also alternated call by
//    call in one benchmark (Predict_Paired) so that drift cannot tilt it;
//  - prediction-cache hit (SHA-256 of a 768x1024 JPEG, L1 lookup) vs a miss (decode,
//    transform, forward) through the same Classifier (goal: >= 50x), on a synthetic
//    photo and on the real 768x1024 try-on garment photos when ../shared is present;
//  - SHA-256 alone on the same bytes vs the miss: the ceiling any hit can reach, since
//    the cache key is that hash;
//  - ModelService throughput at batch 1, 8 and 32.
// Results and the command: docs/benchmarks.md.
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/script.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "ratio_reporter.h"
#include "tierscope/inference/classifier.h"
#include "tierscope/inference/image_preprocess.h"
#include "tierscope/inference/model_service.h"
#include "tierscope/base/sha256.h"

namespace {

constexpr int kThreads = 1;  // one intra-op thread: the per-request setting of a server

std::string model_path() { return TIERSCOPE_MODEL_PATH; }

tierscope::ModelService& service() {
  static tierscope::ModelService* s = [] {
    tierscope::ModelServiceOptions o;
    o.model_path = model_path();
    o.intra_op_threads = kThreads;
    auto* m = new tierscope::ModelService(o);
    m->load();
    return m;
  }();
  return *s;
}

std::vector<uint8_t> images(size_t n) {
  std::vector<uint8_t> pixels(n * 784);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>((i * 37) % 251);
  return pixels;
}

// The bare module, optimised as ModelService optimises it, and the tensor the engine
// builds for the same image: normalised floats.
torch::jit::Module& bare_module() {
  static torch::jit::Module module = [] {
    auto m = torch::jit::load(model_path());
    m.eval();
    return torch::jit::optimize_for_inference(m);
  }();
  return module;
}

torch::Tensor bare_input(std::vector<uint8_t>& pixels) {
  return torch::from_blob(pixels.data(), {1, 1, 28, 28}, torch::kUInt8).to(torch::kFloat32).div(255.0).sub(0.286).div(0.353);
}

void BM_Predict_Bare(benchmark::State& state) {
  service();  // same process state (threads) as the engine benchmark
  auto& module = bare_module();
  at::set_num_threads(kThreads);
  auto pixels = images(1);
  const auto input = bare_input(pixels);
  torch::InferenceMode guard;
  for (int i = 0; i < 3; ++i) module.forward({input});
  for (auto _ : state) benchmark::DoNotOptimize(module.forward({input}).toTensor().data_ptr<float>());
  state.SetItemsProcessed(state.iterations());
}

// Bare forward and engine predict alternating call by call, so both see the same moment of
// this VM's drift (±20 % between runs): the counter engine_vs_bare is bare time / engine
// time summed over all iterations, the figure the "within 10 %" goal is read from.
void BM_Predict_Paired(benchmark::State& state) {
  auto& s = service();
  auto& module = bare_module();
  auto pixels = images(1);
  const auto input = bare_input(pixels);
  std::chrono::steady_clock::duration bare{}, engine{};
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    {
      torch::InferenceMode guard;
      benchmark::DoNotOptimize(module.forward({input}).toTensor().data_ptr<float>());
    }
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(s.predict_pixels(pixels.data(), 1).data());
    const auto t2 = std::chrono::steady_clock::now();
    bare += t1 - t0;
    engine += t2 - t1;
  }
  state.counters["engine_vs_bare"] = std::chrono::duration<double>(bare).count() / std::chrono::duration<double>(engine).count();
}

void BM_Predict_Engine(benchmark::State& state) {
  auto& s = service();
  auto pixels = images(1);
  for (auto _ : state) benchmark::DoNotOptimize(s.predict_pixels(pixels.data(), 1).data());
  state.SetItemsProcessed(state.iterations());
}

void BM_Batch(benchmark::State& state) {
  auto& s = service();
  const size_t n = static_cast<size_t>(state.range(0));
  auto pixels = images(n);
  for (auto _ : state) benchmark::DoNotOptimize(s.predict_pixels(pixels.data(), n).data());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

std::string photo_jpeg() {
  cv::Mat img(1024, 768, CV_8UC3, cv::Scalar(235, 235, 235));
  cv::rectangle(img, cv::Rect(200, 220, 368, 600), cv::Scalar(90, 40, 30), cv::FILLED);
  cv::rectangle(img, cv::Rect(120, 240, 530, 120), cv::Scalar(90, 40, 30), cv::FILLED);
  cv::randn(img, cv::Scalar(128, 128, 128), cv::Scalar(4, 4, 4));  // photo-like noise: a realistic file size
  cv::rectangle(img, cv::Rect(200, 220, 368, 600), cv::Scalar(90, 40, 30), cv::FILLED);
  std::vector<uchar> bytes;
  cv::imencode(".jpg", img, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  return std::string(bytes.begin(), bytes.end());
}

void classify(benchmark::State& state, const std::string& jpeg, bool cached) {
  static tierscope::TieredCache cache{tierscope::TieredCacheOptions{}};
  tierscope::ClassifierOptions o;
  o.enable_cache = cached;
  tierscope::Classifier classifier(service(), cache, o);
  classifier.classify(jpeg);  // a hit needs a first miss
  for (auto _ : state) {
    auto c = classifier.classify(jpeg);
    if (c.from_cache != cached) state.SkipWithError("unexpected cache state");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["jpeg_bytes"] = static_cast<double>(jpeg.size());
}

void sha256_only(benchmark::State& state, const std::string& jpeg) {
  for (auto _ : state) benchmark::DoNotOptimize(tierscope::sha256_hex(jpeg));
  state.SetItemsProcessed(state.iterations());
  state.counters["jpeg_bytes"] = static_cast<double>(jpeg.size());
}

// ../shared beside the checkout, or $TIERSCOPE_SHARED_DIR when set.
std::filesystem::path garment_dir() {
  const char* env = std::getenv("TIERSCOPE_SHARED_DIR");
  return std::filesystem::path(env && *env ? env : TIERSCOPE_SHARED_DIR) / "tryon-samples" / "garment";
}

void register_classify(const std::string& label, const std::string& jpeg) {
  benchmark::RegisterBenchmark(("BM_Classify_Miss/" + label).c_str(), [jpeg](benchmark::State& s) { classify(s, jpeg, false); })
      ->UseRealTime();
  benchmark::RegisterBenchmark(("BM_Classify_Hit/" + label).c_str(), [jpeg](benchmark::State& s) { classify(s, jpeg, true); })
      ->UseRealTime();
  benchmark::RegisterBenchmark(("BM_Sha256_Only/" + label).c_str(), [jpeg](benchmark::State& s) { sha256_only(s, jpeg); })
      ->UseRealTime();
}

// The synthetic photo always; each 768x1024 try-on garment photo when ../shared is there.
void register_classify_benchmarks() {
  register_classify("synthetic", photo_jpeg());
  const auto dir = garment_dir();
  if (!std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "note: %s not found, real-photo benchmarks skipped\n", dir.c_str());
    return;
  }
  std::vector<std::filesystem::path> photos;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".jpg") photos.push_back(e.path());
  }
  std::sort(photos.begin(), photos.end());
  for (const auto& path : photos) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto header = tierscope::read_image_header(bytes, tierscope::ImageLimits{});
    if (header.width != 768 || header.height != 1024) continue;  // the goal names 768x1024
    register_classify("photo_" + path.stem().string(), bytes);
  }
}

}  // namespace

BENCHMARK(BM_Predict_Bare)->UseRealTime();
BENCHMARK(BM_Predict_Engine)->UseRealTime();
BENCHMARK(BM_Predict_Paired)->UseRealTime();
BENCHMARK(BM_Batch)->Arg(1)->Arg(8)->Arg(32)->UseRealTime();

int main(int argc, char** argv) {
  register_classify_benchmarks();
  return tierscope::bench::run_benchmarks_with_ratios(
      argc, argv, {{"Predict_Bare", "Predict_Engine"}, {"Classify_Miss", "Classify_Hit"}, {"Classify_Miss", "Sha256_Only"}});
}
