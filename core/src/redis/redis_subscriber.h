// RedisSubscriber: a thread holding one SUBSCRIBE connection (SSUBSCRIBE, sharded, in a
// cluster: on the node that owns the channel's slot) and handing each message on a
// channel to a callback. When the node goes away, or the channel's slot moves (the server
// sends "sunsubscribe"), it asks `resolve` where to subscribe now, reconnects with backoff
// and calls `on_reconnect` (messages may have been missed meanwhile).
//
// Internal. Ownership: owns its thread and connection; stop() (or the destructor) joins.
// Thread safety: the callbacks run on the subscriber's thread.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "tierscope/redis/redis_connection.h"

namespace tierscope::redis::internal {

class RedisSubscriber {
 public:
  // `resolve` may throw RedisError (nowhere to subscribe yet: retried after a backoff).
  RedisSubscriber(std::function<RedisEndpoint()> resolve, std::string channel, bool sharded,
                  std::function<void(const std::string&)> on_message, std::function<void()> on_reconnect);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // True once subscribed (and while the subscription holds).
  bool subscribed() const { return subscribed_.load(); }
  // "host:port" subscribed to, "" while not subscribed.
  std::string node() const {
    std::lock_guard lock(node_mu_);
    return node_;
  }

 private:
  void run();

  const std::function<RedisEndpoint()> resolve_;
  const std::string channel_;
  const bool sharded_;
  std::function<void(const std::string&)> on_message_;
  std::function<void()> on_reconnect_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> subscribed_{false};
  mutable std::mutex node_mu_;
  std::string node_;  // guarded by node_mu_
  std::thread thread_;
};

}  // namespace tierscope::redis::internal
