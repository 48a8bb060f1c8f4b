// Loader: the origin behind the cache (L3) — what a miss in every tier falls back to.
// Three real implementations: a compute function (the model itself), a directory
// acting as an object store, and an HTTP(S) GET object store (plain or presigned
// S3-style URLs) with timeouts and bounded retries.
//
// Ownership: loaders are shared (shared_ptr) between the cache and its callers.
// Thread safety: load() may be called from many threads at once on every loader here.
// Errors: load() throws LoadError; `not_found()` tells a missing object from a failure.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/base/clock.h"
#include "tierscope/base/file_system.h"
#include "tierscope/cache/memory_tier.h"

namespace tierscope {

class LoadError : public std::runtime_error {
 public:
  LoadError(const std::string& what, bool not_found = false) : std::runtime_error(what), not_found_(not_found) {}
  bool not_found() const { return not_found_; }

 private:
  bool not_found_;
};

class Loader {
 public:
  virtual ~Loader() = default;
  // The value for key; throws LoadError (a compute loader may throw anything, which the
  // cache passes on to every caller waiting for that key).
  virtual Value load(std::string_view key) = 0;
  // One line for logs and /health, e.g. "directory /srv/objects".
  virtual std::string describe() const = 0;
};

// Calls `compute(key)`; a null result is a LoadError.
std::shared_ptr<Loader> make_compute_loader(std::function<Value(std::string_view key)> compute,
                                            std::string description = "compute function");

// Reads <root>/<key>. Keys are relative object names ("garments/09133_00.jpg"); a key
// that is empty, absolute, holds a NUL byte or a ".." component is refused with
// LoadError, so no key can read outside the root.
std::shared_ptr<Loader> make_directory_loader(std::filesystem::path root, std::shared_ptr<FileSystem> fs = nullptr);

struct HttpLoaderOptions {
  // The object URL is base_url + the percent-encoded key ("/" kept), unless url_for is set.
  std::string base_url;
  // Builds the URL for a key, e.g. a presigned S3 URL with its query string.
  std::function<std::string(std::string_view key)> url_for;
  // Extra request headers, "Name: value".
  std::vector<std::string> headers;
  Duration connect_timeout = std::chrono::seconds(2);
  // Whole-request limit, per attempt.
  Duration request_timeout = std::chrono::seconds(10);
  // Attempts after the first for timeouts, connection errors and 5xx/429 answers; 4xx
  // answers are final (404 -> LoadError with not_found).
  int max_retries = 2;
  // Wait before retry n is backoff * 2^(n-1).
  Duration retry_backoff = std::chrono::milliseconds(100);
  // Larger bodies are refused (protects memory).
  size_t max_body_bytes = size_t{256} << 20;
};

// HTTP(S) GET through libcurl.
std::shared_ptr<Loader> make_http_loader(HttpLoaderOptions options);

// Percent-encodes everything but unreserved characters and "/".
std::string url_encode_path(std::string_view key);

}  // namespace tierscope
