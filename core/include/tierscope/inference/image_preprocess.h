// Image intake for the classifier: safe decoding and the Fashion-MNIST transform.
//
// Decoding refuses, with ImageError and before allocating pixels, anything that is
// empty, not a known image format, truncated or corrupt, or whose header announces more
// than max_pixels (a 30000x30000 PNG is 3.6 GB once decoded). Images whose longest edge
// exceeds max_image_size (`MAX_IMAGE_SIZE`) are downscaled right after decoding (JPEGs
// already while decoding), so a large photo never lives in memory at full size for long.
// The Fashion-MNIST transform goes further: it works at 280 pixels on the longest edge
// (10x its output), which is all trimming needs.
//
// The Fashion-MNIST transform follows how the dataset was made (Xiao, Rasul, Vollgraf
// 2017): trim the edges close to the corner colour (within 5 % of the RGB range), scale
// the longest edge to 28 keeping the aspect ratio, sharpen (Gaussian, sigma 1), centre
// on a 28x28 canvas of the background, negate, 8-bit grayscale.
//
// Pure functions: thread-safe. OpenCV stays inside the implementation.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tierscope {

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The range `MAX_IMAGE_SIZE` may take: the model's 28 px input up to 16k.
inline constexpr int kMinImageSize = 28;
inline constexpr int kMaxImageSize = 16384;

struct ImageLimits {
  // Longest edge kept after decoding (`MAX_IMAGE_SIZE`).
  int max_image_size = 1024;
  // Largest width x height a header may announce.
  uint64_t max_pixels = 40'000'000;
  // Largest encoded input.
  size_t max_bytes = size_t{32} << 20;
};

struct ImageHeader {
  std::string format;  // "png", "jpeg", "bmp", "gif", "webp"
  int width = 0;
  int height = 0;
};

// Reads format and dimensions from the first bytes; throws ImageError for unknown
// formats, truncated headers and dimensions over the limits.
ImageHeader read_image_header(std::string_view bytes, const ImageLimits& limits);

// A Fashion-MNIST-form image: 28x28 8-bit grayscale, garment light on black.
struct FashionImage {
  std::vector<uint8_t> pixels;  // 784, row-major
  int source_width = 0;          // as decoded (before MAX_IMAGE_SIZE)
  int source_height = 0;
};

// Decodes (guarded as above) and transforms; throws ImageError.
FashionImage to_fashion_mnist(std::string_view bytes, const ImageLimits& limits);

// A short string naming the transform and its parameters: part of prediction-cache keys,
// so a change of preprocessing never serves old results.
std::string fashion_mnist_transform_id(const ImageLimits& limits);

// The OpenCV version this build decodes with ("4.6.0").
std::string opencv_version();

}  // namespace tierscope
