#include "redis/cluster_router.h"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "tierscope/redis/cluster_slot.h"

namespace tierscope::redis::internal {
namespace {

std::string address_of(const std::string& host, int64_t port) { return host + ":" + std::to_string(port); }

bool starts_with(const std::string& s, std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 :6381" -> the address, with the queried node's
// host when the reply leaves it out.
std::string redirect_target(const std::string& error, const std::string& queried) {
  const size_t space = error.rfind(' ');
  std::string target = space == std::string::npos ? std::string() : error.substr(space + 1);
  if (!target.empty() && target.front() == ':') target = queried.substr(0, queried.rfind(':')) + target;
  return target;
}

int redirect_slot(const std::string& error) {
  const size_t first = error.find(' ');
  return first == std::string::npos ? -1 : std::atoi(error.c_str() + first + 1);
}

}  // namespace

ClusterRouter::ClusterRouter(ClusterRouterOptions options)
    : options_(std::move(options)), slot_node_(kClusterSlots, -1) {}

RedisEndpoint ClusterRouter::endpoint_for(const std::string& address) const {
  RedisEndpoint e = options_.endpoint;
  const size_t colon = address.rfind(':');
  e.host = address.substr(0, colon);
  e.port = std::atoi(address.c_str() + colon + 1);
  return e;
}

RedisPool& ClusterRouter::pool_for(const std::string& address) {
  std::lock_guard lock(pools_mu_);
  auto& pool = pools_[address];
  if (!pool) pool = std::make_unique<RedisPool>(endpoint_for(address), options_.pool_size);
  return *pool;
}

std::string ClusterRouter::owner_of(uint16_t slot) const {
  std::shared_lock lock(map_mu_);
  const int32_t node = slot_node_[slot];
  return node < 0 ? std::string() : addresses_[node];
}

size_t ClusterRouter::master_count() const {
  std::shared_lock lock(map_mu_);
  return masters_.size();
}

std::string ClusterRouter::describe() const {
  std::shared_lock lock(map_mu_);
  std::string out = "cluster ";
  if (masters_.empty()) return out + address_of(options_.endpoint.host, options_.endpoint.port);
  for (size_t i = 0; i < masters_.size(); ++i) out += (i ? "," : "") + masters_[i];
  return out;
}

void ClusterRouter::set_owner(uint16_t slot, const std::string& address) {
  std::unique_lock lock(map_mu_);
  auto it = std::find(addresses_.begin(), addresses_.end(), address);
  if (it == addresses_.end()) it = addresses_.insert(addresses_.end(), address);
  slot_node_[slot] = static_cast<int32_t>(it - addresses_.begin());
}

bool ClusterRouter::refresh_map(bool force, const std::string& first) {
  std::lock_guard refreshing(refresh_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_refresh_ < options_.min_refresh_interval) return true;
  std::vector<std::string> candidates;
  if (!first.empty()) candidates.push_back(first);
  {
    std::shared_lock lock(map_mu_);
    candidates = masters_;
    candidates.insert(candidates.end(), replicas_.begin(), replicas_.end());
  }
  candidates.push_back(address_of(options_.endpoint.host, options_.endpoint.port));
  candidates.insert(candidates.end(), options_.more_seeds.begin(), options_.more_seeds.end());
  std::vector<std::string> tried;
  for (const std::string& candidate : candidates) {
    if (std::find(tried.begin(), tried.end(), candidate) != tried.end()) continue;
    tried.push_back(candidate);
    RedisPool& pool = pool_for(candidate);
    RedisReply reply;
    try {
      auto lease = pool.acquire();
      reply = lease->command({"CLUSTER", "SLOTS"});
    } catch (const RedisError&) {
      pool.drop_idle();
      continue;
    }
    if (reply.type != RedisReply::Type::kArray || reply.elements.empty()) continue;  // not (yet) a cluster node
    const std::string queried_host = candidate.substr(0, candidate.rfind(':'));
    // [[start, end, [host, port, id], [replica host, port, id], ...], ...]
    std::vector<std::pair<std::pair<int64_t, int64_t>, std::string>> ranges;
    std::vector<std::string> masters, replicas;
    for (const RedisReply& range : reply.elements) {
      if (range.elements.size() < 3) continue;
      auto node_address = [&](const RedisReply& node) -> std::string {
        if (node.elements.size() < 2) return {};
        const std::string host = node.elements[0].text.empty() ? queried_host : node.elements[0].text;
        return address_of(host, node.elements[1].integer);
      };
      const std::string master = node_address(range.elements[2]);
      if (master.empty()) continue;
      ranges.push_back({{range.elements[0].integer, range.elements[1].integer}, master});
      if (std::find(masters.begin(), masters.end(), master) == masters.end()) masters.push_back(master);
      for (size_t r = 3; r < range.elements.size(); ++r) {
        const std::string replica = node_address(range.elements[r]);
        if (!replica.empty() && std::find(replicas.begin(), replicas.end(), replica) == replicas.end()) {
          replicas.push_back(replica);
        }
      }
    }
    if (ranges.empty()) continue;
    std::unique_lock lock(map_mu_);
    std::fill(slot_node_.begin(), slot_node_.end(), -1);
    for (const auto& [range, master] : ranges) {
      auto it = std::find(addresses_.begin(), addresses_.end(), master);
      if (it == addresses_.end()) it = addresses_.insert(addresses_.end(), master);
      const auto node = static_cast<int32_t>(it - addresses_.begin());
      for (int64_t s = std::max<int64_t>(range.first, 0); s <= std::min<int64_t>(range.second, kClusterSlots - 1); ++s) {
        slot_node_[s] = node;
      }
    }
    masters_ = std::move(masters);
    replicas_ = std::move(replicas);
    last_refresh_ = now;
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

void ClusterRouter::ensure_map() {
  {
    std::shared_lock lock(map_mu_);
    if (!masters_.empty()) return;
  }
  if (!refresh_map(true)) throw RedisError(RedisErrorKind::kConnect, "redis cluster: no node answered CLUSTER SLOTS");
}

std::vector<RedisReply> ClusterRouter::run(const std::vector<RoutedCommand>& commands) {
  ensure_map();
  std::vector<RedisReply> out(commands.size());
  struct Pending {
    size_t index;
    std::string ask_target;  // set after ASK: send ASKING + the command there, once
  };
  std::vector<Pending> pending;
  pending.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) pending.push_back({i, {}});
  int connection_retries = 0;
  for (int round = 0; !pending.empty(); ++round) {
    if (round > options_.max_redirects) {

      throw RedisError(RedisErrorKind::kServer, "redis cluster: more than " + std::to_string(options_.max_redirects) +
                                                    " redirections for one command");
    }
    std::map<std::string, std::vector<Pending>> by_node;
    for (Pending& p : pending) {
      std::string node = p.ask_target.empty() ? owner_of(cluster_slot(commands[p.index].key)) : p.ask_target;
      if (node.empty()) {
        out[p.index].type = RedisReply::Type::kError;
        out[p.index].text = "CLUSTERDOWN Hash slot not served";
        continue;
      }
      by_node[node].push_back(std::move(p));
    }
    std::vector<Pending> next;
    bool refresh = false;
    std::string moved_to;  // where a MOVED pointed: the best node to read the map from
    std::optional<RedisError> connection_error;
    bool try_again = false;
    for (auto& [node, group] : by_node) {
      std::vector<std::vector<std::string_view>> argvs;
      argvs.reserve(group.size() * 2);
      for (const Pending& p : group) {
        if (!p.ask_target.empty()) argvs.push_back({"ASKING"});
        argvs.push_back(commands[p.index].argv);
      }
      RedisPool& pool = pool_for(node);
      std::vector<RedisReply> replies;
      try {
        auto lease = pool.acquire();
        replies = lease->pipeline(argvs);
      } catch (const RedisError& e) {
        pool.drop_idle();
        if (!connection_error) connection_error = e;
        for (const Pending& p : group) next.push_back({p.index, {}});
        continue;
      }
      size_t r = 0;
      for (const Pending& p : group) {
        if (!p.ask_target.empty()) ++r;  // ASKING's +OK
        RedisReply& reply = replies[r++];
        if (reply.is_error() && starts_with(reply.text, "MOVED ")) {
          moved_.fetch_add(1, std::memory_order_relaxed);
          const int slot = redirect_slot(reply.text);
          moved_to = redirect_target(reply.text, node);
          if (slot >= 0 && slot < kClusterSlots) set_owner(static_cast<uint16_t>(slot), moved_to);
          refresh = true;  // a slot moved: others may have too
          next.push_back({p.index, {}});
        } else if (reply.is_error() && starts_with(reply.text, "ASK ") && p.ask_target.empty()) {
          asked_.fetch_add(1, std::memory_order_relaxed);
          next.push_back({p.index, redirect_target(reply.text, node)});
        } else if (reply.is_error() && starts_with(reply.text, "TRYAGAIN")) {
          try_again = true;  // a multi-key command mid-migration
          next.push_back({p.index, {}});
        } else {
          if (reply.is_error() && starts_with(reply.text, "CLUSTERDOWN")) refresh = true;
          out[p.index] = std::move(reply);
        }
      }
    }
    if (connection_error) {
      // A node is gone (or going): its replica may be master by now. One retry on a
      // fresh map; a second failure is the caller's (and its breaker's) to handle.
      if (++connection_retries > 1) throw *connection_error;
      refresh_map(true);
    } else if (refresh) {
      refresh_map(false, moved_to);
    }
    if (try_again) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } else if (!moved_to.empty() && round >= 1) {
      // Redirected again: while a slot is handed over the nodes can disagree for a
      // moment (their epochs still travelling by gossip). Give them time to agree.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(32, 1 << std::min(round - 1, 5))));
    }
    pending = std::move(next);
  }
  return out;
}

std::vector<RedisReply> ClusterRouter::run_on_every_master(const std::vector<std::string_view>& argv) {
  ensure_map();
  std::vector<std::string> masters;
  {
    std::shared_lock lock(map_mu_);
    masters = masters_;
  }
  std::vector<RedisReply> out;
  std::optional<RedisError> error;
  for (const std::string& master : masters) {
    RedisPool& pool = pool_for(master);
    try {
      auto lease = pool.acquire();
      out.push_back(lease->command(argv));
    } catch (const RedisError& e) {
      pool.drop_idle();
      error = e;
    }
  }
  if (out.empty() && error) throw *error;
  return out;
}

RedisEndpoint ClusterRouter::subscription_endpoint(std::string_view channel) {
  if (!refresh_map(true)) throw RedisError(RedisErrorKind::kConnect, "redis cluster: no node answered CLUSTER SLOTS");
  const std::string owner = owner_of(cluster_slot(channel));
  if (owner.empty()) throw RedisError(RedisErrorKind::kServer, "redis cluster: the channel's slot is not served");
  return endpoint_for(owner);
}

}  // namespace tierscope::redis::internal
