#include "tierscope/cache/disk_tier.h"

#include <spdlog/logger.h>
#include <xxh_x86dispatch.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <vector>
#include <bit>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "tierscope/base/sha256.h"

namespace tierscope {

static_assert(std::endian::native == std::endian::little, "the entry header is written in native little-endian order");

namespace {

constexpr uint32_t kMagic = 0x32435354;  // "TSC2"
constexpr uint16_t kFormatVersion = 1;
constexpr size_t kChecksumOffset = 40;
constexpr uint32_t kMaxKeyBytes = 1u << 20;
constexpr size_t kWriteStripes = 64;
constexpr const char* kEntrySuffix = ".tse";

struct Header {
  uint32_t magic;
  uint16_t version;
  uint16_t header_size;
  uint32_t key_len;
  uint32_t reserved;
  int64_t created_ns;
  int64_t expires_ns;
  uint64_t value_len;
  uint64_t checksum;
};
static_assert(sizeof(Header) == DiskTier::kHeaderSize);

uint64_t checksum_of(const char* header_bytes, std::string_view key, std::string_view value) {
  // Chained seeds: covers header fields, key and value without a streaming state.
  const uint64_t h = XXH3_64bits(header_bytes, kChecksumOffset);
  // The value is most of the bytes: the dispatching variant picks AVX2/AVX-512 at run
  // time (same result as the portable one), which is what keeps verification cheap.
  return XXH3_64bits_withSeed_dispatch(value.data(), value.size(), XXH3_64bits_withSeed(key.data(), key.size(), h));
}

std::string encode_header(std::string_view key, std::string_view value, TimePoint created, TimePoint expires) {
  Header h{kMagic,
           kFormatVersion,
           static_cast<uint16_t>(DiskTier::kHeaderSize),
           static_cast<uint32_t>(key.size()),
           0,
           created.time_since_epoch().count(),
           expires.time_since_epoch().count(),
           value.size(),
           0};
  std::string bytes(sizeof h, '\0');
  std::memcpy(bytes.data(), &h, sizeof h);
  h.checksum = checksum_of(bytes.data(), key, value);
  std::memcpy(bytes.data(), &h, sizeof h);
  return bytes;
}

bool decode_header(std::string_view bytes, Header* h) {
  if (bytes.size() < sizeof(Header)) return false;
  std::memcpy(h, bytes.data(), sizeof(Header));
  return h->magic == kMagic && h->version == kFormatVersion && h->header_size == sizeof(Header) &&
         h->key_len <= kMaxKeyBytes;
}

TimePoint time_from_ns(int64_t ns) { return TimePoint{Duration{ns}}; }

// Why a file read for `key` is not a good entry, or "" when it is (header decoded into h).
std::string verify_entry(const std::string& head, const std::string& value, std::string_view key, Header* h) {
  if (!decode_header(head, h)) return "bad header";
  if (h->key_len != key.size() || head.size() != DiskTier::kHeaderSize + key.size() || h->value_len != value.size()) {
    return "lengths do not match";
  }
  if (std::string_view(head).substr(DiskTier::kHeaderSize) != key) return "key does not match";
  if (checksum_of(head.data(), key, value) != h->checksum) return "checksum mismatch";
  return {};
}

}  // namespace

struct DiskTier::Impl {
  struct Doomed {
    std::string key;
    std::filesystem::path path;
  };
  struct Entry {
    uint64_t bytes = 0;
    TimePoint created;
    TimePoint expires = kNever;
    uint64_t generation = 0;
    std::list<const std::string*>::iterator recency;
  };

  explicit Impl(DiskTierOptions opts)
      : options(std::move(opts)),
        clock(options.clock ? options.clock : &system_clock),
        fs(options.file_system ? options.file_system : make_posix_file_system()),
        max_bytes(options.max_bytes),
        high_watermark(options.high_watermark),
        low_watermark(options.low_watermark) {}

  std::filesystem::path path_for(std::string_view key) const {
    const std::string name = sha256_hex(key);
    return options.root / name.substr(0, 2) / name.substr(2, 2) / (name + kEntrySuffix);
  }

  // Disk space a file of `file_size` bytes takes: whole file-system blocks.
  uint64_t charged(uint64_t file_size) const { return (file_size + block - 1) / block * block; }

  std::mutex& stripe_for(std::string_view key) {
    return write_stripes[std::hash<std::string_view>{}(key) % kWriteStripes];
  }

  // --- index, all under `mu` ---

  void touch_locked(Entry& e) {
    recency.splice(recency.begin(), recency, e.recency);
  }

  // Drops an entry from the index; its file goes on `out` (default: the cleaner's list),
  // to be removed once `mu` is released (remove_files).
  void remove_locked(std::unordered_map<std::string, Entry>::iterator it, std::vector<Doomed>* out = nullptr) {
    (out ? *out : doomed).push_back({it->first, path_for(it->first)});
    bytes -= it->second.bytes;
    recency.erase(it->second.recency);
    index.erase(it);
    entries.store(index.size(), std::memory_order_relaxed);
  }

  // Removes files of entries that have left the index. Each under its key's write stripe
  // (a put of the same key waits, or has already finished and put the key back in the
  // index: then the file is the new entry's and stays). Call without `mu`.
  void remove_files(std::vector<Doomed>& files) {
    for (const Doomed& d : files) {
      std::lock_guard stripe(stripe_for(d.key));
      {
        std::lock_guard guard(mu);
        if (index.count(d.key)) continue;
      }
      try {
        fs->remove_file(d.path);
      } catch (const FileSystemError& e) {
        if (options.logger) options.logger->warn("L2 cannot remove entry file: {}", e.what());
      }
    }
    files.clear();
  }

  // Hands the cleaner's list of files to remove to the cleaner thread.
  void wake_cleaner_locked() {
    cleanup_requested = true;
    cleaner_wake.notify_one();
  }

  // Evicts least recently used entries (never `keep`) until `need` more bytes fit
  // under `limit`.
  uint64_t evict_until_locked(uint64_t limit, uint64_t need, std::string_view keep, std::vector<Doomed>* out = nullptr) {
    uint64_t evicted = 0;
    auto it = recency.end();
    while (bytes + reserved + need > limit && it != recency.begin()) {
      --it;
      const std::string* key = *it;
      if (*key == keep) continue;
      auto victim = index.find(*key);
      it = std::next(it);  // recency.erase invalidates `it`; step back from its successor
      remove_locked(victim, out);
      ++evicted;
    }
    evictions += evicted;
    return evicted;
  }

  size_t remove_expired_locked(TimePoint now) {
    size_t removed = 0;
    for (auto it = index.begin(); it != index.end();) {
      auto next = std::next(it);
      if (it->second.expires <= now) {
        remove_locked(it);
        ++removed;
      }
      it = next;
    }
    expirations += removed;
    return removed;
  }

  void rebuild() {
    fs->create_directories(options.root);
    block = std::max<uint64_t>(1, fs->block_size(options.root));
    lock = fs->lock_file(options.root / "LOCK");
    struct Found {
      std::string key;
      Entry entry;
      int64_t modified_ns;
    };
    std::vector<Found> found;
    const TimePoint now = clock->now();
    for (const FileInfo& f : fs->list_files(options.root)) {
      const std::string name = f.path.filename().string();
      if (name.find(".tmp.") != std::string::npos) {
        fs->remove_file(f.path);
        ++stale_temp_files_removed;
        continue;
      }
      if (f.path.extension() != kEntrySuffix) continue;  // not ours (LOCK, stray files)
      std::string prefix;
      Header h;
      std::string why;
      if (!fs->read_prefix(f.path, kHeaderSize, &prefix) || !decode_header(prefix, &h)) {
        why = "bad header";
      } else if (f.size != kHeaderSize + h.key_len + h.value_len) {
        why = "size does not match header";
      } else if (!fs->read_prefix(f.path, kHeaderSize + h.key_len, &prefix) || prefix.size() != kHeaderSize + h.key_len) {
        why = "truncated key";
      } else if (path_for(std::string_view(prefix).substr(kHeaderSize)) != f.path) {
        why = "file name does not match its key";
      }
      if (!why.empty()) {
        fs->remove_file(f.path);
        ++corrupt_dropped;
        if (options.logger) options.logger->warn("L2 dropped {}: {}", f.path.string(), why);
        continue;
      }
      if (time_from_ns(h.expires_ns) <= now) {
        fs->remove_file(f.path);
        ++expirations;
        continue;
      }
      Found item;
      item.key = prefix.substr(kHeaderSize);
      item.entry.bytes = charged(f.size);
      item.entry.created = time_from_ns(h.created_ns);
      item.entry.expires = time_from_ns(h.expires_ns);
      item.modified_ns = f.modified_ns;
      found.push_back(std::move(item));
    }
    // Oldest first, so the most recently written ends up at the front.
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.modified_ns < b.modified_ns; });
    std::lock_guard guard(mu);
    for (Found& f : found) {
      auto [it, inserted] = index.try_emplace(std::move(f.key), f.entry);
      if (!inserted) continue;
      recency.push_front(&it->first);
      it->second.recency = recency.begin();
      it->second.generation = ++generation_counter;
      bytes += it->second.bytes;
    }
    recovered_entries = index.size();
    entries.store(index.size());
    if (options.logger) {
      options.logger->info("L2 opened {}: {} entries, {:.1f} MiB of {:.1f} MiB; removed {} stale temp files", options.root.string(),
                           index.size(), bytes / 1048576.0, max_bytes.load() / 1048576.0, stale_temp_files_removed);
    }
  }

  void cleaner_loop() {
    std::unique_lock guard(mu);
    while (!stopping) {
      cleaner_wake.wait_for(guard, options.sweep_interval, [this] { return stopping || cleanup_requested || !doomed.empty(); });
      if (stopping) break;
      cleanup_requested = false;
      cleanup_locked();
      drain_locked(guard);
      idle.notify_all();
    }
  }

  // Removes the cleaner's list of files with `mu` released meanwhile.
  void drain_locked(std::unique_lock<std::mutex>& guard) {
    while (!doomed.empty()) {
      std::vector<Doomed> batch;
      batch.swap(doomed);
      deleting += batch.size();
      const size_t n = batch.size();
      guard.unlock();
      remove_files(batch);
      guard.lock();
      deleting -= n;
    }
  }

  void cleanup_locked() {
    remove_expired_locked(clock->now());
    const uint64_t cap = max_bytes.load();
    if (bytes > static_cast<uint64_t>(high_watermark.load() * double(cap))) {
      const uint64_t before = bytes;
      const uint64_t evicted = evict_until_locked(static_cast<uint64_t>(low_watermark.load() * double(cap)), 0, {});
      if (options.logger && evicted) {
        options.logger->info("L2 cleanup: removed {} entries ({:.1f} MiB), usage {:.1f}/{:.1f} MiB", evicted,
                             (before - bytes) / 1048576.0, bytes / 1048576.0, cap / 1048576.0);
      }
    }
  }

  DiskTierOptions options;
  SystemClock system_clock;
  const Clock* clock;
  std::shared_ptr<FileSystem> fs;
  std::shared_ptr<void> lock;
  std::atomic<uint64_t> max_bytes;
  std::atomic<double> high_watermark, low_watermark;
  uint64_t block = 4096;  // set once in rebuild(), before any other use
  std::array<std::mutex, kWriteStripes> write_stripes;

  // Statistics: written under `mu` (or, for the read-only counters, anywhere), read by
  // snapshot() without any lock, so a sample never waits behind a cleanup or a slow disk.
  std::atomic<uint64_t> bytes{0}, entries{0};
  std::atomic<uint64_t> hits{0}, misses{0}, writes{0}, write_errors{0}, rejected{0}, evictions{0}, expirations{0},
      corrupt_dropped{0}, erases{0}, recovered_entries{0}, stale_temp_files_removed{0};

  mutable std::mutex mu;  // guards everything below
  std::unordered_map<std::string, Entry> index;
  std::list<const std::string*> recency;  // front = most recently used
  uint64_t reserved = 0;  // space promised to writes in progress
  uint64_t generation_counter = 0;
  // Files whose entries have left the index but which are still on disk: removed outside
  // `mu` (bulk removals by the cleaner thread, single ones by their caller).
  std::vector<Doomed> doomed;
  size_t deleting = 0;  // files being removed right now, outside `mu`
  std::condition_variable cleaner_wake;
  std::condition_variable idle;
  bool cleanup_requested = false;
  bool stopping = false;
  std::thread cleaner;
};

DiskTier::DiskTier(DiskTierOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->rebuild();
  impl_->cleaner = std::thread([this] { impl_->cleaner_loop(); });
}

DiskTier::~DiskTier() {
  {
    std::lock_guard guard(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cleaner_wake.notify_all();
  impl_->cleaner.join();
  // Files of entries already gone from the index must not outlive the tier: the next
  // start would read them back as entries.
  std::unique_lock guard(impl_->mu);
  impl_->drain_locked(guard);
}

std::filesystem::path DiskTier::path_for(std::string_view key) const { return impl_->path_for(key); }
const std::filesystem::path& DiskTier::root() const { return impl_->options.root; }

void DiskTier::flush() { impl_->fs->sync_tree(impl_->options.root); }

uint64_t DiskTier::charge_of(size_t key_size, size_t value_size) const {
  return impl_->charged(kHeaderSize + key_size + value_size);
}

std::optional<DiskEntry> DiskTier::get(std::string_view key) {
  Impl& d = *impl_;
  uint64_t generation;
  TimePoint expires;
  std::vector<Impl::Doomed> gone;
  {
    std::unique_lock guard(d.mu);
    auto it = d.index.find(std::string(key));
    if (it == d.index.end()) {
      ++d.misses;
      return std::nullopt;
    }
    if (it->second.expires <= d.clock->now()) {
      d.remove_locked(it, &gone);
      ++d.expirations;
      ++d.misses;
      guard.unlock();
      d.remove_files(gone);
      return std::nullopt;
    }
    generation = it->second.generation;
    expires = it->second.expires;
  }

  std::string head, value;
  const std::filesystem::path path = d.path_for(key);
  std::string why;
  bool present = false;
  try {
    present = d.fs->read_split(path, kHeaderSize + key.size(), &head, &value);
  } catch (const FileSystemError& e) {
    why = e.what();
  }
  Header h{};
  if (why.empty() && present) why = verify_entry(head, value, key, &h);

  std::unique_lock guard(d.mu);
  auto it = d.index.find(std::string(key));
  const bool same = it != d.index.end() && it->second.generation == generation;
  if (!present || !why.empty()) {
    // Only drop what we read: a newer write of the key may have replaced it meanwhile.
    if (same) {
      if (!why.empty()) {
        d.remove_locked(it, &gone);
        ++d.corrupt_dropped;
        if (d.options.logger) d.options.logger->warn("L2 dropped corrupt entry {}: {}", path.string(), why);
      } else {
        d.bytes -= it->second.bytes;  // the file vanished: forget it
        d.recency.erase(it->second.recency);
        d.index.erase(it);
        d.entries.store(d.index.size(), std::memory_order_relaxed);
      }
    }
    ++d.misses;
    guard.unlock();
    d.remove_files(gone);
    return std::nullopt;
  }
  if (same) d.touch_locked(it->second);
  ++d.hits;
  return DiskEntry{make_value(std::move(value)), time_from_ns(h.created_ns), expires};
}

std::optional<DiskEntry> DiskTier::peek(std::string_view key) const {
  const Impl& d = *impl_;
  TimePoint expires;
  {
    std::lock_guard guard(impl_->mu);
    auto it = d.index.find(std::string(key));
    if (it == d.index.end() || it->second.expires <= d.clock->now()) return std::nullopt;
    expires = it->second.expires;
  }
  std::string head, value;
  Header h{};
  try {
    if (!d.fs->read_split(d.path_for(key), kHeaderSize + key.size(), &head, &value)) return std::nullopt;
  } catch (const FileSystemError&) {
    return std::nullopt;
  }
  if (!verify_entry(head, value, key, &h).empty()) return std::nullopt;  // get() will drop and count it
  return DiskEntry{make_value(std::move(value)), time_from_ns(h.created_ns), expires};
}

void DiskTier::visit_entries(const std::function<void(const EntryView&)>& fn) const {
  std::lock_guard guard(impl_->mu);
  const TimePoint now = impl_->clock->now();
  for (const auto& [key, e] : impl_->index) {
    if (e.expires <= now) continue;
    fn(EntryView{key, e.bytes, e.created, e.expires, 0});
  }
}

bool DiskTier::put(std::string_view key, std::string_view value, TimePoint expires) {
  Impl& d = *impl_;
  const uint64_t size = d.charged(kHeaderSize + key.size() + value.size());
  const uint64_t cap = d.max_bytes.load();
  if (size > cap || key.size() > kMaxKeyBytes) {
    std::lock_guard guard(d.mu);
    ++d.rejected;
    return false;
  }
  std::lock_guard stripe(d.stripe_for(key));
  const std::string key_string(key);
  {
    std::lock_guard guard(d.mu);
    auto existing = d.index.find(key_string);
    const uint64_t replaced = existing != d.index.end() ? existing->second.bytes : 0;
    // Make room first so the cap holds even while writes are in flight.
    // The evicted files go on the cleaner thread: a write never waits for a removal.
    if (d.evict_until_locked(cap + replaced, size, key) > 0) d.wake_cleaner_locked();
    d.reserved += size;
  }
  const TimePoint now = d.clock->now();
  const std::filesystem::path path = d.path_for(key);
  const std::string header = encode_header(key, value, now, expires);
  std::string error;
  try {
    d.fs->create_directories(path.parent_path());
    d.fs->write_atomically(path, {header, key, value}, d.options.sync_writes);
  } catch (const FileSystemError& e) {
    error = e.what();
  }
  std::lock_guard guard(d.mu);
  d.reserved -= size;
  if (!error.empty()) {
    ++d.write_errors;
    if (d.options.logger) d.options.logger->error("L2 write failed, entry not stored: {}", error);
    return false;
  }
  auto [it, inserted] = d.index.try_emplace(key_string);
  if (inserted) {
    d.recency.push_front(&it->first);
    it->second.recency = d.recency.begin();
    d.entries.store(d.index.size(), std::memory_order_relaxed);
  } else {
    d.bytes -= it->second.bytes;
    d.touch_locked(it->second);
  }
  it->second.bytes = size;
  it->second.created = now;
  it->second.expires = expires;
  it->second.generation = ++d.generation_counter;
  d.bytes += size;
  ++d.writes;
  if (d.bytes > static_cast<uint64_t>(d.high_watermark.load() * double(cap)) && !d.cleanup_requested) d.wake_cleaner_locked();
  return true;
}

void DiskTier::extend_expiry(std::string_view key, TimePoint expires) {
  std::lock_guard guard(impl_->mu);
  auto it = impl_->index.find(std::string(key));
  if (it != impl_->index.end() && expires > it->second.expires) it->second.expires = expires;
}

bool DiskTier::erase(std::string_view key) {
  std::vector<Impl::Doomed> gone;
  {
    std::lock_guard guard(impl_->mu);
    auto it = impl_->index.find(std::string(key));
    if (it == impl_->index.end()) return false;
    impl_->remove_locked(it, &gone);
    ++impl_->erases;
  }
  impl_->remove_files(gone);
  return true;
}

size_t DiskTier::erase_matching(std::string_view pattern) {
  std::lock_guard guard(impl_->mu);
  size_t removed = 0;
  for (auto it = impl_->index.begin(); it != impl_->index.end();) {
    auto next = std::next(it);
    if (glob_match(pattern, it->first)) {
      impl_->remove_locked(it);
      ++removed;
    }
    it = next;
  }
  impl_->erases += removed;
  if (removed) impl_->wake_cleaner_locked();
  return removed;
}

void DiskTier::clear() {
  std::lock_guard guard(impl_->mu);
  const size_t n = impl_->index.size();
  while (!impl_->index.empty()) impl_->remove_locked(impl_->index.begin());
  impl_->erases += n;
  impl_->wake_cleaner_locked();
}

void DiskTier::set_max_bytes(uint64_t max_bytes) {
  impl_->max_bytes.store(max_bytes);
  std::lock_guard guard(impl_->mu);
  // The index (and so the accounting) obeys the new cap at once — and its watermarks:
  // what the cleaner would do next (down to the low watermark when above the high one)
  // happens here, so the result does not depend on which thread runs first. The files
  // go on the cleaner thread, however many there are.
  impl_->evict_until_locked(max_bytes, 0, {});
  impl_->cleanup_locked();
  impl_->wake_cleaner_locked();
  if (impl_->options.logger) impl_->options.logger->info("L2 disk limit set to {:.2f} GiB", max_bytes / 1073741824.0);
}

void DiskTier::set_watermarks(double high, double low) {
  if (!(low > 0.0 && low < high && high <= 1.0)) {
    throw std::invalid_argument("L2 cleanup watermarks must satisfy 0 < low < high <= 1 (got high " + std::to_string(high) +
                                ", low " + std::to_string(low) + ")");
  }
  std::lock_guard guard(impl_->mu);
  impl_->high_watermark.store(high);
  impl_->low_watermark.store(low);
  impl_->wake_cleaner_locked();
}

void DiskTier::cleanup() {
  std::unique_lock guard(impl_->mu);
  impl_->cleanup_locked();
  impl_->drain_locked(guard);
}

void DiskTier::wait_idle() {
  std::unique_lock guard(impl_->mu);
  impl_->idle.wait(guard, [this] {
    return impl_->doomed.empty() && impl_->deleting == 0 && !impl_->cleanup_requested;
  });
}

DiskTierStats DiskTier::snapshot() const {
  const Impl& d = *impl_;
  DiskTierStats s;
  s.hits = d.hits;
  s.misses = d.misses;
  s.writes = d.writes;
  s.write_errors = d.write_errors;
  s.rejected = d.rejected;
  s.evictions = d.evictions;
  s.expirations = d.expirations;
  s.corrupt_dropped = d.corrupt_dropped;
  s.erases = d.erases;
  s.entries = d.entries;
  s.bytes = d.bytes;
  s.max_bytes = d.max_bytes.load();
  s.high_watermark = d.high_watermark.load();
  s.low_watermark = d.low_watermark.load();
  s.block_size = d.block;
  s.recovered_entries = d.recovered_entries;
  s.stale_temp_files_removed = d.stale_temp_files_removed;
  return s;
}

}  // namespace tierscope
