// Garment mask: product shots sit on a flat or gently graded background. A flood fill from
// the whole border — fixed range (+-3 of each seed) on a flat background, so an off-white
// garment on a 246 grey stays garment even where an anti-aliased edge ramps slowly;
// floating range (1 level per step) on a graded one — then a bounded growth that eats the
// JPEG halo around the outline.
#include <opencv2/imgproc.hpp>

#include "tryon/garment_analysis.h"
#include "tryon/mask_ops.h"

namespace tierscope::tryon::internal {

cv::Mat segment_garment(const cv::Mat& bgr, DetectorReport& report) {
  const int w = bgr.cols, h = bgr.rows;
  cv::Mat filled(h + 2, w + 2, CV_8U, cv::Scalar(0));
  std::vector<cv::Point> seeds;
  for (int x = 0; x < w; x += 3) {
    seeds.emplace_back(x, 0);
    seeds.emplace_back(x, h - 1);
  }
  for (int y = 0; y < h; y += 3) {
    seeds.emplace_back(0, y);
    seeds.emplace_back(w - 1, y);
  }
  // Flat or graded: most border pixels within a few levels of the border's median (a
  // second flat colour, such as a white band under a grey sweep, is seeded on its own).
  std::vector<int> levels;
  for (const cv::Point& p : seeds) {
    const cv::Vec3b c = bgr.at<cv::Vec3b>(p);
    levels.push_back(c[0] + c[1] + c[2]);
  }
  std::nth_element(levels.begin(), levels.begin() + levels.size() / 2, levels.end());
  const int median_level = levels[levels.size() / 2];
  size_t near = 0;
  for (int l : levels) near += std::abs(l - median_level) <= 12;
  const bool flat = near >= levels.size() * 8 / 10;
  cv::Mat source = bgr;
  if (!flat) cv::GaussianBlur(bgr, source, cv::Size(5, 5), 1.2);  // JPEG noise would stop a 2-level flood
  // The outline as a barrier: a white garment on a light grey differs by a few levels,
  // which a colour tolerance alone lets through at soft edges; the edge detector sees them.
  {
    cv::Mat gray, edges;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(gray, gray, cv::Size(3, 3), 0.8);
    cv::Canny(gray, edges, 10, 24, 3, true);
    filled(cv::Rect(1, 1, w, h)).setTo(1, edges);
  }
  const int flags = 8 | cv::FLOODFILL_MASK_ONLY | (255 << 8) | (flat ? cv::FLOODFILL_FIXED_RANGE : 0);
  const cv::Scalar tol(2, 2, 2);
  for (const cv::Point& p : seeds) {
    if (filled.at<uchar>(p.y + 1, p.x + 1)) continue;
    cv::floodFill(source, filled, p, cv::Scalar(), nullptr, tol, tol, flags);
  }
  cv::Mat background = filled(cv::Rect(1, 1, w, h)) == 255;

  // Halo: up to 4 analysis pixels (8 at full size) into pixels still close to the
  // background colour next to them.
  const cv::Scalar bg_mean = cv::mean(bgr, background);
  cv::Mat close_to_bg;
  {
    cv::Mat diff;
    cv::absdiff(bgr, bg_mean, diff);
    cv::Mat channels[3];
    cv::split(diff, channels);
    close_to_bg = (channels[0] < 14) & (channels[1] < 14) & (channels[2] < 14);
  }
  for (int i = 0; i < 4; ++i) {
    cv::Mat grown;
    cv::dilate(background, grown, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
    background = grown & (close_to_bg | background);
  }
  cv::Mat mask = background == 0;
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
  mask = largest_component(mask);
  const int area = cv::countNonZero(mask);
  if (area < w * h / 30) throw TryOnError("no garment found in the garment photo (nothing stands out of the background)");
  if (area > w * h * 9 / 10) {
    throw TryOnError("no garment found in the garment photo (no plain background around it: a product shot is needed)");
  }
  {
    // A garment cut by three or four photo edges is background read as garment.
    const cv::Rect box = cv::boundingRect(mask);
    const int edges = (box.x <= 1) + (box.y <= 1) + (box.br().x >= w - 1) + (box.br().y >= h - 1);
    if (edges >= 3) {
      throw TryOnError("no garment found in the garment photo (its background cannot be told from the garment)");
    }
  }
  fill_small_holes(mask, area / 200);
  const double border_share = double(cv::countNonZero(background)) / (w * h - area + 1);
  report = {"garment_mask", std::clamp(border_share, 0.0, 1.0), false, flat ? "fixed-range flood from a flat border + halo growth"
                                                                              : "floating-range flood from a graded border + halo growth"};
  return mask;
}

}  // namespace tierscope::tryon::internal
