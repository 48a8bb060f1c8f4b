#include "tierscope/redis/redis_connection.h"

#include <hiredis/hiredis.h>

#include <cerrno>
#include <sys/time.h>

namespace tierscope::redis {

const char* to_string(RedisErrorKind kind) {
  switch (kind) {
    case RedisErrorKind::kConnect:
      return "connect";
    case RedisErrorKind::kTimeout:
      return "timeout";
    case RedisErrorKind::kIo:
      return "io";
    case RedisErrorKind::kProtocol:
      return "protocol";
    case RedisErrorKind::kAuth:
      return "auth";
    case RedisErrorKind::kServer:
      return "server";
  }
  return "unknown";
}

struct RedisConnection::Context {
  redisContext* c = nullptr;
  ~Context() {
    if (c) redisFree(c);
  }
};

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// hiredis reports a timed-out read as an I/O error with EAGAIN/EWOULDBLOCK.
RedisError transport_error(const redisContext* c) {
  const std::string detail = c->errstr[0] ? c->errstr : "connection lost";
  const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK ||
                         detail.find("temporarily unavailable") != std::string::npos ||
                         detail.find("timed out") != std::string::npos;
  if (c->err == REDIS_ERR_IO && timed_out) {
    return RedisError(RedisErrorKind::kTimeout, "redis: no reply within the command timeout");
  }
  if (c->err == REDIS_ERR_PROTOCOL) return RedisError(RedisErrorKind::kProtocol, "redis: " + detail);
  if (c->err == REDIS_ERR_EOF) return RedisError(RedisErrorKind::kIo, "redis: server closed the connection");
  return RedisError(RedisErrorKind::kIo, "redis: " + detail);
}

}  // namespace

RedisConnection::RedisConnection(const RedisEndpoint& endpoint) : ctx_(std::make_unique<Context>()) {
  const timeval connect_tv = to_timeval(endpoint.connect_timeout);
  ctx_->c = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, connect_tv);
  const std::string where = endpoint.host + ":" + std::to_string(endpoint.port);
  if (ctx_->c == nullptr) throw RedisError(RedisErrorKind::kConnect, "redis " + where + ": out of memory");
  if (ctx_->c->err) throw RedisError(RedisErrorKind::kConnect, "redis " + where + ": " + ctx_->c->errstr);
  const timeval command_tv = to_timeval(endpoint.command_timeout);
  if (redisSetTimeout(ctx_->c, command_tv) != REDIS_OK) {
    throw RedisError(RedisErrorKind::kConnect, "redis " + where + ": cannot set the command timeout");
  }
  if (!endpoint.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    RedisReply reply = command(auth);
    // The password is never part of the message.
    if (reply.is_error()) throw RedisError(RedisErrorKind::kAuth, "redis " + where + ": AUTH refused: " + reply.text);
  }
}

RedisConnection::~RedisConnection() = default;
RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;

RedisReply RedisConnection::command(const std::vector<std::string_view>& argv) {
  return std::move(pipeline({argv}).front());
}

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<std::vector<std::string_view>>& commands) {
  if (broken_) throw RedisError(RedisErrorKind::kIo, "redis: connection already broken");
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const auto& argv : commands) {
    args.clear();
    lengths.clear();
    for (std::string_view a : argv) {
      args.push_back(a.data());
      lengths.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_->c, static_cast<int>(args.size()), args.data(), lengths.data()) != REDIS_OK) {
      broken_ = true;
      throw transport_error(ctx_->c);
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_->c, &raw) != REDIS_OK || raw == nullptr) {
      broken_ = true;
      throw transport_error(ctx_->c);
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(convert(reply));
    freeReplyObject(reply);
  }
  return replies;
}

}  // namespace tierscope::redis
