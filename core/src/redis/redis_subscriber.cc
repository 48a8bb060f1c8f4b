#include "redis/redis_subscriber.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <chrono>

namespace tierscope::redis::internal {
namespace {
constexpr int kPollMillis = 100;  // how soon stop() is noticed
}

RedisSubscriber::RedisSubscriber(RedisEndpoint endpoint, std::string channel,
                                 std::function<void(const std::string&)> on_message, std::function<void()> on_reconnect)
    : endpoint_(std::move(endpoint)),
      channel_(std::move(channel)),
      on_message_(std::move(on_message)),
      on_reconnect_(std::move(on_reconnect)),
      thread_([this] { run(); }) {}

RedisSubscriber::~RedisSubscriber() {
  stop_.store(true);
  thread_.join();
}

void RedisSubscriber::run() {
  std::chrono::milliseconds backoff(100);
  bool first = true;
  while (!stop_.load()) {
    timeval tv{static_cast<time_t>(endpoint_.connect_timeout.count() / 1000),
               static_cast<suseconds_t>((endpoint_.connect_timeout.count() % 1000) * 1000)};
    redisContext* c = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
    bool ok = c != nullptr && c->err == 0;
    if (ok && !endpoint_.password.empty()) {
      auto* r = static_cast<redisReply*>(
          endpoint_.username.empty()
              ? redisCommand(c, "AUTH %b", endpoint_.password.data(), endpoint_.password.size())
              : redisCommand(c, "AUTH %b %b", endpoint_.username.data(), endpoint_.username.size(),
                             endpoint_.password.data(), endpoint_.password.size()));
      ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
      if (r) freeReplyObject(r);
    }
    if (ok) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE %b", channel_.data(), channel_.size()));
      ok = r != nullptr && r->type == REDIS_REPLY_ARRAY;
      if (r) freeReplyObject(r);
    }
    if (ok) {
      subscribed_.store(true);
      backoff = std::chrono::milliseconds(100);
      if (!first && on_reconnect_) on_reconnect_();
      first = false;
      while (!stop_.load()) {
        pollfd p{c->fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, kPollMillis);
        if (ready == 0) continue;
        void* raw = nullptr;
        if (ready < 0 || redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) break;
        auto* reply = static_cast<redisReply*>(raw);
        // ["message", channel, payload]
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 && reply->element[2]->type == REDIS_REPLY_STRING) {
          on_message_(std::string(reply->element[2]->str, reply->element[2]->len));
        }
        freeReplyObject(reply);
      }
      subscribed_.store(false);
    }
    if (c) redisFree(c);
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop_.load();
         waited += std::chrono::milliseconds(kPollMillis)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMillis));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
  }
}

}  // namespace tierscope::redis::internal
