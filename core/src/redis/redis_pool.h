// RedisPool: up to `max_connections` RedisConnections to one endpoint, handed out one
// caller at a time. A lease returns its connection on destruction unless the connection
// broke (then it is dropped and a later acquire connects afresh).
//
// Internal. Thread safety: acquire() from any thread; a Lease belongs to one thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "tierscope/redis/redis_connection.h"

namespace tierscope::redis::internal {

class RedisPool {
 public:
  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<RedisConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    RedisConnection& operator*() { return *c_; }
    RedisConnection* operator->() { return c_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> c_;
  };

  RedisPool(RedisEndpoint endpoint, size_t max_connections);
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // An idle connection, a new one if fewer than the maximum exist, or — all busy — waits
  // up to the command timeout for one. Throws RedisError (kConnect, kAuth, kTimeout).
  Lease acquire();
  // Drops every idle connection (after Redis went away: they are all dead).
  void drop_idle();
  size_t open_connections() const;

 private:
  void give_back(std::unique_ptr<RedisConnection> c);

  const RedisEndpoint endpoint_;
  const size_t max_connections_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  size_t open_ = 0;  // idle + leased
};

}  // namespace tierscope::redis::internal
