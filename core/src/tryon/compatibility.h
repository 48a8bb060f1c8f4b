// Compatibility verdict: the geometric pipeline is believable when the new garment covers
// at least what the old one did (sleeves, neckline, length) and the pose is upright and
// frontal — `compatible`; otherwise `partial`, with each reason said plainly.
//
// Pure function: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tryon/garment_analysis.h"
#include "tryon/garment_warp.h"
#include "tryon/person_analysis.h"

namespace tierscope::tryon::internal {

struct Compatibility {
  Verdict verdict = Verdict::kPartial;
  std::vector<std::string> reasons;
};

// `outside_silhouette`: the share of the warped garment that fell outside the person.
Compatibility judge(const PersonAnalysis& p, const GarmentAnalysis& g, const WarpedGarment& w, Category category,
                    double outside_silhouette);

}  // namespace tierscope::tryon::internal
