// tierscope-replay: replays a cache trace (LIRS, ARC, or a synthetic Zipf stream)
// through eviction policies at several sizes and prints hit ratios beside Belady's
// optimal; --csv for plotting.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tierscope/workload/simulation.h"
#include "tierscope/workload/trace.h"
#include "tierscope/base/version.h"
#include "tierscope/workload/zipf.h"

namespace {

constexpr const char* kUsage = R"(usage: tierscope-replay [options]
  --trace FILE          LIRS (.trace[.gz]) or ARC (.lis[.zst]) trace
  --format lirs|arc     trace format when the file name does not tell
  --zipf N,S,COUNT      synthetic trace: COUNT requests, Zipf(S) over N keys (seed 1)
  --policies LIST       comma-separated: lru, wtinylfu, arc, opt (default: lru, wtinylfu, opt)
  --sizes LIST          comma-separated cache sizes in entries (default: 250,500,1000,2000)
  --csv                 print CSV (trace,policy,size,requests,hits,hit_ratio)
  --dump-keys FILE      write the decoded key sequence, one per line, and exit (for peers)
  --version, --help
)";

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tierscope-replay: %s\n", message.c_str());
  std::exit(2);
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) parts.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

template <typename T>
T parse_number(const std::string& text, const char* what) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) fail(std::string(what) + ": '" + text + "' is not a number");
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string trace_path, format_name, zipf_spec, policies_list = "lru,wtinylfu,opt", sizes_list = "250,500,1000,2000";
  bool csv = false;
  std::string dump_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--trace") trace_path = value();
    else if (arg == "--format") format_name = value();
    else if (arg == "--zipf") zipf_spec = value();
    else if (arg == "--policies") policies_list = value();
    else if (arg == "--sizes") sizes_list = value();
    else if (arg == "--csv") csv = true;
    else if (arg == "--dump-keys") dump_path = value();
    else if (arg == "--version") { std::printf("tierscope-replay %s\n", tierscope::version_string()); return 0; }
    else if (arg == "--help" || arg == "-h") { std::fputs(kUsage, stdout); return 0; }
    else fail("unknown option " + arg + " (see --help)");
  }
  if (trace_path.empty() == zipf_spec.empty()) fail("give exactly one of --trace FILE or --zipf N,S,COUNT");

  std::vector<uint64_t> trace;
  std::string trace_name;
  try {
    if (!trace_path.empty()) {
      trace_name = std::filesystem::path(trace_path).filename().string();
      if (format_name.empty()) {
        trace = tierscope::read_trace(trace_path);
      } else if (format_name == "lirs" || format_name == "arc") {
        trace = tierscope::read_trace(trace_path, format_name == "lirs" ? tierscope::TraceFormat::kLirs
                                                                           : tierscope::TraceFormat::kArc);
      } else {
        fail("--format must be lirs or arc");
      }
    } else {
      const auto parts = split(zipf_spec);
      if (parts.size() != 3) fail("--zipf wants N,S,COUNT");
      tierscope::ZipfGenerator zipf(parse_number<uint64_t>(parts[0], "--zipf N"), std::stod(parts[1]), 1);
      const auto count = parse_number<uint64_t>(parts[2], "--zipf COUNT");
      trace.reserve(count);
      for (uint64_t i = 0; i < count; ++i) trace.push_back(zipf.next());
      trace_name = "zipf-" + parts[0] + "-" + parts[1];
    }
  } catch (const std::exception& e) {
    fail(e.what());
  }
  if (trace.empty()) fail("the trace holds no requests");
  if (!dump_path.empty()) {
    std::FILE* out = std::fopen(dump_path.c_str(), "w");
    if (!out) fail("--dump-keys: cannot write " + dump_path);
    for (uint64_t key : trace) std::fprintf(out, "%llu\n", static_cast<unsigned long long>(key));
    if (std::fclose(out) != 0) fail("--dump-keys: cannot write " + dump_path);
    return 0;
  }

  std::vector<size_t> sizes;
  for (const auto& s : split(sizes_list)) {
    const size_t size = parse_number<size_t>(s, "--sizes");
    if (size == 0) fail("--sizes: 0 is not a cache size (1 entry or more)");
    sizes.push_back(size);
  }
  if (sizes.empty()) fail("--sizes: no size given");
  struct Column {
    std::string name;
  };
  std::vector<Column> columns;
  for (const auto& p : split(policies_list)) {
    if (p == "opt" || p == "belady") {
      columns.push_back({"opt"});
    } else if (p == "arc") {
      columns.push_back({"arc"});
    } else if (auto kind = tierscope::parse_eviction_policy(p)) {
      columns.push_back({std::string(tierscope::to_string(*kind))});
    } else {
      fail("unknown policy '" + p + "' (" + tierscope::kSimulatedPolicies + ")");
    }
  }

  if (csv) {
    std::printf("trace,policy,size,requests,hits,hit_ratio\n");
  } else {
    std::printf("%s: %zu requests\n%8s", trace_name.c_str(), trace.size(), "size");
    for (const auto& c : columns) std::printf(" %10s", c.name.c_str());
    std::printf("\n");
  }
  for (size_t size : sizes) {
    if (!csv) std::printf("%8zu", size);
    for (const auto& c : columns) {
      const auto r = tierscope::simulate_named(trace, c.name, size);
      if (csv) {
        std::printf("%s,%s,%zu,%llu,%llu,%.6f\n", trace_name.c_str(), c.name.c_str(), size,
                    static_cast<unsigned long long>(r.requests), static_cast<unsigned long long>(r.hits), r.hit_ratio());
      } else {
        std::printf(" %9.2f%%", 100.0 * r.hit_ratio());
      }
    }
    if (!csv) std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
