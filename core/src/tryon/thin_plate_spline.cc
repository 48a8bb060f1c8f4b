#include "tryon/thin_plate_spline.h"

#include <cmath>

#include "tierscope/tryon/tryon_types.h"

namespace tierscope::tryon::internal {
namespace {

inline double kernel(double r2) { return r2 <= 1e-12 ? 0.0 : r2 * std::log(r2); }

}  // namespace

ThinPlateSpline::ThinPlateSpline(const std::vector<cv::Point2d>& from, const std::vector<cv::Point2d>& to,
                                 double smoothing) {
  const int n = static_cast<int>(from.size());
  if (n < 3 || to.size() != from.size()) throw TryOnError("thin-plate spline needs 3 or more point pairs");
  // Normalise coordinates to about [0, 1] for conditioning.
  double extent = 1;
  for (const auto& p : from) extent = std::max({extent, std::abs(p.x), std::abs(p.y)});
  norm_ = extent;
  for (const auto& p : from) ctrl_.emplace_back(p.x / norm_, p.y / norm_);
  cv::Mat L = cv::Mat::zeros(n + 3, n + 3, CV_64F);
  cv::Mat bx = cv::Mat::zeros(n + 3, 1, CV_64F), by = cv::Mat::zeros(n + 3, 1, CV_64F);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double dx = ctrl_[i].x - ctrl_[j].x, dy = ctrl_[i].y - ctrl_[j].y;
      L.at<double>(i, j) = kernel(dx * dx + dy * dy) + (i == j ? smoothing : 0.0);
    }
    L.at<double>(i, n) = L.at<double>(n, i) = 1;
    L.at<double>(i, n + 1) = L.at<double>(n + 1, i) = ctrl_[i].x;
    L.at<double>(i, n + 2) = L.at<double>(n + 2, i) = ctrl_[i].y;
    bx.at<double>(i) = to[i].x;
    by.at<double>(i) = to[i].y;
  }
  if (!cv::solve(L, bx, wx_, cv::DECOMP_LU) || !cv::solve(L, by, wy_, cv::DECOMP_LU)) {
    cv::solve(L, bx, wx_, cv::DECOMP_SVD);
    cv::solve(L, by, wy_, cv::DECOMP_SVD);
  }
}

cv::Point2d ThinPlateSpline::operator()(const cv::Point2d& q) const {
  const double x = q.x / norm_, y = q.y / norm_;
  const int n = static_cast<int>(ctrl_.size());
  const double* wx = wx_.ptr<double>();
  const double* wy = wy_.ptr<double>();
  double ox = wx[n] + wx[n + 1] * x + wx[n + 2] * y;
  double oy = wy[n] + wy[n + 1] * x + wy[n + 2] * y;
  for (int i = 0; i < n; ++i) {
    const double dx = x - ctrl_[i].x, dy = y - ctrl_[i].y;
    const double u = kernel(dx * dx + dy * dy);
    ox += wx[i] * u;
    oy += wy[i] * u;
  }
  return {ox, oy};
}

void ThinPlateSpline::dense_map(const cv::Rect& roi, int step, cv::Mat& map_x, cv::Mat& map_y) const {
  const int gw = roi.width / step + 2, gh = roi.height / step + 2;
  cv::Mat gx(gh, gw, CV_64F), gy(gh, gw, CV_64F);
  for (int j = 0; j < gh; ++j)
    for (int i = 0; i < gw; ++i) {
      const cv::Point2d p = (*this)(cv::Point2d(roi.x + i * step, roi.y + j * step));
      gx.at<double>(j, i) = p.x;
      gy.at<double>(j, i) = p.y;
    }
  map_x.create(roi.height, roi.width, CV_32F);
  map_y.create(roi.height, roi.width, CV_32F);
  for (int y = 0; y < roi.height; ++y) {
    const int j = y / step;
    const double fy = double(y - j * step) / step;
    float* mx = map_x.ptr<float>(y);
    float* my = map_y.ptr<float>(y);
    const double* gx0 = gx.ptr<double>(j);
    const double* gx1 = gx.ptr<double>(j + 1);
    const double* gy0 = gy.ptr<double>(j);
    const double* gy1 = gy.ptr<double>(j + 1);
    for (int x = 0; x < roi.width; ++x) {
      const int i = x / step;
      const double fx = double(x - i * step) / step;
      mx[x] = static_cast<float>((gx0[i] * (1 - fx) + gx0[i + 1] * fx) * (1 - fy) + (gx1[i] * (1 - fx) + gx1[i + 1] * fx) * fy);
      my[x] = static_cast<float>((gy0[i] * (1 - fx) + gy0[i + 1] * fx) * (1 - fy) + (gy1[i] * (1 - fx) + gy1[i + 1] * fx) * fy);
    }
  }
}

}  // namespace tierscope::tryon::internal
