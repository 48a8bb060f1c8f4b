// ApiService: the HTTP API over one Engine, with the source systems' paths and shapes
// (SPEC 1.1, 1.2): /health, /predict, /tryon, /model/stats, /model/cache, /cache/all,
// /cache?pattern=, /cache/entries, /config, /metrics, /stats, /alerts; and for the remote
// console /cache/entry, /cache/analysis, /monitor/trace, /tuning/run and /logs. Errors are
// JSON `{error, detail}` with their status.
//
// Work that can be slow (inference, try-on, clearing or listing the cache) runs on the
// service's worker threads; what is quick — health, stats, a prediction already in the
// cache — is answered on the server's I/O thread.
//
// Security: API keys (`Authorization: Bearer <key>` or `X-API-Key`) checked against salted
// hashes; required on every endpoint that changes something (PUT, DELETE, POST
// /tuning/run), on those that hand out cached values or log lines (/cache/entry, /logs)
// and, with require_key_for_reads, on all but /health. Per-client token buckets (429 + Retry-After).
// Read-only mode refuses every change. CORS headers only for the configured origins.
//
// Ownership: borrows the Engine (must outlive the service). Thread safety: handle() from
// any thread. shutdown() waits for the worker threads' queued work (each answers).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tierscope/engine.h"
#include "tierscope/server/api_keys.h"
#include "tierscope/server/http_message.h"
#include "tierscope/server/http_server.h"
#include "tierscope/server/log_ring.h"

namespace spdlog {
class logger;
}

namespace tierscope::server {

struct ApiOptions {
  // Keys allowed to call the API (salted hashes; see api_keys.h).
  std::vector<ApiKeyEntry> api_keys;
  // Require a key on reads too (every endpoint but /health).
  bool require_key_for_reads = false;
  // With no key configured, allow changes (and value previews and logs) without one
  // (development on loopback only);
  // otherwise changes need a key and are refused (401) while none is configured.
  bool allow_unauthenticated_changes = false;
  // Refuse every change (PUT /config, DELETE ...) with 403.
  bool read_only = false;
  // Origins that may call the API from a browser ("*" for any); empty: no CORS headers.
  std::vector<std::string> cors_origins;
  // Token bucket per client (key name, or remote address without a key); 0 = unlimited.
  // Keys may set their own.
  double rate_per_second = 0;
  double burst = 0;
  // Threads running slow requests, and how many may wait for one (beyond: 503).
  unsigned worker_threads = 2;
  size_t max_queued = 256;
  // Parts an upload may have.
  size_t max_parts = 8;
  std::shared_ptr<spdlog::logger> logger;
  // Where GET /logs reads the newest lines (the same logger's sink); null: /logs is 503.
  std::shared_ptr<LogRing> log_ring;
};

class ApiService {
 public:
  // Throws ApiKeyError for malformed key entries.
  ApiService(Engine& engine, ApiOptions options);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  void handle(HttpRequest&& request, Respond respond);
  // What handle() is, as a RequestHandler for HttpServer.
  RequestHandler handler() {
    return [this](HttpRequest&& request, Respond respond) { handle(std::move(request), std::move(respond)); };
  }

  // Where /metrics and /stats read the HTTP server's counters (set once the server exists).
  void set_server_stats(std::function<HttpServerStats()> source);

  // `GET /metrics` body.
  std::string metrics_text();
  // `GET /stats` body: the engine's snapshot as JSON (what a remote console charts).
  std::string stats_json();

  // Stops taking slow work (503) and waits until the queued work has answered.
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tierscope::server
