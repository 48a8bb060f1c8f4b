// ThreadPool: a fixed set of threads draining a bounded FIFO of tasks. Used for cache
// loads, so one slow origin holds one thread, never the callers of other keys.
//
// Internal. Thread safety: try_submit() from any thread; the destructor runs every task
// already queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tierscope::internal {

class ThreadPool {
 public:
  ThreadPool(unsigned threads, size_t max_queued, std::string name);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues the task; false (task dropped) when max_queued tasks are already waiting.
  bool try_submit(std::function<void()> task);
  size_t queued() const;

 private:
  void run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tierscope::internal
