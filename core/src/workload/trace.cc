#include "tierscope/workload/trace.h"

#include <algorithm>
#include <cstdio>

#include <zlib.h>
#include <zstd.h>

#include <charconv>
#include <fstream>
#include <iterator>

namespace tierscope {
namespace {

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError("cannot open trace " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw TraceError("cannot read trace " + path.string());
  return bytes;
}

bool has_prefix(const std::string& s, std::initializer_list<unsigned char> magic) {
  if (s.size() < magic.size()) return false;
  size_t i = 0;
  for (unsigned char m : magic) {
    if (static_cast<unsigned char>(s[i++]) != m) return false;
  }
  return true;
}

std::string gunzip(const std::string& in, const std::string& origin) {
  z_stream zs{};
  // 15 + 32: any window size, and detect the gzip header.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) throw TraceError("zlib init failed for " + origin);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw TraceError("corrupt gzip data in " + origin);
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      throw TraceError("truncated gzip data in " + origin);
    }
  }
  inflateEnd(&zs);
  return out;
}

std::string unzstd(const std::string& in, const std::string& origin) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string out;
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  size_t last = 1;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(last)) throw TraceError("corrupt zstd data in " + origin + ": " + ZSTD_getErrorName(last));
    out.append(buf.data(), output.pos);
  }
  // Flush whatever the decoder still holds.
  while (last != 0) {
    ZSTD_outBuffer output{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(last)) throw TraceError("corrupt zstd data in " + origin + ": " + ZSTD_getErrorName(last));
    if (output.pos == 0 && last != 0) throw TraceError("truncated zstd data in " + origin);
    out.append(buf.data(), output.pos);
  }
  return out;
}

// Splits a line into whitespace-separated unsigned integers; false on anything else.
bool parse_numbers(std::string_view line, uint64_t* out, size_t want, size_t* got) {
  size_t n = 0;
  const char* p = line.data();
  const char* end = line.data() + line.size();
  while (true) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    if (p == end) break;
    uint64_t v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || (next < end && *next != ' ' && *next != '\t' && *next != '\r')) return false;
    if (n < want) out[n] = v;
    ++n;
    p = next;
  }
  *got = n;
  return true;
}

}  // namespace

std::optional<TraceFormat> guess_trace_format(const std::filesystem::path& path) {
  std::filesystem::path p = path.filename();
  while (p.has_extension() && (p.extension() == ".gz" || p.extension() == ".zst")) p = p.stem();
  if (p.extension() == ".lis") return TraceFormat::kArc;
  if (p.extension() == ".trace" || p.extension() == ".trc") return TraceFormat::kLirs;
  return std::nullopt;
}

// A line as it may be shown in a message: at most 60 characters, anything that is not
// printable ASCII as \xNN (a binary file must not reach the terminal raw).
std::string printable(std::string_view line) {
  std::string out;
  for (unsigned char c : line.substr(0, 60)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (line.size() > 60) out += "...";
  return out;
}

std::vector<uint64_t> parse_trace(const std::string& text, TraceFormat format, const std::string& origin) {
  std::vector<uint64_t> keys;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    auto fail = [&](const std::string& why) {
      // Traces are plain ASCII: tabs, spaces, digits; anything else unprintable is binary.
      const bool binary = std::any_of(line.begin(), line.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t' && c != '\r') || c >= 0x7f;
      });
      return TraceError(origin + ":" + std::to_string(line_no) + ": " +
                        (binary ? "not a text trace (binary data)" : why) + " in line '" + printable(line) + "'");
    };
    if (format == TraceFormat::kLirs && !line.empty() && line.front() == '*') continue;
    uint64_t f[4];
    size_t n = 0;
    if (!parse_numbers(line, f, 4, &n)) throw fail("expected unsigned integers");
    if (n == 0) continue;  // blank line
    if (format == TraceFormat::kLirs) {
      if (n != 1) throw fail("expected one key");
      keys.push_back(f[0]);
    } else {
      if (n != 4) throw fail("expected 'start count ignored request_no'");
      if (f[1] > kMaxArcRangeLength) throw fail("range length " + std::to_string(f[1]) + " too large");
      for (uint64_t k = 0; k < f[1]; ++k) keys.push_back(f[0] + k);
    }
  }
  return keys;
}

std::vector<uint64_t> read_trace(const std::filesystem::path& path, TraceFormat format) {
  const std::string origin = path.string();
  std::string bytes = read_file_bytes(path);
  if (has_prefix(bytes, {0x1f, 0x8b})) {
    bytes = gunzip(bytes, origin);
  } else if (has_prefix(bytes, {0x28, 0xb5, 0x2f, 0xfd})) {
    bytes = unzstd(bytes, origin);
  }
  return parse_trace(bytes, format, origin);
}

std::vector<uint64_t> read_trace(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw TraceError("cannot open trace " + path.string() + ": no such file");
  auto format = guess_trace_format(path);
  if (!format) {
    throw TraceError("cannot tell the trace format of " + path.string() +
                     " from its name (expected .lis for ARC, .trace or .trc for LIRS)");
  }
  return read_trace(path, *format);
}

}  // namespace tierscope
