// RedisConnection: one synchronous hiredis connection with connect and command timeouts
// (hundreds of milliseconds, never "wait forever"), AUTH on connect, and pipelines.
//
// Ownership: owns its socket. Thread safety: none — one thread at a time (RedisPool hands
// connections out exclusively). Not copyable; movable.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/redis/redis_reply.h"

namespace tierscope::redis {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  // AUTH on connect: password alone (requirepass), or an ACL user with it; never logged.
  std::string username;
  std::string password;
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{200};
};

class RedisConnection {
 public:
  // Connects (and authenticates); throws RedisError (kConnect, kAuth) on failure.
  explicit RedisConnection(const RedisEndpoint& endpoint);
  ~RedisConnection();
  RedisConnection(RedisConnection&&) noexcept;
  RedisConnection& operator=(RedisConnection&&) noexcept;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command (binary-safe arguments) and waits for its reply. A server error
  // comes back as a reply of type kError; transport failures throw RedisError and leave
  // the connection broken (broken() is then true and it must be dropped).
  RedisReply command(const std::vector<std::string_view>& argv);
  // Sends every command before reading any reply: one round trip for the lot.
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string_view>>& commands);

  bool broken() const { return broken_; }

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
  bool broken_ = false;
};

}  // namespace tierscope::redis
