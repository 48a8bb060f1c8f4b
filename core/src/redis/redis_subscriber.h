// RedisSubscriber: a thread holding one SUBSCRIBE connection and handing each message on
// a channel to a callback. When Redis goes away it reconnects with backoff and calls
// `on_reconnect` (messages may have been missed meanwhile).
//
// Internal. Ownership: owns its thread and connection; stop() (or the destructor) joins.
// Thread safety: the callbacks run on the subscriber's thread.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "tierscope/redis/redis_connection.h"

namespace tierscope::redis::internal {

class RedisSubscriber {
 public:
  RedisSubscriber(RedisEndpoint endpoint, std::string channel, std::function<void(const std::string&)> on_message,
                  std::function<void()> on_reconnect);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // True once subscribed (and while the subscription holds).
  bool subscribed() const { return subscribed_.load(); }

 private:
  void run();

  const RedisEndpoint endpoint_;
  const std::string channel_;
  std::function<void(const std::string&)> on_message_;
  std::function<void()> on_reconnect_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> subscribed_{false};
  std::thread thread_;
};

}  // namespace tierscope::redis::internal
