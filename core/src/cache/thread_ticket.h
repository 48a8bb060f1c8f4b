// thread_ticket(): a small number fixed per thread, handed out in order of first use, for
// picking a stripe (counter slot, read buffer, epoch slot) that other threads rarely share.
//
// Internal. Thread safety: callable from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace tierscope::internal {

inline uint32_t thread_ticket() {
  static std::atomic<uint32_t> next{0};
  thread_local const uint32_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

}  // namespace tierscope::internal
