// A real six-node Redis Cluster for tests (3 masters, 3 replicas) on free loopback ports:
// redis-server processes with cluster mode on and a 1 s node timeout, joined by
// `redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes`, ready once every
// node reports cluster_state:ok and every replica's link to its master is up.
#pragma once

#include <QProcess>
#include <QTemporaryDir>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "support/redis_server.h"
#include "tierscope/redis/cluster_slot.h"

namespace testing {

// A port whose cluster bus port (port + 10000) is free too; both below the ephemeral range.
inline int free_cluster_port() {
  auto bindable = [](int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  };
  static std::atomic<uint32_t> next{static_cast<uint32_t>(::getpid() * 7919u)};
  for (;;) {
    const int port = 20000 + static_cast<int>(next.fetch_add(1) % 12000);
    if (bindable(port) && bindable(port + 10000)) return port;
  }
}

class RedisCluster {
 public:
  static bool available() {
    return RedisServer::available() && !QStandardPaths::findExecutable("redis-cli").isEmpty();
  }

  // Starts and joins the nodes; false (with `error()` saying why) when that fails.
  bool start() {
    if (!dir_.isValid()) return fail("no temporary directory");
    for (int i = 0; i < 6; ++i) {
      const int port = free_cluster_port();
      auto node = std::make_unique<RedisServer>(
          QStringList{"--cluster-enabled", "yes", "--cluster-config-file",
                      dir_.filePath(QStringLiteral("nodes-%1.conf").arg(port)), "--cluster-node-timeout", "1000",
                      "--dir", dir_.path()},
          port);
      if (!node->start()) return fail("redis-server on port " + std::to_string(port) + " did not start");
      nodes_.push_back(std::move(node));
    }
    QStringList args{"--cluster", "create"};
    for (const auto& n : nodes_) args << QStringLiteral("127.0.0.1:%1").arg(n->port());
    args << "--cluster-replicas" << "1" << "--cluster-yes";
    QProcess create;
    create.setProcessChannelMode(QProcess::MergedChannels);
    create.start("redis-cli", args);
    if (!create.waitForFinished(60000) || create.exitCode() != 0) {
      return fail("redis-cli --cluster create failed: " + create.readAll().toStdString());
    }
    return wait_until_healthy(20000) || fail("the cluster did not become healthy in 20 s");
  }

  // Every live node says cluster_state:ok, and every live replica's master link is up.
  bool wait_until_healthy(int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 100) {
      bool healthy = true;
      for (const auto& n : nodes_) {
        if (!n->running()) continue;
        try {
          tierscope::redis::RedisConnection c(n->endpoint());
          const std::string info = c.command({"CLUSTER", "INFO"}).text;
          const std::string repl = c.command({"INFO", "replication"}).text;
          if (info.find("cluster_state:ok") == std::string::npos ||
              (repl.find("role:slave") != std::string::npos && repl.find("master_link_status:up") == std::string::npos)) {
            healthy = false;
          }
        } catch (const tierscope::redis::RedisError&) {
          healthy = false;
        }
      }
      if (healthy && masters().size() == 3 && every_master_has_a_replica()) return true;
      QThread::msleep(100);
    }
    return false;
  }

  // Every live node reports the same cluster_current_epoch (gossip has carried the last
  // configuration change everywhere).
  bool wait_for_epochs_to_agree(int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; waited += 20) {
      std::string epoch;
      bool agree = true;
      for (const auto& n : nodes_) {
        if (!n->running()) continue;
        try {
          const std::string info = tierscope::redis::RedisConnection(n->endpoint()).command({"CLUSTER", "INFO"}).text;
          const size_t at = info.find("cluster_current_epoch:");
          const std::string mine = at == std::string::npos ? "" : info.substr(at, info.find('\r', at) - at);
          if (epoch.empty()) epoch = mine;
          agree = agree && mine == epoch;
        } catch (const tierscope::redis::RedisError&) {
          agree = false;
        }
      }
      if (agree) return true;
      QThread::msleep(20);
    }
    return false;
  }

  // Ports of the masters serving slots, from CLUSTER SLOTS on a live node.
  std::vector<int> masters() {
    std::vector<int> out;
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      try {
        tierscope::redis::RedisConnection c(n->endpoint());
        for (const auto& range : c.command({"CLUSTER", "SLOTS"}).elements) {
          const int port = static_cast<int>(range.elements[2].elements[1].integer);
          if (std::find(out.begin(), out.end(), port) == out.end()) out.push_back(port);
        }
        return out;
      } catch (const tierscope::redis::RedisError&) {
      }
    }
    return out;
  }
  // In CLUSTER SLOTS of a live node (gossip takes a moment to list a new replica).
  bool every_master_has_a_replica() {
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      try {
        tierscope::redis::RedisConnection c(n->endpoint());
        const auto slots = c.command({"CLUSTER", "SLOTS"});
        if (slots.elements.empty()) return false;
        for (const auto& range : slots.elements) {
          if (range.elements.size() < 4) return false;
        }
        return true;
      } catch (const tierscope::redis::RedisError&) {
      }
    }
    return false;
  }
  // The port of the master serving `slot`, and one of its replicas.
  int master_of(uint16_t slot) { return node_of(slot, 2); }
  int replica_of(uint16_t slot) { return node_of(slot, 3); }

  RedisServer& node(int port) {
    for (auto& n : nodes_) {
      if (n->port() == port) return *n;
    }
    return *nodes_.front();
  }
  tierscope::redis::RedisEndpoint endpoint(int port) { return node(port).endpoint(); }
  tierscope::redis::RedisEndpoint seed() { return nodes_.front()->endpoint(); }
  std::vector<std::string> all_addresses() const {
    std::vector<std::string> out;
    for (const auto& n : nodes_) out.push_back("127.0.0.1:" + std::to_string(n->port()));
    return out;
  }
  const std::string& error() const { return error_; }

 private:
  int node_of(uint16_t slot, size_t element) {
    for (const auto& n : nodes_) {
      if (!n->running()) continue;
      try {
        tierscope::redis::RedisConnection c(n->endpoint());
        for (const auto& range : c.command({"CLUSTER", "SLOTS"}).elements) {
          if (range.elements[0].integer <= slot && slot <= range.elements[1].integer && range.elements.size() > element) {
            return static_cast<int>(range.elements[element].elements[1].integer);
          }
        }
        return -1;
      } catch (const tierscope::redis::RedisError&) {
      }
    }
    return -1;
  }
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  QTemporaryDir dir_;
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::string error_;
};

}  // namespace testing

#define TIERSCOPE_REQUIRE_REDIS_CLUSTER()                                                              \
  do {                                                                                                 \
    if (!testing::RedisCluster::available())                                                           \
      QSKIP("redis-server/redis-cli are not installed: scripts/install-deps.sh installs them (redis-server, redis-tools)"); \
  } while (0)
