// RatioReporter: prints Google Benchmark's usual console output and then, for each
// (baseline, candidate) pair and each benchmark whose name contains the candidate, its
// throughput divided by that of the same benchmark with the baseline in its place —
// both measured in this process.
// With --benchmark_repetitions the medians are compared.
#pragma once

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace tierscope::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colour only on a terminal, so redirected output stays plain text.
  using Pair = std::pair<std::string, std::string>;  // baseline, candidate
  explicit RatioReporter(std::vector<Pair> pairs)
      : ConsoleReporter(::isatty(::fileno(stdout)) ? OO_Defaults : OO_Tabular), pairs_(std::move(pairs)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      auto it = run.counters.find("items_per_second");
      if ((median || single) && it != run.counters.end()) {
        const std::string name = run.run_name.str();
        throughput_[name] = it->second.value;
        order_.push_back(name);
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nSame-run ratios (candidate throughput / baseline throughput):\n");
    // Sorted, so interleaved runs still print each benchmark's ratios together.
    std::sort(order_.begin(), order_.end());
    order_.erase(std::unique(order_.begin(), order_.end()), order_.end());
    for (const std::string& name : order_) {
      for (const auto& [baseline, candidate] : pairs_) {
        const size_t at = name.find(candidate);
        if (at == std::string::npos) continue;
        std::string base_name = name;
        base_name.replace(at, candidate.size(), baseline);
        auto base = throughput_.find(base_name);
        if (base == throughput_.end() || base->second <= 0) continue;
        std::printf("  %-50s vs %-10s %8.2fx  (%.3g/s vs %.3g/s)\n", name.c_str(), baseline.c_str(),
                    throughput_[name] / base->second, throughput_[name], base->second);
      }
    }
  }

 private:
  std::vector<Pair> pairs_;
  std::map<std::string, double> throughput_;
  std::vector<std::string> order_;
};

// The main() of every Tierscope benchmark: Google Benchmark's flags, then the runs,
// then the same-run ratio table.
inline int run_benchmarks_with_ratios(int argc, char** argv, std::vector<RatioReporter::Pair> pairs) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(std::move(pairs));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace tierscope::bench
