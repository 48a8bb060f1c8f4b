// Cache traces: readers for the public trace formats used to check and compare
// policies (LIRS one-key-per-line, ARC `start count ignored request_no` ranges).
//
// Ownership: the functions return plain vectors the caller owns.
// Thread safety: the functions keep no state; call them from any thread.
// Errors: a missing, unreadable, corrupt or malformed file throws TraceError whose
// message names the file and, for a parse error, the line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tierscope {

enum class TraceFormat {
  kLirs,  // one integer key per line; lines starting with `*` are checkpoints and skipped
  kArc,   // `start count ignored request_no`: `count` consecutive keys from `start`
};

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Guesses the format from the file name: `.lis` (optionally compressed) is ARC,
// `.trace`/`.trc` is LIRS; nullopt when the name says neither.
std::optional<TraceFormat> guess_trace_format(const std::filesystem::path& path);

// Parses the text of a trace (already decompressed). `origin` names it in errors.
std::vector<uint64_t> parse_trace(const std::string& text, TraceFormat format, const std::string& origin);

// Reads a whole trace file and returns its key sequence. gzip and zstd files are
// recognised by their magic bytes and decompressed on the fly.
std::vector<uint64_t> read_trace(const std::filesystem::path& path, TraceFormat format);

// Same, guessing the format from the name; throws TraceError when it cannot.
std::vector<uint64_t> read_trace(const std::filesystem::path& path);

// Most keys one ARC line may expand to; a larger count is treated as corrupt input.
inline constexpr uint64_t kMaxArcRangeLength = uint64_t{1} << 24;

}  // namespace tierscope
