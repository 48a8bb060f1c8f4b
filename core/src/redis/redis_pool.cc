#include "redis/redis_pool.h"

namespace tierscope::redis::internal {

RedisPool::RedisPool(RedisEndpoint endpoint, size_t max_connections)
    : endpoint_(std::move(endpoint)), max_connections_(max_connections == 0 ? 1 : max_connections) {}

RedisPool::Lease RedisPool::acquire() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    if (open_ < max_connections_) {
      ++open_;
      lock.unlock();
      try {
        // Connect outside the lock: it may take up to the connect timeout.
        return Lease(this, std::make_unique<RedisConnection>(endpoint_));
      } catch (...) {
        lock.lock();
        --open_;
        returned_.notify_one();
        throw;
      }
    }
    if (returned_.wait_for(lock, endpoint_.command_timeout) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_connections_) {
      throw RedisError(RedisErrorKind::kTimeout, "redis: every pooled connection busy for the command timeout");
    }
  }
}

void RedisPool::give_back(std::unique_ptr<RedisConnection> c) {
  std::lock_guard lock(mu_);
  if (c->broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(c));
  }
  returned_.notify_one();
}

void RedisPool::drop_idle() {
  std::lock_guard lock(mu_);
  open_ -= idle_.size();
  idle_.clear();
}

size_t RedisPool::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace tierscope::redis::internal
