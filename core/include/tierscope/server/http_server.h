// HttpServer: HTTP/1.1 on Boost.Beast, asynchronous — an idle keep-alive connection costs
// a socket and a few kilobytes, never a thread. Bounds everything a client controls:
// header and body size (431 / 413), time to send a request and to sit idle (408 / close),
// requests in flight (503 + Retry-After), open connections. Stops gracefully: no new
// connections, idle ones closed, requests in flight answered (with `Connection: close`).
// Beast appears only in http_server.cc.
//
// Ownership: owns its I/O threads and every connection; the handler must outlive the
// server. Thread safety: start(), request_stop(), wait_drained(), stop() and stats() from
// any thread; the handler runs on the I/O threads, its Respond callbacks from anywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tierscope/server/http_message.h"

namespace spdlog {
class logger;
}

namespace tierscope::server {

struct HttpServerOptions {
  // Address to bind: an IPv4/IPv6 literal. Loopback by default: exposing the server is
  // the operator's decision (--listen 0.0.0.0:8001).
  std::string address = "127.0.0.1";
  // TCP port; 0 picks a free one (tests), see HttpServer::port().
  uint16_t port = 8001;
  // Threads running the network I/O (and the handlers that answer at once).
  unsigned io_threads = 2;
  // Largest request body; larger ones get 413 before their body is read.
  uint64_t max_body_bytes = 32ull << 20;
  // Largest request line + headers; larger get 431.
  uint32_t max_header_bytes = 16 * 1024;
  // A request's headers must arrive within this after the previous response (or the
  // connection's start); an idle keep-alive connection is closed after it.
  std::chrono::milliseconds idle_timeout{60'000};
  // A request's body must arrive within this after its headers (slow uploads get 408).
  std::chrono::milliseconds body_timeout{60'000};
  // A response must be taken by the client within this.
  std::chrono::milliseconds write_timeout{60'000};
  // On stop, how long a connection that has sent no request yet may still send one.
  std::chrono::milliseconds shutdown_grace{500};
  // Requests being handled at once; beyond it 503 with Retry-After.
  size_t max_in_flight = 256;
  // Retry-After seconds sent with 503.
  int retry_after_seconds = 1;
  // Open connections at most; further ones are closed at accept (the backlog stays free).
  size_t max_connections = 20'000;
  // Access log (one line per request, level info) and errors; null logs nothing.
  std::shared_ptr<spdlog::logger> logger;
  // Whether to write the access log at all (its cost shows at 50k requests/s).
  bool access_log = true;
};

struct HttpServerStats {
  uint64_t connections_open = 0;
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t requests = 0;             // requests read completely
  uint64_t responses = 0;            // responses to them written completely (the rest: client gone)
  uint64_t in_flight = 0;
  uint64_t rejected_overload = 0;  // 503 for max_in_flight
  uint64_t rejected_limits = 0;    // 408, 413, 431 and malformed requests (400)
  bool stopping = false;
};

// Log text of a response the handler may set for the access log (e.g. the key's name).
inline constexpr const char* kAccessNoteHeader = "X-Tierscope-Access-Note";

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();  // stop() if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::runtime_error naming the
  // address when it cannot bind (in use, no permission, bad address).
  void start();
  // The bound port (after start()).
  uint16_t port() const;

  // Stops accepting and closes idle connections; requests in flight go on.
  void request_stop();
  // Waits until no request is in flight and no connection is open, or the timeout.
  // Returns whether that happened.
  bool wait_drained(std::chrono::milliseconds timeout);
  // request_stop(), then closes every connection and joins the I/O threads.
  void stop();

  HttpServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tierscope::server
