#include "tierscope/server/server_config.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>

namespace tierscope::server {
namespace {

using nlohmann::json;

double number(const json& v, const std::string& key, double min, double max) {
  if (!v.is_number() || v.get<double>() < min || v.get<double>() > max) {
    throw ServerConfigError("server." + key + ": must be a number in [" + json(min).dump() + ", " + json(max).dump() + "]");
  }
  return v.get<double>();
}

bool boolean(const json& v, const std::string& key) {
  if (!v.is_boolean()) throw ServerConfigError("server." + key + ": must be true or false");
  return v.get<bool>();
}

}  // namespace

void parse_listen(std::string_view listen, HttpServerOptions& http) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) throw ServerConfigError("listen: '" + std::string(listen) + "' is not HOST:PORT");
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    throw ServerConfigError("listen: '" + std::string(port_text) + "' is not a port (0..65535)");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  http.address = std::string(host);
  http.port = static_cast<uint16_t>(port);
}

void apply_server_config_json(std::string_view text, ServerConfig& c) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw ServerConfigError(std::string("server: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ServerConfigError("server: must be a JSON object");
  for (const auto& [key, v] : j.items()) {
    if (key == "listen") {
      if (!v.is_string()) throw ServerConfigError("server.listen: must be a string HOST:PORT");
      parse_listen(v.get<std::string>(), c.http);
    } else if (key == "api_keys") {
      if (!v.is_array()) throw ServerConfigError("server.api_keys: must be an array");
      c.api.api_keys.clear();
      for (const json& k : v) {
        if (!k.is_object() || !k.contains("name") || !k.contains("hash") || !k["name"].is_string() || !k["hash"].is_string()) {
          throw ServerConfigError("server.api_keys: each entry needs string 'name' and 'hash'");
        }
        ApiKeyEntry e;
        e.name = k["name"].get<std::string>();
        e.salted_hash = k["hash"].get<std::string>();
        if (k.contains("rate_per_second")) e.rate_per_second = number(k["rate_per_second"], "api_keys.rate_per_second", 0, 1e9);
        if (k.contains("burst")) e.burst = number(k["burst"], "api_keys.burst", 0, 1e9);
        for (const auto& [field, ignored] : k.items()) {
          (void)ignored;
          if (field != "name" && field != "hash" && field != "rate_per_second" && field != "burst") {
            throw ServerConfigError("server.api_keys: unknown field '" + field + "'");
          }
        }
        c.api.api_keys.push_back(std::move(e));
      }
    } else if (key == "require_key_for_reads") {
      c.api.require_key_for_reads = boolean(v, key);
    } else if (key == "read_only") {
      c.api.read_only = boolean(v, key);
    } else if (key == "cors_origins") {
      if (!v.is_array()) throw ServerConfigError("server.cors_origins: must be an array of origins");
      c.api.cors_origins.clear();
      for (const json& o : v) {
        if (!o.is_string() || o.get<std::string>().empty()) throw ServerConfigError("server.cors_origins: origins are non-empty strings");
        c.api.cors_origins.push_back(o.get<std::string>());
      }
    } else if (key == "rate_per_second") {
      c.api.rate_per_second = number(v, key, 0, 1e9);
    } else if (key == "burst") {
      c.api.burst = number(v, key, 0, 1e9);
    } else if (key == "max_body_mb") {
      c.http.max_body_bytes = static_cast<uint64_t>(number(v, key, 0.001, 4096) * (1 << 20));
    } else if (key == "max_in_flight") {
      c.http.max_in_flight = static_cast<size_t>(number(v, key, 1, 1e6));
    } else if (key == "max_connections") {
      c.http.max_connections = static_cast<size_t>(number(v, key, 1, 1e7));
    } else if (key == "io_threads") {
      c.http.io_threads = static_cast<unsigned>(number(v, key, 1, 256));
    } else if (key == "worker_threads") {
      c.api.worker_threads = static_cast<unsigned>(number(v, key, 1, 256));
    } else if (key == "idle_timeout_seconds") {
      c.http.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(number(v, key, 0.1, 86400) * 1000));
    } else if (key == "body_timeout_seconds") {
      c.http.body_timeout = std::chrono::milliseconds(static_cast<int64_t>(number(v, key, 0.1, 86400) * 1000));
    } else if (key == "access_log") {
      c.http.access_log = boolean(v, key);
    } else {
      throw ServerConfigError("server." + key + ": unknown setting");
    }
  }
}

void read_server_config(const std::filesystem::path& file, ServerConfig& c) {
  std::ifstream in(file);
  if (!in) throw ServerConfigError("config file " + file.string() + " cannot be read");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw ServerConfigError("config file " + file.string() + " is not valid JSON: " + e.what());
  }
  for (const auto& [key, v] : j.items()) {
    std::string upper = key;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper == "SERVER") apply_server_config_json(v.dump(), c);
  }
}

}  // namespace tierscope::server
