#include "tryon/garment_warp.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "tryon/thin_plate_spline.h"

namespace tierscope::tryon::internal {
namespace {

constexpr int kGridStep = 4;

struct Similarity {
  cv::Point2d from_mid, to_mid;
  double scale = 1, cos_a = 1, sin_a = 0;
  cv::Point2d operator()(const cv::Point2d& q) const {
    const cv::Point2d d = q - from_mid;
    return to_mid + scale * cv::Point2d(cos_a * d.x - sin_a * d.y, sin_a * d.x + cos_a * d.y);
  }
};

Similarity frame(cv::Point2d a0, cv::Point2d a1, cv::Point2d b0, cv::Point2d b1) {
  Similarity s;
  s.from_mid = (a0 + a1) * 0.5;
  s.to_mid = (b0 + b1) * 0.5;
  const cv::Point2d da = a1 - a0, db = b1 - b0;
  s.scale = cv::norm(db) / std::max(1e-6, cv::norm(da));
  const double angle = std::atan2(db.y, db.x) - std::atan2(da.y, da.x);
  s.cos_a = std::cos(angle);
  s.sin_a = std::sin(angle);
  return s;
}

cv::Point2d rotate_about(cv::Point2d q, cv::Point2d centre, double angle) {
  const cv::Point2d d = q - centre;
  return centre + cv::Point2d(std::cos(angle) * d.x - std::sin(angle) * d.y, std::sin(angle) * d.x + std::cos(angle) * d.y);
}

// The direction of the person's arm from a shoulder: mean offset of silhouette pixels
// outside the torso side, below the shoulder, within `reach`. Photo pixels.
std::optional<cv::Point2d> arm_direction(const PersonAnalysis& p, cv::Point2d shoulder, bool left, double reach) {
  const double s = p.scale;
  cv::Point2d sum(0, 0);
  int n = 0;
  for (int y = static_cast<int>(shoulder.y * s); y < p.regions.rows; ++y) {
    const double py = y / s;
    if (py > shoulder.y + reach) break;
    const uchar* row = p.regions.ptr<uchar>(y);
    const double side = left ? p.left_side.at(py) : p.right_side.at(py);
    for (int x = 0; x < p.regions.cols; ++x) {
      if (row[x] == kBackground || row[x] == kHair) continue;
      const double px = x / s;
      if (left ? px > side - 0.02 * p.shoulder_width : px < side + 0.02 * p.shoulder_width) continue;
      const cv::Point2d d(px - shoulder.x, py - shoulder.y);
      if (cv::norm(d) > reach || cv::norm(d) < 0.1 * reach) continue;
      sum += d;
      ++n;
    }
  }
  if (n < 30) return std::nullopt;
  return sum / cv::norm(sum);
}

// The person's arm as a polyline from the shoulder down. The arm's outer edge is the
// silhouette's edge on that side (hair excluded); its width comes from the rows where the
// arm stands free of the body (or a fifth of the shoulder width when it never does); the
// centre line runs half a width inside the edge. Ends where the edge jumps (the hand, or
// the arm leaving the picture). Photo pixels.
std::vector<cv::Point2d> arm_polyline(const PersonAnalysis& p, cv::Point2d shoulder, bool left, double max_length) {
  const double s = p.scale;
  const std::string armpit = left ? "left_armpit" : "right_armpit";
  const double start = p.landmarks.count(armpit) ? p.landmarks.at(armpit).y : shoulder.y + 0.3 * p.shoulder_width;
  const int y0 = static_cast<int>(start * s), y1 = p.regions.rows;
  auto is_person = [](uchar l) { return l != kBackground && l != kHair; };
  // Outer edge and, where the arm is free of the body, its width.
  std::vector<double> edge(y1, -1);
  std::vector<double> widths;
  for (int y = y0; y < y1; ++y) {
    const uchar* row = p.regions.ptr<uchar>(y);
    const double side = (left ? p.left_side.at(y / s) : p.right_side.at(y / s)) * s;
    int outer = -1;
    if (left) {
      for (int x = 0; x < p.regions.cols; ++x)
        if (is_person(row[x])) { outer = x; break; }
    } else {
      for (int x = p.regions.cols - 1; x >= 0; --x)
        if (is_person(row[x])) { outer = x; break; }
    }
    if (outer < 0) continue;
    edge[y] = outer;
    int inner = outer;
    const int step = left ? 1 : -1;
    while (inner + step >= 0 && inner + step < p.regions.cols && is_person(row[inner + step])) inner += step;
    if (left ? inner < side - 2 : inner > side + 2) widths.push_back(std::abs(inner - outer) + 1);
  }
  double width = 0.2 * p.shoulder_width * s;
  if (widths.size() > 5) {
    std::nth_element(widths.begin(), widths.begin() + widths.size() / 2, widths.end());
    width = std::clamp(widths[widths.size() / 2], 0.08 * p.shoulder_width * s, 0.35 * p.shoulder_width * s);
  }
  std::vector<cv::Point2d> pts{shoulder};
  double length = 0, prev = -1;
  for (int y = y0; y < y1; ++y) {
    if (edge[y] < 0) break;
    if (prev >= 0 && std::abs(edge[y] - prev) > 0.3 * width + 2) break;  // the hand, or the picture's edge
    prev = edge[y];
    const double centre = left ? edge[y] + width / 2 : edge[y] - width / 2;
    const cv::Point2d q(centre / s, y / s);
    length += cv::norm(q - pts.back());
    pts.push_back(q);
    if (length > max_length) break;
  }
  // Smooth the centres (edges jitter by a pixel or two).
  std::vector<cv::Point2d> smooth = pts;
  for (size_t i = 3; i + 3 < pts.size(); ++i) {
    double sum = 0;
    for (size_t k = i - 3; k <= i + 3; ++k) sum += pts[k].x;
    smooth[i].x = sum / 7;
  }
  return smooth;
}

// The point at arc length `at` along a polyline and the unit tangent there; past the end
// the line goes on straight.
std::pair<cv::Point2d, cv::Point2d> along(const std::vector<cv::Point2d>& line, double at) {
  double walked = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    const cv::Point2d d = line[i] - line[i - 1];
    const double n = cv::norm(d);
    if (n < 1e-9) continue;
    if (walked + n >= at || i + 1 == line.size()) {
      const cv::Point2d tangent = d * (1.0 / n);
      return {line[i - 1] + tangent * (at - walked), tangent};
    }
    walked += n;
  }
  return {line.back(), cv::Point2d(0, 1)};
}

double polyline_length(const std::vector<cv::Point2d>& line) {
  double length = 0;
  for (size_t i = 1; i < line.size(); ++i) length += cv::norm(line[i] - line[i - 1]);
  return length;
}

// Half the sleeve's width near its cuff, across its axis, from the part map. Photo pixels.
double sleeve_half_width(const GarmentAnalysis& g, uint8_t part, cv::Point2d shoulder, cv::Point2d cuff) {
  const cv::Point2d axis = (cuff - shoulder) * (1.0 / std::max(1e-6, cv::norm(cuff - shoulder)));
  const cv::Point2d across(-axis.y, axis.x);
  const double length = cv::norm(cuff - shoulder);
  double lo = 1e9, hi = -1e9;
  for (int y = 0; y < g.parts.rows; ++y) {
    const uchar* row = g.parts.ptr<uchar>(y);
    for (int x = 0; x < g.parts.cols; ++x) {
      if (row[x] != part) continue;
      const cv::Point2d q = cv::Point2d(x, y) * (1.0 / g.scale) - shoulder;
      const double t = q.dot(axis) / length;
      if (t < 0.65 || t > 1.0) continue;
      const double c = q.dot(across);
      lo = std::min(lo, c);
      hi = std::max(hi, c);
    }
  }
  return hi > lo ? (hi - lo) / 2 : 0.2 * length;
}

// Draws one part: backward spline (person -> garment) inside the forward-mapped outline.
void draw_part(const cv::Mat& garment_photo, const GarmentAnalysis& g, uint8_t part, const std::vector<cv::Point2d>& src,
               const std::vector<cv::Point2d>& dst, WarpedGarment& out) {
  const cv::Mat part_mask = g.parts == part;
  if (cv::countNonZero(part_mask) == 0) return;
  const ThinPlateSpline forward(src, dst);
  const ThinPlateSpline backward(dst, src);
  // Outline of the part, in garment photo pixels, mapped forward.
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(part_mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  cv::Mat roi_mask = cv::Mat::zeros(out.alpha.size(), CV_8U);
  std::vector<std::vector<cv::Point>> mapped;
  for (const auto& c : contours) {
    if (cv::contourArea(c) < 20) continue;
    std::vector<cv::Point> m;
    // Densify so that the curved image of a straight edge stays close.
    for (size_t i = 0; i < c.size(); ++i) {
      const cv::Point2d a(c[i]), b(c[(i + 1) % c.size()]);
      const int steps = std::max(1, static_cast<int>(cv::norm(b - a) / 3));
      for (int k = 0; k < steps; ++k) {
        const cv::Point2d q = (a + (b - a) * (double(k) / steps)) * (1.0 / g.scale);
        const cv::Point2d t = forward(q);
        m.emplace_back(cvRound(t.x), cvRound(t.y));
      }
    }
    mapped.push_back(std::move(m));
  }
  if (mapped.empty()) return;
  cv::fillPoly(roi_mask, mapped, cv::Scalar(255));
  cv::Rect roi = cv::boundingRect(roi_mask);
  if (roi.area() == 0) return;
  cv::Mat map_x, map_y;
  backward.dense_map(roi, kGridStep, map_x, map_y);
  cv::Mat colour, alpha;
  cv::remap(garment_photo, colour, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  // The part mask lives at analysis scale: scale the map into it.
  cv::Mat mx = map_x * g.scale, my = map_y * g.scale;
  cv::Mat part_f;
  part_mask.convertTo(part_f, CV_32F, 1.0 / 255);
  cv::remap(part_f, alpha, mx, my, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat roi_f;
  roi_mask(roi).convertTo(roi_f, CV_32F, 1.0 / 255);
  alpha = alpha.mul(roi_f);
  // Later parts (sleeves) lie over earlier ones (the body).
  cv::Mat dst_alpha = out.alpha(roi);
  cv::Mat dst_colour = out.colour(roi);
  cv::Mat dst_parts = out.parts(roi);
  for (int y = 0; y < roi.height; ++y) {
    const float* a = alpha.ptr<float>(y);
    float* da = dst_alpha.ptr<float>(y);
    const auto* c = colour.ptr<cv::Vec3b>(y);
    auto* dc = dst_colour.ptr<cv::Vec3b>(y);
    uchar* dp = dst_parts.ptr<uchar>(y);
    for (int x = 0; x < roi.width; ++x) {
      if (a[x] <= 0.01f) continue;
      const float keep = 1.0f - a[x];
      for (int k = 0; k < 3; ++k) dc[x][k] = cv::saturate_cast<uchar>(c[x][k] * a[x] + dc[x][k] * keep);
      da[x] = a[x] + da[x] * keep;
      if (a[x] > 0.5f) dp[x] = part;
    }
  }
}

void warp_upper(const cv::Mat& photo, const GarmentAnalysis& g, const PersonAnalysis& p, Category category,
                WarpedGarment& out) {
  const auto& G = g.landmarks;
  const auto& L = p.landmarks;
  const Similarity T = frame(G.at("left_shoulder"), G.at("right_shoulder"), L.at("left_shoulder"), L.at("right_shoulder"));
  auto snap = [&](const cv::Point2d& t, bool left, double weight) {
    const double side = left ? p.left_side.at(t.y) : p.right_side.at(t.y);
    return cv::Point2d(weight * side + (1 - weight) * t.x, t.y);
  };
  std::vector<cv::Point2d> src, dst;
  auto add = [&](const std::string& name, cv::Point2d target) {
    src.push_back(G.at(name));
    dst.push_back(target);
    out.targets[name] = target;
  };
  add("left_shoulder", L.at("left_shoulder"));
  add("right_shoulder", L.at("right_shoulder"));
  add("left_collar", T(G.at("left_collar")));
  add("right_collar", T(G.at("right_collar")));
  add("neck_front", T(G.at("neck_front")));
  const cv::Point2d left_armpit = snap(T(G.at("left_armpit")), true, 1.0);
  const cv::Point2d right_armpit = snap(T(G.at("right_armpit")), false, 1.0);
  add("left_armpit", left_armpit);
  add("right_armpit", right_armpit);
  const bool dress = category == Category::kDresses;
  add("left_waist", snap(T(G.at("left_waist")), true, dress ? 0.9 : 0.8));
  add("right_waist", snap(T(G.at("right_waist")), false, dress ? 0.9 : 0.8));
  cv::Point2d lh = T(G.at("left_hem")), rh = T(G.at("right_hem"));
  if (!dress) {
    lh = snap(lh, true, 0.7);
    rh = snap(rh, false, 0.7);
  } else {
    // A dress flares from the hips: never narrower than the body at its hem.
    lh.x = std::min(lh.x, p.left_side.at(lh.y));
    rh.x = std::max(rh.x, p.right_side.at(rh.y));
  }
  add("left_hem", lh);
  add("right_hem", rh);
  add("hem_center", cv::Point2d((lh.x + rh.x) / 2, T(G.at("hem_center")).y));
  draw_part(photo, g, kBody, src, dst, out);

  // Sleeves: shoulder and armpit stay on the body; the rest turns to follow the arm.
  for (bool left : {true, false}) {
    const std::string side = left ? "left" : "right";
    if (!G.count(side + "_cuff")) continue;
    const cv::Point2d gs = G.at(side + "_shoulder"), ga = G.at(side + "_armpit"), gc = G.at(side + "_cuff");
    const cv::Point2d ts = L.at(side + "_shoulder"), ta = left ? left_armpit : right_armpit;
    std::vector<cv::Point2d> s2 = {gs, ga}, d2 = {ts, ta};
    // The sleeve's axis and its width near the cuff (measured on the part map).
    const cv::Point2d axis = (gc - gs) * (1.0 / std::max(1e-6, cv::norm(gc - gs)));
    const cv::Point2d across(-axis.y, axis.x);
    const uint8_t part = left ? kLeftSleeve : kRightSleeve;
    const double half = std::min(sleeve_half_width(g, part, gs, gc), 0.6 * cv::norm(ga - gs));
    const double sleeve_length = T.scale * cv::norm(gc - gs);
    // Follow the arm: shoulder -> elbow -> wrist as the silhouette shows it; a straight
    // sleeve turned about the shoulder when the arm cannot be traced (against the body).
    const std::vector<cv::Point2d> arm = arm_polyline(p, ts, left, 1.1 * sleeve_length);
    const bool traced = arm.size() >= 6 && polyline_length(arm) > 0.35 * sleeve_length;
    // A short sleeve needs no traced arm: turning it about the shoulder is enough.
    const bool short_sleeve = polyline_length(arm) >= 0.9 * sleeve_length;
    if (!traced && !short_sleeve) {
      out.notes.push_back(side + " arm not traced (" + std::to_string(arm.size()) + " rows, " +
                          std::to_string(static_cast<int>(polyline_length(arm))) + " of " +
                          std::to_string(static_cast<int>(sleeve_length)) + " px): sleeve turned as a whole");
    }
    if (traced) {
      for (double t : {0.35, 0.7, 1.0}) {
        const cv::Point2d on_axis = gs + (gc - gs) * t;
        const auto [centre, tangent] = along(arm, t * sleeve_length);
        const cv::Point2d normal(-tangent.y, tangent.x);
        for (double side_sign : {1.0, -1.0}) {
          s2.push_back(on_axis + across * (side_sign * half));
          d2.push_back(centre + normal * (side_sign * half * T.scale));
        }
        if (t == 1.0) {
          s2.push_back(on_axis);
          d2.push_back(centre);
          out.targets[side + "_cuff"] = centre;
        }
      }
    } else {
      const std::vector<cv::Point2d> sleeve_pts = {gc, gc + across * half, gc - across * half, (gs + gc) * 0.5 + across * half,
                                                   (gs + gc) * 0.5 - across * half};
      double turn = 0;
      const cv::Point2d tc = T(gc);
      if (auto arm_dir = arm_direction(p, ts, left, 1.3 * cv::norm(tc - T(gs)))) {
        const cv::Point2d sleeve_dir = tc - T(gs);
        turn = std::atan2(arm_dir->y, arm_dir->x) - std::atan2(sleeve_dir.y, sleeve_dir.x);
        while (turn > CV_PI) turn -= 2 * CV_PI;
        while (turn < -CV_PI) turn += 2 * CV_PI;
        turn = std::clamp(turn, -0.9, 0.9);
      } else {
        out.notes.push_back(side + " arm not found: sleeve left as photographed");
      }
      const cv::Point2d shift = ts - T(gs);  // the sleeve hangs from the person's shoulder
      for (const auto& q : sleeve_pts) {
        s2.push_back(q);
        d2.push_back(rotate_about(T(q) + shift, ts, turn));
      }
      out.targets[side + "_cuff"] = d2[2];
    }
    draw_part(photo, g, part, s2, d2, out);
  }
}

void warp_lower(const cv::Mat& photo, const GarmentAnalysis& g, const PersonAnalysis& p, WarpedGarment& out) {
  const auto& G = g.landmarks;
  const auto& L = p.landmarks;
  const Similarity T = frame(G.at("left_waist"), G.at("right_waist"), L.at("left_waist"), L.at("right_waist"));
  std::vector<cv::Point2d> src, dst;
  auto add = [&](const std::string& name, cv::Point2d target) {
    src.push_back(G.at(name));
    dst.push_back(target);
    out.targets[name] = target;
  };
  add("left_waist", L.at("left_waist"));
  add("right_waist", L.at("right_waist"));
  add("left_hip", T(G.at("left_hip")));
  add("right_hip", T(G.at("right_hip")));
  const cv::Point2d crotch = T(G.at("crotch"));
  add("crotch", cv::Point2d(L.at("crotch").x, std::max(crotch.y, L.at("crotch").y - 0.05 * p.shoulder_width)));
  // Legs follow the person's leg lines (crotch -> knee -> ankle), width from the garment.
  for (bool left : {true, false}) {
    const std::string side = left ? "left" : "right";
    const cv::Point2d knee = L.at(side + "_knee"), ankle = L.at(side + "_ankle");
    for (const std::string level : {"knee", "hem"}) {
      const cv::Point2d outer = T(G.at(side + "_" + level + "_outer")), inner = T(G.at(side + "_" + level + "_inner"));
      const double y = (outer.y + inner.y) / 2;
      const double t = (y - knee.y) / std::max(1.0, ankle.y - knee.y);
      const double centre_x = knee.x + t * (ankle.x - knee.x);
      const double half = std::abs(outer.x - inner.x) / 2;
      add(side + "_" + level + "_outer", cv::Point2d(left ? centre_x - half : centre_x + half, y));
      add(side + "_" + level + "_inner", cv::Point2d(left ? centre_x + half : centre_x - half, y));
    }
  }
  draw_part(photo, g, kBody, src, dst, out);
}

}  // namespace

WarpedGarment warp_garment(const cv::Mat& garment_photo, const GarmentAnalysis& g, const PersonAnalysis& p,
                           Category category) {
  WarpedGarment out;
  out.colour = cv::Mat::zeros(p.photo_size, CV_8UC3);
  out.alpha = cv::Mat::zeros(p.photo_size, CV_32F);
  out.parts = cv::Mat::zeros(p.photo_size, CV_8U);
  if (cv::countNonZero(g.parts == kOtherPart) > 0) {
    out.notes.push_back("parts hanging below the hem (ties, straps, a bodysuit's base) were left out");
  }
  if (category == Category::kLowerBody) warp_lower(garment_photo, g, p, out);
  else warp_upper(garment_photo, g, p, category, out);
  return out;
}

}  // namespace tierscope::tryon::internal
