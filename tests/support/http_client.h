// HttpClient: a real HTTP client (libcurl) for the server's integration tests — methods,
// headers, raw bodies and multipart uploads, keep-alive on one handle.
//
// Not thread-safe: one client per thread.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tierscope::testing {

struct HttpResult {
  long status = 0;  // 0: no response (CURLcode in error)
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-case
  std::string error;
  long connects = 0;  // new connections this request needed (0 = reused)

  std::optional<std::string> header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

struct FormPart {
  std::string name;
  std::string data;
  std::string filename;      // non-empty: sent as a file
  std::string content_type;  // empty: curl's default
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url) : base_(std::move(base_url)), curl_(curl_easy_init()) {
    if (!curl_) throw std::runtime_error("curl_easy_init failed");
  }
  ~HttpClient() { curl_easy_cleanup(curl_); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult request(const std::string& method, const std::string& path, const std::vector<std::string>& headers = {},
                     const std::optional<std::string>& body = std::nullopt, const std::vector<FormPart>& form = {},
                     long timeout_ms = 60'000) {
    curl_easy_reset(curl_);
    HttpResult result;
    const std::string url = base_ + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpClient::write_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &HttpClient::write_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &result.headers);
    if (method == "HEAD") curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    curl_slist* list = nullptr;
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    curl_mime* mime = nullptr;
    if (!form.empty()) {
      mime = curl_mime_init(curl_);
      for (const FormPart& p : form) {
        curl_mimepart* part = curl_mime_addpart(mime);
        curl_mime_name(part, p.name.c_str());
        curl_mime_data(part, p.data.data(), p.data.size());
        if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
        if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
      }
      curl_easy_setopt(curl_, CURLOPT_MIMEPOST, mime);
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (body) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    }
    if (list) curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    const CURLcode code = curl_easy_perform(curl_);
    if (code != CURLE_OK) {
      result.error = curl_easy_strerror(code);
    } else {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result.status);
    }
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &result.connects);
    if (mime) curl_mime_free(mime);
    if (list) curl_slist_free_all(list);
    return result;
  }

  HttpResult get(const std::string& path, const std::vector<std::string>& headers = {}) { return request("GET", path, headers); }

 private:
  static size_t write_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }
  static size_t write_header(char* data, size_t size, size_t n, void* out) {
    std::string line(data, size * n);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
      static_cast<std::multimap<std::string, std::string>*>(out)->emplace(std::move(name), std::move(value));
    }
    return size * n;
  }

  std::string base_;
  CURL* curl_;
};

}  // namespace tierscope::testing
