#include "tierscope/cache/maintainer.h"

#include <algorithm>

namespace tierscope {

namespace {
// Passes to look for more work before sleeping: a busy cache asks again within
// microseconds, and a wakeup through the kernel costs the asking reader far more.
constexpr int kSpinsBeforeSleep = 200;
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
      std::lock_guard lock(clients_mu_);
      for (Client* c : clients_) c->run_maintenance_now();
      continue;
    }
    if (++idle < kSpinsBeforeSleep) {
      std::this_thread::yield();
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
