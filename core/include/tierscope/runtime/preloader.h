// Preloader: loads models (or anything slow) in the background before they are needed —
// highest priority first, each only after its dependencies, at most
// `PRELOAD_MAX_CONCURRENT` at once. Usage recorded before a task starts raises its
// priority (`record_model_usage`), so what operators actually use loads first.
//
// Ordering: among tasks whose dependencies are done, the highest priority (base
// priority + recorded uses) runs first; ties go to the shorter estimated_load_time,
// then to the order of add(). A task whose load throws is `failed`; tasks that depend
// on it (directly or not) are `skipped` and never run.
//
// Ownership: owns its worker threads; the destructor waits for running tasks and runs
// no new ones. Thread safety: every public method may be called from any thread.
// Not copyable.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tierscope/base/clock.h"

namespace spdlog {
class logger;
}

namespace tierscope {

struct PreloadTask {
  std::string name;
  int priority = 0;
  std::vector<std::string> dependencies;
  Duration estimated_load_time{0};
  std::function<void()> load_function;
};

enum class PreloadState { kPending, kRunning, kDone, kFailed, kSkipped };

struct PreloadStatus {
  std::string name;
  PreloadState state = PreloadState::kPending;
  int effective_priority = 0;
  double load_time_ms = 0;
  std::string error;
};

class Preloader {
 public:
  Preloader(size_t max_concurrent, std::shared_ptr<spdlog::logger> logger = nullptr);
  ~Preloader();
  Preloader(const Preloader&) = delete;
  Preloader& operator=(const Preloader&) = delete;

  // Before start(): adds a task. Throws std::invalid_argument for a duplicate name, an
  // empty name or a missing load_function.
  void add(PreloadTask task);
  // Raises the priority of a task that has not started yet by one.
  void record_usage(const std::string& name);
  // Checks the graph (unknown dependencies, cycles: std::invalid_argument) and starts.
  void start();
  // Blocks until every task is done, failed or skipped.
  void wait();
  std::vector<PreloadStatus> report() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string_view to_string(PreloadState state);

}  // namespace tierscope
