// Try-on speed on one core: an uncached pair (every stage computed), a pair whose person
// and garment analyses are cached (warp + composite), and a composite served from the
// cache, each against the uncached pair in the same run; decoding the two photos alone as
// the floor. Registered for the drawn demo pair always and, when ../shared is there, for a
// 768x1024 sample pair. Memory added per cached person is reported as a counter.
//
//   taskset -c 0 build/release/tests/bench/bench_tryon --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "ratio_reporter.h"
#include "tierscope/engine.h"
#include "tierscope/tryon/demo_assets.h"

namespace {

using namespace tierscope;
using namespace tierscope::tryon;

struct Pair {
  std::string person, garment;
};

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

EngineOptions options() {
  EngineOptions o;
  o.tryon = TryOnPipelineOptions{};
  return o;
}

TryOnRequest request(const Pair& pair) {
  TryOnRequest r;
  r.person_image = pair.person;
  r.garment_image = pair.garment;
  r.category = Category::kUpperBody;
  return r;
}

void decode_only(benchmark::State& state, const Pair& pair) {
  for (auto _ : state) {
    cv::Mat a = cv::imdecode(cv::Mat(1, static_cast<int>(pair.person.size()), CV_8U, const_cast<char*>(pair.person.data())),
                             cv::IMREAD_COLOR);
    cv::Mat b = cv::imdecode(cv::Mat(1, static_cast<int>(pair.garment.size()), CV_8U, const_cast<char*>(pair.garment.data())),
                             cv::IMREAD_COLOR);
    benchmark::DoNotOptimize(a.data);
    benchmark::DoNotOptimize(b.data);
  }
  state.SetItemsProcessed(state.iterations());
}

void uncached(benchmark::State& state, const Pair& pair) {
  Engine engine(options());
  TryOnRequest r = request(pair);
  r.options.use_cache = false;
  for (auto _ : state) benchmark::DoNotOptimize(engine.tryon()->run(r).composite_png.size());
  state.SetItemsProcessed(state.iterations());
}

void analyses_cached(benchmark::State& state, const Pair& pair) {
  Engine engine(options());
  TryOnRequest r = request(pair);
  engine.tryon()->run(r);  // person and garment analyses now in the cache
  double feather = 0.8;
  for (auto _ : state) {
    r.options.feather_px = (feather += 0.01);  // a composite key of its own each time
    benchmark::DoNotOptimize(engine.tryon()->run(r).composite_png.size());
  }
  state.SetItemsProcessed(state.iterations());
  for (const auto& ns : engine.cache().snapshot().namespaces) {
    if (ns.name == "human:upper") state.counters["person_entry_bytes"] = static_cast<double>(ns.l1.bytes);
    if (ns.name == "garment") state.counters["garment_entry_bytes"] = static_cast<double>(ns.l1.bytes);
  }
}

void composite_cached(benchmark::State& state, const Pair& pair) {
  Engine engine(options());
  const TryOnRequest r = request(pair);
  engine.tryon()->run(r);
  for (auto _ : state) benchmark::DoNotOptimize(engine.tryon()->run(r).composite_png.size());
  state.SetItemsProcessed(state.iterations());
  for (const auto& ns : engine.cache().snapshot().namespaces) {
    if (ns.name == "tryon") state.counters["composite_entry_bytes"] = static_cast<double>(ns.l1.bytes);
  }
}

void register_pair(const std::string& label, const Pair& pair) {
  benchmark::RegisterBenchmark(("BM_TryOn_Decode/" + label).c_str(), [pair](benchmark::State& s) { decode_only(s, pair); })
      ->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("BM_TryOn_Uncached/" + label).c_str(), [pair](benchmark::State& s) { uncached(s, pair); })
      ->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("BM_TryOn_AnalysesCached/" + label).c_str(), [pair](benchmark::State& s) { analyses_cached(s, pair); })
      ->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("BM_TryOn_CompositeCached/" + label).c_str(), [pair](benchmark::State& s) { composite_cached(s, pair); })
      ->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  cv::setNumThreads(1);  // the goals are for one core
  register_pair("demo", {demo_person_png(), demo_garment_png(Category::kUpperBody)});
  const char* env = std::getenv("TIERSCOPE_SHARED_DIR");
  const std::filesystem::path samples = std::filesystem::path(env && *env ? env : TIERSCOPE_SHARED_DIR) / "tryon-samples";
  if (std::filesystem::exists(samples / "person" / "00121_00.jpg")) {
    register_pair("sample_00121x09305", {read(samples / "person" / "00121_00.jpg"), read(samples / "garment" / "09305_00.jpg")});
  } else {
    std::fprintf(stderr, "note: %s not found, sample-photo benchmarks skipped\n", samples.c_str());
  }
  return tierscope::bench::run_benchmarks_with_ratios(
      argc, argv, {{"TryOn_Uncached", "TryOn_AnalysesCached"}, {"TryOn_Uncached", "TryOn_CompositeCached"},
                   {"TryOn_Uncached", "TryOn_Decode"}});
}
