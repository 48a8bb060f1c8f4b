#include "tryon/compositor.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "tryon/garment_analysis.h"
#include "tryon/person_regions.h"

namespace tierscope::tryon::internal {
namespace {

cv::Mat full_size(const cv::Mat& small_mask, cv::Size size) {
  cv::Mat out;
  cv::resize(small_mask, out, size, 0, 0, cv::INTER_NEAREST);
  return out;
}

// The torso between the shoulder line and the hem, between the side lines.
cv::Mat torso_mask(const PersonAnalysis& p, cv::Size size) {
  cv::Mat m = cv::Mat::zeros(size, CV_8U);
  const double y0 = p.shoulder_y + 0.1 * p.shoulder_width, y1 = p.hem_y;
  std::vector<cv::Point> poly = {
      {cvRound(p.left_side.at(y0)), cvRound(y0)}, {cvRound(p.right_side.at(y0)), cvRound(y0)},
      {cvRound(p.right_side.at(y1)), cvRound(y1)}, {cvRound(p.left_side.at(y1)), cvRound(y1)}};
  cv::fillConvexPoly(m, poly, cv::Scalar(255));
  return m;
}

}  // namespace

CompositeResult composite(const cv::Mat& photo, const PersonAnalysis& p, const WarpedGarment& w, Category category,
                          const TryOnOptions& options) {
  CompositeResult out;
  const cv::Size size = photo.size();
  const cv::Mat labels = full_size(p.regions, size);
  const cv::Mat silhouette = labels != kBackground;

  // Clip to the person, slightly dilated so the garment's own outline may stand proud.
  cv::Mat garment_raw = w.alpha > 0.5f;
  const int grow = std::max(1, cvRound(0.03 * p.shoulder_width));
  cv::Mat allowed;
  cv::dilate(silhouette, allowed, cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * grow + 1, 2 * grow + 1}));
  const double raw_area = cv::countNonZero(garment_raw);
  out.outside_silhouette = raw_area > 0 ? cv::countNonZero(garment_raw & ~silhouette) / raw_area : 0;
  // A skirt or trouser legs may stand away from the legs below the hips.
  if (category != Category::kUpperBody) {
    const int hips = std::clamp(cvRound(p.hem_y + 0.25 * p.shoulder_width), 0, size.height);
    allowed(cv::Rect(0, hips, size.width, size.height - hips)).setTo(255);
  }
  cv::Mat alpha = w.alpha.clone();
  alpha.setTo(0, allowed == 0);

  // What stays on top of the new garment: hair, the face, skin in front of the body
  // (hands, arms) except where a sleeve goes, and neck skin above the garment's neckline.
  cv::Mat on_top = labels == kHair;
  const cv::Mat skin = labels == kSkin;
  const cv::Mat sleeves = (w.parts == kLeftSleeve) | (w.parts == kRightSleeve);
  if (category == Category::kLowerBody) {
    // The old top hangs over the trousers' waistband; hands and arms stay in front.
    on_top |= (labels == kTop) | skin;
  } else {
    cv::Mat neck_zone = cv::Mat::zeros(size, CV_8U);
    const double neckline_y = w.targets.count("neck_front") ? w.targets.at("neck_front").y : p.shoulder_y;
    neck_zone(cv::Rect(0, 0, size.width, std::clamp(cvRound(neckline_y), 0, size.height))).setTo(255);
    on_top |= skin & ~sleeves;
    on_top |= skin & neck_zone;
  }
  const cv::Rect face = p.face & cv::Rect(0, 0, size.width, size.height);
  on_top(face).setTo(255);
  alpha.setTo(0, on_top);

  // Feather the edge.
  if (options.feather_px > 0) cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), options.feather_px);

  // Shading: luminance ratio over the old garment's dominant colour, spread by normalised blur.
  const cv::Mat old = category == Category::kLowerBody ? (labels == kLower)
                      : category == Category::kDresses ? ((labels == kTop) | (labels == kLower))
                                                       : (labels == kTop);
  // Worked out at analysis size (the shading is smooth by construction) and scaled up.
  cv::Mat small_photo, lab;
  cv::resize(photo, small_photo, p.regions.size(), 0, 0, cv::INTER_AREA);
  small_photo.convertTo(lab, CV_32FC3, 1.0 / 255);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  cv::Mat small_old;
  cv::resize(old, small_old, p.regions.size(), 0, 0, cv::INTER_NEAREST);
  const float dominant_l = std::max(1.0f, p.top_dominant_lab[0]);
  cv::Mat ratio(lab.size(), CV_32F, cv::Scalar(0)), weight(lab.size(), CV_32F, cv::Scalar(0));
  for (int y = 0; y < lab.rows; ++y) {
    const auto* px = lab.ptr<cv::Vec3f>(y);
    const uchar* o = small_old.ptr<uchar>(y);
    float* r = ratio.ptr<float>(y);
    float* wt = weight.ptr<float>(y);
    for (int x = 0; x < lab.cols; ++x) {
      if (!o[x] || lab_distance(px[x], p.top_dominant_lab) > 18) continue;
      r[x] = px[x][0] / dominant_l;
      wt[x] = 1;
    }
  }
  const double sigma = std::max(1.0, 0.015 * p.shoulder_width * p.scale);
  cv::GaussianBlur(ratio, ratio, cv::Size(0, 0), sigma);
  cv::GaussianBlur(weight, weight, cv::Size(0, 0), sigma);
  double strength = 1.0;
  if (dominant_l < 25) {
    strength = dominant_l / 25.0;
    out.warnings.push_back("the old garment is dark: little of its shading could be carried over");
  }
  cv::Mat shading(lab.size(), CV_32F);
  for (int y = 0; y < lab.rows; ++y) {
    const float* r = ratio.ptr<float>(y);
    const float* wt = weight.ptr<float>(y);
    float* sh = shading.ptr<float>(y);
    for (int x = 0; x < lab.cols; ++x) {
      const float v = wt[x] > 0.05f ? r[x] / wt[x] : 1.0f;
      sh[x] = 1.0f + static_cast<float>(strength) * (std::clamp(v, 0.8f, 1.15f) - 1.0f);
    }
  }
  cv::resize(shading, shading, size, 0, 0, cv::INTER_LINEAR);

  // Where the new garment covers less than the old one.
  cv::Mat base = photo.clone();
  const cv::Mat covered = alpha > 0.5f;
  const cv::Mat uncovered = old & ~covered & ~on_top;
  const double old_area = cv::countNonZero(old);
  out.uncovered_share = old_area > 0 ? cv::countNonZero(uncovered) / old_area : 0;
  if (out.uncovered_share > 0.03) {
    const int percent = cvRound(100 * out.uncovered_share);
    if (options.uncovered_fill == UncoveredFill::kSkin && category != Category::kLowerBody) {
      // Blend from the person's own skin and surroundings at 1/4 size, keeping the photo's shading.
      cv::Mat small, small_mask, filled;
      cv::resize(photo, small, cv::Size(), 0.25, 0.25, cv::INTER_AREA);
      cv::resize(uncovered, small_mask, small.size(), 0, 0, cv::INTER_NEAREST);
      cv::dilate(small_mask, small_mask, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
      cv::inpaint(small, small_mask, filled, 5, cv::INPAINT_TELEA);
      cv::resize(filled, filled, size, 0, 0, cv::INTER_LINEAR);
      cv::Mat soft;
      uncovered.convertTo(soft, CV_32F, 1.0 / 255);
      cv::GaussianBlur(soft, soft, cv::Size(0, 0), 2.0);
      for (int y = 0; y < size.height; ++y) {
        const float* m = soft.ptr<float>(y);
        const float* sh = shading.ptr<float>(y);
        const auto* f = filled.ptr<cv::Vec3b>(y);
        auto* b = base.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size.width; ++x) {
          if (m[x] <= 0.01f) continue;
          for (int k = 0; k < 3; ++k) b[x][k] = cv::saturate_cast<uchar>((f[x][k] * sh[x]) * m[x] + b[x][k] * (1 - m[x]));
        }
      }
      out.warnings.push_back("the new garment covers less than the old one: " + std::to_string(percent) +
                             " % of the old garment's area blended from the surrounding skin");
    } else {
      out.warnings.push_back("the new garment covers less than the old one: the old garment stays visible underneath (" +
                             std::to_string(percent) + " % of its area, layering)");
    }
  }

  // Paint.
  out.image = base;
  for (int y = 0; y < size.height; ++y) {
    const float* a = alpha.ptr<float>(y);
    const float* sh = shading.ptr<float>(y);
    const uchar* o = old.ptr<uchar>(y);
    const auto* g = w.colour.ptr<cv::Vec3b>(y);
    auto* d = out.image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < size.width; ++x) {
      if (a[x] <= 0.002f) continue;
      const float shade = o[x] ? sh[x] : 1.0f;
      for (int k = 0; k < 3; ++k) d[x][k] = cv::saturate_cast<uchar>(g[x][k] * shade * a[x] + d[x][k] * (1 - a[x]));
    }
  }
  photo(face).copyTo(out.image(face));
  out.painted = alpha > 0.5f;

  // Figures.
  const cv::Mat target = category == Category::kUpperBody ? (torso_mask(p, size) & silhouette) : old.clone();
  const double target_area = cv::countNonZero(target);
  cv::Mat covered_raw = (w.alpha > 0.5f) & target;
  out.torso_covered = target_area > 0 ? cv::countNonZero(covered_raw) / target_area : 0;
  cv::Mat same;
  cv::compare(out.image(face), photo(face), same, cv::CMP_EQ);
  cv::Mat same_all = same.clone().reshape(1, face.area());
  double unchanged = 0;
  {
    cv::Mat per_pixel;
    cv::reduce(same_all, per_pixel, 1, cv::REDUCE_MIN);
    unchanged = face.area() ? cv::countNonZero(per_pixel) / double(face.area()) : 1;
  }
  out.face_unchanged = unchanged;
  return out;
}

}  // namespace tierscope::tryon::internal
