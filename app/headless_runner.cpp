#include "headless_runner.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>


namespace tierscope::app {
namespace {

// Set from the signal handler; the only process-wide state, as signals are process-wide.
std::atomic<bool> g_interrupted{false};

extern "C" void onSignal(int) { g_interrupted.store(true); }

std::string mebibytes(uint64_t bytes) { return fmt::format("{:.1f}MiB", double(bytes) / (1 << 20)); }

std::string limit(uint64_t value) { return value ? std::to_string(value) : std::string("unlimited"); }

}  // namespace

std::string summaryLine(const TieredStats& before, const TieredStats& after, double seconds, double elapsed,
                        const std::string& ns) {
  const auto delta = [](uint64_t a, uint64_t b) { return b >= a ? double(b - a) : 0.0; };
  const double requests = delta(before.total_requests, after.total_requests);
  const auto share = [&](uint64_t a, uint64_t b) { return requests > 0 ? 100.0 * delta(a, b) / requests : 0.0; };
  MemoryTierStats l1;
  for (const NamespaceStats& n : after.namespaces) {
    if (n.name == ns) l1 = n.l1;
  }
  std::string line = fmt::format(
      "t={:.0f}s requests/s={:.0f} l1_hit_rate={:.1f}% l2_hit_rate={:.1f}% origin={:.1f}% entries={}/{} bytes={}/{}",
      elapsed, seconds > 0 ? requests / seconds : 0.0, share(before.l1_hits, after.l1_hits),
      share(before.l2_hits, after.l2_hits), share(before.l3_hits, after.l3_hits), l1.entries, limit(l1.max_entries),
      mebibytes(l1.bytes), l1.max_bytes ? mebibytes(l1.max_bytes) : "unlimited");
  if (after.l2_enabled) line += fmt::format(" disk={}/{}", mebibytes(after.l2.bytes), mebibytes(after.l2.max_bytes));
  line += fmt::format(" stampedes_prevented={} evictions={}", after.stampede_prevented, after.evictions);
  return line;
}

int runHeadless(Engine& engine, WorkloadDriver* workload, double duration_seconds) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  if (workload) workload->start();

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto previous_time = start;
  TieredStats previous = engine.cache().snapshot();
  for (int tick = 1; !g_interrupted.load(); ++tick) {
    const auto due = start + std::chrono::seconds(tick);
    while (Clock::now() < due && !g_interrupted.load()) {
      std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
    }
    const auto now_time = Clock::now();
    const TieredStats now = engine.cache().snapshot();
    const double interval = std::chrono::duration<double>(now_time - previous_time).count();
    const double elapsed = std::chrono::duration<double>(now_time - start).count();
    std::fputs((summaryLine(previous, now, interval, elapsed, engine.demo_namespace()) + "\n").c_str(), stdout);
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
