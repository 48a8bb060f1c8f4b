#include "tierscope/runtime/preloader.h"

#include <spdlog/logger.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace tierscope {

std::string_view to_string(PreloadState state) {
  switch (state) {
    case PreloadState::kPending:
      return "pending";
    case PreloadState::kRunning:
      return "running";
    case PreloadState::kDone:
      return "done";
    case PreloadState::kFailed:
      return "failed";
    case PreloadState::kSkipped:
      return "skipped";
  }
  return "unknown";
}

struct Preloader::Impl {
  struct Entry {
    PreloadTask task;
    size_t order = 0;
    int uses = 0;
    PreloadStatus status;
  };

  // The next runnable task, or nullptr. Marks tasks whose dependencies failed as skipped.
  Entry* pick_locked() {
    bool skipped_some = true;
    while (skipped_some) {  // skipping can cascade
      skipped_some = false;
      for (auto& [name, e] : tasks) {
        if (e.status.state != PreloadState::kPending) continue;
        for (const auto& dep : e.task.dependencies) {
          const PreloadState s = tasks.at(dep).status.state;
          if (s == PreloadState::kFailed || s == PreloadState::kSkipped) {
            e.status.state = PreloadState::kSkipped;
            e.status.error = "dependency '" + dep + "' " + std::string(to_string(s));
            if (logger) logger->warn("preload {} skipped: {}", name, e.status.error);
            skipped_some = true;
            break;
          }
        }
      }
    }
    Entry* best = nullptr;
    for (auto& [name, e] : tasks) {
      if (e.status.state != PreloadState::kPending) continue;
      bool ready = true;
      for (const auto& dep : e.task.dependencies) ready = ready && tasks.at(dep).status.state == PreloadState::kDone;
      if (!ready) continue;
      const int priority = e.task.priority + e.uses;
      if (!best) {
        best = &e;
        continue;
      }
      const int best_priority = best->task.priority + best->uses;
      if (priority != best_priority ? priority > best_priority
          : e.task.estimated_load_time != best->task.estimated_load_time ? e.task.estimated_load_time < best->task.estimated_load_time
                                                                         : e.order < best->order) {
        best = &e;
      }
    }
    return best;
  }

  bool finished_locked() const {
    for (const auto& [name, e] : tasks) {
      if (e.status.state == PreloadState::kPending || e.status.state == PreloadState::kRunning) return false;
    }
    return true;
  }

  void worker() {
    std::unique_lock lock(mu);
    while (true) {
      Entry* next = nullptr;
      changed.wait(lock, [&] { return stopping || finished_locked() || (next = pick_locked()) != nullptr; });
      if (stopping || !next) break;
      next->status.state = PreloadState::kRunning;
      next->status.effective_priority = next->task.priority + next->uses;
      const std::string name = next->task.name;
      auto fn = next->task.load_function;
      lock.unlock();
      if (logger) logger->info("preload {} started (priority {})", name, next->status.effective_priority);
      const auto start = std::chrono::steady_clock::now();
      std::string error;
      try {
        fn();
      } catch (const std::exception& e) {
        error = e.what();
      } catch (...) {
        error = "unknown exception";
      }
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      lock.lock();
      Entry& e = tasks.at(name);
      e.status.load_time_ms = ms;
      e.status.state = error.empty() ? PreloadState::kDone : PreloadState::kFailed;
      e.status.error = error;
      if (logger) {
        if (error.empty()) logger->info("preload {} done in {:.0f} ms", name, ms);
        else logger->error("preload {} failed after {:.0f} ms: {}", name, ms, error);
      }
      changed.notify_all();
    }
    changed.notify_all();
  }

  size_t max_concurrent;
  std::shared_ptr<spdlog::logger> logger;
  mutable std::mutex mu;
  std::condition_variable changed;
  std::map<std::string, Entry> tasks;
  size_t added = 0;
  bool started = false;
  bool stopping = false;
  std::vector<std::thread> workers;
};

Preloader::Preloader(size_t max_concurrent, std::shared_ptr<spdlog::logger> logger) : impl_(std::make_unique<Impl>()) {
  impl_->max_concurrent = std::max<size_t>(1, max_concurrent);
  impl_->logger = std::move(logger);
}

Preloader::~Preloader() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->changed.notify_all();
  for (auto& t : impl_->workers) t.join();
}

void Preloader::add(PreloadTask task) {
  if (task.name.empty()) throw std::invalid_argument("a preload task needs a name");
  if (!task.load_function) throw std::invalid_argument("preload task '" + task.name + "' has no load function");
  std::lock_guard lock(impl_->mu);
  if (impl_->started) throw std::logic_error("tasks must be added before start()");
  if (impl_->tasks.count(task.name)) throw std::invalid_argument("preload task '" + task.name + "' added twice");
  Impl::Entry e;
  e.order = impl_->added++;
  e.status.name = task.name;
  e.status.effective_priority = task.priority;
  e.task = std::move(task);
  impl_->tasks.emplace(e.task.name, std::move(e));
}

void Preloader::record_usage(const std::string& name) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->tasks.find(name);
  if (it == impl_->tasks.end() || it->second.status.state != PreloadState::kPending) return;
  ++it->second.uses;
  it->second.status.effective_priority = it->second.task.priority + it->second.uses;
}

void Preloader::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return;
  for (const auto& [name, e] : impl_->tasks) {
    for (const auto& dep : e.task.dependencies) {
      if (!impl_->tasks.count(dep)) throw std::invalid_argument("preload task '" + name + "' depends on unknown '" + dep + "'");
    }
  }
  // Depth-first search for a cycle.
  std::map<std::string, int> mark;  // 1 visiting, 2 done
  std::function<void(const std::string&, std::vector<std::string>&)> visit = [&](const std::string& n,
                                                                                std::vector<std::string>& path) {
    if (mark[n] == 2) return;
    path.push_back(n);
    if (mark[n] == 1) {
      std::string cycle;
      for (const auto& p : path) cycle += (cycle.empty() ? "" : " -> ") + p;
      throw std::invalid_argument("preload dependency cycle: " + cycle);
    }
    mark[n] = 1;
    for (const auto& dep : impl_->tasks.at(n).task.dependencies) visit(dep, path);
    mark[n] = 2;
    path.pop_back();
  };
  for (const auto& [name, e] : impl_->tasks) {
    std::vector<std::string> path;
    visit(name, path);
  }
  impl_->started = true;
  for (size_t i = 0; i < impl_->max_concurrent; ++i) impl_->workers.emplace_back([this] { impl_->worker(); });
}

void Preloader::wait() {
  std::unique_lock lock(impl_->mu);
  impl_->changed.wait(lock, [&] { return !impl_->started || impl_->finished_locked(); });
}

std::vector<PreloadStatus> Preloader::report() const {
  std::lock_guard lock(impl_->mu);
  std::vector<PreloadStatus> out;
  for (const auto& [name, e] : impl_->tasks) out.push_back(e.status);
  return out;
}

}  // namespace tierscope
