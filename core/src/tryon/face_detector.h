// Face finder for person photos: OpenCV's Haar cascades at 1/4 scale with a rotation
// search (0, +-12, +-22 degrees; `alt2`, then `default`), because fashion shots tilt the
// head and a plain upright cascade missed 2 of 5 faces in the prototype.
//
// Ownership: owns its cascades. Thread safety: find() may be called from any thread
// (CascadeClassifier is not re-entrant, so detection is serialised inside).
#pragma once

#include <filesystem>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
#include <optional>
#include <string>

namespace tierscope::tryon::internal {

struct FaceFinding {
  cv::Rect box;           // full-resolution, axis-aligned around the (possibly rotated) face
  double angle_deg = 0;   // the rotation that found it
  double confidence = 0;  // 0..1 from the cascade's neighbour count
  std::string method;     // "haar alt2 at -12 deg"
};

class FaceDetector {
 public:
  // Throws TryOnError when the cascade files are missing or unreadable.
  explicit FaceDetector(const std::filesystem::path& cascade_dir);
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // The most plausible face (largest, in the upper 60 % of the photo), or nullopt.
  std::optional<FaceFinding> find(const cv::Mat& bgr);
  // Whether an eye shows in the upper part of `box` (a fallback head must have one).
  bool has_eye(const cv::Mat& bgr, const cv::Rect& box);

 private:
  std::mutex mu_;
  cv::CascadeClassifier alt2_;
  cv::CascadeClassifier default_;
  cv::CascadeClassifier eye_;
};

}  // namespace tierscope::tryon::internal
