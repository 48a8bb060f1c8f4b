// SHA-256 of a byte string, as lowercase hex (OpenSSL's implementation).
// A pure function: thread-safe, no state.
#pragma once

#include <string>
#include <string_view>

namespace tierscope {

std::string sha256_hex(std::string_view data);

}  // namespace tierscope
