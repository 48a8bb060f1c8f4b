#include "tryon/face_detector.h"

#include <opencv2/imgproc.hpp>

#include "tierscope/tryon/tryon_types.h"

namespace tierscope::tryon::internal {
namespace {

// A cascade also fires on prints and folds: keep only boxes whose middle is skin-toned
// (a broad YCrCb range, from pale to dark skin under studio light).
bool skin_toned(const cv::Mat& bgr, const cv::Rect& box) {
  const cv::Rect inner(box.x + box.width * 3 / 10, box.y + box.height * 4 / 10, std::max(1, box.width * 4 / 10),
                       std::max(1, box.height * 4 / 10));
  cv::Mat ycrcb;
  cv::cvtColor(bgr(inner & cv::Rect(0, 0, bgr.cols, bgr.rows)), ycrcb, cv::COLOR_BGR2YCrCb);
  const cv::Scalar m = cv::mean(ycrcb);
  return m[1] >= 128 && m[1] <= 185 && m[2] >= 70 && m[2] <= 135;
}

}  // namespace

FaceDetector::FaceDetector(const std::filesystem::path& cascade_dir) {
  for (auto [cascade, file] : {std::pair{&alt2_, "haarcascade_frontalface_alt2.xml"},
                               std::pair{&default_, "haarcascade_frontalface_default.xml"},
                               std::pair{&eye_, "haarcascade_eye.xml"}}) {
    const auto path = cascade_dir / file;
    if (!std::filesystem::exists(path) || !cascade->load(path.string())) {
      throw TryOnError("cannot load the face cascade " + path.string() + " (Debian package opencv-data)");
    }
  }
}

bool FaceDetector::has_eye(const cv::Mat& bgr, const cv::Rect& box) {
  const cv::Rect upper = cv::Rect(box.x, box.y, box.width, std::max(1, box.height * 6 / 10)) & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (upper.area() == 0) return false;
  cv::Mat gray;
  cv::cvtColor(bgr(upper), gray, cv::COLOR_BGR2GRAY);
  cv::equalizeHist(gray, gray);
  std::vector<cv::Rect> eyes;
  std::lock_guard lock(mu_);
  const int min_side = std::max(6, box.width / 10);
  eye_.detectMultiScale(gray, eyes, 1.1, 3, 0, cv::Size(min_side, min_side), cv::Size(box.width / 2, box.width / 2));
  return !eyes.empty();
}

std::optional<FaceFinding> FaceDetector::find(const cv::Mat& bgr) {
  constexpr double kScale = 0.25;
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::resize(gray, gray, cv::Size(), kScale, kScale, cv::INTER_AREA);
  cv::equalizeHist(gray, gray);
  const cv::Point2f centre(gray.cols / 2.0f, gray.rows / 2.0f);
  const int min_side = std::max(12, std::min(gray.cols, gray.rows) / 16);

  std::lock_guard lock(mu_);
  for (auto [cascade, name] : {std::pair{&alt2_, "alt2"}, std::pair{&default_, "default"}}) {
    for (double angle : {0.0, -12.0, 12.0, -22.0, 22.0}) {
      cv::Mat rotated = gray;
      cv::Mat rotation = cv::getRotationMatrix2D(centre, angle, 1.0);
      if (angle != 0) cv::warpAffine(gray, rotated, rotation, gray.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
      std::vector<cv::Rect> faces;
      std::vector<int> neighbours;
      cascade->detectMultiScale(rotated, faces, neighbours, 1.08, 3, 0, cv::Size(min_side, min_side));
      std::optional<FaceFinding> best;
      cv::Mat inverse;
      cv::invertAffineTransform(rotation, inverse);
      for (size_t i = 0; i < faces.size(); ++i) {
        const cv::Rect& f = faces[i];
        // Back to the unrotated image: the face's centre moves, its size does not.
        const cv::Point2d c(f.x + f.width / 2.0, f.y + f.height / 2.0);
        const double cx = inverse.at<double>(0, 0) * c.x + inverse.at<double>(0, 1) * c.y + inverse.at<double>(0, 2);
        const double cy = inverse.at<double>(1, 0) * c.x + inverse.at<double>(1, 1) * c.y + inverse.at<double>(1, 2);
        if (cy > gray.rows * 0.6) continue;  // faces sit in the upper part of a fashion shot
        const double half = f.width / 2.0;
        cv::Rect box(cvRound((cx - half) / kScale), cvRound((cy - half) / kScale), cvRound(f.width / kScale),
                     cvRound(f.height / kScale));
        box &= cv::Rect(0, 0, bgr.cols, bgr.rows);
        if (box.area() == 0 || !skin_toned(bgr, box)) continue;
        if (!best || box.area() > best->box.area()) {
          const int n = i < neighbours.size() ? neighbours[i] : 3;
          best = FaceFinding{box, angle, std::min(1.0, 0.3 + n / 20.0),
                             std::string("haar ") + name + " at " + std::to_string(static_cast<int>(angle)) + " deg"};
        }
      }
      if (best) return best;
    }
  }
  return std::nullopt;
}

}  // namespace tierscope::tryon::internal
