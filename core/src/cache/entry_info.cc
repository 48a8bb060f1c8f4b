#include "tierscope/cache/entry_info.h"

namespace tierscope {

std::string_view key_prefix(std::string_view key) {
  const size_t cut = key.find_first_of(":/");
  return cut == std::string_view::npos ? std::string_view{} : key.substr(0, cut + 1);
}

const char* MemoryAnalysis::ttl_bucket_name(size_t i) {
  static const char* const kNames[kTtlBuckets] = {"< 1 min", "< 10 min", "< 1 h", "< 1 day", "longer", "never"};
  return i < kTtlBuckets ? kNames[i] : "?";
}

}  // namespace tierscope
