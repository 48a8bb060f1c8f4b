#include "tierscope/server/http_message.h"

#include <cctype>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace tierscope::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; '+' means a space in the query only.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::query_value(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> HttpRequest::query_number(const std::string& name, uint64_t fallback, uint64_t max) const {
  auto text = query_value(name);
  if (!text) return fallback;
  if (text->empty() || text->size() > 18 || !std::all_of(text->begin(), text->end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  const uint64_t v = std::stoull(*text);
  return v > max ? std::nullopt : std::optional<uint64_t>(v);
}

std::string_view status_reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse json_error(int status, std::string_view detail) {
  nlohmann::json j;
  j["error"] = std::string(status_reason(status));
  // Replace invalid UTF-8 (a detail may quote a client's bytes) instead of throwing.
  j["detail"] = std::string(detail);
  return json_response(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool parse_target(std::string_view target, std::string& path, std::multimap<std::string, std::string>& query) {
  query.clear();
  if (target.empty() || target.front() != '/') return false;
  const size_t question = target.find('?');
  if (!percent_decode(target.substr(0, question), false, path)) return false;
  if (question == std::string_view::npos) return true;
  std::string_view rest = target.substr(question + 1);
  // A fragment is never sent, but a client bug could; it is not part of the query.
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!percent_decode(pair.substr(0, eq), true, name)) return false;
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, value)) return false;
    query.emplace(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace tierscope::server
