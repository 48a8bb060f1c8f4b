// Garment landmarks from the outline alone (product shots are symmetric and frontal):
// a per-row scan separates the body run from hanging sleeves; side seams are fitted up
// from the hem and the armpit is where the outline leaves them; shoulders sit at 1.06x the
// armpit half-width; sleeves are what lies outside the shoulder-armpit line; the hem is the
// lowest row at least 60 % of the body width (ties and straps hang below it). Trousers:
// waistband at the top, crotch where the centre column leaves the garment, two legs.
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "tryon/garment_analysis.h"
#include "tryon/mask_ops.h"

namespace tierscope::tryon::internal {
namespace {


// Which side of the line a -> b the point p lies on (sign of the cross product).
double side_of(cv::Point2d a, cv::Point2d b, cv::Point2d p) { return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x); }

bool looks_like_trousers(const cv::Mat& mask, int cx, const cv::Rect& box) {
  // Two separate runs left and right of the centre over the lower 40 %, and the centre empty.
  int split_rows = 0, rows = 0;
  for (int y = box.y + box.height * 6 / 10; y < box.y + box.height * 95 / 100; ++y) {
    ++rows;
    const uchar* row = mask.ptr<uchar>(y);
    if (row[cx]) continue;
    // Legs are wide; straps and ties hanging below a top are not.
    int left = 0, right = 0;
    for (int x = box.x; x < cx; ++x) left += row[x] != 0;
    for (int x = cx; x < box.x + box.width; ++x) right += row[x] != 0;
    split_rows += left > box.width * 15 / 100 && right > box.width * 15 / 100;
  }
  return rows > 0 && split_rows > rows * 7 / 10 && box.height > box.width;
}

void upper_landmarks(GarmentAnalysis& g, const cv::Mat& mask, const cv::Rect& outline_box, int cx) {
  const double s = g.scale;
  // The body ends where the centre column leaves the garment (gaps of a few rows allowed):
  // straps or ties hanging lower must not stretch the rows the widths are measured on.
  cv::Rect box = outline_box;
  {
    int last = -1, gap = 0;
    for (int y = outline_box.y; y < outline_box.br().y; ++y) {
      if (mask.at<uchar>(y, cx)) {
        last = y;
        gap = 0;
      } else if (last >= 0 && ++gap > std::max(3, outline_box.height / 50)) {
        break;
      }
    }
    if (last > outline_box.y + outline_box.height / 3) box.height = last - box.y + 1;
  }
  auto P = [s](double x, double y) { return cv::Point2d(x / s, y / s); };
  // Body run per row.
  std::vector<int> bl(mask.rows, -1), br(mask.rows, -1);
  for (int y = box.y; y < box.y + box.height; ++y) {
    int l, r;
    if (run_at(mask, y, cx, l, r) && l <= cx + 2 && r >= cx - 2) {
      bl[y] = l;
      br[y] = r;
    }
  }
  double ref_width = 0;
  {
    std::vector<double> widths;
    for (int y = box.y + box.height * 55 / 100; y < box.y + box.height * 85 / 100; ++y)
      if (bl[y] >= 0) widths.push_back(br[y] - bl[y]);
    ref_width = median(widths);
  }
  if (ref_width < 8) throw TryOnError("no garment body found in the garment photo");
  int hem = -1;
  for (int y = box.y + box.height - 1; y > box.y + box.height / 3; --y) {
    if (bl[y] >= 0 && br[y] - bl[y] >= 0.6 * ref_width) {
      hem = y;
      break;
    }
  }
  if (hem < 0) hem = box.y + box.height - 1;
  const int top = box.y;
  const double body_height = hem - top;

  // Side seams: fitted where the body is close to its narrowest (the torso of a top, the
  // bodice of a dress — a flared skirt below must not tilt them), armpit where the outline
  // leaves them going up.
  int narrow_y = -1;
  double narrow = 1e9;
  for (int y = static_cast<int>(top + 0.25 * body_height); y < top + 0.6 * body_height; ++y) {
    if (bl[y] >= 0 && br[y] - bl[y] < narrow) {
      narrow = br[y] - bl[y];
      narrow_y = y;
    }
  }
  if (narrow_y < 0) throw TryOnError("no garment body found in the garment photo");
  std::vector<cv::Point2f> lp, rp;
  for (int y = static_cast<int>(top + 0.2 * body_height); y < hem - 0.04 * body_height; ++y) {
    if (bl[y] < 0 || br[y] - bl[y] > 1.12 * narrow) continue;
    lp.emplace_back(static_cast<float>(bl[y]), static_cast<float>(y));
    rp.emplace_back(static_cast<float>(br[y]), static_cast<float>(y));
  }
  SideLine left_seam, right_seam;
  bool left_ok = fit_side_line(lp, left_seam) && std::abs(left_seam.slope) < 0.5;
  bool right_ok = fit_side_line(rp, right_seam) && std::abs(right_seam.slope) < 0.5;
  auto find_armpit = [&](const SideLine& seam, bool left) {
    int run = 0;
    for (int y = narrow_y; y > top; --y) {
      if (bl[y] < 0) continue;
      const double edge = left ? bl[y] : br[y];
      const double out = left ? seam.at(y) - edge : edge - seam.at(y);
      if (out > 0.08 * ref_width) {
        if (++run >= 3) return y + run - 1;
      } else {
        run = 0;
      }
    }
    return -1;
  };
  int left_armpit = left_ok ? find_armpit(left_seam, true) : -1;
  int right_armpit = right_ok ? find_armpit(right_seam, false) : -1;
  DetectorReport seams{"garment_sides", 0.8, false, "side seams fitted up from the hem"};
  // Mirror a side that is unreliable (product shots are symmetric about the centre).
  auto mirror = [cx](const SideLine& l) { return SideLine{-l.slope, 2.0 * cx - l.offset}; };
  if (left_armpit < 0 && right_armpit >= 0) {
    left_seam = mirror(right_seam);
    left_armpit = right_armpit;
    seams = {"garment_sides", 0.5, true, "right side mirrored (left side unclear)"};
  } else if (right_armpit < 0 && left_armpit >= 0) {
    right_seam = mirror(left_seam);
    right_armpit = left_armpit;
    seams = {"garment_sides", 0.5, true, "left side mirrored (right side unclear)"};
  } else if (left_armpit < 0 && right_armpit < 0) {
    // Sleeveless and straight: the armpit at a quarter of the body's height.
    if (!left_ok) left_seam = {0, cx - ref_width / 2};
    if (!right_ok) right_seam = {0, cx + ref_width / 2};
    left_armpit = right_armpit = static_cast<int>(top + 0.28 * body_height);
    seams = {"garment_sides", 0.4, true, "no sleeve seam: armpits from proportions"};
  }
  int armpit_y = (left_armpit + right_armpit) / 2;
  // Sanity: armpits below the top by a believable amount and the torso narrower than the
  // whole width there. Otherwise (sleeves sewn along the body, wraps) use proportions: the
  // armpit at 30 % of the height, the torso as wide as the garment at mid-height.
  {
    int l = 0, r = 0;
    const int mid = static_cast<int>(top + 0.45 * body_height);
    const double full = run_at(mask, mid, cx, l, r) ? r - l : ref_width;
    const double torso = right_seam.at(armpit_y) - left_seam.at(armpit_y);
    const bool believable = armpit_y > top + 0.12 * body_height && armpit_y < top + 0.55 * body_height &&
                            torso > 0.35 * full && torso < 1.3 * full;
    if (!believable) {
      armpit_y = static_cast<int>(top + 0.3 * body_height);
      left_seam = {0, cx - 0.5 * full};
      right_seam = {0, cx + 0.5 * full};
      seams = {"garment_sides", 0.3, true, "armpits from proportions (no clean seam)"};
    }
  }
  g.detectors.push_back(seams);
  const double half_armpit = (right_seam.at(armpit_y) - left_seam.at(armpit_y)) / 2;
  const double half_shoulder = 1.06 * half_armpit;
  auto top_at = [&](int x) {
    x = std::clamp(x, 0, mask.cols - 1);
    for (int y = top; y < hem; ++y)
      if (mask.at<uchar>(y, x)) return y;
    return top;
  };
  // The shoulder is where the garment's top edge is, 1.06x the armpit half-width out — or,
  // for straps and narrow shoulders, the outermost column whose top is still well above
  // the armpits (else the "shoulder" would slide down the side seam).
  bool shoulders_found = true;
  auto shoulder_at = [&](int direction) {
    const double limit = armpit_y - 0.25 * (armpit_y - top);
    for (double d = half_shoulder; d > 0.15 * half_shoulder; d -= 1) {
      const int x = static_cast<int>(cx + direction * d);
      const int y = top_at(x);
      if (y < limit) return cv::Point2d(x, y);
    }
    // Wide-set straps: the top of the garment further out than the seams suggest.
    for (double d = half_shoulder; d < 1.6 * half_shoulder; d += 1) {
      const int x = static_cast<int>(cx + direction * d);
      const int y = top_at(x);
      if (y < top + 0.15 * body_height) return cv::Point2d(x, y);
    }
    shoulders_found = false;
    return cv::Point2d(cx + direction * half_armpit, std::max<double>(top, armpit_y - 0.2 * body_height));
  };
  const cv::Point2d ls = shoulder_at(-1), rs = shoulder_at(1);
  const double shoulder_y = (ls.y + rs.y) / 2;
  const cv::Point2d la(left_seam.at(armpit_y), armpit_y), ra(right_seam.at(armpit_y), armpit_y);
  // Neckline: the centre column's first garment row; collar corners the highest rows near it.
  int neck_front = top_at(cx);
  double collar_l = 1e9, collar_r = 1e9;
  int collar_lx = cx, collar_rx = cx;
  for (int dx = 1; dx < half_shoulder * 0.6; ++dx) {
    const int yl = top_at(cx - dx), yr = top_at(cx + dx);
    if (yl < collar_l) { collar_l = yl; collar_lx = cx - dx; }
    if (yr < collar_r) { collar_r = yr; collar_rx = cx + dx; }
  }
  // A garment photographed from the front shows the back collar above the front neckline;
  // a neckline "deeper" than the armpits is an open front (wrap): cap it there.
  neck_front = std::min<int>(neck_front, armpit_y);

  // Parts: sleeves outside the shoulder-armpit lines (extended), the rest body, below the hem other.
  cv::Mat parts(mask.size(), CV_8U, cv::Scalar(kNoGarment));
  double left_reach = 0, right_reach = 0;
  cv::Point2d left_cuff(0, 0), right_cuff(0, 0);
  std::vector<cv::Point> left_sleeve_px, right_sleeve_px;
  for (int y = 0; y < mask.rows; ++y) {
    const uchar* m = mask.ptr<uchar>(y);
    uchar* p = parts.ptr<uchar>(y);
    for (int x = 0; x < mask.cols; ++x) {
      if (!m[x]) continue;
      const cv::Point2d q(x, y);
      if (x < cx && y > shoulder_y - 0.02 * body_height && side_of(ls, la, q) > 0 &&
          (y <= armpit_y || x < left_seam.at(y) - 0.05 * ref_width)) {
        p[x] = kLeftSleeve;
        left_sleeve_px.emplace_back(x, y);
        left_reach = std::max(left_reach, cv::norm(q - ls));
      } else if (x > cx && y > shoulder_y - 0.02 * body_height && side_of(rs, ra, q) < 0 &&
                 (y <= armpit_y || x > right_seam.at(y) + 0.05 * ref_width)) {
        p[x] = kRightSleeve;
        right_sleeve_px.emplace_back(x, y);
        right_reach = std::max(right_reach, cv::norm(q - rs));
      } else if (y > hem + 2) {
        p[x] = kOtherPart;  // below the hem and not a sleeve: ties, straps, a bodysuit's base
      } else {
        p[x] = kBody;
      }
    }
  }
  // Tiny "sleeves" are the shoulder seam's bulge: body.
  const double shoulder_width = std::max(1.0, rs.x - ls.x);
  const double min_sleeve_area = 0.02 * shoulder_width * shoulder_width;
  auto cuff_of = [](const std::vector<cv::Point>& px, cv::Point2d from, double reach) {
    cv::Point2d sum(0, 0);
    int n = 0;
    for (const auto& q : px) {
      if (cv::norm(cv::Point2d(q) - from) >= 0.9 * reach) {
        sum += cv::Point2d(q);
        ++n;
      }
    }
    return n ? sum / n : from;
  };
  // A "sleeve" much narrower than long is a strap or a tie: it does not follow an arm.
  auto is_strap = [&](size_t area, double reach) { return reach > 0.3 * shoulder_width && area < 0.12 * reach * shoulder_width; };
  if (is_strap(left_sleeve_px.size(), left_reach)) {
    parts.setTo(kOtherPart, parts == kLeftSleeve);
    left_sleeve_px.clear();
  }
  if (is_strap(right_sleeve_px.size(), right_reach)) {
    parts.setTo(kOtherPart, parts == kRightSleeve);
    right_sleeve_px.clear();
  }
  bool left_sleeve = left_sleeve_px.size() > min_sleeve_area, right_sleeve = right_sleeve_px.size() > min_sleeve_area;
  if (!left_sleeve) parts.setTo(kBody, parts == kLeftSleeve);
  if (!right_sleeve) parts.setTo(kBody, parts == kRightSleeve);
  if (left_sleeve) left_cuff = cuff_of(left_sleeve_px, ls, left_reach);
  if (right_sleeve) right_cuff = cuff_of(right_sleeve_px, rs, right_reach);
  g.parts = parts;

  g.landmarks["left_shoulder"] = P(ls.x, ls.y);
  g.landmarks["right_shoulder"] = P(rs.x, rs.y);
  g.landmarks["left_armpit"] = P(la.x, la.y);
  g.landmarks["right_armpit"] = P(ra.x, ra.y);
  g.landmarks["neck_front"] = P(cx, neck_front);
  g.landmarks["left_collar"] = P(collar_lx, collar_l);
  g.landmarks["right_collar"] = P(collar_rx, collar_r);
  const double mid_y = std::max<double>(narrow_y, armpit_y + 0.25 * (hem - armpit_y));
  g.landmarks["left_waist"] = P(bl[static_cast<int>(mid_y)] >= 0 ? bl[static_cast<int>(mid_y)] : left_seam.at(mid_y), mid_y);
  g.landmarks["right_waist"] = P(br[static_cast<int>(mid_y)] >= 0 ? br[static_cast<int>(mid_y)] : right_seam.at(mid_y), mid_y);
  g.landmarks["left_hem"] = P(bl[hem] >= 0 ? bl[hem] : left_seam.at(hem), hem);
  g.landmarks["right_hem"] = P(br[hem] >= 0 ? br[hem] : right_seam.at(hem), hem);
  g.landmarks["hem_center"] = P(cx, hem);
  if (left_sleeve) g.landmarks["left_cuff"] = P(left_cuff.x, left_cuff.y);
  if (right_sleeve) g.landmarks["right_cuff"] = P(right_cuff.x, right_cuff.y);
  const double reach = std::max(left_sleeve ? left_reach : 0.0, right_sleeve ? right_reach : 0.0);
  g.sleeve_length = reach / shoulder_width;
  g.neckline_depth = (neck_front - shoulder_y) / shoulder_width;
  g.length = (hem - shoulder_y) / shoulder_width;
  if (!shoulders_found) {
    throw TryOnError("garment photo: no shoulder line found above the armpits (an unusual cut): the geometric try-on "
                     "cannot place it");
  }
  if (shoulders_found) {
    g.detectors.push_back({"garment_shoulders", seams.fell_back ? 0.5 : 0.8, seams.fell_back, "1.06 x the armpit half-width"});
  } else {
    g.detectors.push_back({"garment_shoulders", 0.2, true, "no shoulder line above the armpits (straps or an unusual cut)"});
  }
  g.detectors.push_back({"sleeves", 0.7, false,
                         (left_sleeve || right_sleeve) ? "outside the shoulder-armpit lines" : "none (sleeveless)"});
}

void lower_landmarks(GarmentAnalysis& g, const cv::Mat& mask, const cv::Rect& box, int cx) {
  const double s = g.scale;
  auto P = [s](double x, double y) { return cv::Point2d(x / s, y / s); };
  std::vector<int> left, right;
  row_extents(mask, left, right);
  double max_width = 0;
  for (int y = box.y; y < box.y + box.height; ++y)
    if (left[y] >= 0) max_width = std::max<double>(max_width, right[y] - left[y]);
  int waist = box.y;
  for (int y = box.y; y < box.y + box.height; ++y) {
    if (left[y] >= 0 && right[y] - left[y] >= 0.7 * max_width) {
      waist = y;
      break;
    }
  }
  int crotch = -1;
  for (int y = waist; y < box.y + box.height; ++y) {
    if (!mask.at<uchar>(y, cx)) {
      crotch = y;
      break;
    }
  }
  if (crotch < 0) throw TryOnError("the garment photo shows no trouser legs (not lower_body)");
  const int bottom = box.y + box.height - 1;
  // Leg runs at the knee and at the hem.
  auto leg = [&](int y, bool left_leg, int& l, int& r) {
    return run_at(mask, y, left_leg ? cx - static_cast<int>(0.25 * max_width) : cx + static_cast<int>(0.25 * max_width), l, r);
  };
  const int knee = (crotch + bottom) / 2, hem = bottom - 2;
  int kl_l, kl_r, kr_l, kr_r, hl_l, hl_r, hr_l, hr_r;
  if (!leg(knee, true, kl_l, kl_r) || !leg(knee, false, kr_l, kr_r) || !leg(hem, true, hl_l, hl_r) ||
      !leg(hem, false, hr_l, hr_r)) {
    throw TryOnError("the garment photo shows no trouser legs (not lower_body)");
  }
  g.parts = mask.clone();
  g.parts.setTo(kBody, mask);
  g.landmarks["left_waist"] = P(left[waist], waist);
  g.landmarks["right_waist"] = P(right[waist], waist);
  g.landmarks["crotch"] = P(cx, crotch);
  g.landmarks["left_hip"] = P(left[crotch], crotch);
  g.landmarks["right_hip"] = P(right[crotch], crotch);
  g.landmarks["left_knee_outer"] = P(kl_l, knee);
  g.landmarks["left_knee_inner"] = P(kl_r, knee);
  g.landmarks["right_knee_inner"] = P(kr_l, knee);
  g.landmarks["right_knee_outer"] = P(kr_r, knee);
  g.landmarks["left_hem_outer"] = P(hl_l, hem);
  g.landmarks["left_hem_inner"] = P(hl_r, hem);
  g.landmarks["right_hem_inner"] = P(hr_l, hem);
  g.landmarks["right_hem_outer"] = P(hr_r, hem);
  const double waist_width = right[waist] - left[waist];
  g.length = (hem - waist) / std::max(1.0, waist_width);
  g.detectors.push_back({"waistband", 0.8, false, "first row at 70 % of the widest"});
  g.detectors.push_back({"legs", 0.8, false, "two runs below the crotch"});
}

}  // namespace

void find_garment_landmarks(GarmentAnalysis& g, const cv::Mat& mask) {
  const cv::Rect box = cv::boundingRect(mask);
  const cv::Moments m = cv::moments(mask, true);
  const int cx = std::clamp(static_cast<int>(m.m10 / std::max(1.0, m.m00)), box.x, box.x + box.width - 1);
  const bool trousers = looks_like_trousers(mask, cx, box);
  if (g.analysed_as == Category::kLowerBody) {
    if (!trousers) throw TryOnError("the garment photo shows no trouser legs (not lower_body)");
    lower_landmarks(g, mask, box, cx);
    g.shape_category = Category::kLowerBody;
    return;
  }
  if (trousers) {
    throw TryOnError(std::string("the garment photo shows trousers, not ") + category_name(g.analysed_as));
  }
  upper_landmarks(g, mask, box, cx);
  g.shape_category = g.length > 1.9 ? Category::kDresses : Category::kUpperBody;
}

}  // namespace tierscope::tryon::internal
