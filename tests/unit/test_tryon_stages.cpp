// White-box checks of try-on stages that the end-to-end tests cannot pin down: the
// thin-plate spline (exact at its control points, the coarse grid close to the exact
// map), the garment mask on plain, graded and noisy backgrounds, the serialised analyses
// surviving a round trip, and damaged cache values refused.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>
#include <random>

#include "tierscope/tryon/demo_assets.h"
#include "tryon/face_detector.h"
#include "tryon/garment_analysis.h"
#include "tryon/person_analysis.h"
#include "tryon/serial_format.h"
#include "tryon/thin_plate_spline.h"
#include "tierscope/tryon/tryon_pipeline.h"

using namespace tierscope::tryon;
using namespace tierscope::tryon::internal;

namespace {

cv::Mat decode(const std::string& bytes) {
  return cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data())), cv::IMREAD_COLOR);
}

// The demo top re-drawn over another background.
cv::Mat topOver(const cv::Mat& background) {
  const cv::Mat top = decode(demo_garment_png(Category::kUpperBody));
  cv::Mat diff;
  cv::absdiff(top, cv::Scalar(246, 246, 246), diff);
  cv::Mat channels[3];
  cv::split(diff, channels);
  const cv::Mat garment = (channels[0] > 3) | (channels[1] > 3) | (channels[2] > 3);
  cv::Mat out = background.clone();
  top.copyTo(out, garment);
  return out;
}

double iou(const cv::Mat& a, const cv::Mat& b) {
  return double(cv::countNonZero(a & b)) / std::max(1, cv::countNonZero(a | b));
}

}  // namespace

class TryOnStagesTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void splineInterpolatesAndTheGridIsClose() {
    std::vector<cv::Point2d> from = {{100, 100}, {600, 120}, {120, 900}, {640, 880}, {380, 500}, {250, 300}, {500, 700}};
    std::vector<cv::Point2d> to;
    for (const auto& p : from) to.emplace_back(p.x * 0.9 + 20 + 15 * std::sin(p.y / 150), p.y * 1.05 - 10);
    const ThinPlateSpline tps(from, to, 0);
    for (size_t i = 0; i < from.size(); ++i) QVERIFY(cv::norm(tps(from[i]) - to[i]) < 1e-6);
    const cv::Rect roi(40, 60, 640, 900);
    cv::Mat mx, my;
    tps.dense_map(roi, 4, mx, my);
    double worst = 0;
    for (int y = 0; y < roi.height; y += 7) {
      for (int x = 0; x < roi.width; x += 7) {
        const cv::Point2d exact = tps(cv::Point2d(roi.x + x, roi.y + y));
        worst = std::max(worst, cv::norm(exact - cv::Point2d(mx.at<float>(y, x), my.at<float>(y, x))));
      }
    }
    QVERIFY2(worst < 1.0, qPrintable(QString::number(worst)));
    QVERIFY_THROWS_EXCEPTION(TryOnError, ThinPlateSpline({{0, 0}, {1, 1}}, {{0, 0}, {1, 1}}));
  }

  void garmentMaskOnPlainGradedAndNoisyBackgrounds() {
    cv::Mat plain(1024, 768, CV_8UC3, cv::Scalar(246, 246, 246));
    cv::Mat graded(1024, 768, CV_8UC3);
    for (int y = 0; y < graded.rows; ++y)
      for (int x = 0; x < graded.cols; ++x) graded.at<cv::Vec3b>(y, x) = cv::Vec3b(200 + x / 16, 205 + y / 20, 190 + (x + y) / 40);
    cv::Mat noisy = plain.clone();
    cv::randn(noisy, cv::Scalar(246, 246, 246), cv::Scalar(1.5, 1.5, 1.5));
    DetectorReport report;
    cv::Mat reference;
    for (const auto& [name, background] : {std::pair{"plain", plain}, std::pair{"graded", graded}, std::pair{"noisy", noisy}}) {
      cv::Mat small;
      cv::resize(topOver(background), small, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
      const cv::Mat mask = segment_garment(small, report);
      if (reference.empty()) {
        reference = mask;
        QVERIFY(cv::countNonZero(mask) > static_cast<int>(small.total() / 6));
      } else {
        QVERIFY2(iou(mask, reference) > 0.95, name);
      }
    }
  }

  void analysesSurviveTheirSerialisation() {
    FaceDetector faces(find_haar_cascades());
    const PersonAnalysis a = analyse_person(decode(demo_person_png()), Category::kUpperBody, faces, false);
    const PersonAnalysis b = deserialize_person(serialize(a));
    QCOMPARE(cv::countNonZero(a.regions != b.regions), 0);
    QCOMPARE(b.landmarks.size(), a.landmarks.size());
    QCOMPARE(b.face, a.face);
    QVERIFY(std::abs(b.left_side.slope - a.left_side.slope) < 1e-9);
    QCOMPARE(b.detectors.size(), a.detectors.size());
    const GarmentAnalysis g = analyse_garment(decode(demo_garment_png(Category::kLowerBody)), Category::kLowerBody);
    const GarmentAnalysis h = deserialize_garment(serialize(g));
    QCOMPARE(cv::countNonZero(g.parts != h.parts), 0);
    QCOMPARE(h.landmarks.at("crotch"), g.landmarks.at("crotch"));
    QCOMPARE(h.shape_category, Category::kLowerBody);
  }

  void damagedCacheValuesAreRefused() {
    const std::string good = pack("person", "{}", {"png"});
    QVERIFY_THROWS_EXCEPTION(TryOnError, unpack("garment", good, 1));         // wrong kind
    QVERIFY_THROWS_EXCEPTION(TryOnError, unpack("person", good.substr(0, good.size() - 1), 1));  // truncated
    QVERIFY_THROWS_EXCEPTION(TryOnError, unpack("person", good + "x", 1));    // trailing bytes
    QVERIFY_THROWS_EXCEPTION(TryOnError, unpack("person", good, 2));          // image count
    QVERIFY_THROWS_EXCEPTION(TryOnError, deserialize_person(pack("person", "{\"scale\": 1}", {"png"})));
  }

  void grabcutSilhouetteAgreesWithTheColourModel() {
    FaceDetector faces(find_haar_cascades());
    const cv::Mat photo = decode(demo_person_png());
    const PersonAnalysis model = analyse_person(photo, Category::kUpperBody, faces, false);
    const PersonAnalysis grabcut = analyse_person(photo, Category::kUpperBody, faces, true);
    QVERIFY2(iou(model.silhouette(), grabcut.silhouette()) > 0.95,
             qPrintable(QString::number(iou(model.silhouette(), grabcut.silhouette()))));
    bool reported = false;
    for (const auto& d : grabcut.detectors) reported |= d.name == "silhouette" && d.method.find("GrabCut") != std::string::npos;
    QVERIFY(reported);
  }
};

QTEST_GUILESS_MAIN(TryOnStagesTest)
#include "test_tryon_stages.moc"
