#include "tryon/person_regions.h"

#include <opencv2/imgproc.hpp>

#include "tierscope/tryon/tryon_types.h"
#include "tryon/mask_ops.h"

namespace tierscope::tryon::internal {
namespace {

// Mean Lab of silhouette pixels in a box (clipped); count returned through n.
cv::Vec3f mean_in(const cv::Mat& lab, const cv::Mat& silhouette, cv::Rect box, int* n) {
  box &= cv::Rect(0, 0, lab.cols, lab.rows);
  cv::Vec3d sum(0, 0, 0);
  int count = 0;
  for (int y = box.y; y < box.y + box.height; ++y) {
    for (int x = box.x; x < box.x + box.width; ++x) {
      if (!silhouette.at<uchar>(y, x)) continue;
      sum += cv::Vec3d(lab.at<cv::Vec3f>(y, x));
      ++count;
    }
  }
  if (n) *n = count;
  if (count == 0) return {0, 0, 0};
  return cv::Vec3f(sum / count);
}

}  // namespace

RegionResult label_regions(const cv::Mat& lab, const cv::Mat& silhouette, const RegionSeeds& seeds) {
  RegionResult out;
  const cv::Rect face = seeds.face;
  const double fh = face.height, fw = face.width;
  const int band_half = std::max(3, static_cast<int>(0.3 * fw));
  const int cx = static_cast<int>(seeds.centre_x);
  const cv::Rect band_cols(cx - band_half, 0, 2 * band_half, lab.rows);

  // Hem: the first lasting colour change down the centre band below the chest.
  const int y0 = static_cast<int>(seeds.neck_y + 0.9 * fh);
  const int ref_rows = std::max(3, static_cast<int>(0.4 * fh));
  int n = 0;
  const cv::Vec3f chest = mean_in(lab, silhouette, cv::Rect(band_cols.x, y0, band_cols.width, ref_rows), &n);
  if (n < 10) throw TryOnError("no torso found below the face in the person photo");
  std::vector<double> history;
  const int lasting = std::max(4, static_cast<int>(0.15 * fh));
  int run = 0;
  out.hem_y = -1;
  double hem_margin = 0;
  for (int y = y0 + ref_rows; y < lab.rows; ++y) {
    int count = 0;
    const cv::Vec3f row = mean_in(lab, silhouette, cv::Rect(band_cols.x, y, band_cols.width, 1), &count);
    if (count < band_half) break;  // the band left the body (between the legs)
    const double d = lab_distance(row, chest);
    double threshold = 18;
    if (history.size() > 8) {
      const double med = median(history);
      std::vector<double> dev;
      for (double h : history) dev.push_back(std::abs(h - med));
      threshold = std::max(threshold, med + 4 * 1.4826 * median(dev));
    }
    if (d > threshold) {
      if (++run >= lasting) {
        out.hem_y = y - run + 1;
        hem_margin = d / threshold;
        break;
      }
    } else {
      run = 0;
      history.push_back(d);
    }
  }
  if (out.hem_y < 0) {
    out.hem_y = std::min<double>(lab.rows - 1, seeds.neck_y + 3.2 * fh);
    out.hem_fell_back = true;
    out.hem_confidence = 0.3;
  } else {
    out.hem_confidence = std::clamp(0.4 + 0.3 * hem_margin, 0.0, 1.0);
  }

  // Seeds.
  out.skin_lab = mean_in(lab, silhouette,
                         cv::Rect(face.x + int(0.3 * fw), face.y + int(0.45 * fh), std::max(1, int(0.4 * fw)),
                                  std::max(1, int(0.3 * fh))),
                         nullptr);
  {
    cv::Vec3d sum(0, 0, 0);
    int count = 0;
    const cv::Rect around(face.x - int(0.4 * fw), 0, int(1.8 * fw), std::max(1, face.y + int(0.5 * fh)));
    const cv::Rect r = around & cv::Rect(0, 0, lab.cols, lab.rows);
    cv::Rect inner(face.x + int(0.1 * fw), face.y + int(0.15 * fh), int(0.8 * fw), int(0.85 * fh));
    for (int y = r.y; y < r.y + r.height; ++y)
      for (int x = r.x; x < r.x + r.width; ++x) {
        if (!silhouette.at<uchar>(y, x) || inner.contains({x, y})) continue;
        const cv::Vec3f c = lab.at<cv::Vec3f>(y, x);
        if (lab_distance(c, out.skin_lab) < 15) continue;
        sum += cv::Vec3d(c);
        ++count;
      }
    out.has_hair = count > 30;
    if (out.has_hair) out.hair_lab = cv::Vec3f(sum / count);
  }
  out.top_lab = chest;
  const int lower_top = static_cast<int>(out.hem_y + 0.2 * fh);
  int lower_n = 0;
  out.lower_lab = mean_in(lab, silhouette, cv::Rect(band_cols.x, lower_top, band_cols.width, std::max(1, int(0.8 * fh))), &lower_n);
  const bool has_lower = lower_n > 20 && !out.hem_fell_back;

  // Label by the nearest allowed centre; refine the centres twice.
  const double hair_limit = seeds.neck_y + 1.2 * fh;
  const double top_from = face.y + 0.6 * fh, top_to = out.hem_y + 0.4 * fh;
  const double lower_from = out.hem_y - 0.3 * fh;
  cv::Mat labels(lab.size(), CV_8U, cv::Scalar(kBackground));
  for (int iteration = 0; iteration < 3; ++iteration) {
    cv::Vec3d sums[5] = {};
    int counts[5] = {};
    const cv::Vec3f centres[5] = {{}, out.skin_lab, out.hair_lab, out.top_lab, out.lower_lab};
    for (int y = 0; y < lab.rows; ++y) {
      const auto* px = lab.ptr<cv::Vec3f>(y);
      const uchar* sil = silhouette.ptr<uchar>(y);
      uchar* dst = labels.ptr<uchar>(y);
      for (int x = 0; x < lab.cols; ++x) {
        if (!sil[x]) {
          dst[x] = kBackground;
          continue;
        }
        float best = 1e9f;
        uchar label = kSkin;
        auto consider = [&](uchar l, bool allowed) {
          if (!allowed) return;
          const float d = lab_distance(px[x], centres[l]);
          if (d < best) {
            best = d;
            label = l;
          }
        };
        consider(kSkin, true);
        consider(kHair, out.has_hair && y < hair_limit);
        consider(kTop, y > top_from && y < top_to);
        consider(kLower, has_lower && y > lower_from);
        if (best == 1e9f) label = kSkin;
        dst[x] = label;
        if (best < 25) {
          sums[label] += cv::Vec3d(px[x]);
          ++counts[label];
        }
      }
    }
    if (iteration == 2) break;
    if (counts[kTop] > 50) out.top_lab = cv::Vec3f(sums[kTop] / counts[kTop]);
    if (counts[kLower] > 50) out.lower_lab = cv::Vec3f(sums[kLower] / counts[kLower]);
    if (counts[kHair] > 50) out.hair_lab = cv::Vec3f(sums[kHair] / counts[kHair]);
    // Skin stays anchored to the face: arms in shadow must not pull it towards the top.
  }
  cv::medianBlur(labels, labels, 5);
  labels.setTo(kBackground, silhouette == 0);
  out.labels = labels;
  return out;
}

}  // namespace tierscope::tryon::internal
