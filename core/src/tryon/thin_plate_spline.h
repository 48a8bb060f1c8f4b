// Thin-plate spline through control points, solved here (no OpenCV shape module: its
// TPS transformer neither exposes the map nor evaluates on a grid). Evaluating the spline
// at every pixel costs O(pixels x points); a grid 4 pixels apart, bilinearly upsampled,
// is 16x cheaper with a maximum error of ~2 px at 768x1024 (the prototype's figure).
//
// Value type: thread-safe for concurrent const use.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace tierscope::tryon::internal {

class ThinPlateSpline {
 public:
  // Maps from[i] to to[i]; `smoothing` > 0 relaxes exact interpolation (regularisation).
  // Needs 3 points not on one line; throws TryOnError otherwise.
  ThinPlateSpline(const std::vector<cv::Point2d>& from, const std::vector<cv::Point2d>& to, double smoothing = 1e-4);

  cv::Point2d operator()(const cv::Point2d& p) const;

  // The spline at every pixel of `roi`, evaluated every `step` pixels and bilinearly
  // upsampled: two CV_32F maps of roi's size, ready for cv::remap.
  void dense_map(const cv::Rect& roi, int step, cv::Mat& map_x, cv::Mat& map_y) const;

 private:
  std::vector<cv::Point2d> ctrl_;  // normalised control points
  cv::Mat wx_, wy_;                // n + 3 coefficients each
  double norm_ = 1;
};

}  // namespace tierscope::tryon::internal
