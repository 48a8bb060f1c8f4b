// Person regions: every silhouette pixel labelled skin, hair, top or lower garment by the
// nearest colour centre in Lab (lightness weighted 0.5), the centres refined k-means
// style from seed areas (face centre, band around the head, chest, below the hem), with
// positional priors (hair above the shoulders, lower garment below the hem) so that black
// hair and black jeans do not trade places.
//
// Pure functions: thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace tierscope::tryon::internal {

struct RegionSeeds {
  cv::Rect face;      // analysis pixels
  double neck_y = 0;  // analysis pixels: the chin
  double centre_x = 0;
};

struct RegionResult {
  cv::Mat labels;  // CV_8U PersonRegion
  double hem_y = 0;         // analysis pixels: where the top ends down the centre band
  double hem_confidence = 0;
  bool hem_fell_back = false;
  cv::Vec3f skin_lab, hair_lab, top_lab, lower_lab;
  bool has_hair = false;
};

// `lab` CV_32FC3 at analysis size, `silhouette` CV_8U.
RegionResult label_regions(const cv::Mat& lab, const cv::Mat& silhouette, const RegionSeeds& seeds);

// Distance between Lab colours with lightness weighted 0.5 (shading changes L most).
inline float lab_distance(const cv::Vec3f& a, const cv::Vec3f& b) {
  const float dl = 0.5f * (a[0] - b[0]), da = a[1] - b[1], db = a[2] - b[2];
  return std::sqrt(dl * dl + da * da + db * db);
}

}  // namespace tierscope::tryon::internal
