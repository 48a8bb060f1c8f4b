// LogRing: an spdlog sink that keeps the newest lines the server logs — the operator-facing
// lines of SPEC (loads, cleanups, invalidations, errors; L1/L2 HIT at debug) — numbered in
// order, so GET /logs can hand a remote console the lines after the last one it has.
//
// Ownership: shared (the logger's sink list and the ApiService hold it). Thread safety:
// spdlog calls sink_it_ under the sink's mutex; after() takes the same mutex.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace tierscope::server {

struct LogRecord {
  uint64_t sequence = 0;  // 1, 2, 3 … in the order logged
  std::chrono::system_clock::time_point time;
  int level = 0;  // spdlog::level::level_enum
  std::string message;
};

class LogRing final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LogRing(size_t capacity = 10'000) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Lines with a sequence number above `sequence`, oldest first, at most `limit`; when
  // lines were dropped since (the ring lapped them), the first one returned says how many
  // by its number.
  std::vector<LogRecord> after(uint64_t sequence, size_t limit) {
    std::lock_guard lock(mutex_);
    std::vector<LogRecord> out;
    // Numbers are consecutive in the ring: the first line wanted is found by its number.
    const uint64_t first = lines_.empty() ? next_ : lines_.front().sequence;
    for (size_t i = sequence < first ? 0 : static_cast<size_t>(sequence - first + 1); i < lines_.size() && out.size() < limit; ++i) {
      out.push_back(lines_[i]);
    }
    return out;
  }
  uint64_t last_sequence() {
    std::lock_guard lock(mutex_);
    return next_ - 1;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    LogRecord r;
    r.sequence = next_++;
    r.time = msg.time;
    r.level = static_cast<int>(msg.level);
    r.message.assign(msg.payload.data(), msg.payload.size());
    lines_.push_back(std::move(r));
    if (lines_.size() > capacity_) lines_.pop_front();
  }
  void flush_() override {}

 private:
  const size_t capacity_;
  std::deque<LogRecord> lines_;
  uint64_t next_ = 1;
};

}  // namespace tierscope::server
