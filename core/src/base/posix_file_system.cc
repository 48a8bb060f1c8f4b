#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "tierscope/base/file_system.h"

namespace tierscope {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error = errno) {
  throw FileSystemError(what + " " + path.string() + ": " + std::strerror(error));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  void write_atomically(const std::filesystem::path& path, const std::vector<std::string_view>& parts,
                        bool sync) override {
    static std::atomic<uint64_t> sequence{0};
    std::filesystem::path temp = path;
    temp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(sequence.fetch_add(1));
    {
      Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (fd.get() < 0) fail("cannot create", temp);
      std::vector<iovec> iov;
      size_t total = 0;
      for (std::string_view p : parts) {
        if (p.empty()) continue;
        iov.push_back({const_cast<char*>(p.data()), p.size()});
        total += p.size();
      }
      size_t written = 0, first = 0;
      while (written < total) {
        const ssize_t n = ::writev(fd.get(), iov.data() + first, static_cast<int>(iov.size() - first));
        if (n < 0) {
          if (errno == EINTR) continue;
          const int error = errno;
          ::unlink(temp.c_str());
          fail("cannot write", temp, error);
        }
        written += static_cast<size_t>(n);
        // Skip fully written buffers, trim a partly written one.
        size_t left = static_cast<size_t>(n);
        while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
        if (first < iov.size()) {
          iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
          iov[first].iov_len -= left;
        }
      }
      if (sync && ::fdatasync(fd.get()) != 0) {
        const int error = errno;
        ::unlink(temp.c_str());
        fail("cannot sync", temp, error);
      }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp.c_str());
      fail("cannot rename into", path, error);
    }
  }

  bool read_split(const std::filesystem::path& path, size_t head_size, std::string* head, std::string* tail) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return false;
      fail("cannot open", path);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) fail("cannot stat", path);
    const size_t size = static_cast<size_t>(st.st_size);
    head->resize(std::min(head_size, size));
    tail->resize(size > head_size ? size - head_size : 0);
    iovec iov[2] = {{head->data(), head->size()}, {tail->data(), tail->size()}};
    size_t done = 0;
    while (done < size) {
      // After a short read, fall back to plain reads of what is left.
      ssize_t n;
      if (done == 0) {
        n = ::readv(fd.get(), iov, 2);
      } else {
        char* dst = done < head->size() ? head->data() + done : tail->data() + (done - head->size());
        const size_t want = done < head->size() ? head->size() - done : size - done;
        n = ::read(fd.get(), dst, want);
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot read", path);
      }
      if (n == 0) break;  // the file shrank under us
      done += static_cast<size_t>(n);
    }
    if (done < size) {
      if (done < head->size()) {
        head->resize(done);
        tail->clear();
      } else {
        tail->resize(done - head->size());
      }
    }
    return true;
  }

  bool read_prefix(const std::filesystem::path& path, size_t n, std::string* out) override {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return false;
      fail("cannot open", path);
    }
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::read(fd.get(), out->data() + done, n - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        fail("cannot read", path);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return true;
  }

  bool remove_file(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    fail("cannot remove", path);
  }

  void create_directories(const std::filesystem::path& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) throw FileSystemError("cannot create directory " + path.string() + ": " + ec.message());
  }

  std::vector<FileInfo> list_files(const std::filesystem::path& root) override {
    std::vector<FileInfo> files;
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) return files;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      struct stat st;
      if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      files.push_back({it->path(), static_cast<uint64_t>(st.st_size),
                       static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec});
    }
    if (ec) throw FileSystemError("cannot list " + root.string() + ": " + ec.message());
    return files;
  }

  uint64_t block_size(const std::filesystem::path& path) override {
    struct statvfs st;
    if (::statvfs(path.c_str(), &st) != 0 || st.f_frsize == 0) return 4096;
    return st.f_frsize;
  }

  void sync_tree(const std::filesystem::path& root) override {
    // syncfs: one call flushes the file system holding the tree, directory entries too.
    Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) fail("cannot open", root);
    if (::syncfs(fd.get()) != 0) fail("cannot sync", root);
  }

  std::shared_ptr<void> lock_file(const std::filesystem::path& path) override {
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (fd.get() < 0) fail("cannot open lock file", path);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        throw FileSystemError(path.string() + " is locked by another process (is another tierscope using this directory?)");
      }
      fail("cannot lock", path);
    }
    int raw = fd.release();
    return std::shared_ptr<void>(nullptr, [raw](void*) { ::close(raw); });
  }
};

}  // namespace

std::shared_ptr<FileSystem> make_posix_file_system() { return std::make_shared<PosixFileSystem>(); }

}  // namespace tierscope
