// Person landmarks from the silhouette and the region map: neck, shoulders (end of the
// first fast-widening stretch of the running maximum of silhouette width: ignores hair),
// torso sides (robust line fits where top fabric meets skin or background), hem, and for
// the lower body waist, hips, crotch and leg lines. Also what the old garment covers
// (sleeves, neckline, length) and whether the pose is upright and frontal.
//
// Pure function: thread-safe.
#pragma once

#include <opencv2/core.hpp>

#include "tryon/person_analysis.h"
#include "tryon/person_regions.h"

namespace tierscope::tryon::internal {

// Fills the landmark fields of `a` (whose regions, scale, face and photo_size are set).
// `face` is in analysis pixels. Appends detector reports.
void find_person_landmarks(PersonAnalysis& a, const RegionResult& regions, const cv::Rect& face);

}  // namespace tierscope::tryon::internal
