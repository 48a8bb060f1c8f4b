// Person analysis: everything the warp and the composite need to know about the person
// photo, computed once per photo and category and cached (`human:upper|lower|dresses`).
//
//   face (face_detector.h, skin-blob head as the fallback) -> silhouette (silhouette.h)
//   -> regions (person_regions.h) -> landmarks (person_landmarks.h)
//
// Masks are kept at analysis size (longest edge kAnalysisEdge); landmarks and boxes are
// in the photo's own pixels. Values: thread-safe to share once built.
#pragma once

#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tierscope/tryon/tryon_types.h"
#include "tryon/mask_ops.h"

namespace tierscope::tryon::internal {

class FaceDetector;

// Longest edge the analyses work at (the composite is made at full size).
inline constexpr int kAnalysisEdge = 512;

struct PersonAnalysis {
  cv::Size photo_size;
  double scale = 1;          // analysis pixels per photo pixel
  cv::Mat regions;           // CV_8U PersonRegion labels at analysis size
  cv::Rect face;             // photo pixels
  std::map<std::string, cv::Point2d> landmarks;  // photo pixels
  SideLine left_side, right_side;                // torso sides (top fabric against skin or background)
  double shoulder_y = 0, hem_y = 0;              // photo pixels
  double shoulder_width = 0;
  cv::Vec3f top_dominant_lab{0, 0, 0};  // the old top's main colour (OpenCV float Lab)
  double top_dominant_share = 0;        // share of top pixels within that colour
  cv::Vec3f skin_lab{0, 0, 0};
  // The old garment's coverage, for the compatibility verdict (relative to shoulder width).
  double old_sleeve_extent = 0;     // how far the old top runs down the arm (0 = sleeveless)
  double old_neckline_depth = 0;    // old top's neckline below the shoulder line
  double old_lower_hem_y = 0;       // photo pixels: where the old lower garment ends
  bool upright = false;
  bool frontal = false;
  std::string pose_note;
  std::vector<DetectorReport> detectors;

  cv::Mat silhouette() const { return regions != kBackground; }
};

// Analyses a decoded photo (BGR, photo size). Throws TryOnError naming what was not found.
PersonAnalysis analyse_person(const cv::Mat& photo, Category category, FaceDetector& faces, bool use_grabcut);

// Compact serialisation for the cache: a JSON header (landmarks, lines, figures) and the
// region map as PNG. deserialize throws TryOnError for a damaged value.
std::string serialize(const PersonAnalysis& a);
PersonAnalysis deserialize_person(std::string_view bytes);

}  // namespace tierscope::tryon::internal
