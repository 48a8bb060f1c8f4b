#include "tierscope/tryon/tryon_types.h"

#include <nlohmann/json.hpp>

namespace tierscope::tryon {

const char* category_name(Category c) {
  switch (c) {
    case Category::kUpperBody: return "upper_body";
    case Category::kLowerBody: return "lower_body";
    case Category::kDresses: return "dresses";
  }
  return "upper_body";
}

std::optional<Category> parse_category(const std::string& name) {
  if (name == "upper_body") return Category::kUpperBody;
  if (name == "lower_body") return Category::kLowerBody;
  if (name == "dresses") return Category::kDresses;
  return std::nullopt;
}

const char* person_namespace(Category c) {
  switch (c) {
    case Category::kUpperBody: return "human:upper";
    case Category::kLowerBody: return "human:lower";
    case Category::kDresses: return "human:dresses";
  }
  return "human:upper";
}

const char* verdict_name(Verdict v) { return v == Verdict::kCompatible ? "compatible" : "partial"; }

std::string result_json(const TryOnResult& r, int indent) {
  nlohmann::json j;
  j["width"] = r.width;
  j["height"] = r.height;
  j["category"] = category_name(r.category);
  j["category_source"] = r.category_source;
  j["verdict"] = verdict_name(r.verdict);
  j["reasons"] = r.reasons;
  j["warnings"] = r.warnings;
  j["total_ms"] = r.total_ms;
  j["composite_from_cache"] = r.composite_from_cache;
  j["stages"] = nlohmann::json::array();
  for (const auto& s : r.stages) j["stages"].push_back({{"name", s.name}, {"ms", s.milliseconds}, {"from_cache", s.from_cache}});
  j["detectors"] = nlohmann::json::array();
  for (const auto& d : r.detectors) {
    j["detectors"].push_back({{"name", d.name}, {"confidence", d.confidence}, {"fell_back", d.fell_back}, {"method", d.method}});
  }
  for (const auto& l : r.person_landmarks) j["person_landmarks"][l.name] = {l.at.x, l.at.y};
  for (const auto& l : r.garment_landmarks) j["garment_landmarks"][l.name] = {l.at.x, l.at.y};
  j["quality"] = {{"garment_outside_silhouette", r.garment_outside_silhouette},
                  {"torso_covered", r.torso_covered},
                  {"face_unchanged", r.face_unchanged}};
  return j.dump(indent);
}

}  // namespace tierscope::tryon
