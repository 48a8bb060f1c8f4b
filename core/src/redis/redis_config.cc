#include "tierscope/redis/redis_config.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>

namespace tierscope::redis {
namespace {

using nlohmann::json;

int64_t integer(const json& v, const std::string& key, int64_t min, int64_t max) {
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    throw RedisConfigError("redis." + key + ": must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v.get<int64_t>();
}

std::string text(const json& v, const std::string& key) {
  if (!v.is_string()) throw RedisConfigError("redis." + key + ": must be a string");
  return v.get<std::string>();
}

}  // namespace

std::pair<std::string, int> parse_host_port(std::string_view text, std::string_view what) {
  const size_t colon = text.rfind(':');
  int port = 0;
  if (colon == std::string_view::npos || colon == 0) {
    throw RedisConfigError(std::string(what) + ": '" + std::string(text) + "' is not HOST:PORT");
  }
  const std::string_view port_text = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 || port > 65535) {
    throw RedisConfigError(std::string(what) + ": '" + std::string(port_text) + "' is not a port (1..65535)");
  }
  return {std::string(text.substr(0, colon)), port};
}

RedisConfig parse_redis_config_json(std::string_view object_text) {
  json j;
  try {
    j = json::parse(object_text);
  } catch (const json::exception& e) {
    throw RedisConfigError(std::string("redis: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw RedisConfigError("redis: must be a JSON object");
  if (j.contains("endpoint") == j.contains("cluster")) {
    throw RedisConfigError("redis: give one of 'endpoint' (HOST:PORT) or 'cluster' (an array of HOST:PORT)");
  }
  RedisConfig c;
  RedisTierOptions& o = c.options;
  for (const auto& [key, v] : j.items()) {
    if (key == "endpoint") {
      std::tie(o.endpoint.host, o.endpoint.port) = parse_host_port(text(v, key), "redis.endpoint");
    } else if (key == "cluster") {
      if (!v.is_array() || v.empty()) throw RedisConfigError("redis.cluster: must be a non-empty array of HOST:PORT");
      o.cluster = true;
      for (size_t i = 0; i < v.size(); ++i) {
        const auto [host, port] = parse_host_port(text(v[i], "cluster[" + std::to_string(i) + "]"), "redis.cluster");
        if (i == 0) {
          o.endpoint.host = host;
          o.endpoint.port = port;
        } else {
          o.more_seeds.push_back(host + ":" + std::to_string(port));
        }
      }
    } else if (key == "username") {
      o.endpoint.username = text(v, key);
    } else if (key == "password") {
      o.endpoint.password = text(v, key);
    } else if (key == "connect_timeout_ms") {
      o.endpoint.connect_timeout = std::chrono::milliseconds(integer(v, key, 1, 60'000));
    } else if (key == "command_timeout_ms") {
      o.endpoint.command_timeout = std::chrono::milliseconds(integer(v, key, 1, 60'000));
    } else if (key == "pool_size") {
      o.pool_size = static_cast<size_t>(integer(v, key, 1, 1024));
    } else if (key == "exclude_namespaces") {
      if (!v.is_array()) throw RedisConfigError("redis.exclude_namespaces: must be an array of names");
      for (const json& name : v) c.exclude_namespaces.push_back(text(name, "exclude_namespaces[]"));
    } else {
      throw RedisConfigError("redis." + key + ": unknown setting");
    }
  }
  return c;
}

std::optional<RedisConfig> read_redis_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw RedisConfigError("config file " + file.string() + " cannot be read");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw RedisConfigError("config file " + file.string() + " is not valid JSON: " + e.what());
  }
  if (!j.is_object()) return std::nullopt;
  for (const auto& [key, v] : j.items()) {
    std::string k = key;
    for (char& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (k == "redis") return parse_redis_config_json(v.dump());
  }
  return std::nullopt;
}

}  // namespace tierscope::redis
