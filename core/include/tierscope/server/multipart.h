// multipart/form-data (RFC 7578) decoding for uploads: `POST /predict` (field `file`) and
// `POST /tryon` (fields `person`, `garment`, `category`). Parts are views into the body,
// so a 10 MB upload is not copied.
//
// Pure functions: thread-safe. Malformed input throws MultipartError with a message fit for
// the client (it becomes the 400's detail); nothing is ever read outside the body.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tierscope::server {

class MultipartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MultipartPart {
  std::string name;          // the form field (Content-Disposition name)
  std::string filename;      // empty when the part is not a file
  std::string content_type;  // empty when the part did not say
  std::string_view data;     // into the body passed to parse_multipart
};

// The boundary of a `multipart/form-data; boundary=...` content type, or nullopt when the
// type is something else or names no (valid, 1..70 characters) boundary.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Splits the body into its parts. At most `max_parts`; more throws.
std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary, size_t max_parts = 16);

// The parts named `name`.
std::vector<const MultipartPart*> parts_named(const std::vector<MultipartPart>& parts, std::string_view name);

}  // namespace tierscope::server
