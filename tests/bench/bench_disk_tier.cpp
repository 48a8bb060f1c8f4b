// L2 read of 1 MiB entries with a warm page cache: DiskTier::get (open, one readv,
// header + key + XXH3 checksum verification, index bookkeeping) against a plain
// open/fstat/read/close of the same files, measured in the same run.
// Results and the command: docs/benchmarks.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ratio_reporter.h"
#include "tierscope/cache/disk_tier.h"

namespace {

constexpr int kEntries = 64;
constexpr size_t kValueBytes = size_t{1} << 20;

struct Fixture {
  std::filesystem::path root;
  std::unique_ptr<tierscope::DiskTier> tier;
  std::vector<std::string> keys;
  std::vector<std::filesystem::path> files;

  Fixture() {
    char tmpl[] = "/tmp/tierscope-bench-l2-XXXXXX";
    root = ::mkdtemp(tmpl);
    tierscope::DiskTierOptions o;
    o.root = root;
    o.sync_writes = false;
    o.max_bytes = uint64_t{1} << 30;
    tier = std::make_unique<tierscope::DiskTier>(o);
    std::string value(kValueBytes, '\0');
    for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>(i * 131 + 7);
    for (int i = 0; i < kEntries; ++i) {
      keys.push_back("prediction/model:v3/image:" + std::to_string(i));
      tier->put(keys.back(), value, tierscope::kNever);
      files.push_back(tier->path_for(keys.back()));
    }
  }
  ~Fixture() {
    tier.reset();
    std::filesystem::remove_all(root);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The baseline: what reading a cached file costs with no format at all.
void BM_L2Read_PlainRead(benchmark::State& state) {
  Fixture& f = fixture();
  size_t i = 0;
  for (auto _ : state) {
    const int fd = ::open(f.files[i++ % kEntries].c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    ::fstat(fd, &st);
    std::string fresh(static_cast<size_t>(st.st_size), '\0');  // a fresh buffer per read, as a cache hands out
    size_t done = 0;
    while (done < fresh.size()) {
      const ssize_t n = ::read(fd, fresh.data() + done, fresh.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    benchmark::DoNotOptimize(fresh.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (kValueBytes + 48 + 32)));
  state.SetItemsProcessed(state.iterations());
}

void BM_L2Read_DiskTier(benchmark::State& state) {
  Fixture& f = fixture();
  size_t i = 0;
  for (auto _ : state) {
    auto entry = f.tier->get(f.keys[i++ % kEntries]);
    if (!entry) state.SkipWithError("miss");
    benchmark::DoNotOptimize(entry->value->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (kValueBytes + 48 + 32)));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_L2Read_PlainRead)->UseRealTime();
BENCHMARK(BM_L2Read_DiskTier)->UseRealTime();

int main(int argc, char** argv) {
  return tierscope::bench::run_benchmarks_with_ratios(argc, argv, {{"PlainRead", "DiskTier"}});
}
