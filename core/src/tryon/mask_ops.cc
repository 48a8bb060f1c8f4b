#include "tryon/mask_ops.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace tierscope::tryon::internal {

cv::Mat largest_component(const cv::Mat& mask) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  int best = 0, best_area = 0;
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) > best_area) {
      best_area = stats.at<int>(i, cv::CC_STAT_AREA);
      best = i;
    }
  }
  if (best == 0) return cv::Mat::zeros(mask.size(), CV_8U);
  return labels == best;
}

void fill_small_holes(cv::Mat& mask, int max_area) {
  cv::Mat inverse = mask == 0;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(inverse, labels, stats, centroids, 4, CV_32S);
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const bool touches_border = x == 0 || y == 0 || x + w == mask.cols || y + h == mask.rows;
    if (!touches_border && stats.at<int>(i, cv::CC_STAT_AREA) <= max_area) mask.setTo(255, labels == i);
  }
}

void row_extents(const cv::Mat& mask, std::vector<int>& left, std::vector<int>& right) {
  left.assign(mask.rows, -1);
  right.assign(mask.rows, -1);
  for (int y = 0; y < mask.rows; ++y) {
    const uchar* row = mask.ptr<uchar>(y);
    for (int x = 0; x < mask.cols; ++x) {
      if (row[x]) {
        if (left[y] < 0) left[y] = x;
        right[y] = x;
      }
    }
  }
}

bool run_at(const cv::Mat& mask, int y, int x, int& run_left, int& run_right) {
  if (y < 0 || y >= mask.rows) return false;
  const uchar* row = mask.ptr<uchar>(y);
  x = std::clamp(x, 0, mask.cols - 1);
  if (!row[x]) {
    int best = -1;
    for (int d = 1; d < mask.cols; ++d) {
      if (x - d >= 0 && row[x - d]) { best = x - d; break; }
      if (x + d < mask.cols && row[x + d]) { best = x + d; break; }
    }
    if (best < 0) return false;
    x = best;
  }
  run_left = x;
  run_right = x;
  while (run_left > 0 && row[run_left - 1]) --run_left;
  while (run_right + 1 < mask.cols && row[run_right + 1]) ++run_right;
  return true;
}

bool fit_side_line(const std::vector<cv::Point2f>& points, SideLine& line) {
  if (points.size() < 4) return false;
  // fitLine fits (x, y); fit y -> x by swapping, so near-vertical sides are well conditioned.
  std::vector<cv::Point2f> swapped;
  for (const auto& p : points) swapped.emplace_back(p.y, p.x);
  cv::Vec4f l;
  cv::fitLine(swapped, l, cv::DIST_HUBER, 0, 0.01, 0.01);
  if (std::abs(l[0]) < 1e-6) return false;
  line.slope = l[1] / l[0];
  line.offset = l[3] - line.slope * l[2];
  return true;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace tierscope::tryon::internal
