#include <curl/curl.h>

#include <cctype>

#include <mutex>
#include <thread>

#include "tierscope/cache/loader.h"

namespace tierscope {
namespace {

class ComputeLoader final : public Loader {
 public:
  ComputeLoader(std::function<Value(std::string_view)> compute, std::string description)
      : compute_(std::move(compute)), description_(std::move(description)) {}
  Value load(std::string_view key) override {
    Value v = compute_(key);
    if (!v) throw LoadError("compute function returned no value for '" + std::string(key) + "'");
    return v;
  }
  std::string describe() const override { return description_; }

 private:
  std::function<Value(std::string_view)> compute_;
  std::string description_;
};

class DirectoryLoader final : public Loader {
 public:
  DirectoryLoader(std::filesystem::path root, std::shared_ptr<FileSystem> fs)
      : root_(std::move(root)), fs_(fs ? std::move(fs) : make_posix_file_system()) {}

  Value load(std::string_view key) override {
    if (key.empty() || key.find('\0') != std::string_view::npos) throw LoadError("invalid object name");
    const std::filesystem::path relative(std::string{key});
    if (relative.is_absolute()) throw LoadError("object name '" + std::string(key) + "' is absolute");
    for (const auto& part : relative) {
      if (part == "..") throw LoadError("object name '" + std::string(key) + "' leaves the store");
    }
    std::string head, body;
    try {
      if (!fs_->read_split(root_ / relative, 0, &head, &body)) {
        throw LoadError("object '" + std::string(key) + "' not found in " + root_.string(), true);
      }
    } catch (const FileSystemError& e) {
      throw LoadError(e.what());
    }
    return make_value(std::move(body));
  }
  std::string describe() const override { return "directory " + root_.string(); }

 private:
  std::filesystem::path root_;
  std::shared_ptr<FileSystem> fs_;
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<std::pair<std::string*, size_t>*>(user);
  if (sink->first->size() + size * count > sink->second) return 0;  // aborts: too large
  sink->first->append(data, size * count);
  return size * count;
}

class HttpLoader final : public Loader {
 public:
  explicit HttpLoader(HttpLoaderOptions options) : options_(std::move(options)) {
    // libcurl's global init is process-wide by its own design; once is enough.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (options_.base_url.empty() && !options_.url_for) throw std::invalid_argument("HTTP loader needs base_url or url_for");
  }

  Value load(std::string_view key) override {
    const std::string url = options_.url_for ? options_.url_for(key) : options_.base_url + url_encode_path(key);
    std::string last_error;
    for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(options_.retry_backoff * (1 << (attempt - 1)));
      std::string body;
      long status = 0;
      const std::string error = fetch(url, &body, &status);
      if (error.empty() && status >= 200 && status < 300) return make_value(std::move(body));
      if (error.empty()) {
        last_error = "HTTP " + std::to_string(status) + " from " + url;
        if (status == 404) throw LoadError(last_error, true);
        if (status < 500 && status != 429) throw LoadError(last_error);  // the request itself is wrong
      } else {
        last_error = error + " (" + url + ")";
      }
    }
    throw LoadError("giving up after " + std::to_string(options_.max_retries + 1) + " attempts: " + last_error);
  }

  std::string describe() const override { return "http " + (options_.url_for ? std::string("(custom URLs)") : options_.base_url); }

 private:
  // Empty string on a completed exchange (any status); the transport error otherwise.
  std::string fetch(const std::string& url, std::string* body, long* status) {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return "cannot create a curl handle";
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
    for (const auto& h : options_.headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
    std::pair<std::string*, size_t> sink{body, options_.max_body_bytes};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threads
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count() / 1'000'000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count() / 1'000'000));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    const CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_WRITE_ERROR) return "response larger than " + std::to_string(options_.max_body_bytes) + " bytes";
    if (rc != CURLE_OK) return std::string(error_buffer[0] ? error_buffer : curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return {};
  }

  HttpLoaderOptions options_;
};

}  // namespace

std::string url_encode_path(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size() * 3);
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::shared_ptr<Loader> make_compute_loader(std::function<Value(std::string_view key)> compute, std::string description) {
  return std::make_shared<ComputeLoader>(std::move(compute), std::move(description));
}

std::shared_ptr<Loader> make_directory_loader(std::filesystem::path root, std::shared_ptr<FileSystem> fs) {
  return std::make_shared<DirectoryLoader>(std::move(root), std::move(fs));
}

std::shared_ptr<Loader> make_http_loader(HttpLoaderOptions options) {
  return std::make_shared<HttpLoader>(std::move(options));
}

}  // namespace tierscope
