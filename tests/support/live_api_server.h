// A real tierscope API server for console tests: an ApiService over the given Engine
// behind an HttpServer on an ephemeral loopback port, with one API key and a logger whose
// lines GET /logs serves (as tierscope-server's); and traffic on the engine for it to report.
#pragma once

#include <spdlog/logger.h>

#include <QString>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tierscope/engine.h"
#include "tierscope/server/api_service.h"
#include "tierscope/server/http_server.h"

namespace testing {

struct LiveApiServer {
  LiveApiServer(tierscope::Engine& engine, const QString& api_key) {
    tierscope::server::ApiOptions api;
    api.api_keys = {{"console", tierscope::server::hash_api_key(api_key.toStdString()), 0, 0}};
    log_ring = std::make_shared<tierscope::server::LogRing>(1000);
    logger = std::make_shared<spdlog::logger>("live-api-server", log_ring);
    api.logger = logger;
    api.log_ring = log_ring;
    service = std::make_unique<tierscope::server::ApiService>(engine, api);
    tierscope::server::HttpServerOptions http;
    http.port = 0;
    http.access_log = false;
    server = std::make_unique<tierscope::server::HttpServer>(http, service->handler());
    service->set_server_stats([this] { return server->stats(); });
    server->start();
  }
  ~LiveApiServer() {
    server->request_stop();
    server->wait_drained(std::chrono::seconds(5));
    service->shutdown();
    server->stop();
  }
  QUrl url() const { return QUrl(QString("http://127.0.0.1:%1").arg(server->port())); }
  std::shared_ptr<tierscope::server::LogRing> log_ring;
  std::shared_ptr<spdlog::logger> logger;
  std::unique_ptr<tierscope::server::ApiService> service;
  std::unique_ptr<tierscope::server::HttpServer> server;
};

// Steady reads in `general` while a test runs: `keys` keys in turn, `pause` apart.
struct EngineTraffic {
  EngineTraffic(tierscope::Engine& engine, uint64_t keys, std::chrono::microseconds pause) {
    thread = std::thread([this, &engine, keys, pause] {
      uint64_t i = 0;
      while (!stop.load()) {
        engine.cache().get("general", "key-" + std::to_string(i++ % keys));
        std::this_thread::sleep_for(pause);
      }
    });
  }
  ~EngineTraffic() {
    stop.store(true);
    thread.join();
  }
  std::atomic<bool> stop{false};
  std::thread thread;
};

}  // namespace testing
