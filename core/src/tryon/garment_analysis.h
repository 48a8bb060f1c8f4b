// Garment analysis: the product photo's mask, its parts and landmarks, computed once per
// photo and cached (`garment`). Masks at analysis size; landmarks in photo pixels.
//
//   garment_mask.h -> garment_landmarks.h (upper body and dresses: body and sleeves,
//   neckline, shoulders, armpits, cuffs, hem; trousers: waistband, crotch, legs)
//
// Values: thread-safe to share once built.
#pragma once

#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/tryon/tryon_types.h"

namespace tierscope::tryon::internal {

// Labels of the garment part map.
enum GarmentPart : uint8_t { kNoGarment = 0, kBody = 1, kLeftSleeve = 2, kRightSleeve = 3, kOtherPart = 4 };

struct GarmentAnalysis {
  cv::Size photo_size;
  double scale = 1;  // analysis pixels per photo pixel
  cv::Mat parts;     // CV_8U GarmentPart at analysis size
  Category analysed_as = Category::kUpperBody;
  Category shape_category = Category::kUpperBody;  // what the outline looks like
  std::map<std::string, cv::Point2d> landmarks;    // photo pixels
  // Coverage relative to the shoulder (or waist) width, for the verdict.
  double sleeve_length = 0;   // shoulder to cuff (0 = sleeveless)
  double neckline_depth = 0;  // neckline centre below the shoulder line
  double length = 0;          // shoulder line (waist for trousers) to hem
  std::vector<DetectorReport> detectors;

  cv::Mat mask() const { return parts != kNoGarment; }
};

// Throws TryOnError when no garment stands out of the background.
cv::Mat segment_garment(const cv::Mat& bgr_small, DetectorReport& report);

// Fills parts, landmarks and figures from a mask (analysis size); throws TryOnError when
// the outline cannot be a garment of that category.
void find_garment_landmarks(GarmentAnalysis& g, const cv::Mat& mask);

GarmentAnalysis analyse_garment(const cv::Mat& photo, Category category);

std::string serialize(const GarmentAnalysis& g);
GarmentAnalysis deserialize_garment(std::string_view bytes);

}  // namespace tierscope::tryon::internal
