// ServerConfig: the `server` object of the config file (the rest of the file is the
// engine's settings, runtime/settings.h), read into the listener's and the API's options:
//
//   "server": { "listen": "127.0.0.1:8001",
//               "api_keys": [ { "name": "ops", "hash": "sha256:<salt>:<hash>",
//                               "rate_per_second": 50, "burst": 100 } ],
//               "require_key_for_reads": false, "read_only": false,
//               "cors_origins": ["https://grafana.example"],
//               "rate_per_second": 0, "burst": 0,
//               "max_body_mb": 32, "max_in_flight": 256, "max_connections": 20000,
//               "io_threads": 2, "worker_threads": 2,
//               "idle_timeout_seconds": 60, "body_timeout_seconds": 60, "access_log": true }
//
// Pure functions: thread-safe. Errors throw ServerConfigError naming the key.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tierscope/server/api_service.h"
#include "tierscope/server/http_server.h"

namespace tierscope::server {

class ServerConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ServerConfig {
  HttpServerOptions http;
  ApiOptions api;
};

// "HOST:PORT", "[v6]:PORT" or ":PORT" into the options; throws ServerConfigError.
void parse_listen(std::string_view listen, HttpServerOptions& http);

// Applies the `server` object of a config file (when it has one) over `config`.
void read_server_config(const std::filesystem::path& file, ServerConfig& config);
// The same from the JSON text of the `server` object itself.
void apply_server_config_json(std::string_view server_object_json, ServerConfig& config);

}  // namespace tierscope::server
