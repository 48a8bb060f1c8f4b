// Composite: the warped garment painted over the person. Clipped to the silhouette
// (dilated by 3 % of the shoulder width); shading carried over as a luminance ratio taken
// only from pixels of the old garment's dominant colour (prints on the old top must not
// ghost through), clipped to 0.8-1.15; where the new garment covers less than the old,
// the old one stays visible (layering) or is blended from the person's own skin — never
// a flat skin patch; hair, hands and arms (except under sleeves) and the face on top;
// a feathered edge. The face box is copied back unchanged.
//
// Pure function: thread-safe.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "tryon/garment_warp.h"
#include "tryon/person_analysis.h"

namespace tierscope::tryon::internal {

struct CompositeResult {
  cv::Mat image;       // CV_8UC3, person photo size
  cv::Mat painted;     // CV_8U 255 where the new garment shows
  double outside_silhouette = 0;  // share of the warped garment outside the person before clipping
  double torso_covered = 0;       // share of the old garment's area (torso for tops) now covered
  double face_unchanged = 0;      // share of face-box pixels identical to the photo
  double uncovered_share = 0;     // share of the old garment left showing (layered or blended)
  std::vector<std::string> warnings;
};

CompositeResult composite(const cv::Mat& person_photo, const PersonAnalysis& p, const WarpedGarment& w, Category category,
                          const TryOnOptions& options);

}  // namespace tierscope::tryon::internal
