#include "tryon/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tierscope/tryon/tryon_types.h"

namespace tierscope::tryon::internal {

cv::Mat decode_photo(std::string_view bytes, const ImageLimits& limits, const std::string& what) {
  ImageHeader header;
  try {
    header = read_image_header(bytes, limits);
  } catch (const ImageError& e) {
    throw TryOnError(what + ": " + e.what());
  }
  // libjpeg fills a truncated JPEG with grey instead of failing: refuse it (see image_preprocess.cc).
  if (header.format == "jpeg") {
    const size_t sos = bytes.find("\xFF\xDA");
    if (sos == std::string_view::npos || bytes.find("\xFF\xD9", sos) == std::string_view::npos) {
      throw TryOnError(what + ": truncated JPEG (no end-of-image marker)");
    }
  }
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  cv::Mat image;
  try {
    image = cv::imdecode(encoded, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw TryOnError(what + ": cannot decode " + header.format + ": " + e.what());
  }
  if (image.empty()) throw TryOnError(what + ": cannot decode " + header.format + " (truncated or corrupt)");
  const int longest = std::max(image.cols, image.rows);
  if (longest > limits.max_image_size) {
    const double scale = double(limits.max_image_size) / longest;
    cv::resize(image, image, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  if (std::min(image.cols, image.rows) < 64) {
    throw TryOnError(what + ": " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                     " is too small (64 pixels on the shorter edge at least)");
  }
  return image;
}

std::string encode_png(const cv::Mat& image, int compression) {
  std::vector<uchar> out;
  cv::imencode(".png", image, out, {cv::IMWRITE_PNG_COMPRESSION, compression});
  return std::string(out.begin(), out.end());
}

cv::Mat decode_png(std::string_view bytes, int flags) {
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  return cv::imdecode(encoded, flags);
}

}  // namespace tierscope::tryon::internal
