#include "tierscope/server/multipart.h"

#include <algorithm>
#include <cctype>

namespace tierscope::server {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kMaxPartHeaderBytes = 8 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parameters of a header value: `form-data; name="file"; filename="a.jpg"`. Returns the
// value of `wanted` (unquoted, with \" and \\ unescaped), or nullopt.
std::optional<std::string> header_parameter(std::string_view value, std::string_view wanted) {
  size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    const size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string name = lower(trim(value.substr(i, eq - i)));
    size_t j = eq + 1;
    std::string parsed;
    if (j < value.size() && value[j] == '"') {
      ++j;
      bool closed = false;
      while (j < value.size()) {
        const char c = value[j++];
        if (c == '\\' && j < value.size()) {
          parsed.push_back(value[j++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          parsed.push_back(c);
        }
      }
      if (!closed) throw MultipartError("unterminated quoted parameter in part header");
      i = value.find(';', j);
    } else {
      const size_t end = value.find(';', j);
      parsed = std::string(trim(value.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j)));
      i = end;
    }
    if (name == wanted) return parsed;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  if (lower(trim(content_type.substr(0, semicolon))) != "multipart/form-data") return std::nullopt;
  std::optional<std::string> boundary;
  try {
    boundary = header_parameter(content_type, "boundary");
  } catch (const MultipartError&) {
    return std::nullopt;
  }
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  return boundary;
}

std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary, size_t max_parts) {
  if (boundary.empty()) throw MultipartError("empty multipart boundary");
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter may open the body or follow a preamble after a CRLF.
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    const size_t found = body.find(std::string(kCrlf) + delimiter);
    if (found == std::string_view::npos) throw MultipartError("multipart body does not contain its boundary");
    pos = found + 2 + delimiter.size();
  }
  const std::string separator = std::string(kCrlf) + delimiter;
  std::vector<MultipartPart> parts;
  for (;;) {
    // After a delimiter: "--" closes the body; otherwise optional whitespace and CRLF.
    if (body.substr(pos, 2) == "--") return parts;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != kCrlf) throw MultipartError("multipart body is truncated or malformed after a boundary");
    pos += 2;
    if (parts.size() == max_parts) throw MultipartError("more than " + std::to_string(max_parts) + " parts in the upload");

    const size_t headers_end = body.find("\r\n\r\n", pos);
    const bool no_headers = body.substr(pos, 2) == kCrlf;
    if (!no_headers && (headers_end == std::string_view::npos)) throw MultipartError("multipart part headers are truncated");
    const size_t header_block_end = no_headers ? pos : headers_end;
    if (header_block_end - pos > kMaxPartHeaderBytes) throw MultipartError("multipart part headers are too long");
    MultipartPart part;
    bool has_disposition = false;
    std::string_view headers = body.substr(pos, header_block_end - pos);
    while (!headers.empty()) {
      const size_t eol = headers.find(kCrlf);
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) throw MultipartError("malformed multipart part header line");
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (lower(trim(value.substr(0, value.find(';')))) != "form-data") {
          throw MultipartError("multipart part is not form-data");
        }
        auto field = header_parameter(value, "name");
        if (!field) throw MultipartError("multipart part has no field name");
        part.name = std::move(*field);
        if (auto filename = header_parameter(value, "filename")) part.filename = std::move(*filename);
        has_disposition = true;
      } else if (name == "content-type") {
        part.content_type = lower(value);
      }
    }
    if (!has_disposition) throw MultipartError("multipart part has no Content-Disposition header");
    const size_t data_start = header_block_end + (no_headers ? 2 : 4);
    const size_t data_end = body.find(separator, data_start);
    if (data_end == std::string_view::npos) throw MultipartError("multipart body is truncated (no closing boundary)");
    part.data = body.substr(data_start, data_end - data_start);
    parts.push_back(std::move(part));
    pos = data_end + separator.size();
  }
}

std::vector<const MultipartPart*> parts_named(const std::vector<MultipartPart>& parts, std::string_view name) {
  std::vector<const MultipartPart*> out;
  for (const MultipartPart& p : parts) {
    if (p.name == name) out.push_back(&p);
  }
  return out;
}

}  // namespace tierscope::server
