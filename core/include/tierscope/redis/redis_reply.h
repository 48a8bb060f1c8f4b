// RedisReply and RedisError: what a Redis command gives back, as plain values (no hiredis
// type leaves core/src/redis).
//
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tierscope::redis {

struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string text;  // string, status or error text
  int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

// Why a command failed: counted per kind in the tier's statistics.
enum class RedisErrorKind {
  kConnect,   // could not connect (refused, unreachable, connect timeout)
  kTimeout,   // connected, but no reply within the command timeout
  kIo,        // the connection broke mid-command
  kProtocol,  // a reply that could not be parsed
  kAuth,      // AUTH refused
  kServer,    // the server answered with an error (-ERR, -OOM, -LOADING ...)
};
inline constexpr int kRedisErrorKinds = 6;
const char* to_string(RedisErrorKind kind);

class RedisError : public std::runtime_error {
 public:
  RedisError(RedisErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  RedisErrorKind kind() const { return kind_; }

 private:
  RedisErrorKind kind_;
};

}  // namespace tierscope::redis
