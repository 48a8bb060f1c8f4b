#include "tryon/person_landmarks.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "tryon/mask_ops.h"

namespace tierscope::tryon::internal {
namespace {


}  // namespace

void find_person_landmarks(PersonAnalysis& a, const RegionResult& regions, const cv::Rect& face) {
  const cv::Mat& labels = a.regions;
  const cv::Mat silhouette = labels != kBackground;
  const double s = a.scale;  // analysis px per photo px
  const double fh = face.height, fw = face.width;
  const double cx = face.x + fw / 2.0;
  const double chin = face.y + fh;
  std::vector<int> left, right;
  row_extents(silhouette, left, right);

  // Shoulders: running maximum of the width below the chin widens fast, then levels off.
  double shoulder_y = -1;
  {
    const int from = static_cast<int>(chin);
    const int to = std::min(labels.rows - 2, static_cast<int>(chin + 2.0 * fh));
    std::vector<double> runmax;
    double m = 0;
    for (int y = from; y <= to; ++y) {
      if (left[y] >= 0) m = std::max<double>(m, right[y] - left[y]);
      runmax.push_back(m);
    }
    const int step = std::max(2, static_cast<int>(0.08 * fh));
    bool fast = false;
    for (size_t i = 0; i + step < runmax.size(); ++i) {
      const double slope = (runmax[i + step] - runmax[i]) / step;
      if (slope > 1.2) fast = true;
      else if (fast && slope < 0.35) {
        shoulder_y = from + static_cast<double>(i);
        break;
      }
    }
  }
  DetectorReport shoulders{"shoulders", 0.8, false, "end of the fast-widening silhouette below the chin"};
  if (shoulder_y < 0 || shoulder_y > chin + 1.3 * fh) {
    shoulder_y = chin + 0.55 * fh;
    shoulders = {"shoulders", 0.35, true, "proportions from the face (no clear widening)"};
  }
  const int sy = std::clamp(static_cast<int>(shoulder_y), 0, labels.rows - 1);
  double shoulder_l = left[sy], shoulder_r = right[sy];
  if (shoulder_l < 0) {
    shoulder_l = cx - 1.6 * fw;
    shoulder_r = cx + 1.6 * fw;
    shoulders.fell_back = true;
  }
  // The silhouette's edge at that height is the outside of the arm: step in a little.
  const double inset = 0.04 * (shoulder_r - shoulder_l);
  shoulder_l += inset;
  shoulder_r -= inset;
  a.detectors.push_back(shoulders);

  const double hem_y = regions.hem_y;
  a.detectors.push_back({"hem", regions.hem_confidence, regions.hem_fell_back,
                         regions.hem_fell_back ? "proportions from the face (no lasting colour change)"
                                               : "first lasting colour change down the centre band"});

  // Torso sides: where top fabric (from the centre outwards) meets skin or background.
  std::vector<cv::Point2f> lpts, rpts;
  const int side_from = static_cast<int>(shoulder_y + 0.9 * fh);
  const int side_to = static_cast<int>(hem_y - 0.05 * fh);
  for (int y = std::max(0, side_from); y < std::min(labels.rows, side_to); ++y) {
    const uchar* row = labels.ptr<uchar>(y);
    int x = static_cast<int>(cx);
    if (row[x] != kTop) continue;
    int l = x, r = x;
    int gap = 0;
    for (int k = x - 1; k >= 0; --k) {
      if (row[k] == kTop) { l = k; gap = 0; }
      else if (++gap > 2) break;
    }
    gap = 0;
    for (int k = x + 1; k < labels.cols; ++k) {
      if (row[k] == kTop) { r = k; gap = 0; }
      else if (++gap > 2) break;
    }
    lpts.emplace_back(static_cast<float>(l), static_cast<float>(y));
    rpts.emplace_back(static_cast<float>(r), static_cast<float>(y));
  }
  SideLine ls, rs;
  DetectorReport sides{"torso_sides", 0.8, false, "robust line fit where the top meets skin or background"};
  if (!fit_side_line(lpts, ls) || !fit_side_line(rpts, rs) || std::abs(ls.slope) > 0.6 || std::abs(rs.slope) > 0.6) {
    // Straight down from the armpits: roughly 85 % of the shoulder width.
    const double half = 0.42 * (shoulder_r - shoulder_l);
    ls = {0, cx - half};
    rs = {0, cx + half};
    sides = {"torso_sides", 0.3, true, "proportions from the shoulders (no clean fabric edge)"};
  } else {
    sides.confidence = std::clamp(double(lpts.size()) / std::max(1.0, double(side_to - side_from)), 0.2, 1.0);
  }
  a.detectors.push_back(sides);
  // Arms held away from the body widen the silhouette at shoulder height: a shoulder lies
  // at most 15 % of the torso's width outside the torso side below it.
  if (!sides.fell_back) {
    const double armpit_row = shoulder_y + 0.9 * fh;
    const double torso = rs.at(armpit_row) - ls.at(armpit_row);
    shoulder_l = std::max(shoulder_l, ls.at(armpit_row) - 0.15 * torso);
    shoulder_r = std::min(shoulder_r, rs.at(armpit_row) + 0.15 * torso);
  }

  // To photo pixels.
  auto P = [s](double x, double y) { return cv::Point2d(x / s, y / s); };
  a.shoulder_y = shoulder_y / s;
  a.hem_y = hem_y / s;
  a.shoulder_width = (shoulder_r - shoulder_l) / s;
  a.left_side = {ls.slope, ls.offset / s};
  a.right_side = {rs.slope, rs.offset / s};
  a.landmarks["neck"] = P(cx, chin + 0.15 * fh);
  a.landmarks["left_shoulder"] = P(shoulder_l, shoulder_y);  // image left
  a.landmarks["right_shoulder"] = P(shoulder_r, shoulder_y);
  const double armpit_y = shoulder_y + 0.9 * fh;
  a.landmarks["left_armpit"] = P(ls.at(armpit_y), armpit_y);
  a.landmarks["right_armpit"] = P(rs.at(armpit_y), armpit_y);
  a.landmarks["left_hem"] = P(ls.at(hem_y), hem_y);
  a.landmarks["right_hem"] = P(rs.at(hem_y), hem_y);
  a.landmarks["hem_center"] = P(cx, hem_y);

  // Lower body: waist at the hem, crotch where the lower silhouette splits, leg lines.
  const cv::Mat lower = (labels == kLower) | (labels == kSkin);
  double crotch_y = -1;
  std::vector<cv::Point2f> left_leg, right_leg;
  double lower_hem = -1;
  for (int y = static_cast<int>(hem_y + 0.3 * fh); y < labels.rows; ++y) {
    const uchar* row = lower.ptr<uchar>(y);
    if (crotch_y < 0) {
      if (!row[static_cast<int>(cx)]) crotch_y = y;
      continue;
    }
    int ll, lr, rl, rr;
    if (run_at(lower, y, static_cast<int>(cx - 0.5 * fw), ll, lr) && lr < cx)
      left_leg.emplace_back(static_cast<float>((ll + lr) / 2.0), static_cast<float>(y));
    if (run_at(lower, y, static_cast<int>(cx + 0.5 * fw), rl, rr) && rl > cx)
      right_leg.emplace_back(static_cast<float>((rl + rr) / 2.0), static_cast<float>(y));
  }
  for (int y = labels.rows - 1; y > hem_y; --y) {
    const uchar* row = labels.ptr<uchar>(y);
    int count = 0;
    for (int x = 0; x < labels.cols; ++x) count += row[x] == kLower;
    if (count > 0.15 * fw) {
      lower_hem = y;
      break;
    }
  }
  if (crotch_y < 0) crotch_y = std::min<double>(labels.rows - 1, hem_y + 1.6 * fh);
  if (lower_hem < 0) lower_hem = labels.rows - 1;
  a.old_lower_hem_y = lower_hem / s;
  const double waist_y = hem_y;
  int wl = 0, wr = 0;
  if (!run_at(silhouette, static_cast<int>(std::min<double>(waist_y, labels.rows - 1)), static_cast<int>(cx), wl, wr)) {
    wl = static_cast<int>(ls.at(waist_y));
    wr = static_cast<int>(rs.at(waist_y));
  }
  // The waist run may include hanging arms: never wider than the torso sides allow.
  wl = std::max<int>(wl, static_cast<int>(ls.at(waist_y) - 0.1 * fw));
  wr = std::min<int>(wr, static_cast<int>(rs.at(waist_y) + 0.1 * fw));
  a.landmarks["left_waist"] = P(wl, waist_y);
  a.landmarks["right_waist"] = P(wr, waist_y);
  a.landmarks["crotch"] = P(cx, crotch_y);
  // Hips: the widest row of the lower body between the waist and the crotch (the run
  // through the centre; hanging hands excluded by the torso sides' reach).
  {
    double hip_y = waist_y, hip_l = wl, hip_r = wr, widest = wr - wl;
    for (int y = static_cast<int>(waist_y); y < std::min<double>(crotch_y, labels.rows); ++y) {
      int l = 0, r = 0;
      if (!run_at(lower, y, static_cast<int>(cx), l, r)) continue;
      l = std::max<int>(l, static_cast<int>(ls.at(y) - 0.25 * fw));
      r = std::min<int>(r, static_cast<int>(rs.at(y) + 0.25 * fw));
      if (r - l > widest) {
        widest = r - l;
        hip_y = y;
        hip_l = l;
        hip_r = r;
      }
    }
    a.landmarks["left_hip"] = P(hip_l, hip_y);
    a.landmarks["right_hip"] = P(hip_r, hip_y);
  }
  SideLine left_leg_line, right_leg_line;
  const bool legs = fit_side_line(left_leg, left_leg_line) && fit_side_line(right_leg, right_leg_line);
  const double ankle_y = labels.rows - 1;
  if (legs) {
    a.landmarks["left_knee"] = P(left_leg_line.at((crotch_y + ankle_y) / 2), (crotch_y + ankle_y) / 2);
    a.landmarks["right_knee"] = P(right_leg_line.at((crotch_y + ankle_y) / 2), (crotch_y + ankle_y) / 2);
    a.landmarks["left_ankle"] = P(left_leg_line.at(ankle_y), ankle_y);
    a.landmarks["right_ankle"] = P(right_leg_line.at(ankle_y), ankle_y);
  } else {
    a.landmarks["left_knee"] = P(cx - 0.45 * fw, (crotch_y + ankle_y) / 2);
    a.landmarks["right_knee"] = P(cx + 0.45 * fw, (crotch_y + ankle_y) / 2);
    a.landmarks["left_ankle"] = P(cx - 0.45 * fw, ankle_y);
    a.landmarks["right_ankle"] = P(cx + 0.45 * fw, ankle_y);
  }
  a.detectors.push_back({"legs", legs ? 0.7 : 0.3, !legs,
                         legs ? "leg runs below the crotch" : "proportions from the face (legs not separated)"});

  // What the old top covers: sleeves down the arms (rows, from the shoulders on, with top
  // fabric clearly outside the torso sides; the run stops at the first row without — a
  // flared hem further down is not a sleeve), neckline below the shoulder line.
  {
    const double sw = shoulder_r - shoulder_l;
    double lowest = 0;
    int misses = 0;
    for (int y = sy; y < std::min<int>(labels.rows, static_cast<int>(hem_y)); ++y) {
      const uchar* row = labels.ptr<uchar>(y);
      const double l = std::min(ls.at(y), shoulder_l + 0.15 * sw) - 0.06 * sw;
      const double r = std::max(rs.at(y), shoulder_r - 0.15 * sw) + 0.06 * sw;
      int outside = 0;
      for (int x = 0; x < labels.cols; ++x) outside += row[x] == kTop && (x < l || x > r);
      if (outside >= std::max(2.0, 0.03 * sw)) {
        lowest = y - shoulder_y;
        misses = 0;
      } else if (++misses > std::max(3.0, 0.03 * sw)) {
        break;
      }
    }
    a.old_sleeve_extent = lowest / sw;
    int neckline = -1;
    for (int y = static_cast<int>(chin); y < static_cast<int>(hem_y); ++y) {
      if (labels.at<uchar>(y, static_cast<int>(cx)) == kTop) {
        neckline = y;
        break;
      }
    }
    a.old_neckline_depth = neckline < 0 ? 1.0 : (neckline - shoulder_y) / sw;
  }

  // Pose: shoulders level, face over their middle, both sides of the torso alike.
  const double tilt = std::atan2(0.0, shoulder_r - shoulder_l);  // same row by construction
  const double mid = (shoulder_l + shoulder_r) / 2;
  const double off_centre = std::abs(cx - mid) / std::max(1.0, shoulder_r - shoulder_l);
  const double side_lean = std::abs(ls.slope + rs.slope) / 2;
  a.upright = std::abs(tilt) < 0.14 && side_lean < 0.12 && off_centre < 0.18;
  const double width_ratio = (shoulder_r - shoulder_l) / std::max(1.0, fw);
  const double hl = std::abs(cx - ls.at((shoulder_y + hem_y) / 2)), hr = std::abs(rs.at((shoulder_y + hem_y) / 2) - cx);
  const double asymmetry = std::abs(hl - hr) / std::max(1.0, hl + hr);
  a.frontal = width_ratio > 1.3 && width_ratio < 5.5 && asymmetry < 0.2;
  a.pose_note.clear();
  if (!a.upright) a.pose_note = "the torso leans or the head is off the shoulders' middle";
  if (!a.frontal) a.pose_note += std::string(a.pose_note.empty() ? "" : "; ") + "the torso is turned (sides unlike)";
}

}  // namespace tierscope::tryon::internal
