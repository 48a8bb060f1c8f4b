// SystemHealthProbe: memory and CPU use of the machine and of this process, read from
// /proc (`get_system_health` of SPEC 1.4). CPU percentages are over the interval since
// the previous sample, so the first sample reports 0.
//
// Ownership: plain object. Thread safety: sample() from one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>

namespace tierscope {

struct SystemHealth {
  uint64_t memory_total_bytes = 0;      // MemTotal
  uint64_t memory_available_bytes = 0;  // MemAvailable
  double memory_percent = 0;            // machine memory in use, % of total
  uint64_t process_rss_bytes = 0;       // VmRSS of this process
  double cpu_percent = 0;               // machine, % of all cores
  double process_cpu_percent = 0;       // this process, % of one core (200 = two cores busy)
  unsigned cores = 0;
  bool valid = false;                   // false when /proc could not be read
};

class SystemHealthProbe {
 public:
  // `proc_root` is /proc, or a test's fake of it.
  explicit SystemHealthProbe(std::filesystem::path proc_root = "/proc");
  SystemHealth sample();

 private:
  std::filesystem::path proc_;
  uint64_t last_total_jiffies_ = 0, last_idle_jiffies_ = 0, last_process_jiffies_ = 0;
  double last_wall_seconds_ = 0;
};

}  // namespace tierscope
