// API keys, stored as salted hashes: the config holds `sha256:<salt hex>:<hex of
// SHA-256(salt || key)>` and a name; the key itself is never stored or logged (requests are
// logged by the key's name). Keys are checked in constant time per stored hash.
//
// Thread safety: ApiKeyStore is immutable after construction; find() from any thread.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tierscope::server {

class ApiKeyError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ApiKeyEntry {
  std::string name;         // shown in logs and metrics instead of the key
  std::string salted_hash;  // "sha256:<salt hex>:<hash hex>"
  // Token bucket: sustained requests per second and burst; 0 = the server's default.
  double rate_per_second = 0;
  double burst = 0;
};

// The stored form of `key` with a fresh random 16-byte salt.
std::string hash_api_key(std::string_view key);
// The same with a given salt (hex), for tests.
std::string hash_api_key(std::string_view key, std::string_view salt_hex);
// Whether `key` matches a stored form. Throws ApiKeyError for a malformed stored form.
bool api_key_matches(std::string_view key, std::string_view salted_hash);

class ApiKeyStore {
 public:
  // Throws ApiKeyError naming the entry for a malformed hash, an empty or repeated name.
  explicit ApiKeyStore(std::vector<ApiKeyEntry> entries = {});

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The entry the presented key matches, or null.
  const ApiKeyEntry* find(std::string_view presented_key) const;

 private:
  struct Parsed {
    std::string salt;   // raw bytes
    std::string digest; // raw 32 bytes
  };
  std::vector<ApiKeyEntry> entries_;
  std::vector<Parsed> parsed_;
};

}  // namespace tierscope::server
