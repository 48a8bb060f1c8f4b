#include "tryon/serial_format.h"

#include <cstdint>

#include "tierscope/tryon/tryon_types.h"

namespace tierscope::tryon::internal {
namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint32_t get_u32(std::string_view& in) {
  if (in.size() < 4) throw TryOnError("damaged try-on cache value: truncated");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(4);
  return v;
}

std::string_view take(std::string_view& in, uint32_t n) {
  if (in.size() < n) throw TryOnError("damaged try-on cache value: truncated");
  std::string_view part = in.substr(0, n);
  in.remove_prefix(n);
  return part;
}

}  // namespace

std::string pack(const std::string& tag, const std::string& json, const std::vector<std::string>& images) {
  std::string out = "TSTO " + tag + "\n";
  put_u32(out, static_cast<uint32_t>(json.size()));
  out += json;
  put_u32(out, static_cast<uint32_t>(images.size()));
  for (const auto& image : images) {
    put_u32(out, static_cast<uint32_t>(image.size()));
    out += image;
  }
  return out;
}

std::pair<std::string, std::vector<std::string>> unpack(const std::string& tag, std::string_view in,
                                                        size_t expected_images) {
  const std::string magic = "TSTO " + tag + "\n";
  if (in.substr(0, magic.size()) != magic) throw TryOnError("damaged try-on cache value: not a " + tag + " analysis");
  in.remove_prefix(magic.size());
  std::string json(take(in, get_u32(in)));
  const uint32_t count = get_u32(in);
  if (count != expected_images) throw TryOnError("damaged try-on cache value: wrong image count");
  std::vector<std::string> images;
  for (uint32_t i = 0; i < count; ++i) images.emplace_back(take(in, get_u32(in)));
  if (!in.empty()) throw TryOnError("damaged try-on cache value: trailing bytes");
  return {std::move(json), std::move(images)};
}

}  // namespace tierscope::tryon::internal
