#include "tierscope/inference/image_preprocess.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

namespace tierscope {
namespace {

// Longest edge the Fashion-MNIST transform works at (10x its 28-pixel output).
constexpr int kWorkingSize = 280;

uint32_t be32(const unsigned char* p) { return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]; }
uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t le32(const unsigned char* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24); }
uint16_t le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

ImageHeader sniff(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  if (n >= 24 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) {
    if (std::memcmp(p + 12, "IHDR", 4) != 0) throw ImageError("corrupt PNG: no IHDR chunk");
    return {"png", static_cast<int>(std::min<uint32_t>(be32(p + 16), INT32_MAX)), static_cast<int>(std::min<uint32_t>(be32(p + 20), INT32_MAX))};
  }
  if (n >= 4 && p[0] == 0xFF && p[1] == 0xD8) {
    // Walk the JPEG markers to the first start-of-frame.
    size_t i = 2;
    while (i + 4 <= n) {
      if (p[i] != 0xFF) throw ImageError("corrupt JPEG: bad marker");
      const unsigned char marker = p[i + 1];
      if (marker == 0xFF) {
        ++i;
        continue;
      }
      if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
        i += 2;
        continue;
      }
      const uint16_t length = be16(p + i + 2);
      const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (i + 9 > n) break;
        return {"jpeg", be16(p + i + 7), be16(p + i + 5)};
      }
      if (marker == 0xD9 || marker == 0xDA) break;  // end of image / scan data before any frame
      i += 2 + length;
    }
    throw ImageError("truncated or corrupt JPEG: no frame header");
  }
  if (n >= 26 && p[0] == 'B' && p[1] == 'M') {
    const int32_t w = static_cast<int32_t>(le32(p + 18)), h = static_cast<int32_t>(le32(p + 22));
    return {"bmp", std::abs(w), std::abs(h)};
  }
  if (n >= 10 && (std::memcmp(p, "GIF87a", 6) == 0 || std::memcmp(p, "GIF89a", 6) == 0)) {
    return {"gif", le16(p + 6), le16(p + 8)};
  }
  if (n >= 30 && std::memcmp(p, "RIFF", 4) == 0 && std::memcmp(p + 8, "WEBP", 4) == 0) {
    if (std::memcmp(p + 12, "VP8 ", 4) == 0) return {"webp", le16(p + 26) & 0x3FFF, le16(p + 28) & 0x3FFF};
    if (std::memcmp(p + 12, "VP8L", 4) == 0) {
      const uint32_t bits = le32(p + 21);
      return {"webp", static_cast<int>((bits & 0x3FFF) + 1), static_cast<int>(((bits >> 14) & 0x3FFF) + 1)};
    }
    if (std::memcmp(p + 12, "VP8X", 4) == 0) {
      return {"webp", static_cast<int>((p[24] | (p[25] << 8) | (p[26] << 16)) + 1),
              static_cast<int>((p[27] | (p[28] << 8) | (p[29] << 16)) + 1)};
    }
  }
  throw ImageError("not a supported image (PNG, JPEG, BMP, GIF or WebP expected)");
}

}  // namespace

ImageHeader read_image_header(std::string_view bytes, const ImageLimits& limits) {
  if (bytes.empty()) throw ImageError("empty image");
  if (bytes.size() > limits.max_bytes) {
    throw ImageError("image of " + std::to_string(bytes.size()) + " bytes exceeds the " + std::to_string(limits.max_bytes) +
                     "-byte limit");
  }
  ImageHeader h = sniff(bytes);
  if (h.width <= 0 || h.height <= 0) throw ImageError("corrupt " + h.format + ": zero size");
  if (uint64_t(h.width) * uint64_t(h.height) > limits.max_pixels) {
    throw ImageError(h.format + " of " + std::to_string(h.width) + "x" + std::to_string(h.height) + " exceeds the " +
                     std::to_string(limits.max_pixels) + "-pixel limit");
  }
  return h;
}

FashionImage to_fashion_mnist(std::string_view bytes, const ImageLimits& limits) {
  const ImageHeader header = read_image_header(bytes, limits);
  // The transform ends at 28x28: trimming needs no more than kWorkingSize pixels on the
  // longest edge (and MAX_IMAGE_SIZE may ask for fewer). JPEG can decode at 1/2, 1/4,
  // 1/8 size directly, so a photo is never held, nor decoded, at full size.
  const int working_size = std::min(limits.max_image_size, kWorkingSize);
  int flags = cv::IMREAD_COLOR;
  if (header.format == "jpeg") {
    const int longest = std::max(header.width, header.height);
    if (longest >= 8 * working_size) flags = cv::IMREAD_REDUCED_COLOR_8;
    else if (longest >= 4 * working_size) flags = cv::IMREAD_REDUCED_COLOR_4;
    else if (longest >= 2 * working_size) flags = cv::IMREAD_REDUCED_COLOR_2;
  }
  // libjpeg "decodes" a truncated JPEG, filling the missing part with grey: refuse it.
  // Entropy-coded data never holds 0xFF 0xD9 (a data 0xFF is always followed by 0x00),
  // so a complete JPEG has an end-of-image marker after its start of scan.
  if (header.format == "jpeg") {
    const size_t sos = bytes.find("\xFF\xDA");
    if (sos == std::string_view::npos || bytes.find("\xFF\xD9", sos) == std::string_view::npos) {
      throw ImageError("truncated JPEG: no end-of-image marker");
    }
  }
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  cv::Mat image;
  try {
    image = cv::imdecode(encoded, flags);
  } catch (const cv::Exception& e) {
    throw ImageError("cannot decode " + header.format + ": " + e.what());
  }
  if (image.empty()) throw ImageError("cannot decode " + header.format + " (truncated or corrupt)");
  FashionImage out;
  out.source_width = header.width;
  out.source_height = header.height;
  if (std::max(image.cols, image.rows) > working_size) {
    const double scale = double(working_size) / std::max(image.cols, image.rows);
    cv::resize(image, image, cv::Size(), scale, scale, cv::INTER_AREA);
  }

  // 1. Trim edges close to the corner colour (5 % of the RGB range).
  const cv::Vec3b corner = image.at<cv::Vec3b>(0, 0);
  cv::Mat diff;
  cv::absdiff(image, cv::Scalar(corner[0], corner[1], corner[2]), diff);
  diff.convertTo(diff, CV_32FC3);
  cv::Mat distance;
  cv::Mat channels[3];
  cv::split(diff, channels);
  cv::sqrt(channels[0].mul(channels[0]) + channels[1].mul(channels[1]) + channels[2].mul(channels[2]), distance);
  const cv::Mat foreground = distance > 0.05 * std::sqrt(3.0) * 255.0;
  cv::Rect box = cv::boundingRect(foreground);
  if (box.area() == 0) box = cv::Rect(0, 0, image.cols, image.rows);  // a blank image: keep it whole
  cv::Mat gray;
  cv::cvtColor(image(box), gray, cv::COLOR_BGR2GRAY);

  // 2. Longest edge to 28, aspect kept.
  const double scale = 28.0 / std::max(gray.cols, gray.rows);
  const int w = std::clamp(static_cast<int>(std::lround(gray.cols * scale)), 1, 28);
  const int h = std::clamp(static_cast<int>(std::lround(gray.rows * scale)), 1, 28);
  cv::Mat small;
  cv::resize(gray, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  // 3. Sharpen: unsharp mask with a Gaussian of sigma 1.
  cv::Mat blurred;
  cv::GaussianBlur(small, blurred, cv::Size(0, 0), 1.0);
  cv::addWeighted(small, 1.5, blurred, -0.5, 0, small);
  // 4. Centre on a 28x28 canvas of the background grey.
  uchar background = 255;
  {
    cv::Mat corner_gray;
    cv::Mat corner_px(1, 1, CV_8UC3, cv::Scalar(corner[0], corner[1], corner[2]));
    cv::cvtColor(corner_px, corner_gray, cv::COLOR_BGR2GRAY);
    background = corner_gray.at<uchar>(0, 0);
  }
  cv::Mat canvas(28, 28, CV_8UC1, cv::Scalar(background));
  small.copyTo(canvas(cv::Rect((28 - w) / 2, (28 - h) / 2, w, h)));
  // 5. Negate relative to the background: it becomes 0 and the garment light, as in
  // the dataset (whose products were shot on white; studio grey must not turn dark grey).
  canvas.convertTo(canvas, CV_8UC1, -255.0 / std::max<int>(background, 1), 255.0 * background / std::max<int>(background, 1));
  out.pixels.assign(canvas.datastart, canvas.dataend);
  return out;
}

std::string opencv_version() { return CV_VERSION; }

std::string fashion_mnist_transform_id(const ImageLimits& limits) {
  return "fmnist-v2-work" + std::to_string(std::min(limits.max_image_size, kWorkingSize)) + "-trim5-sharpen1";
}

}  // namespace tierscope
