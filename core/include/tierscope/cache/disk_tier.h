// DiskTier: the L2 tier — one file per entry on local disk, bounded in bytes, surviving
// restarts.
//
// Layout: <root>/<h0h1>/<h2h3>/<sha256(key)>.tse, so no key (however long, or holding
// "../" or NUL bytes) can name a path outside the root. Each file is a 48-byte header
// (magic, format version, key length, created, expires, value length, XXH3 checksum of
// header, key and value), then the full key, then the value. Writes go to a temp file,
// fsync, rename: readers and a crash at any instant see the old file or the new one.
// A read verifies the header, the full key and the checksum; any mismatch is a miss,
// the file is removed and counted in corrupt_dropped.
//
// Capacity: max_bytes counts the disk space entries take — each file's size rounded up
// to whole file-system blocks (a 4 KiB file of 4.1 KiB takes 8 KiB), so the cap and the
// usage shown are what `du` reports, not less. A write that would pass the cap first evicts
// least recently used entries (expired ones first); above the high watermark a
// background thread cleans down to the low watermark, so writes rarely wait for it.
// At start the index is rebuilt from the directory (recency from file times), stale
// temp files and unreadable or misplaced files are removed.
//
// Ownership: owns its files under root and holds <root>/LOCK for its lifetime; a
// second DiskTier (in any process) on the same root fails with FileSystemError.
// Thread safety: every public method may be called from any thread at once. File I/O
// happens outside the index lock.
// Not copyable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tierscope/base/clock.h"
#include "tierscope/cache/entry_info.h"
#include "tierscope/base/file_system.h"
#include "tierscope/cache/glob.h"
#include "tierscope/cache/memory_tier.h"

namespace spdlog {
class logger;
}

namespace tierscope {

struct DiskTierOptions {
  // Directory holding the entries (`ssd_root`); created if missing.
  std::filesystem::path root;
  // Most disk space the entry files may take (`max_disk_usage_gb`), in whole blocks.
  uint64_t max_bytes = uint64_t{50} << 30;
  // Above this share of max_bytes the background cleaner starts...
  double high_watermark = 0.90;
  // ...and removes least recently used entries until usage is below this share.
  double low_watermark = 0.80;
  // fsync each entry before it becomes visible. Off only for tests and benchmarks.
  bool sync_writes = true;
  // How often the background thread also removes expired entries.
  Duration sweep_interval = std::chrono::seconds(60);
  // Source of time for expiry; nullptr uses the system clock. Must outlive the tier.
  const Clock* clock = nullptr;
  // File access; nullptr uses the POSIX file system.
  std::shared_ptr<FileSystem> file_system;
  // Where rebuilds, cleanups and dropped files are logged; nullptr logs nothing.
  std::shared_ptr<spdlog::logger> logger;
};

struct DiskTierStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t writes = 0;           // entries written
  uint64_t write_errors = 0;     // writes that failed (disk full, I/O error): nothing stored
  uint64_t rejected = 0;         // entries larger than max_bytes
  uint64_t evictions = 0;        // removed for space
  uint64_t expirations = 0;      // removed because expired
  uint64_t corrupt_dropped = 0;  // removed because header, key or checksum did not verify
  uint64_t erases = 0;           // removed by erase/erase_matching/clear
  uint64_t entries = 0;
  uint64_t bytes = 0;      // disk space taken, in whole file-system blocks
  uint64_t max_bytes = 0;
  double high_watermark = 0;  // cleanup starts above this share of max_bytes
  double low_watermark = 0;   // and goes down to this one
  uint64_t block_size = 0;  // the file system's allocation unit
  uint64_t recovered_entries = 0;  // found on disk at start
  uint64_t stale_temp_files_removed = 0;

  uint64_t lookups() const { return hits + misses; }
  double hit_rate() const { return lookups() ? double(hits) / double(lookups()) : 0.0; }
};

// What a disk read returns.
struct DiskEntry {
  Value value;
  TimePoint created;
  TimePoint expires;
};

class DiskTier {
 public:
  // Size of the fixed file header.
  static constexpr size_t kHeaderSize = 48;

  // Rebuilds the index from `options.root`. Throws FileSystemError when the root cannot
  // be created or is locked by another DiskTier.
  explicit DiskTier(DiskTierOptions options);
  ~DiskTier();
  DiskTier(const DiskTier&) = delete;
  DiskTier& operator=(const DiskTier&) = delete;

  // The verified entry, or nullopt (missing, expired, corrupt, unreadable).
  std::optional<DiskEntry> get(std::string_view key);

  // The verified entry without counting a hit or touching its recency (a browser's
  // preview); nullopt when get() would not return it.
  std::optional<DiskEntry> peek(std::string_view key) const;
  // Calls fn for every unexpired entry under the index lock (fn must be quick and must
  // not call back into this tier).
  void visit_entries(const std::function<void(const EntryView&)>& fn) const;

  // Writes the entry (replacing any other under key). Returns false, storing nothing,
  // when it takes more than max_bytes or the write fails (logged, counted).
  bool put(std::string_view key, std::string_view value, TimePoint expires);

  // Moves the expiry of a present entry (adaptive TTL) without rewriting the file; the
  // file keeps its original expiry, so after a restart the entry may expire earlier.
  void extend_expiry(std::string_view key, TimePoint expires);

  bool erase(std::string_view key);
  // Removes entries whose key matches a glob (`*`, `?`); returns how many.
  size_t erase_matching(std::string_view pattern);
  void clear();

  // Changes the cap while running; shrinking evicts before returning — below the cap and,
  // when that leaves usage above the high watermark, down to the low one (as a cleanup).
  void set_max_bytes(uint64_t max_bytes);
  // Cleanup thresholds as shares of max_bytes; throws std::invalid_argument unless
  // 0 < low < high <= 1 (nothing changes then).
  void set_watermarks(double high, double low);
  // Waits until no file removal is pending: removals of evicted, cleared or invalidated
  // entries happen on the cleaner thread (the index and the statistics change at once).
  void wait_idle();
  // Runs one cleanup now (expired entries, then LRU down to the low watermark if above
  // the high one). The background thread calls this too.
  void cleanup();

  DiskTierStats snapshot() const;
  // Makes every entry written so far durable, directory entries included (shutdown).
  // Throws FileSystemError when the file system refuses.
  void flush();
  const std::filesystem::path& root() const;
  // The file an entry for key lives in (whether or not it exists).
  std::filesystem::path path_for(std::string_view key) const;
  // The disk space an entry of these sizes is charged (header + key + value, in blocks).
  uint64_t charge_of(size_t key_size, size_t value_size) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tierscope
