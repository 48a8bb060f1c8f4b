// A real redis-server for tests: started on a free loopback port with no persistence and
// DEBUG allowed from loopback, killed and restarted on the same port on demand.
#pragma once

#include <QProcess>
#include <QStandardPaths>
#include <QStringList>
#include <QThread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tierscope/redis/redis_connection.h"

namespace testing {

inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  static bool available() { return !QStandardPaths::findExecutable("redis-server").isEmpty(); }

  explicit RedisServer(QStringList extra_args = {}, int port = 0)
      : port_(port > 0 ? port : free_loopback_port()), extra_(std::move(extra_args)) {}
  ~RedisServer() { kill(); }

  // Starts the server and waits until it answers PING; false if it does not within 5 s.
  bool start() {
    QStringList args{"--port", QString::number(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--enable-debug-command", "local", "--daemonize", "no", "--logfile", ""};
    args += extra_;
    process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process_.setStandardOutputFile(QProcess::nullDevice());
    process_.start("redis-server", args);
    if (!process_.waitForStarted(5000)) return false;
    for (int i = 0; i < 100; ++i) {
      try {
        tierscope::redis::RedisConnection c(endpoint());
        auto r = c.command({"PING"});
        if (!r.is_error() || r.text.rfind("NOAUTH", 0) == 0) return true;
      } catch (const tierscope::redis::RedisError&) {
      }
      QThread::msleep(50);
    }
    return false;
  }
  // SIGKILL: the server vanishes mid-flight, as a crashed one would.
  void kill() {
    if (process_.state() != QProcess::NotRunning) {
      process_.kill();
      process_.waitForFinished(5000);
    }
  }
  int port() const { return port_; }
  bool running() const { return process_.state() != QProcess::NotRunning; }
  tierscope::redis::RedisEndpoint endpoint() const {
    tierscope::redis::RedisEndpoint e;
    e.host = "127.0.0.1";
    e.port = port_;
    e.command_timeout = std::chrono::milliseconds(2000);
    e.connect_timeout = std::chrono::milliseconds(500);
    return e;
  }

 private:
  int port_;
  QStringList extra_;
  QProcess process_;
};

}  // namespace testing

#define TIERSCOPE_REQUIRE_REDIS()                                                                     \
  do {                                                                                               \
    if (!testing::RedisServer::available())                                                          \
      QSKIP("redis-server is not installed: scripts/install-deps.sh installs it (package redis-server)"); \
  } while (0)
