// HTTP requests and responses as plain values, so that the API, its tests and the fuzz
// targets never see Boost.Beast (which stays inside http_server.cc).
//
// Value types: copy and move freely; no thread-safety concerns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tierscope::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, without the query
  std::multimap<std::string, std::string> query;    // percent-decoded parameters
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
  std::string body;
  std::string remote_address;  // "127.0.0.1:53122"

  // The first header of that (lower-case) name, or nullopt.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  // The first query parameter of that name, or nullopt.
  std::optional<std::string> query_value(const std::string& name) const;
  // A whole-number query parameter: `fallback` when absent, nullopt when it is not digits
  // only or above `max`.
  std::optional<uint64_t> query_number(const std::string& name, uint64_t fallback, uint64_t max) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length
  bool close_connection = false;  // ask the server to close after sending

  HttpResponse& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// `{"error": <reason phrase>, "detail": detail}` with that status.
HttpResponse json_error(int status, std::string_view detail);
HttpResponse json_response(int status, std::string body);

// The reason phrase of a status code ("Not Found"); "Unknown" for codes we never send.
std::string_view status_reason(int status);

// Splits a request target into its percent-decoded path and query parameters. Returns
// false for malformed percent escapes or a target that is not origin-form ("/...").
bool parse_target(std::string_view target, std::string& path, std::multimap<std::string, std::string>& query);

// Completes a request; may be called from any thread, exactly once.
using Respond = std::function<void(HttpResponse)>;
// Handles one request: responds at once (on the server's I/O thread), or hands the work
// to another thread and responds from there. Must not block for long.
using RequestHandler = std::function<void(HttpRequest&&, Respond)>;

}  // namespace tierscope::server
