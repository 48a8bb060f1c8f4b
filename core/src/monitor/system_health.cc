#include "tierscope/monitor/system_health.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace tierscope {

namespace {

// The value in kB of a "Key:   123 kB" line of a /proc status-like file, in bytes.
uint64_t kb_field(const std::filesystem::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':') {
      return std::stoull(line.substr(key.size() + 1)) * 1024;
    }
  }
  return 0;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

SystemHealthProbe::SystemHealthProbe(std::filesystem::path proc_root) : proc_(std::move(proc_root)) {}

SystemHealth SystemHealthProbe::sample() {
  SystemHealth h;
  h.cores = std::max(1u, std::thread::hardware_concurrency());
  try {
    h.memory_total_bytes = kb_field(proc_ / "meminfo", "MemTotal");
    h.memory_available_bytes = kb_field(proc_ / "meminfo", "MemAvailable");
    if (h.memory_total_bytes > 0) {
      h.memory_percent =
          100.0 * double(h.memory_total_bytes - std::min(h.memory_available_bytes, h.memory_total_bytes)) /
          double(h.memory_total_bytes);
    }
    h.process_rss_bytes = kb_field(proc_ / "self" / "status", "VmRSS");

    // Machine CPU: the "cpu" line of /proc/stat, idle = idle + iowait.
    std::ifstream stat(proc_ / "stat");
    std::string cpu;
    uint64_t v[10] = {};
    stat >> cpu;
    for (uint64_t& x : v) stat >> x;
    uint64_t total = 0;
    for (int i = 0; i < 8; ++i) total += v[i];  // guest time is already in user
    const uint64_t idle = v[3] + v[4];
    if (cpu == "cpu" && last_total_jiffies_ != 0 && total > last_total_jiffies_) {
      const double busy = double((total - last_total_jiffies_) - (idle - last_idle_jiffies_));
      h.cpu_percent = 100.0 * busy / double(total - last_total_jiffies_);
    }
    if (cpu == "cpu") {
      last_total_jiffies_ = total;
      last_idle_jiffies_ = idle;
    }

    // Process CPU: utime + stime (fields 14 and 15 of /proc/self/stat, after the
    // parenthesised command name, which may contain spaces).
    std::ifstream self(proc_ / "self" / "stat");
    std::string text((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close != std::string::npos) {
      std::istringstream fields(text.substr(close + 2));
      std::string field;
      uint64_t utime = 0, stime = 0;
      for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
      }
      const uint64_t jiffies = utime + stime;
      const double now = wall_seconds();
      const long hz = sysconf(_SC_CLK_TCK);
      if (last_wall_seconds_ > 0 && now > last_wall_seconds_ && hz > 0) {
        h.process_cpu_percent =
            100.0 * double(jiffies - std::min(jiffies, last_process_jiffies_)) / double(hz) / (now - last_wall_seconds_);
      }
      last_process_jiffies_ = jiffies;
      last_wall_seconds_ = now;
    }
    h.valid = h.memory_total_bytes > 0;
  } catch (...) {
    h.valid = false;
  }
  return h;
}

}  // namespace tierscope
