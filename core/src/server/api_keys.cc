#include "tierscope/server/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <set>

namespace tierscope::server {
namespace {

constexpr std::string_view kScheme = "sha256:";

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string salted_digest(std::string_view salt, std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, salt.data(), salt.size());
  EVP_DigestUpdate(ctx, key.data(), key.size());
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(digest), length);
}

// (salt, digest) of a stored form, or nullopt when malformed.
std::optional<std::pair<std::string, std::string>> parse(std::string_view stored) {
  if (stored.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  stored.remove_prefix(kScheme.size());
  const size_t colon = stored.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto salt = from_hex(stored.substr(0, colon));
  auto digest = from_hex(stored.substr(colon + 1));
  if (!salt || salt->size() < 8 || !digest || digest->size() != 32) return std::nullopt;
  return std::make_pair(std::move(*salt), std::move(*digest));
}

}  // namespace

std::string hash_api_key(std::string_view key, std::string_view salt_hex) {
  auto salt = from_hex(salt_hex);
  if (!salt || salt->size() < 8) throw ApiKeyError("salt must be at least 8 bytes of hex");
  return std::string(kScheme) + to_hex(*salt) + ":" + to_hex(salted_digest(*salt, key));
}

std::string hash_api_key(std::string_view key) {
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("no random bytes for an API key salt");
  return hash_api_key(key, to_hex(std::string_view(reinterpret_cast<char*>(salt), sizeof salt)));
}

bool api_key_matches(std::string_view key, std::string_view salted_hash) {
  auto parsed = parse(salted_hash);
  if (!parsed) throw ApiKeyError("malformed API key hash (expected sha256:<salt hex>:<64 hex digits>)");
  const std::string digest = salted_digest(parsed->first, key);
  return CRYPTO_memcmp(digest.data(), parsed->second.data(), 32) == 0;
}

ApiKeyStore::ApiKeyStore(std::vector<ApiKeyEntry> entries) : entries_(std::move(entries)) {
  std::set<std::string> names;
  for (const ApiKeyEntry& e : entries_) {
    if (e.name.empty()) throw ApiKeyError("an API key entry has no name");
    if (!names.insert(e.name).second) throw ApiKeyError("API key name '" + e.name + "' is used twice");
    auto parsed = parse(e.salted_hash);
    if (!parsed) {
      throw ApiKeyError("API key '" + e.name + "': malformed hash (expected sha256:<salt hex>:<64 hex digits>)");
    }
    if (e.rate_per_second < 0 || e.burst < 0) throw ApiKeyError("API key '" + e.name + "': negative rate limit");
    parsed_.push_back({std::move(parsed->first), std::move(parsed->second)});
  }
}

const ApiKeyEntry* ApiKeyStore::find(std::string_view presented_key) const {
  const ApiKeyEntry* match = nullptr;
  // Every entry is hashed and compared, so the time taken does not say which one matched.
  for (size_t i = 0; i < entries_.size(); ++i) {
    const std::string digest = salted_digest(parsed_[i].salt, presented_key);
    if (CRYPTO_memcmp(digest.data(), parsed_[i].digest.data(), 32) == 0 && !match) match = &entries_[i];
  }
  return match;
}

}  // namespace tierscope::server
