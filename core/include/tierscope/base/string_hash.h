// string_hash: the engine's hash of a key's bytes — a short-input hash in the manner of
// wyhash (64x64->128 multiply folding), several times faster than libstdc++'s std::hash
// (murmur) on the 16–64-byte keys a cache sees, and as well spread for hash tables.
// keys_equal: byte equality without a call to memcmp for short keys.
//
// Pure functions; thread-safe. The values are not stable across versions: never persist them.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tierscope {

namespace hash_detail {
inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t fold_multiply(uint64_t a, uint64_t b) {
  const __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline constexpr uint64_t kP0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
inline constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
}  // namespace hash_detail

inline uint64_t string_hash(std::string_view s) {
  using namespace hash_detail;
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t seed = kP0 ^ n;
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = load64(p);
      b = load64(p + n - 8);
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) | (uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t left = n;
    while (left > 16) {
      seed = fold_multiply(load64(p) ^ kP1, load64(p + 8) ^ seed);
      p += 16;
      left -= 16;
    }
    // The last 16 bytes, overlapping what was already mixed when fewer remain.
    a = load64(p + left - 16);
    b = load64(p + left - 8);
  }
  return fold_multiply(kP1 ^ n, fold_multiply(a ^ kP1, b ^ seed ^ kP2));
}

inline bool keys_equal(std::string_view x, std::string_view y) {
  using hash_detail::load64;
  const size_t n = x.size();
  if (n != y.size()) return false;
  if (n < 8 || n > 32) return std::memcmp(x.data(), y.data(), n) == 0;
  // 8..32 bytes: compare 8-byte words, the last one overlapping.
  const char* a = x.data();
  const char* b = y.data();
  uint64_t diff = load64(a + n - 8) ^ load64(b + n - 8);
  for (size_t i = 0; i + 8 < n; i += 8) diff |= load64(a + i) ^ load64(b + i);
  return diff == 0;
}

}  // namespace tierscope
