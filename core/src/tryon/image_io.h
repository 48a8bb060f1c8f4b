// Photo intake and output for the try-on stages: the classifier's guarded decoder
// (header checks before any pixel is allocated, truncated JPEGs refused, MAX_IMAGE_SIZE)
// in front of OpenCV, and PNG encoding of results and masks.
//
// Pure functions: thread-safe.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "tierscope/inference/image_preprocess.h"

namespace tierscope::tryon::internal {

// Decodes a colour photo (BGR, 8 bit); throws TryOnError prefixed with `what`
// ("person photo: ...") for anything the guarded decoder refuses.
cv::Mat decode_photo(std::string_view bytes, const ImageLimits& limits, const std::string& what);

// PNG bytes of an 8-bit image (1 or 3 channels).
std::string encode_png(const cv::Mat& image, int compression = 3);
// Decodes PNG bytes written by encode_png (flags as cv::imdecode).
cv::Mat decode_png(std::string_view bytes, int flags);

}  // namespace tierscope::tryon::internal
