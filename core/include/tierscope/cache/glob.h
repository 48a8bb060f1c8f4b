// Glob matching for invalidation patterns (`persona:*`): `*` matches any run of
// characters (also none), `?` exactly one; everything else matches itself.
// A pure function: thread-safe.
#pragma once

#include <string_view>

namespace tierscope {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace tierscope
