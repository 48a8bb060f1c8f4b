// ClusterRouter: the slot-aware Redis Cluster client on top of hiredis 0.14 (which knows
// nothing of clusters). The slot map comes from CLUSTER SLOTS, asked of any node it knows
// (masters, replicas, then the seeds); each command goes to its key's slot owner, one pool
// and one pipeline per node. MOVED updates the map for that slot (and a refresh of the
// whole map follows, at most every `min_refresh_interval`, asked first of the node the
// slot moved to: it took the slot before the others heard of it, so its map is the one
// that does not send the slot back); ASK sends ASKING and the command
// to the importing node, once; TRYAGAIN waits briefly. A connection error refreshes the map
// and retries once, which is how a replica's promotion after a failover is followed.
// Redirections per command are bounded.
//
// Internal. Ownership: owns one RedisPool per node it has talked to (never dropped, so a
// lease stays valid across refreshes). Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "redis/redis_router.h"

namespace tierscope::redis::internal {

struct ClusterRouterOptions {
  // Credentials and timeouts for every node; its host and port are the first seed.
  RedisEndpoint endpoint;
  // More nodes to ask for the slot map when none of the known ones answers ("host:port").
  std::vector<std::string> more_seeds;
  // Connections per node.
  size_t pool_size = 8;
  // MOVED/ASK/TRYAGAIN rounds a command may take before it fails (redis-py allows 16,
  // Jedis 5 attempts; while a slot moves under many callers a few are needed).
  int max_redirects = 10;
  // Least time between two full refreshes of the map that no connection error forced.
  std::chrono::milliseconds min_refresh_interval{100};
};

class ClusterRouter final : public RedisRouter {
 public:
  explicit ClusterRouter(ClusterRouterOptions options);
  ClusterRouter(const ClusterRouter&) = delete;
  ClusterRouter& operator=(const ClusterRouter&) = delete;

  std::vector<RedisReply> run(const std::vector<RoutedCommand>& commands) override;
  std::vector<RedisReply> run_on_every_master(const std::vector<std::string_view>& argv) override;
  void connection_failed() override {}  // handled per node in run()
  bool sharded_pubsub() const override { return true; }
  RedisEndpoint subscription_endpoint(std::string_view channel) override;
  std::string describe() const override;
  std::optional<ClusterFigures> cluster_figures() const override {
    return ClusterFigures{static_cast<int64_t>(master_count()), moved_redirects(), ask_redirects(), map_refreshes()};
  }

  // Reads the slot map again, asking `first` (when given) before the known nodes; false
  // when no node answered.
  bool refresh_map(bool force, const std::string& first = {});
  // "host:port" of the master serving `slot` in the current map ("" if none).
  std::string owner_of(uint16_t slot) const;
  size_t master_count() const;
  uint64_t moved_redirects() const { return moved_.load(std::memory_order_relaxed); }
  uint64_t ask_redirects() const { return asked_.load(std::memory_order_relaxed); }
  uint64_t map_refreshes() const { return refreshes_.load(std::memory_order_relaxed); }

 private:
  RedisPool& pool_for(const std::string& address);
  RedisEndpoint endpoint_for(const std::string& address) const;
  void ensure_map();
  void set_owner(uint16_t slot, const std::string& address);

  const ClusterRouterOptions options_;

  mutable std::shared_mutex map_mu_;
  std::vector<int32_t> slot_node_;        // slot -> index into addresses_, -1: not served
  std::vector<std::string> addresses_;    // every node seen, "host:port"; append-only
  std::vector<std::string> masters_;      // from the last CLUSTER SLOTS
  std::vector<std::string> replicas_;     // from the last CLUSTER SLOTS

  std::mutex refresh_mu_;  // one refresh at a time
  std::chrono::steady_clock::time_point last_refresh_{};

  std::mutex pools_mu_;
  std::unordered_map<std::string, std::unique_ptr<RedisPool>> pools_;

  std::atomic<uint64_t> moved_{0}, asked_{0}, refreshes_{0};
};

}  // namespace tierscope::redis::internal
