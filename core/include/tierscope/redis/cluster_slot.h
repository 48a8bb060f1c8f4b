// cluster_slot(): the Redis Cluster hash slot of a key — CRC16 (XMODEM) of the key, or of
// its hash tag (the text between the first '{' and the next '}', when not empty), mod 16384.
//
// Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace tierscope::redis {

inline constexpr int kClusterSlots = 16384;

uint16_t crc16_xmodem(std::string_view data);
uint16_t cluster_slot(std::string_view key);

}  // namespace tierscope::redis
