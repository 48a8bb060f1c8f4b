// Version of the Tierscope engine. Plain constants: no ownership, thread-safe.
#pragma once

namespace tierscope {

// The project version, from CMake's project() call.
const char* version_string();

}  // namespace tierscope
