#include "tryon/compatibility.h"

#include <cstdio>

namespace tierscope::tryon::internal {
namespace {

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

Compatibility judge(const PersonAnalysis& p, const GarmentAnalysis& g, const WarpedGarment& w, Category category,
                    double outside_silhouette) {
  Compatibility c;
  const double tolerance = 0.06;  // of the shoulder width
  if (category != Category::kLowerBody) {
    if (g.sleeve_length + tolerance < p.old_sleeve_extent) {
      c.reasons.push_back("the new sleeves are shorter than the old ones (" + fixed2(g.sleeve_length) + " vs " +
                          fixed2(p.old_sleeve_extent) + " shoulder widths)");
    }
    if (g.neckline_depth > p.old_neckline_depth + tolerance) {
      c.reasons.push_back("the new neckline is lower than the old one (" + fixed2(g.neckline_depth) + " vs " +
                          fixed2(p.old_neckline_depth) + " shoulder widths below the shoulders)");
    }
    const double new_hem = w.targets.count("hem_center") ? w.targets.at("hem_center").y : p.hem_y;
    const double old_hem = category == Category::kDresses ? p.old_lower_hem_y : p.hem_y;
    if (new_hem + tolerance * p.shoulder_width < old_hem) {
      c.reasons.push_back(std::string(category == Category::kDresses ? "the old lower garment shows below the dress"
                                                                     : "the new garment is shorter than the old one") +
                          " (hem at " + std::to_string(static_cast<int>(new_hem)) + " px vs " +
                          std::to_string(static_cast<int>(old_hem)) + " px)");
    }
  } else {
    const double new_hem = std::max(w.targets.count("left_hem_outer") ? w.targets.at("left_hem_outer").y : 0.0,
                                    w.targets.count("right_hem_outer") ? w.targets.at("right_hem_outer").y : 0.0);
    if (new_hem + tolerance * p.shoulder_width < p.old_lower_hem_y) {
      c.reasons.push_back("the new legs are shorter than the old ones (hem at " + std::to_string(static_cast<int>(new_hem)) +
                          " px vs " + std::to_string(static_cast<int>(p.old_lower_hem_y)) + " px)");
    }
  }
  if (!p.upright || !p.frontal) c.reasons.push_back("pose: " + p.pose_note);
  for (const auto& d : g.detectors) {
    if (d.name == "garment_shoulders" && d.fell_back) c.reasons.push_back("the garment's shoulders were not found: " + d.method);
  }
  // Skirts and trouser legs may stand away from the body; tops should sit on it.
  if (category == Category::kUpperBody && outside_silhouette > 0.15) {
    c.reasons.push_back(std::to_string(static_cast<int>(100 * outside_silhouette + 0.5)) +
                        " % of the warped garment fell outside the person (its outline did not fit the pose)");
  }
  for (const auto& d : p.detectors) {
    if (d.name == "face" && d.fell_back) c.reasons.push_back("the face was not found by the cascade (head turned or covered)");
  }
  c.verdict = c.reasons.empty() ? Verdict::kCompatible : Verdict::kPartial;
  return c;
}

}  // namespace tierscope::tryon::internal
