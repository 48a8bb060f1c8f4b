// RedisRouter: where RedisTier's commands go. A standalone Redis is one pool of
// connections; a Redis Cluster is a pool per node, chosen by each key's hash slot (see
// ClusterRouter). RedisTier speaks only to this interface, so every feature it has works
// the same against both.
//
// Internal. Thread safety: every method may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_pool.h"
#include "tierscope/redis/redis_connection.h"

namespace tierscope::redis::internal {

struct RoutedCommand {
  std::vector<std::string_view> argv;
  // The key (or sharded channel) that decides the node in a cluster; empty: any node.
  std::string_view key;
};

class RedisRouter {
 public:
  virtual ~RedisRouter() = default;

  // Runs the commands — pipelined, one round trip per node involved — and returns their
  // replies in order. A server's error reply is returned as such (a cluster's MOVED and
  // ASK are followed here, never returned). Throws RedisError when a node cannot be
  // reached or does not answer in time.
  virtual std::vector<RedisReply> run(const std::vector<RoutedCommand>& commands) = 0;
  // One command on every master (INFO): their replies. Throws as run().
  virtual std::vector<RedisReply> run_on_every_master(const std::vector<std::string_view>& argv) = 0;
  // After a transport error: drop idle connections that share the failed one's fate.
  virtual void connection_failed() = 0;

  // Whether invalidation broadcasts use sharded pub/sub (SPUBLISH/SSUBSCRIBE).
  virtual bool sharded_pubsub() const = 0;
  // The node to subscribe on for `channel` now (a cluster: the master of its slot, after
  // a fresh look at the slot map). Throws RedisError when no node answers.
  virtual RedisEndpoint subscription_endpoint(std::string_view channel) = 0;
  // "host:port", or "cluster host:port,..." (the masters).
  virtual std::string describe() const = 0;

  // A cluster's figures for the tier's stats; nullopt for a standalone Redis.
  struct ClusterFigures {
    int64_t masters = 0;
    uint64_t moved = 0, ask = 0, map_refreshes = 0;
  };
  virtual std::optional<ClusterFigures> cluster_figures() const { return std::nullopt; }
};

// One standalone Redis behind a pool.
class StandaloneRouter final : public RedisRouter {
 public:
  StandaloneRouter(RedisEndpoint endpoint, size_t pool_size) : endpoint_(endpoint), pool_(std::move(endpoint), pool_size) {}

  std::vector<RedisReply> run(const std::vector<RoutedCommand>& commands) override {
    std::vector<std::vector<std::string_view>> argvs;
    argvs.reserve(commands.size());
    for (const RoutedCommand& c : commands) argvs.push_back(c.argv);
    auto lease = pool_.acquire();
    return argvs.size() == 1 ? std::vector<RedisReply>{lease->command(argvs.front())} : lease->pipeline(argvs);
  }
  std::vector<RedisReply> run_on_every_master(const std::vector<std::string_view>& argv) override {
    auto lease = pool_.acquire();
    return {lease->command(argv)};
  }
  void connection_failed() override { pool_.drop_idle(); }
  bool sharded_pubsub() const override { return false; }
  RedisEndpoint subscription_endpoint(std::string_view) override { return endpoint_; }
  std::string describe() const override { return endpoint_.host + ":" + std::to_string(endpoint_.port); }

 private:
  const RedisEndpoint endpoint_;
  RedisPool pool_;
};

}  // namespace tierscope::redis::internal
