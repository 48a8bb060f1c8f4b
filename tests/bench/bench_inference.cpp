// Inference speed, same-run ratios:
//  - engine predict on a miss (ModelService: normalise, forward, softmax, stats) vs a
//    bare module.forward on the same tensor (goal: within 10 %);
//  - prediction-cache hit (SHA-256 of a 768x1024 JPEG, L1 lookup) vs a miss (decode,
//    transform, forward) through the same Classifier (goal: >= 50x);
//  - ModelService throughput at batch 1, 8 and 32.
// Results and the command: docs/benchmarks.md.
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/script.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "ratio_reporter.h"
#include "tierscope/classifier.h"
#include "tierscope/model_service.h"

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

void BM_Predict_Bare(benchmark::State& state) {
  service();  // same process state (threads) as the engine benchmark
  static torch::jit::Module module = [] {
    auto m = torch::jit::load(model_path());
    m.eval();
    return torch::jit::optimize_for_inference(m);
  }();
  at::set_num_threads(kThreads);
  auto pixels = images(1);
  // The tensor the engine would build for the same image: normalised floats.
  const auto input = torch::from_blob(pixels.data(), {1, 1, 28, 28}, torch::kUInt8).to(torch::kFloat32).div(255.0).sub(0.286).div(0.353);
  torch::InferenceMode guard;
  for (int i = 0; i < 3; ++i) module.forward({input});
  for (auto _ : state) benchmark::DoNotOptimize(module.forward({input}).toTensor().data_ptr<float>());
  state.SetItemsProcessed(state.iterations());
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

void classify(benchmark::State& state, bool cached) {
  static tierscope::TieredCache cache{tierscope::TieredCacheOptions{}};
  tierscope::ClassifierOptions o;
  o.enable_cache = cached;
  tierscope::Classifier classifier(service(), cache, o);
  const std::string jpeg = photo_jpeg();
  classifier.classify(jpeg);  // a hit needs a first miss
  for (auto _ : state) {
    auto c = classifier.classify(jpeg);
    if (c.from_cache != cached) state.SkipWithError("unexpected cache state");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["jpeg_bytes"] = static_cast<double>(jpeg.size());
}

void BM_Classify_Miss(benchmark::State& state) { classify(state, false); }
void BM_Classify_Hit(benchmark::State& state) { classify(state, true); }

}  // namespace

BENCHMARK(BM_Predict_Bare)->UseRealTime();
BENCHMARK(BM_Predict_Engine)->UseRealTime();
BENCHMARK(BM_Batch)->Arg(1)->Arg(8)->Arg(32)->UseRealTime();
BENCHMARK(BM_Classify_Miss)->UseRealTime();
BENCHMARK(BM_Classify_Hit)->UseRealTime();

int main(int argc, char** argv) {
  return tierscope::bench::run_benchmarks_with_ratios(argc, argv, {{"Predict_Bare", "Predict_Engine"}, {"Classify_Miss", "Classify_Hit"}});
}
