// The inference path against the real model and real images: guarded decoding, the
// Fashion-MNIST transform, the committed classifier's accuracy on the 10,000 test
// images, the prediction cache, load limits, and the try-on garment photos.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>
#include <algorithm>
#include <fstream>
#include <numeric>
#include <thread>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tierscope/inference/classifier.h"
#include "tierscope/inference/fashion_mnist.h"
#include "tierscope/inference/image_preprocess.h"
#include "tierscope/inference/model_service.h"

using namespace tierscope;

namespace {

std::string encode(const cv::Mat& image, const std::string& ext) {
  std::vector<uchar> bytes;
  cv::imencode(ext, image, bytes);
  return std::string(bytes.begin(), bytes.end());
}

// A dark T-shirt silhouette on a light studio background, as product photos are shot.
cv::Mat tshirtPhoto(int width = 768, int height = 1024) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(235, 235, 235));
  const double sx = width / 768.0, sy = height / 1024.0;
  std::vector<cv::Point> body = {{int(230 * sx), int(250 * sy)}, {int(320 * sx), int(200 * sy)}, {int(448 * sx), int(200 * sy)},
                                 {int(538 * sx), int(250 * sy)}, {int(650 * sx), int(380 * sy)}, {int(580 * sx), int(440 * sy)},
                                 {int(530 * sx), int(400 * sy)}, {int(530 * sx), int(820 * sy)}, {int(238 * sx), int(820 * sy)},
                                 {int(238 * sx), int(400 * sy)}, {int(188 * sx), int(440 * sy)}, {int(118 * sx), int(380 * sy)}};
  cv::fillPoly(img, std::vector<std::vector<cv::Point>>{body}, cv::Scalar(90, 40, 30));
  return img;
}

std::string pngHeader(uint32_t width, uint32_t height) {
  std::string h("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (uint32_t v : {width, height}) {
    for (int s = 24; s >= 0; s -= 8) h += static_cast<char>((v >> s) & 0xff);
  }
  h += std::string("\x08\x02\0\0\0", 5);
  h += std::string(4, '\0');  // CRC (not checked before the size guard)
  return h;
}

std::filesystem::path modelPath() { return TIERSCOPE_MODEL_PATH; }

ModelServiceOptions modelOptions() {
  ModelServiceOptions o;
  o.model_path = modelPath();
  o.intra_op_threads = 2;
  return o;
}

TieredCacheOptions cacheOptions() {
  TieredCacheOptions o;
  for (auto& ns : o.namespaces) ns.ttl = Duration::zero();
  return o;
}

}  // namespace

class InferenceTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void headersAreCheckedBeforeDecoding() {
    const ImageLimits limits;
    // 30000 x 30000 would be 2.7 GB decoded: refused from its 33-byte header.
    try {
      read_image_header(pngHeader(30000, 30000), limits);
      QFAIL("oversized PNG accepted");
    } catch (const ImageError& e) {
      QVERIFY2(std::string(e.what()).find("30000x30000") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ImageError, to_fashion_mnist(pngHeader(30000, 30000), limits));
    QVERIFY_THROWS_EXCEPTION(ImageError, to_fashion_mnist("", limits));
    QVERIFY_THROWS_EXCEPTION(ImageError, to_fashion_mnist("definitely not an image", limits));
    const std::string jpeg = encode(tshirtPhoto(), ".jpg");
    QCOMPARE(read_image_header(jpeg, limits).width, 768);
    QCOMPARE(read_image_header(jpeg, limits).height, 1024);
    QCOMPARE(read_image_header(jpeg, limits).format, std::string("jpeg"));
    QVERIFY_THROWS_EXCEPTION(ImageError, to_fashion_mnist(jpeg.substr(0, 300), limits));  // truncated
    ImageLimits tiny = limits;
    tiny.max_bytes = 100;
    QVERIFY_THROWS_EXCEPTION(ImageError, to_fashion_mnist(jpeg, tiny));
    const std::string png = encode(tshirtPhoto(400, 300), ".png");
    QCOMPARE(read_image_header(png, limits).width, 400);
    QCOMPARE(read_image_header(encode(tshirtPhoto(64, 48), ".bmp"), limits).height, 48);
  }

  void fashionMnistTransformLooksLikeTheDataset() {
    const FashionImage f = to_fashion_mnist(encode(tshirtPhoto(), ".png"), ImageLimits{});
    QCOMPARE(f.pixels.size(), size_t{784});
    QCOMPARE(f.source_width, 768);
    QCOMPARE(f.source_height, 1024);
    // Background black, garment light; trimmed, so the garment fills the height.
    QCOMPARE(int(f.pixels[0]), 0);
    QCOMPARE(int(f.pixels[27]), 0);
    QVERIFY(f.pixels[14 * 28 + 14] > 150);
    int lit_rows = 0;
    for (int y = 0; y < 28; ++y) {
      int lit = 0;
      for (int x = 0; x < 28; ++x) lit += f.pixels[y * 28 + x] > 60;
      lit_rows += lit > 0;
    }
    QVERIFY2(lit_rows >= 26, qPrintable(QString::number(lit_rows)));
    // MAX_IMAGE_SIZE applies right after decoding; the result is the same form.
    ImageLimits small;
    small.max_image_size = 64;
    QCOMPARE(to_fashion_mnist(encode(tshirtPhoto(), ".jpg"), small).pixels.size(), size_t{784});
  }

  void committedModelReachesItsAccuracy() {
    const std::filesystem::path dir = kFashionMnistDir;
    if (!std::filesystem::exists(dir / "t10k-images-idx3-ubyte.gz")) QSKIP("dataset-fashion-mnist is not installed");
    ModelService model(modelOptions());
    QVERIFY(!model.loaded());
    QCOMPARE(model.info().classes.size(), size_t{10});  // the sidecar alone: still not loaded
    QVERIFY(!model.loaded());
    const IdxImages images = read_idx_images(dir / "t10k-images-idx3-ubyte.gz");
    const std::vector<uint8_t> labels = read_idx_labels(dir / "t10k-labels-idx1-ubyte.gz");
    QCOMPARE(images.count, size_t{10'000});
    const std::vector<float> probabilities = model.predict_pixels(images.pixels.data(), images.count);  // loads lazily
    QVERIFY(model.loaded());
    size_t correct = 0;
    for (size_t i = 0; i < images.count; ++i) {
      const float* p = probabilities.data() + i * 10;
      correct += static_cast<size_t>(std::max_element(p, p + 10) - p) == labels[i];
    }
    // Every row is a distribution, and a batch answers exactly what single images do.
    for (size_t i = 0; i < images.count; ++i) {
      const float* p = probabilities.data() + i * 10;
      QVERIFY(std::all_of(p, p + 10, [](float v) { return v >= 0.0f && v <= 1.0f; }));
      QVERIFY(std::abs(std::accumulate(p, p + 10, 0.0) - 1.0) < 1e-5);
    }
    for (size_t i : {size_t{0}, size_t{33}, size_t{9'999}}) {
      const std::vector<float> single = model.predict_pixels(images.pixels.data() + i * 784, 1);
      for (size_t c = 0; c < 10; ++c) QVERIFY(std::abs(single[c] - probabilities[i * 10 + c]) < 1e-5);
    }
    const double accuracy = double(correct) / double(images.count);
    qInfo("committed model: %.2f %% on the 10,000 Fashion-MNIST test images", 100.0 * accuracy);
    QVERIFY2(accuracy >= 0.93, qPrintable(QString::number(accuracy)));
    const ModelStats s = model.stats();
    QVERIFY(s.warmup_completed);
    QCOMPARE(s.total_predictions, uint64_t{10'003});
    QCOMPARE(s.forward_passes, uint64_t{(10'000 + 31) / 32 + 3});  // split into batches of max_batch
    QVERIFY(s.rss_after_load_bytes > 0);
    QCOMPARE(model.info().classes.size(), size_t{10});
    QVERIFY(std::abs(model.info().test_accuracy - accuracy) < 0.005);  // the sidecar tells the truth
  }

  void missingOrBrokenModelsAreClearErrors() {
    ModelServiceOptions o = modelOptions();
    o.model_path = "/nonexistent/model.pt";
    ModelService missing(o);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, missing.load());
    QVERIFY(!missing.loaded());
    ModelServiceOptions zero = modelOptions();
    zero.max_concurrent_inferences = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ModelService{zero});
  }

  void predictionCacheAnswersRepeatsAndCachesNoErrors() {
    ModelService model(modelOptions());
    TieredCache cache(cacheOptions());
    Classifier classifier(model, cache, ClassifierOptions{});
    const std::string jpeg = encode(tshirtPhoto(), ".jpg");
    const Classification first = classifier.classify(jpeg, "shirt.jpg");
    const Classification second = classifier.classify(jpeg, "shirt.jpg");
    QVERIFY(!first.from_cache);
    QVERIFY(second.from_cache);
    QVERIFY(first.cache_enabled);
    QCOMPARE(first.predictions.size(), size_t{5});
    QCOMPARE(second.predictions[0].name, first.predictions[0].name);
    QCOMPARE(second.predictions[0].probability, first.predictions[0].probability);
    QCOMPARE(first.image_width, 768);
    QCOMPARE(second.image_height, 1024);
    QCOMPARE(first.filename, std::string("shirt.jpg"));
    QCOMPARE(first.model_version, model.info().model_version);
    double total = 0;
    for (const auto& p : first.predictions) total += p.probability;
    QVERIFY(total > 0.5 && total <= 1.0001);

    // Bad inputs: an error each, and nothing enters the cache.
    const size_t entries_before = classifier.stats().cache_entries;
    const std::string bad[] = {std::string(), "not an image", jpeg.substr(0, jpeg.size() / 3), pngHeader(30000, 30000)};
    for (const std::string& b : bad) QVERIFY_THROWS_EXCEPTION(ImageError, classifier.classify(b));
    QCOMPARE(classifier.stats().cache_entries, entries_before);
    QCOMPARE(classifier.stats().errors, uint64_t{4});
    const ClassifierStats s = classifier.stats();
    QCOMPARE(s.cache_hits, uint64_t{1});
    QCOMPARE(s.cache_misses, uint64_t{1});
    QCOMPARE(s.cache_hit_rate_percent, 50.0);
    QCOMPARE(s.model.total_predictions, uint64_t{1});  // warm-up excluded; bad images never reach the model

    // The stats with the keys operators know.
    const auto j = nlohmann::json::parse(model_stats_json(classifier.stats()));
    for (const char* key : {"total_predictions", "cache_enabled", "cache_size", "cache_hits", "cache_misses",
                            "cache_hit_rate_percent", "avg_inference_time_ms", "total_inference_time_ms", "warmup_completed"}) {
      QVERIFY2(j.contains(key), key);
    }
    QCOMPARE(j["cache_hits"].get<int>(), 1);
    QVERIFY(j["warmup_completed"].get<bool>());
    const auto info = nlohmann::json::parse(model_cache_info_json(classifier.stats()));
    QCOMPARE(info["currsize"].get<int>(), 1);
    QCOMPARE(info["maxsize"].get<int>(), 128);

    // Disabled cache: every call computes.
    classifier.set_cache_enabled(false);
    QVERIFY(!classifier.classify(jpeg).from_cache);
    QVERIFY(!classifier.classify(jpeg).cache_enabled);
    classifier.set_cache_enabled(true);
    QCOMPARE(classifier.clear_cache(), size_t{1});
    QVERIFY(!classifier.classify(jpeg).from_cache);
  }

  void boundedConcurrencyRefusesOverflow() {
    ModelServiceOptions o = modelOptions();
    o.max_concurrent_inferences = 1;
    o.max_queued = 0;
    ModelService model(o);
    model.load();
    std::vector<uint8_t> pixels(784 * 512, 0);
    std::atomic<int> refused{0}, served{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        try {
          model.predict_pixels(pixels.data(), 512);
          ++served;
        } catch (const OverloadedError&) {
          ++refused;
        }
      });
    }
    for (auto& t : threads) t.join();
    QVERIFY(served >= 1);
    QCOMPARE(served + refused, 4);
    QCOMPARE(model.stats().refused, uint64_t(refused.load()));
  }

  void concurrencyLimitChangesWhileRunning() {
    ModelServiceOptions o = modelOptions();
    o.max_concurrent_inferences = 1;
    o.max_queued = 16;
    ModelService model(o);
    model.load();
    std::vector<uint8_t> pixels(784 * 256, 0);
    auto run_four = [&] {
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) threads.emplace_back([&] { model.predict_pixels(pixels.data(), 256); });
      for (auto& t : threads) t.join();
    };
    run_four();
    QCOMPARE(model.stats().max_concurrent_inferences, size_t{1});
    QCOMPARE(model.stats().peak_concurrent_inferences, size_t{1});  // queued, never side by side

    model.set_max_concurrent_inferences(3);
    QCOMPARE(model.stats().max_concurrent_inferences, size_t{3});
    run_four();
    const size_t peak = model.stats().peak_concurrent_inferences;
    QVERIFY2(peak >= 2 && peak <= 3, qPrintable(QString::number(peak)));
    QCOMPARE(model.stats().refused, uint64_t{0});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model.set_max_concurrent_inferences(0));
    QCOMPARE(model.stats().max_concurrent_inferences, size_t{3});

    // Growing the limit lets in callers that are already waiting.
    model.set_max_concurrent_inferences(1);
    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) threads.emplace_back([&] { model.predict_pixels(pixels.data(), 256); ++done; });
    model.set_max_concurrent_inferences(4);
    for (auto& t : threads) t.join();
    QCOMPARE(done.load(), 3);
  }

  void imageSizeChangesTheTransformAndTheKey() {
    ModelService model(modelOptions());
    TieredCache cache(cacheOptions());
    Classifier classifier(model, cache, ClassifierOptions{});
    const std::string jpeg = encode(tshirtPhoto(), ".jpg");
    QCOMPARE(classifier.max_image_size(), ImageLimits{}.max_image_size);
    QVERIFY(!classifier.classify(jpeg).from_cache);
    QVERIFY(classifier.classify(jpeg).from_cache);
    classifier.set_max_image_size(64);  // another transform: computed anew, then cached under it
    QCOMPARE(classifier.max_image_size(), 64);
    const Classification small = classifier.classify(jpeg);
    QVERIFY(!small.from_cache);
    QCOMPARE(small.image_width, 768);  // image_size reports the upload, not the working size
    QVERIFY(classifier.classify(jpeg).from_cache);
    QCOMPARE(classifier.stats().cache_entries, size_t{2});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, classifier.set_max_image_size(27));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, classifier.set_max_image_size(16385));
    QCOMPARE(classifier.max_image_size(), 64);
  }

  // Every garment photo in ../shared/tryon-samples/garment is a top.
  void tryOnGarmentPhotosAreUpperBody() {
    const auto dir = testing::sharedDir() / "tryon-samples" / "garment";
    TIERSCOPE_REQUIRE_SHARED_FILE(dir);
    ModelService model(modelOptions());
    TieredCache cache(cacheOptions());
    Classifier classifier(model, cache, ClassifierOptions{});
    std::vector<std::filesystem::path> photos;
    for (const auto& f : std::filesystem::directory_iterator(dir)) photos.push_back(f.path());
    std::sort(photos.begin(), photos.end());
    QVERIFY(photos.size() >= 8);
    for (const auto& path : photos) {
      std::ifstream in(path, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const Classification c = classifier.classify(bytes, path.filename().string());
      qInfo("| %s | %s (%.1f %%) | %s (%.1f %%) | %s |", path.filename().c_str(), c.predictions[0].name.c_str(),
            100 * c.predictions[0].probability, c.predictions[1].name.c_str(), 100 * c.predictions[1].probability,
            c.category.c_str());
      QVERIFY2(c.category == "upper_body", qPrintable(QString("%1 classified as %2 (%3)")
                                                         .arg(path.filename().c_str(), c.predictions[0].name.c_str(), c.category.c_str())));
    }
  }
};

QTEST_GUILESS_MAIN(InferenceTest)
#include "test_inference.moc"
