#include "tryon/silhouette.h"

#include <opencv2/imgproc.hpp>

#include "tierscope/tryon/tryon_types.h"
#include "tryon/mask_ops.h"

namespace tierscope::tryon::internal {
namespace {

// Quadratic surface terms of a pixel at normalised (u, v).
void terms(double u, double v, double* t) {
  t[0] = 1;
  t[1] = u;
  t[2] = v;
  t[3] = u * u;
  t[4] = u * v;
  t[5] = v * v;
}

}  // namespace

SilhouetteResult segment_person(const cv::Mat& bgr, bool use_grabcut) {
  cv::Mat lab;
  bgr.convertTo(lab, CV_32FC3, 1.0 / 255.0);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  const int w = bgr.cols, h = bgr.rows;
  const int band_x = std::max(2, w * 3 / 100), band_y = std::max(2, h * 3 / 100);

  std::vector<cv::Point> samples;
  for (int y = 0; y < h; y += 2) {
    for (int x = 0; x < band_x; x += 1) {
      samples.emplace_back(x, y);
      samples.emplace_back(w - 1 - x, y);
    }
  }
  for (int y = 0; y < band_y; ++y) {
    for (int x = band_x; x < w - band_x; x += 2) samples.emplace_back(x, y);
  }

  std::vector<char> inlier(samples.size(), 1);
  cv::Mat coeffs(6, 3, CV_64F, cv::Scalar(0));
  double sigma = 1;
  for (int round = 0; round < 4; ++round) {
    int n = 0;
    for (char keep : inlier) n += keep;
    if (n < 12) break;
    cv::Mat a(n, 6, CV_64F), b(n, 3, CV_64F);
    int row = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      if (!inlier[i]) continue;
      terms(double(samples[i].x) / w, double(samples[i].y) / h, a.ptr<double>(row));
      const cv::Vec3f c = lab.at<cv::Vec3f>(samples[i]);
      for (int k = 0; k < 3; ++k) b.at<double>(row, k) = c[k];
      ++row;
    }
    cv::solve(a, b, coeffs, cv::DECOMP_SVD);
    // Residuals of every sample; outliers beyond 3 robust sigmas are dropped.
    std::vector<double> residual(samples.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      double t[6];
      terms(double(samples[i].x) / w, double(samples[i].y) / h, t);
      const cv::Vec3f c = lab.at<cv::Vec3f>(samples[i]);
      double d2 = 0;
      for (int k = 0; k < 3; ++k) {
        double m = 0;
        for (int j = 0; j < 6; ++j) m += t[j] * coeffs.at<double>(j, k);
        d2 += (c[k] - m) * (c[k] - m);
      }
      residual[i] = std::sqrt(d2);
    }
    std::vector<double> sorted;
    for (size_t i = 0; i < samples.size(); ++i)
      if (inlier[i]) sorted.push_back(residual[i]);
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    sigma = std::max(0.5, 1.4826 * sorted[sorted.size() / 2]);
    for (size_t i = 0; i < samples.size(); ++i) inlier[i] = residual[i] < 3 * sigma + 1.0;
  }
  size_t inliers = 0;
  for (char keep : inlier) inliers += keep;

  SilhouetteResult out;
  out.noise = sigma;
  out.background_lab.create(h, w, CV_32FC3);
  cv::Mat distance(h, w, CV_32F);
  for (int y = 0; y < h; ++y) {
    const auto* src = lab.ptr<cv::Vec3f>(y);
    auto* model = out.background_lab.ptr<cv::Vec3f>(y);
    auto* dst = distance.ptr<float>(y);
    for (int x = 0; x < w; ++x) {
      double t[6];
      terms(double(x) / w, double(y) / h, t);
      float d2 = 0;
      for (int k = 0; k < 3; ++k) {
        double m = 0;
        for (int j = 0; j < 6; ++j) m += t[j] * coeffs.at<double>(j, k);
        model[x][k] = static_cast<float>(m);
        // Lightness counts half: soft shadows on a studio wall are not the person.
        const float d = (src[x][k] - static_cast<float>(m)) * (k == 0 ? 0.5f : 1.0f);
        d2 += d * d;
      }
      dst[x] = std::sqrt(d2);
    }
  }
  const double threshold = std::max(6.0, 4.0 * sigma);
  cv::Mat mask = distance > threshold;
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  mask = largest_component(mask);
  const int area = cv::countNonZero(mask);
  if (area < w * h / 25) throw TryOnError("no person found in the person photo (nothing stands out of the background)");
  fill_small_holes(mask, area * 15 / 10000);

  if (use_grabcut) {
    cv::Mat gc(h, w, CV_8U, cv::Scalar(cv::GC_PR_BGD));
    gc.setTo(cv::GC_PR_FGD, mask);
    cv::Mat eroded;
    cv::erode(mask, eroded, cv::getStructuringElement(cv::MORPH_ELLIPSE, {9, 9}));
    gc.setTo(cv::GC_FGD, eroded);
    cv::Mat far = distance < threshold * 0.5;
    cv::Mat grown;
    cv::dilate(mask, grown, cv::getStructuringElement(cv::MORPH_ELLIPSE, {15, 15}));
    gc.setTo(cv::GC_BGD, far & ~grown);
    cv::Mat bgd, fgd;
    cv::grabCut(bgr, gc, cv::Rect(), bgd, fgd, 3, cv::GC_INIT_WITH_MASK);
    mask = (gc == cv::GC_FGD) | (gc == cv::GC_PR_FGD);
    mask = largest_component(mask);
  }

  cv::Scalar inside = cv::mean(distance, mask);
  out.confidence = std::clamp(double(inliers) / samples.size(), 0.0, 1.0) * std::min(1.0, inside[0] / (3 * threshold));
  out.mask = mask;
  return out;
}

}  // namespace tierscope::tryon::internal
