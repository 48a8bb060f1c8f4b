// Try-on values: what a caller asks for and what the pipeline answers. Plain values,
// no OpenCV: images travel as encoded bytes (PNG) or as 8-bit masks in a flat buffer,
// so the console, the server and the tests can use them without the pipeline's libraries.
//
// Thread safety: values; copy them freely.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tierscope::tryon {

// The try-on categories of the source system (and of the classifier's classes).
enum class Category { kUpperBody, kLowerBody, kDresses };

// "upper_body", "lower_body", "dresses".
const char* category_name(Category c);
// The category for a name; nullopt for anything else.
std::optional<Category> parse_category(const std::string& name);
// The cache namespace holding person analyses of a category: human:upper, human:lower, human:dresses.
const char* person_namespace(Category c);

// What is wrong with an input, named for the operator: "no face found in the person
// photo", "garment photo: cannot decode jpeg", ... Nothing is cached when this is thrown.
class TryOnError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where the new garment covers less than the old one.
enum class UncoveredFill {
  kLayer,  // keep the old garment visible underneath (the default: never invented skin)
  kSkin,   // blend from the person's own skin around the area
};

struct TryOnOptions {
  // Silhouette by GrabCut instead of the background colour model (3x slower).
  bool use_grabcut = false;
  UncoveredFill uncovered_fill = UncoveredFill::kLayer;
  // Feather width of the garment's edge, in pixels of the person photo.
  double feather_px = 0.8;
  // Whether any stage may be answered from, or stored in, the cache.
  bool use_cache = true;
};

struct TryOnRequest {
  std::string person_image;   // encoded bytes (JPEG, PNG, ...)
  std::string garment_image;  // encoded bytes
  // Forced category; empty = from the classifier (or, without one, from the garment's shape).
  std::optional<Category> category;
  TryOnOptions options;
};

struct Point {
  double x = 0;
  double y = 0;
};

struct Landmark {
  std::string name;  // "left_shoulder", "neck", "hem_center", ...
  Point at;
};

// An 8-bit mask or label image, row-major. Labels: see PersonRegion.
struct Mask {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
  bool empty() const { return pixels.empty(); }
};

// Labels of the person region map.
enum PersonRegion : uint8_t { kBackground = 0, kSkin = 1, kHair = 2, kTop = 3, kLower = 4 };

// One landmark detector's outcome: how sure it is (0..1) and whether it fell back to a
// rougher method (a rotated cascade is not a fallback; a skin-blob head is).
struct DetectorReport {
  std::string name;  // "face", "silhouette", "shoulders", "hem", "garment_mask", ...
  double confidence = 0;
  bool fell_back = false;
  std::string method;  // "haar alt2 at -12 deg", "background quadratic model", ...
};

struct StageReport {
  std::string name;  // "person_analysis", "garment_analysis", "warp", "composite"
  double milliseconds = 0;
  bool from_cache = false;
};

enum class Verdict { kCompatible, kPartial };
const char* verdict_name(Verdict v);  // "compatible", "partial"

struct TryOnResult {
  std::string composite_png;  // the preview, same size as the person photo
  int width = 0;
  int height = 0;
  Category category = Category::kUpperBody;
  bool category_from_classifier = false;
  std::string category_source;  // "forced", "classifier: T-shirt/top 93 %", "garment shape"
  // For display over the person photo (person's size) and the garment photo (its size).
  Mask person_silhouette;
  Mask person_regions;  // PersonRegion labels
  Mask garment_mask;    // over the garment photo: 1 body, 2 left sleeve, 3 right sleeve, 4 other part
  Mask warped_garment;  // over the person photo: where the new garment was painted
  std::vector<Landmark> person_landmarks;
  std::vector<Landmark> garment_landmarks;
  std::vector<DetectorReport> detectors;
  std::vector<StageReport> stages;
  double total_ms = 0;
  bool composite_from_cache = false;
  Verdict verdict = Verdict::kPartial;
  std::vector<std::string> reasons;   // why partial
  std::vector<std::string> warnings;  // what was done about it (layering, skin blend, ...)
  // Quality figures measured on this pair (also shown to operators).
  double garment_outside_silhouette = 0;  // share of warped garment pixels outside the person, before clipping
  double torso_covered = 0;               // share of the torso (shoulders..hem, between the sides) covered
  double face_unchanged = 0;              // share of face-box pixels left exactly as they were
};

// The result as JSON (no images; masks as sizes only): stage timings, cache flags,
// detectors, verdict, warnings and the quality figures.
std::string result_json(const TryOnResult& r, int indent = -1);

}  // namespace tierscope::tryon
