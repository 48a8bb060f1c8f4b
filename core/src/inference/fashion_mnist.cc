#include "tierscope/inference/fashion_mnist.h"

#include <zlib.h>

#include <memory>
#include <stdexcept>

namespace tierscope {
namespace {

std::string read_maybe_gzipped(const std::filesystem::path& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> in(gzopen(path.c_str(), "rb"), gzclose);  // reads plain files too
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::string data;
  char buf[1 << 16];
  int n;
  while ((n = gzread(in.get(), buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  if (n < 0) throw std::runtime_error("cannot read " + path.string() + " (corrupt gzip data?)");
  return data;
}

uint32_t big_endian_u32(const std::string& data, size_t offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + offset);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  const std::string data = read_maybe_gzipped(path);
  if (data.size() < 16 || big_endian_u32(data, 0) != 0x00000803) {
    throw std::runtime_error(path.string() + " is not an idx3-ubyte image file");
  }
  IdxImages images;
  images.count = big_endian_u32(data, 4);
  images.rows = big_endian_u32(data, 8);
  images.cols = big_endian_u32(data, 12);
  const size_t bytes = images.count * images.rows * images.cols;
  if (data.size() != 16 + bytes) throw std::runtime_error(path.string() + " is truncated or has trailing bytes");
  images.pixels.assign(data.begin() + 16, data.end());
  return images;
}

std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path) {
  const std::string data = read_maybe_gzipped(path);
  if (data.size() < 8 || big_endian_u32(data, 0) != 0x00000801) {
    throw std::runtime_error(path.string() + " is not an idx1-ubyte label file");
  }
  const size_t count = big_endian_u32(data, 4);
  if (data.size() != 8 + count) throw std::runtime_error(path.string() + " is truncated or has trailing bytes");
  std::vector<uint8_t> labels(data.begin() + 8, data.end());
  for (uint8_t l : labels) {
    if (l >= kFashionMnistClasses.size()) throw std::runtime_error(path.string() + " holds a label out of range");
  }
  return labels;
}

std::string_view tryon_category(size_t class_index) {
  switch (class_index) {
    case 0:  // T-shirt/top
    case 2:  // Pullover
    case 4:  // Coat
    case 6:  // Shirt
      return "upper_body";
    case 1:
      return "lower_body";
    case 3:
      return "dresses";
    default:
      return "none";
  }
}

}  // namespace tierscope
