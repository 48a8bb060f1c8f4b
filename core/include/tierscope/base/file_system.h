// FileSystem: the engine's only door to files, injected (as leveldb's Env) so tests can
// substitute faults, and so the disk tier's durability rules live in one place.
//
// Ownership: engine objects hold a shared_ptr to the FileSystem they were given.
// Thread safety: every method of PosixFileSystem may be called from any thread at once.
// Errors: methods throw FileSystemError (with the path and errno text) for failures
// other than the "not found" cases their comments name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tierscope {

class FileSystemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FileInfo {
  std::filesystem::path path;
  uint64_t size = 0;
  int64_t modified_ns = 0;  // last modification, ns since the Unix epoch
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Writes the concatenation of `parts` to `path` so that readers see either the old
  // file or the whole new one, never a part: a temp file beside it (name containing
  // ".tmp."), fsync when `sync`, then rename over `path`.
  virtual void write_atomically(const std::filesystem::path& path, const std::vector<std::string_view>& parts,
                                bool sync) = 0;

  // Reads a whole file whose first `head_size` bytes go to `head` and the rest to
  // `tail` (one read of the file, no copy). Returns false when the file does not
  // exist; a file shorter than head_size leaves tail empty and head short.
  virtual bool read_split(const std::filesystem::path& path, size_t head_size, std::string* head,
                          std::string* tail) = 0;

  // Reads at most `n` bytes from the start of a file; false when it does not exist.
  virtual bool read_prefix(const std::filesystem::path& path, size_t n, std::string* out) = 0;

  // Removes a file; false when it did not exist.
  virtual bool remove_file(const std::filesystem::path& path) = 0;

  virtual void create_directories(const std::filesystem::path& path) = 0;

  // Every regular file below `root`, recursively; empty when root does not exist.
  virtual std::vector<FileInfo> list_files(const std::filesystem::path& root) = 0;

  // Takes an exclusive advisory lock on `path` (created if needed) for the life of the
  // returned handle; throws FileSystemError when another process holds it.
  virtual std::shared_ptr<void> lock_file(const std::filesystem::path& path) = 0;

  // The allocation unit of the file system holding `path`: a file occupies its size
  // rounded up to it. 4096 unless the implementation knows better.
  virtual uint64_t block_size(const std::filesystem::path& path) {
    (void)path;
    return 4096;
  }

  // Makes everything written under `root` durable (renames included). A no-op unless
  // the implementation has something to flush.
  virtual void sync_tree(const std::filesystem::path& root) { (void)root; }
};

// The real file system (POSIX calls).
std::shared_ptr<FileSystem> make_posix_file_system();

}  // namespace tierscope
