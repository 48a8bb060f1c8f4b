// The byte layout of cached try-on analyses: a tag, a JSON header and PNG images, each
// with a 32-bit little-endian length, so one value holds landmarks and masks together.
//
//   "TSTO" tag\n | u32 json | json | u32 count | (u32 len | png)*
//
// Pure functions: thread-safe. unpack throws TryOnError for anything malformed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tierscope::tryon::internal {

std::string pack(const std::string& tag, const std::string& json, const std::vector<std::string>& images);
std::pair<std::string, std::vector<std::string>> unpack(const std::string& tag, std::string_view bytes,
                                                        size_t expected_images);

}  // namespace tierscope::tryon::internal
