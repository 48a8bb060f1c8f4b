#include "tryon/garment_analysis.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tryon/image_io.h"
#include "tryon/person_analysis.h"
#include "tryon/serial_format.h"

namespace tierscope::tryon::internal {

GarmentAnalysis analyse_garment(const cv::Mat& photo, Category category) {
  GarmentAnalysis g;
  g.photo_size = photo.size();
  g.scale = std::min(1.0, double(kAnalysisEdge) / std::max(photo.cols, photo.rows));
  g.analysed_as = category;
  cv::Mat small;
  cv::resize(photo, small, cv::Size(), g.scale, g.scale, cv::INTER_AREA);
  DetectorReport mask_report;
  const cv::Mat mask = segment_garment(small, mask_report);
  g.detectors.push_back(mask_report);
  find_garment_landmarks(g, mask);
  if (category == Category::kDresses && g.length < 1.8) {
    throw TryOnError("the garment photo shows a top (length " + std::to_string(g.length).substr(0, 4) +
                     " shoulder widths), not a dress");
  }
  return g;
}

std::string serialize(const GarmentAnalysis& g) {
  nlohmann::json j;
  j["photo_size"] = {g.photo_size.width, g.photo_size.height};
  j["scale"] = g.scale;
  j["analysed_as"] = category_name(g.analysed_as);
  j["shape_category"] = category_name(g.shape_category);
  for (const auto& [name, p] : g.landmarks) j["landmarks"][name] = {p.x, p.y};
  j["sleeve_length"] = g.sleeve_length;
  j["neckline_depth"] = g.neckline_depth;
  j["length"] = g.length;
  for (const auto& d : g.detectors) j["detectors"].push_back({d.name, d.confidence, d.fell_back, d.method});
  return pack("garment", j.dump(), {encode_png(g.parts, 9)});
}

GarmentAnalysis deserialize_garment(std::string_view bytes) {
  GarmentAnalysis g;
  try {
    auto [header, images] = unpack("garment", bytes, 1);
    const auto j = nlohmann::json::parse(header);
    g.photo_size = {j.at("photo_size")[0], j.at("photo_size")[1]};
    g.scale = j.at("scale");
    g.analysed_as = parse_category(j.at("analysed_as")).value_or(Category::kUpperBody);
    g.shape_category = parse_category(j.at("shape_category")).value_or(Category::kUpperBody);
    for (const auto& [name, p] : j.at("landmarks").items()) g.landmarks[name] = {p[0], p[1]};
    g.sleeve_length = j.at("sleeve_length");
    g.neckline_depth = j.at("neckline_depth");
    g.length = j.at("length");
    for (const auto& d : j.at("detectors")) g.detectors.push_back({d[0], d[1], d[2], d[3]});
    g.parts = decode_png(images[0], cv::IMREAD_GRAYSCALE);
  } catch (const nlohmann::json::exception& e) {
    throw TryOnError(std::string("damaged garment analysis in the cache: ") + e.what());
  }
  if (g.parts.empty()) throw TryOnError("damaged garment analysis in the cache: no part map");
  return g;
}

}  // namespace tierscope::tryon::internal
