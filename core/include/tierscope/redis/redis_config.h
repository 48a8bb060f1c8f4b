// RedisConfig: the `redis` object of the config file, read into the shared tier's options:
//
//   "redis": { "endpoint": "10.0.0.5:6379",            (or)
//              "cluster": ["10.0.0.5:7000", "10.0.0.6:7000"],
//              "username": "tierscope", "password": "...",   (AUTH; never logged)
//              "connect_timeout_ms": 200, "command_timeout_ms": 200, "pool_size": 8,
//              "exclude_namespaces": ["tryon"] }
//
// The password may also come from TIERSCOPE_REDIS_PASSWORD, which wins over the file.
// Pure functions: thread-safe. Errors throw RedisConfigError naming the key.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/redis/redis_tier.h"

namespace tierscope::redis {

class RedisConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct RedisConfig {
  RedisTierOptions options;
  // Namespaces that keep to their own L1/L2 (use_shared off).
  std::vector<std::string> exclude_namespaces;
};

// "HOST:PORT" into host and port; throws RedisConfigError naming `what`.
std::pair<std::string, int> parse_host_port(std::string_view text, std::string_view what);

// The `redis` object of a config file, if it has one.
std::optional<RedisConfig> read_redis_config(const std::filesystem::path& file);
// The same from the JSON text of the `redis` object itself.
RedisConfig parse_redis_config_json(std::string_view redis_object_json);

}  // namespace tierscope::redis
