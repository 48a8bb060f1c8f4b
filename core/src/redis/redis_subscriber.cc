#include "redis/redis_subscriber.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <chrono>

namespace tierscope::redis::internal {
namespace {
constexpr int kPollMillis = 100;  // how soon stop() is noticed
}

RedisSubscriber::RedisSubscriber(std::function<RedisEndpoint()> resolve, std::string channel, bool sharded,
                                 std::function<void(const std::string&)> on_message, std::function<void()> on_reconnect)
    : resolve_(std::move(resolve)),
      channel_(std::move(channel)),
      sharded_(sharded),
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
    RedisEndpoint endpoint;
    redisContext* c = nullptr;
    try {
      endpoint = resolve_();
      timeval tv{static_cast<time_t>(endpoint.connect_timeout.count() / 1000),
                 static_cast<suseconds_t>((endpoint.connect_timeout.count() % 1000) * 1000)};
      c = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv);
    } catch (const RedisError&) {
      // nowhere to subscribe yet (a cluster with no reachable node)
    }
    bool ok = c != nullptr && c->err == 0;
    if (ok && !endpoint.password.empty()) {
      auto* r = static_cast<redisReply*>(
          endpoint.username.empty()
              ? redisCommand(c, "AUTH %b", endpoint.password.data(), endpoint.password.size())
              : redisCommand(c, "AUTH %b %b", endpoint.username.data(), endpoint.username.size(),
                             endpoint.password.data(), endpoint.password.size()));
      ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
      if (r) freeReplyObject(r);
    }
    if (ok) {
      auto* r = static_cast<redisReply*>(
          redisCommand(c, sharded_ ? "SSUBSCRIBE %b" : "SUBSCRIBE %b", channel_.data(), channel_.size()));
      ok = r != nullptr && r->type == REDIS_REPLY_ARRAY;
      if (r) freeReplyObject(r);
    }
    if (ok) {
      {
        std::lock_guard lock(node_mu_);
        node_ = endpoint.host + ":" + std::to_string(endpoint.port);
      }
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
        // ["message" | "smessage", channel, payload]; ["sunsubscribe", channel, n] when
        // the channel's slot moved to another node: subscribe there instead.
        bool moved = false;
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 && reply->element[0]->type == REDIS_REPLY_STRING) {
          const std::string_view kind(reply->element[0]->str, reply->element[0]->len);
          if ((kind == "message" || kind == "smessage") && reply->element[2]->type == REDIS_REPLY_STRING) {
            on_message_(std::string(reply->element[2]->str, reply->element[2]->len));
          } else if (kind == "sunsubscribe") {
            moved = true;
          }
        }
        freeReplyObject(reply);
        if (moved) break;
      }
      subscribed_.store(false);
      {
        std::lock_guard lock(node_mu_);
        node_.clear();
      }
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
