// The try-on pipeline against real images: every stage on the project's demo assets (all
// three categories), the cache flags of a repeated pair, the version in every key, each
// bad input refused with a message naming what is missing and nothing cached, the async
// call, the classifier choosing the category, and every pair of ../shared/tryon-samples
// (skipped without it).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"
#include "tierscope/engine.h"
#include "tierscope/tryon/demo_assets.h"
#include "tierscope/tryon/tryon_pipeline.h"

using namespace tierscope;
using namespace tierscope::tryon;

namespace {

std::string encode(const cv::Mat& image, const std::string& ext = ".png") {
  std::vector<uchar> bytes;
  cv::imencode(ext, image, bytes);
  return std::string(bytes.begin(), bytes.end());
}

cv::Mat decode(const std::string& bytes) {
  return cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data())), cv::IMREAD_COLOR);
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

EngineOptions tryOnOnly() {
  EngineOptions options;
  options.tryon = TryOnPipelineOptions{};
  return options;
}

TryOnRequest demoRequest(Category garment, std::optional<Category> forced = std::nullopt) {
  TryOnRequest r;
  r.person_image = demo_person_png();
  r.garment_image = demo_garment_png(garment);
  r.category = forced ? forced : std::optional<Category>(garment);
  return r;
}

size_t entries(Engine& engine, const std::string& ns) {
  for (const auto& n : engine.cache().snapshot().namespaces)
    if (n.name == ns) return n.l1.entries;
  return 0;
}

size_t cachedEntries(Engine& engine) {
  return entries(engine, "human:upper") + entries(engine, "human:lower") + entries(engine, "human:dresses") +
         entries(engine, "garment") + entries(engine, "tryon");
}

bool hasLandmark(const std::vector<Landmark>& points, const std::string& name) {
  return std::any_of(points.begin(), points.end(), [&](const Landmark& l) { return l.name == name; });
}

Point landmark(const std::vector<Landmark>& points, const std::string& name) {
  for (const auto& l : points)
    if (l.name == name) return l.at;
  return {};
}

}  // namespace

class TryOnTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void demoTopIsACompatiblePreview() {
    Engine engine(tryOnOnly());
    const TryOnResult r = engine.tryon()->run(demoRequest(Category::kUpperBody));
    const cv::Mat person = decode(demo_person_png()), result = decode(r.composite_png);
    QCOMPARE(result.cols, person.cols);
    QCOMPARE(result.rows, person.rows);
    QCOMPARE(r.verdict, Verdict::kCompatible);
    QCOMPARE(r.face_unchanged, 1.0);
    QVERIFY2(r.torso_covered >= 0.85, qPrintable(QString::number(r.torso_covered)));
    QVERIFY2(r.garment_outside_silhouette <= 0.08, qPrintable(QString::number(r.garment_outside_silhouette)));
    // The torso now shows the stripes: much of it differs from the photo.
    cv::Mat diff;
    cv::absdiff(person, result, diff);
    cv::Mat changed = diff.reshape(1, person.rows * person.cols);
    cv::reduce(changed, changed, 1, cv::REDUCE_MAX);
    const cv::Rect chest(330, 330, 110, 150);
    int chest_changed = 0;
    for (int y = chest.y; y < chest.br().y; ++y)
      for (int x = chest.x; x < chest.br().x; ++x) chest_changed += changed.at<uchar>(y * person.cols + x) > 30;
    QVERIFY(chest_changed > chest.area() / 2);
    // Outside the person nothing changes: the background at the corners is the photo's.
    QCOMPARE(changed.at<uchar>(10 * person.cols + 10), uchar(0));
    QCOMPARE(changed.at<uchar>(1000 * person.cols + 750), uchar(0));
  }

  void everyStageOnTheDemoPerson() {
    Engine engine(tryOnOnly());
    const TryOnResult r = engine.tryon()->run(demoRequest(Category::kUpperBody));
    for (const char* name : {"left_shoulder", "right_shoulder", "neck", "left_armpit", "right_armpit", "left_hem", "right_hem",
                             "left_waist", "right_waist", "left_hip", "right_hip", "crotch", "left_ankle", "right_ankle"}) {
      QVERIFY2(hasLandmark(r.person_landmarks, name), name);
    }
    const Point ls = landmark(r.person_landmarks, "left_shoulder"), rs = landmark(r.person_landmarks, "right_shoulder");
    const Point hem = landmark(r.person_landmarks, "hem_center");
    QVERIFY(ls.x < 384 && rs.x > 384);                // the drawn person stands in the middle
    QVERIFY(std::abs(ls.y - 270) < 40);               // drawn shoulders at 248..270
    QVERIFY(std::abs(hem.y - 560) < 25);              // drawn hem at 560
    // The face (drawn at 324..444 x 72..228) found by the cascade, not a fallback.
    const auto face = std::find_if(r.detectors.begin(), r.detectors.end(), [](const DetectorReport& d) { return d.name == "face"; });
    QVERIFY(face != r.detectors.end());
    QVERIFY(!face->fell_back);
    QVERIFY(face->method.find("haar") == 0);
    const Point f0 = landmark(r.person_landmarks, "face_top_left"), f1 = landmark(r.person_landmarks, "face_bottom_right");
    QVERIFY((f0.x + f1.x) / 2 > 344 && (f0.x + f1.x) / 2 < 424);
    // Regions: skin, hair, top and lower garment all present, in place.
    const Mask& regions = r.person_regions;
    QVERIFY(!regions.empty());
    auto label_at = [&](double x, double y) {
      const int px = static_cast<int>(x * regions.width / 768.0), py = static_cast<int>(y * regions.height / 1024.0);
      return regions.pixels[py * regions.width + px];
    };
    QCOMPARE(label_at(384, 420), uint8_t(kTop));       // chest
    QCOMPARE(label_at(320, 800), uint8_t(kLower));     // trouser leg
    QCOMPARE(label_at(250, 480), uint8_t(kSkin));      // arm
    QCOMPARE(label_at(384, 60), uint8_t(kHair));       // top of the head
    QCOMPARE(label_at(40, 500), uint8_t(kBackground));
    // Garment: body and both sleeves, cuffs beyond the shoulders.
    QVERIFY(hasLandmark(r.garment_landmarks, "left_cuff") && hasLandmark(r.garment_landmarks, "right_cuff"));
    const Mask& parts = r.garment_mask;
    int counts[5] = {};
    for (uint8_t p : parts.pixels) ++counts[std::min<int>(p, 4)];
    QVERIFY(counts[1] > counts[2] * 3 && counts[2] > 0 && counts[3] > 0);
    // Stage reports.
    QStringList names;
    for (const auto& s : r.stages) names << QString::fromStdString(s.name);
    for (const char* stage : {"decode", "person_analysis", "garment_analysis", "warp", "composite"}) {
      QVERIFY2(names.contains(stage), stage);
    }
  }

  void trousersAndDressWorkOnTheDemoPerson() {
    Engine engine(tryOnOnly());
    const TryOnResult trousers = engine.tryon()->run(demoRequest(Category::kLowerBody));
    QCOMPARE(trousers.category, Category::kLowerBody);
    QVERIFY(hasLandmark(trousers.garment_landmarks, "crotch"));
    QVERIFY2(trousers.torso_covered >= 0.8, qPrintable(QString::number(trousers.torso_covered)));
    QCOMPARE(trousers.face_unchanged, 1.0);
    // The chest keeps the old top: trousers do not touch it.
    const cv::Mat person = decode(demo_person_png()), out = decode(trousers.composite_png);
    QCOMPARE(cv::norm(person(cv::Rect(330, 330, 110, 150)), out(cv::Rect(330, 330, 110, 150)), cv::NORM_INF), 0.0);
    // A leg is khaki now, not denim.
    const cv::Vec3b leg = out.at<cv::Vec3b>(760, 330);
    QVERIFY2(leg[2] > leg[0], "the leg should be khaki (red > blue)");

    const TryOnResult dress = engine.tryon()->run(demoRequest(Category::kDresses));
    QCOMPARE(dress.category, Category::kDresses);
    QCOMPARE(dress.face_unchanged, 1.0);
    const cv::Mat d = decode(dress.composite_png);
    const cv::Vec3b chest = d.at<cv::Vec3b>(420, 384), thigh = d.at<cv::Vec3b>(700, 384);
    for (const cv::Vec3b& px : {chest, thigh}) QVERIFY2(px[0] > px[1], "plum: blue above green");  // not coral, not denim
  }

  void repeatedPairComesFromTheCache() {
    Engine engine(tryOnOnly());
    TryOnPipeline& p = *engine.tryon();
    const TryOnResult first = p.run(demoRequest(Category::kUpperBody));
    QVERIFY(!first.composite_from_cache);
    for (const auto& s : first.stages) QVERIFY2(!s.from_cache, s.name.c_str());
    QCOMPARE(entries(engine, "human:upper"), size_t(1));
    QCOMPARE(entries(engine, "garment"), size_t(1));
    QCOMPARE(entries(engine, "tryon"), size_t(1));

    const TryOnResult second = p.run(demoRequest(Category::kUpperBody));
    QVERIFY(second.composite_from_cache);
    QCOMPARE(second.composite_png, first.composite_png);
    QCOMPARE(second.verdict, first.verdict);
    QCOMPARE(second.person_regions.pixels, first.person_regions.pixels);
    QCOMPARE(second.warped_garment.width, first.warped_garment.width);

    // Same person, another garment: the person analysis is reused, the garment is new.
    TryOnRequest other = demoRequest(Category::kUpperBody);
    other.options.feather_px = 1.5;  // part of the composite key only
    const TryOnResult third = p.run(other);
    QVERIFY(!third.composite_from_cache);
    auto stage = [](const TryOnResult& r, const std::string& name) {
      for (const auto& s : r.stages)
        if (s.name == name) return s;
      return StageReport{};
    };
    QVERIFY(stage(third, "person_analysis").from_cache);
    QVERIFY(stage(third, "garment_analysis").from_cache);
    QVERIFY(!stage(third, "composite").from_cache);
    const TryOnStats stats = p.stats();
    QCOMPARE(stats.requests, uint64_t(3));
    QCOMPARE(stats.composites_from_cache, uint64_t(1));
    QCOMPARE(stats.persons_from_cache, uint64_t(1));
    // Every key carries the pipeline version, so a new version never reads these.
    const std::string versioned = std::string(kPipelineVersion) + ":*";
    QCOMPARE(engine.cache().invalidate_matching(versioned, "human:upper"), size_t(1));
    QCOMPARE(engine.cache().invalidate_matching(versioned, "garment"), size_t(1));
    QCOMPARE(engine.cache().invalidate_matching(versioned, "tryon"), size_t(2));
    // With the cache switched off per request nothing is read or stored.
    TryOnRequest uncached = demoRequest(Category::kUpperBody);
    uncached.options.use_cache = false;
    const TryOnResult fresh = p.run(uncached);
    QVERIFY(!fresh.composite_from_cache);
    QCOMPARE(cachedEntries(engine), size_t(0));
  }

  void cachedPersonSurvivesTheL2Tier() {
    QTemporaryDir dir;
    EngineOptions options = tryOnOnly();
    DiskTierOptions l2;
    l2.root = dir.path().toStdString();
    options.cache.l2 = l2;
    std::string png;
    {
      Engine engine(options);
      png = engine.tryon()->run(demoRequest(Category::kLowerBody)).composite_png;
    }
    Engine engine(options);  // a new process: L1 empty, L2 on disk
    const TryOnResult again = engine.tryon()->run(demoRequest(Category::kLowerBody));
    QVERIFY(again.composite_from_cache);
    QCOMPARE(again.composite_png, png);
  }

  void badInputsNameWhatIsMissingAndCacheNothing() {
    Engine engine(tryOnOnly());
    TryOnPipeline& p = *engine.tryon();
    auto expectError = [&](TryOnRequest request, const char* words) {
      try {
        p.run(request);
        QFAIL(qPrintable(QString("no error; expected '%1'").arg(words)));
      } catch (const TryOnError& e) {
        QVERIFY2(std::string(e.what()).find(words) != std::string::npos, e.what());
      }
    };
    TryOnRequest r = demoRequest(Category::kUpperBody);
    r.person_image.clear();
    expectError(r, "person photo: empty");

    r = demoRequest(Category::kUpperBody);
    r.garment_image = "not an image at all";
    expectError(r, "garment photo: not a supported image");

    const cv::Mat person = decode(demo_person_png());
    r = demoRequest(Category::kUpperBody);
    const std::string jpeg = encode(person, ".jpg");
    r.person_image = jpeg.substr(0, jpeg.size() / 2);
    expectError(r, "person photo: truncated JPEG");

    // A header announcing 60000 x 60000 pixels is refused before any pixel is allocated.
    std::string huge = demo_person_png();
    huge[16] = 0; huge[17] = 0; huge[18] = char(0xEA); huge[19] = 0x60;
    huge[20] = 0; huge[21] = 0; huge[22] = char(0xEA); huge[23] = 0x60;
    r = demoRequest(Category::kUpperBody);
    r.person_image = huge;
    expectError(r, "exceeds");

    r = demoRequest(Category::kUpperBody);
    r.person_image = encode(cv::Mat(1024, 768, CV_8UC3, cv::Scalar(230, 230, 230)));
    expectError(r, "no person found");

    // A person whose head is covered: no face anywhere.
    cv::Mat faceless = person.clone();
    cv::ellipse(faceless, {384, 150}, {85, 100}, 0, 0, 360, cv::Scalar(40, 55, 80), -1);
    r = demoRequest(Category::kUpperBody);
    r.person_image = encode(faceless);
    expectError(r, "no face found");

    r = demoRequest(Category::kUpperBody);
    r.garment_image = encode(cv::Mat(1024, 768, CV_8UC3, cv::Scalar(246, 246, 246)));
    expectError(r, "no garment found");

    // Garments not of the category asked for.
    expectError(demoRequest(Category::kUpperBody, Category::kLowerBody), "no trouser legs");
    expectError(demoRequest(Category::kLowerBody, Category::kUpperBody), "shows trousers, not upper_body");
    expectError(demoRequest(Category::kUpperBody, Category::kDresses), "not a dress");

    QCOMPARE(cachedEntries(engine), size_t(0));
    QCOMPARE(p.stats().errors, p.stats().requests);
  }

  void asyncCallsRunOffTheCallerAndShareWork() {
    Engine engine(tryOnOnly());
    std::vector<std::future<TryOnResult>> futures;
    for (int i = 0; i < 3; ++i) futures.push_back(engine.tryon()->run_async(demoRequest(Category::kUpperBody)));
    std::string first;
    for (auto& f : futures) {
      const TryOnResult r = f.get();
      if (first.empty()) first = r.composite_png;
      QCOMPARE(r.composite_png, first);
    }
    QCOMPARE(entries(engine, "human:upper"), size_t(1));
    // Errors travel in the future.
    TryOnRequest bad = demoRequest(Category::kUpperBody);
    bad.garment_image.clear();
    auto f = engine.tryon()->run_async(bad);
    QVERIFY_THROWS_EXCEPTION(TryOnError, f.get());
  }

  void classifierPicksTheCategory() {
    EngineOptions options = tryOnOnly();
    InferenceOptions inference;
    inference.model_path = TIERSCOPE_MODEL_PATH;
    inference.settings.lazy_loading_enabled = true;
    options.inference = inference;
    Engine engine(options);
    TryOnRequest r = demoRequest(Category::kLowerBody);
    r.category.reset();
    const TryOnResult result = engine.tryon()->run(r);
    QVERIFY(result.category_from_classifier);
    QVERIFY2(result.category_source.rfind("classifier: ", 0) == 0, result.category_source.c_str());
    QCOMPARE(result.category, Category::kLowerBody);
    // Without a classifier the garment's outline decides.
    Engine shapes(tryOnOnly());
    TryOnRequest dress = demoRequest(Category::kDresses);
    dress.category.reset();
    const TryOnResult by_shape = shapes.tryon()->run(dress);
    QCOMPARE(by_shape.category, Category::kDresses);
    QCOMPARE(QString::fromStdString(by_shape.category_source), QString("garment shape"));
  }

  void resultJsonCarriesTheReport() {
    Engine engine(tryOnOnly());
    const TryOnResult r = engine.tryon()->run(demoRequest(Category::kUpperBody));
    const auto j = nlohmann::json::parse(result_json(r));
    QCOMPARE(QString::fromStdString(j.at("verdict").get<std::string>()), QString("compatible"));
    QVERIFY(j.at("stages").size() >= 5);
    QVERIFY(j.at("quality").contains("torso_covered"));
    QVERIFY(j.at("detectors").size() >= 6);
  }

  void everySamplePairRuns() {
    const auto dir = testing::sharedDir() / "tryon-samples";
    TIERSCOPE_REQUIRE_SHARED_FILE(dir / "person");
    Engine engine(tryOnOnly());
    std::vector<std::filesystem::path> persons, garments;
    for (const auto& e : std::filesystem::directory_iterator(dir / "person")) persons.push_back(e.path());
    for (const auto& e : std::filesystem::directory_iterator(dir / "garment")) garments.push_back(e.path());
    QVERIFY(!persons.empty() && !garments.empty());
    int pairs = 0;
    for (const auto& person : persons) {
      const std::string person_bytes = readFile(person);
      for (const auto& garment : garments) {
        TryOnRequest r;
        r.person_image = person_bytes;
        r.garment_image = readFile(garment);
        r.category = Category::kUpperBody;  // all samples are tops
        try {
          const TryOnResult result = engine.tryon()->run(r);
          ++pairs;
          QCOMPARE(result.face_unchanged, 1.0);
          const auto face = std::find_if(result.detectors.begin(), result.detectors.end(),
                                         [](const DetectorReport& d) { return d.name == "face"; });
          QVERIFY2(face != result.detectors.end() && !face->fell_back, person.c_str());
          QVERIFY(!decode(result.composite_png).empty());
        } catch (const TryOnError& e) {
          // A refusal must say what was not found; it is counted, not hidden.
          QVERIFY2(std::string(e.what()).find("no ") != std::string::npos, e.what());
        }
      }
    }
    QVERIFY2(pairs >= static_cast<int>(persons.size() * (garments.size() - 1)), qPrintable(QString::number(pairs)));
  }
};

QTEST_GUILESS_MAIN(TryOnTest)
#include "test_tryon.moc"
