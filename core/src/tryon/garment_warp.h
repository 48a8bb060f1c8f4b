// Garment warp: one thin-plate spline for the body (about 12 points) and one per sleeve
// (about 6), or one for trousers. Targets come from a similarity transform in the
// shoulder (or waist) frame, which keeps the garment's length and neckline proportions,
// then snapped to the person's torso sides; sleeves turn about the shoulder to follow the
// arm. Each part is drawn only inside its own forward-mapped outline: the backward
// spline is not one-to-one, and without that garment pieces appeared at the hands.
//
// Pure function: thread-safe.
#pragma once

#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "tryon/garment_analysis.h"
#include "tryon/person_analysis.h"

namespace tierscope::tryon::internal {

struct WarpedGarment {
  cv::Mat colour;  // CV_8UC3, person photo size
  cv::Mat alpha;   // CV_32F 0..1, person photo size, before clipping to the person
  cv::Mat parts;   // CV_8U GarmentPart, person photo size
  std::map<std::string, cv::Point2d> targets;  // where the garment's landmarks landed
  std::vector<std::string> notes;              // what was left out or approximated
};

WarpedGarment warp_garment(const cv::Mat& garment_photo, const GarmentAnalysis& g, const PersonAnalysis& p,
                           Category category);

}  // namespace tierscope::tryon::internal
