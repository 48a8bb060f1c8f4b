// Small mask operations shared by the try-on stages (8-bit masks, 255 = set).
//
// Pure functions: thread-safe.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace tierscope::tryon::internal {

// The largest 8-connected component of a mask (empty mask in, empty mask out).
cv::Mat largest_component(const cv::Mat& mask);
// Fills holes (background components not touching the border) smaller than max_area.
void fill_small_holes(cv::Mat& mask, int max_area);
// Per row: the first and last set column (-1 when the row is empty).
void row_extents(const cv::Mat& mask, std::vector<int>& left, std::vector<int>& right);
// The run of set pixels in row y containing column x, or the nearest run to it; false if none.
bool run_at(const cv::Mat& mask, int y, int x, int& run_left, int& run_right);
// Median of a vector (copied); 0 for empty.
double median(std::vector<double> v);

// A near-vertical line as x = slope * y + offset (torso sides, seams, leg lines).
struct SideLine {
  double slope = 0;
  double offset = 0;
  double at(double y) const { return slope * y + offset; }
};

// Robust (Huber) fit of x against y through `points`; false with fewer than 4 points or
// a horizontal fit.
bool fit_side_line(const std::vector<cv::Point2f>& points, SideLine& line);

}  // namespace tierscope::tryon::internal
