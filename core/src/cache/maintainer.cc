#include "tierscope/cache/maintainer.h"

#include <algorithm>
#include <chrono>

namespace tierscope {

namespace {
// While caches are busy the maintainer looks for work every tick instead of being woken
// for each full buffer: a wakeup through the kernel would cost the asking reader more
// than the reads it records, and spinning (yield in a loop) took a core the readers and
// the server's I/O threads need. Buffers that fill within a tick drop records meanwhile:
// the policy works from a sample, as Caffeine's does. After kIdleTicks without work it
// sleeps until a reader wakes it.
constexpr auto kTick = std::chrono::milliseconds(1);
constexpr int kIdleTicks = 50;
}  // namespace

Maintainer::Maintainer() : thread_([this] { loop(); }) {}

Maintainer::~Maintainer() {
  stop_.store(true);
  {
    std::lock_guard lock(sleep_mu_);
    pending_.store(true);
  }
  wakeup_.notify_one();
  thread_.join();
}

void Maintainer::add(Client* client) {
  std::lock_guard lock(clients_mu_);
  clients_.push_back(client);
}

void Maintainer::remove(Client* client) {
  std::lock_guard lock(clients_mu_);
  clients_.erase(std::remove(clients_.begin(), clients_.end(), client), clients_.end());
}

void Maintainer::wake() {
  if (pending_.load(std::memory_order_relaxed) || pending_.exchange(true, std::memory_order_seq_cst)) return;
  // seq_cst store of pending_ then load of sleeping_, against the loop's store of
  // sleeping_ then load of pending_: one of the two sides sees the other.
  if (sleeping_.load(std::memory_order_seq_cst)) {
    std::lock_guard lock(sleep_mu_);
    wakeup_.notify_one();
  }
}

void Maintainer::loop() {
  int idle = 0;
  while (!stop_.load()) {
    if (pending_.exchange(false, std::memory_order_seq_cst)) {
      idle = 0;
      {
        std::lock_guard lock(clients_mu_);
        for (Client* c : clients_) c->run_maintenance_now();
      }
      std::this_thread::sleep_for(kTick);
      continue;
    }
    if (++idle < kIdleTicks) {
      std::this_thread::sleep_for(kTick);
      continue;
    }
    std::unique_lock lock(sleep_mu_);
    sleeping_.store(true, std::memory_order_seq_cst);
    wakeup_.wait(lock, [&] { return pending_.load(std::memory_order_seq_cst); });
    sleeping_.store(false, std::memory_order_relaxed);
    idle = 0;
  }
}

}  // namespace tierscope
