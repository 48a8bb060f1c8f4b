#include "headless_runner.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "tierscope/stats_window.h"

namespace tierscope::app {
namespace {

// Set from the signal handler; the only process-wide state, as signals are process-wide.
std::atomic<bool> g_interrupted{false};

extern "C" void onSignal(int) { g_interrupted.store(true); }

std::string mebibytes(uint64_t bytes) { return fmt::format("{:.1f}MiB", double(bytes) / (1 << 20)); }

std::string limit(uint64_t value) { return value ? std::to_string(value) : std::string("unlimited"); }

}  // namespace

std::string summaryLine(const MemoryTierStats& before, const MemoryTierStats& after, double seconds, double elapsed) {
  const IntervalRates r = rates_between(before, after, seconds);
  return fmt::format("t={:.0f}s requests/s={:.0f} l1_hit_rate={:.1f}% entries={}/{} bytes={}/{} evictions={}",
                     elapsed, r.requests_per_second, r.hit_rate * 100.0, after.entries, limit(after.max_entries),
                     mebibytes(after.bytes), after.max_bytes ? mebibytes(after.max_bytes) : "unlimited",
                     after.evictions);
}

int runHeadless(Engine& engine, WorkloadDriver* workload, double duration_seconds) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  if (workload) workload->start();

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto previous_time = start;
  MemoryTierStats previous = engine.l1().snapshot();
  for (int tick = 1; !g_interrupted.load(); ++tick) {
    const auto due = start + std::chrono::seconds(tick);
    while (Clock::now() < due && !g_interrupted.load()) {
      std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
    }
    const auto now_time = Clock::now();
    const MemoryTierStats now = engine.l1().snapshot();
    const double interval = std::chrono::duration<double>(now_time - previous_time).count();
    const double elapsed = std::chrono::duration<double>(now_time - start).count();
    std::fputs((summaryLine(previous, now, interval, elapsed) + "\n").c_str(), stdout);
    std::fflush(stdout);
    previous = now;
    previous_time = now_time;
    if (duration_seconds > 0 && elapsed + 1e-3 >= duration_seconds) break;
  }
  if (workload) {
    workload->stop();
    if (workload->snapshot().value_errors != 0) {
      std::fprintf(stderr, "tierscope: %llu values read back did not match their keys\n",
                   static_cast<unsigned long long>(workload->snapshot().value_errors));
      return 1;
    }
  }
  return 0;
}

}  // namespace tierscope::app
