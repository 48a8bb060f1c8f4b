// mix64: the splitmix64 finaliser — spreads a weak hash (std::hash of an integer is the
// identity) over all 64 bits. Internal; a pure function.
#pragma once

#include <cstdint>

namespace tierscope::internal {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace tierscope::internal
