#include "tryon/person_analysis.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tryon/face_detector.h"
#include "tryon/image_io.h"
#include "tryon/mask_ops.h"
#include "tryon/person_landmarks.h"
#include "tryon/person_regions.h"
#include "tryon/serial_format.h"
#include "tryon/silhouette.h"

namespace tierscope::tryon::internal {
namespace {

// The head as the largest skin-coloured blob in the top of the silhouette, when no
// cascade fires (a turned or covered face). Analysis pixels.
std::optional<cv::Rect> skin_blob_head(const cv::Mat& photo, double scale, const cv::Mat& bgr, const cv::Mat& silhouette,
                                       FaceDetector& faces) {
  const cv::Rect body = cv::boundingRect(silhouette);
  if (body.area() == 0) return std::nullopt;
  cv::Mat ycrcb;
  cv::cvtColor(bgr, ycrcb, cv::COLOR_BGR2YCrCb);
  cv::Mat skin;
  cv::inRange(ycrcb, cv::Scalar(0, 135, 80), cv::Scalar(255, 180, 130), skin);
  skin &= silhouette;
  skin(cv::Rect(0, body.y + body.height * 35 / 100, skin.cols, skin.rows - body.y - body.height * 35 / 100)).setTo(0);
  cv::Mat head = largest_component(skin);
  const cv::Rect box = cv::boundingRect(head);
  if (box.area() < body.width * body.width / 100 || box.width < 8) return std::nullopt;
  // A head starts near the top of the figure; a neck under a covered head does not.
  if (box.y > body.y + body.height * 12 / 100) return std::nullopt;
  const double aspect = double(box.height) / box.width;
  if (aspect < 0.6 || aspect > 2.2) return std::nullopt;
  const cv::Rect head_box(box.x, box.y, box.width, std::min(box.height, box.width * 13 / 10));
  // A face has eyes; a covered head, a hood or the back of a head does not.
  const cv::Rect full(cvRound(head_box.x / scale), cvRound(head_box.y / scale), cvRound(head_box.width / scale),
                      cvRound(head_box.height / scale));
  if (!faces.has_eye(photo, full)) return std::nullopt;
  return head_box;
}

cv::Vec3f dominant_colour(const cv::Mat& lab, const cv::Mat& mask, double* share) {
  std::vector<cv::Vec3f> pixels;
  for (int y = 0; y < lab.rows; y += 2)
    for (int x = 0; x < lab.cols; x += 2)
      if (mask.at<uchar>(y, x)) pixels.push_back(lab.at<cv::Vec3f>(y, x));
  *share = 0;
  if (pixels.size() < 12) return {50, 0, 0};
  cv::Mat samples(static_cast<int>(pixels.size()), 3, CV_32F, pixels.data());
  cv::Mat weighted = samples.clone();
  weighted.col(0) *= 0.5;  // lightness counts half, as everywhere in the regions
  cv::Mat labels, centres;
  cv::setRNGSeed(7);
  cv::kmeans(weighted, 3, labels, cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 10, 0.5), 2,
             cv::KMEANS_PP_CENTERS, centres);
  int counts[3] = {};
  for (int i = 0; i < labels.rows; ++i) ++counts[labels.at<int>(i)];
  const int best = static_cast<int>(std::max_element(counts, counts + 3) - counts);
  *share = double(counts[best]) / labels.rows;
  return {centres.at<float>(best, 0) * 2.0f, centres.at<float>(best, 1), centres.at<float>(best, 2)};
}

}  // namespace

PersonAnalysis analyse_person(const cv::Mat& photo, Category category, FaceDetector& faces, bool use_grabcut) {
  PersonAnalysis a;
  a.photo_size = photo.size();
  a.scale = std::min(1.0, double(kAnalysisEdge) / std::max(photo.cols, photo.rows));
  cv::Mat small;
  cv::resize(photo, small, cv::Size(), a.scale, a.scale, cv::INTER_AREA);

  const std::optional<FaceFinding> face = faces.find(photo);
  SilhouetteResult sil = segment_person(small, use_grabcut);
  a.detectors.push_back({"silhouette", sil.confidence, false,
                         use_grabcut ? "GrabCut seeded by the background model" : "background quadratic colour model"});
  cv::Rect face_small;
  if (face) {
    a.face = face->box;
    face_small = cv::Rect(cvRound(face->box.x * a.scale), cvRound(face->box.y * a.scale), cvRound(face->box.width * a.scale),
                          cvRound(face->box.height * a.scale));
    a.detectors.push_back({"face", face->confidence, false, face->method});
  } else {
    const auto head = skin_blob_head(photo, a.scale, small, sil.mask, faces);
    if (!head) throw TryOnError("no face found in the person photo (a front-facing person is needed)");
    face_small = *head;
    a.face = cv::Rect(cvRound(head->x / a.scale), cvRound(head->y / a.scale), cvRound(head->width / a.scale),
                      cvRound(head->height / a.scale));
    a.detectors.push_back({"face", 0.3, true, "skin-coloured blob with an eye at the top of the silhouette"});
  }
  face_small &= cv::Rect(0, 0, small.cols, small.rows);
  if (face_small.area() == 0) throw TryOnError("no face found in the person photo");
  // The face must belong to the person: its centre on the silhouette.
  const cv::Point face_centre(face_small.x + face_small.width / 2, face_small.y + face_small.height / 2);
  if (!sil.mask.at<uchar>(face_centre)) {
    throw TryOnError("no person found around the face (the silhouette does not include it)");
  }
  if (face_small.y + face_small.height * 4 > small.rows) {
    throw TryOnError("no torso found in the person photo (the face is too low or too large: a portrait, not a figure)");
  }

  cv::Mat lab;
  small.convertTo(lab, CV_32FC3, 1.0 / 255.0);
  cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
  RegionSeeds seeds{face_small, double(face_small.y + face_small.height), face_small.x + face_small.width / 2.0};
  RegionResult regions = label_regions(lab, sil.mask, seeds);
  a.regions = regions.labels;
  a.skin_lab = regions.skin_lab;
  find_person_landmarks(a, regions, face_small);
  const cv::Mat old = category == Category::kLowerBody ? (a.regions == kLower) : (a.regions == kTop);
  a.top_dominant_lab = dominant_colour(lab, old, &a.top_dominant_share);
  return a;
}

std::string serialize(const PersonAnalysis& a) {
  nlohmann::json j;
  j["photo_size"] = {a.photo_size.width, a.photo_size.height};
  j["scale"] = a.scale;
  j["face"] = {a.face.x, a.face.y, a.face.width, a.face.height};
  for (const auto& [name, p] : a.landmarks) j["landmarks"][name] = {p.x, p.y};
  j["left_side"] = {a.left_side.slope, a.left_side.offset};
  j["right_side"] = {a.right_side.slope, a.right_side.offset};
  j["shoulder_y"] = a.shoulder_y;
  j["hem_y"] = a.hem_y;
  j["shoulder_width"] = a.shoulder_width;
  j["top_dominant_lab"] = {a.top_dominant_lab[0], a.top_dominant_lab[1], a.top_dominant_lab[2]};
  j["top_dominant_share"] = a.top_dominant_share;
  j["skin_lab"] = {a.skin_lab[0], a.skin_lab[1], a.skin_lab[2]};
  j["old_sleeve_extent"] = a.old_sleeve_extent;
  j["old_neckline_depth"] = a.old_neckline_depth;
  j["old_lower_hem_y"] = a.old_lower_hem_y;
  j["upright"] = a.upright;
  j["frontal"] = a.frontal;
  j["pose_note"] = a.pose_note;
  for (const auto& d : a.detectors) j["detectors"].push_back({d.name, d.confidence, d.fell_back, d.method});
  return pack("person", j.dump(), {encode_png(a.regions, 9)});
}

PersonAnalysis deserialize_person(std::string_view bytes) {
  PersonAnalysis a;
  try {
    auto [header, images] = unpack("person", bytes, 1);
    const auto j = nlohmann::json::parse(header);
    a.photo_size = {j.at("photo_size")[0], j.at("photo_size")[1]};
    a.scale = j.at("scale");
    a.face = {j.at("face")[0], j.at("face")[1], j.at("face")[2], j.at("face")[3]};
    for (const auto& [name, p] : j.at("landmarks").items()) a.landmarks[name] = {p[0], p[1]};
    a.left_side = {j.at("left_side")[0], j.at("left_side")[1]};
    a.right_side = {j.at("right_side")[0], j.at("right_side")[1]};
    a.shoulder_y = j.at("shoulder_y");
    a.hem_y = j.at("hem_y");
    a.shoulder_width = j.at("shoulder_width");
    a.top_dominant_lab = {j.at("top_dominant_lab")[0], j.at("top_dominant_lab")[1], j.at("top_dominant_lab")[2]};
    a.top_dominant_share = j.at("top_dominant_share");
    a.skin_lab = {j.at("skin_lab")[0], j.at("skin_lab")[1], j.at("skin_lab")[2]};
    a.old_sleeve_extent = j.at("old_sleeve_extent");
    a.old_neckline_depth = j.at("old_neckline_depth");
    a.old_lower_hem_y = j.at("old_lower_hem_y");
    a.upright = j.at("upright");
    a.frontal = j.at("frontal");
    a.pose_note = j.at("pose_note");
    for (const auto& d : j.at("detectors")) a.detectors.push_back({d[0], d[1], d[2], d[3]});
    a.regions = decode_png(images[0], cv::IMREAD_GRAYSCALE);
  } catch (const nlohmann::json::exception& e) {
    throw TryOnError(std::string("damaged person analysis in the cache: ") + e.what());
  }
  if (a.regions.empty()) throw TryOnError("damaged person analysis in the cache: no region map");
  return a;
}

}  // namespace tierscope::tryon::internal
