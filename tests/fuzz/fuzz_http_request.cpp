// libFuzzer target: a request as the server reads it — Beast's parser with the server's
// header and body limits, then the target (path, query), the Content-Type's boundary and
// the multipart decoder over the body. Any crash, hang, sanitizer report or escape from
// the input buffer is a bug. Built and run by run_fuzz.sh (clang, -fsanitize=fuzzer,address).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "tierscope/server/http_message.h"
#include "tierscope/server/multipart.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The raw bytes as a request.
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (!ec && parser.is_header_done()) {
    const auto& message = parser.get();
    std::string path;
    std::multimap<std::string, std::string> query;
    tierscope::server::parse_target(std::string(message.target()), path, query);
    const auto type = message[http::field::content_type];
    if (auto boundary = tierscope::server::multipart_boundary(std::string(type))) {
      try {
        const auto parts = tierscope::server::parse_multipart(message.body(), *boundary);
        for (const auto& p : parts) {
          // Views must lie inside the body.
          if (p.data.data() < message.body().data() || p.data.data() + p.data.size() > message.body().data() + message.body().size()) {
            __builtin_trap();
          }
        }
      } catch (const tierscope::server::MultipartError&) {
      }
    }
  }

  // 2. The bytes as a multipart body and a target directly (reaches the decoder without
  //    having to get through HTTP framing first).
  const size_t split = input.empty() ? 0 : static_cast<uint8_t>(input[0]) % 16;
  if (input.size() > split + 1) {
    const std::string_view boundary = input.substr(1, split);
    const std::string_view body = input.substr(1 + split);
    if (!boundary.empty()) {
      try {
        tierscope::server::parse_multipart(body, boundary, 8);
      } catch (const tierscope::server::MultipartError&) {
      }
    }
    std::string path;
    std::multimap<std::string, std::string> query;
    tierscope::server::parse_target(body, path, query);
    tierscope::server::json_error(400, body);
  }
  return 0;
}
