// tierscope-eval: accuracy and confusion matrix of a classifier on the Fashion-MNIST
// test set, through the engine's ModelService; or, with image files, their top classes
// and try-on category through the full Classifier path (decode, transform, model).
//
//   tierscope-eval [--model resources/models/fashion_cnn.pt] [--data DIR] [--threads N]
//   tierscope-eval --model ... photo1.jpg photo2.png ...
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tierscope/inference/classifier.h"
#include "tierscope/inference/fashion_mnist.h"
#include "tierscope/inference/model_service.h"

namespace {

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tierscope-eval: %s\n", message.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  tierscope::ModelServiceOptions options;
  options.model_path = TIERSCOPE_DEFAULT_MODEL;
  options.intra_op_threads = 2;
  std::string data_dir = tierscope::kFashionMnistDir;
  std::vector<std::string> images;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--model") options.model_path = value();
    else if (arg == "--data") data_dir = value();
    else if (arg == "--threads") options.intra_op_threads = std::stoi(value());
    else if (arg == "--help" || arg == "-h") {
      std::puts("usage: tierscope-eval [--model FILE.pt] [--data DIR] [--threads N] [IMAGE...]");
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      fail("unknown option " + arg);
    } else {
      images.push_back(arg);
    }
  }
  tierscope::ModelService model(options);
  try {
    model.load();
  } catch (const std::exception& e) {
    fail(e.what());
  }
  const auto& info = model.info();

  if (!images.empty()) {
    tierscope::TieredCacheOptions cache_options;
    tierscope::TieredCache cache(cache_options);
    tierscope::ClassifierOptions classifier_options;
    classifier_options.enable_cache = false;
    tierscope::Classifier classifier(model, cache, classifier_options);
    int failures = 0;
    for (const std::string& path : images) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::printf("%s: cannot open\n", path.c_str());
        ++failures;
        continue;
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        const auto c = classifier.classify(bytes, path);
        std::printf("%s: %s (%s)", path.c_str(), c.category.c_str(), c.model_version.c_str());
        for (const auto& p : c.predictions) std::printf("  %s %.1f%%", p.name.c_str(), 100.0 * p.probability);
        std::printf("  [%dx%d, %.1f ms]\n", c.image_width, c.image_height, c.processing_time_ms);
      } catch (const std::exception& e) {
        std::printf("%s: error: %s\n", path.c_str(), e.what());
        ++failures;
      }
    }
    return failures ? 1 : 0;
  }

  tierscope::IdxImages test;
  std::vector<uint8_t> labels;
  try {
    test = tierscope::read_idx_images(std::filesystem::path(data_dir) / "t10k-images-idx3-ubyte.gz");
    labels = tierscope::read_idx_labels(std::filesystem::path(data_dir) / "t10k-labels-idx1-ubyte.gz");
  } catch (const std::exception& e) {
    fail(e.what());
  }
  if (labels.size() != test.count) fail("image and label counts differ");
  const size_t k = info.classes.size();
  const std::vector<float> probabilities = model.predict_pixels(test.pixels.data(), test.count);
  std::vector<std::vector<int>> confusion(k, std::vector<int>(k, 0));
  size_t correct = 0;
  for (size_t i = 0; i < test.count; ++i) {
    const float* p = probabilities.data() + i * k;
    const size_t predicted = static_cast<size_t>(std::max_element(p, p + k) - p);
    ++confusion[labels[i]][predicted];
    correct += predicted == labels[i];
  }
  std::printf("model %s (%s): accuracy %.2f %% on %zu test images\n\n", options.model_path.c_str(), info.model_version.c_str(),
              100.0 * double(correct) / double(test.count), test.count);
  std::printf("confusion matrix (rows: true class, columns: predicted)\n%14s", "");
  for (size_t j = 0; j < k; ++j) std::printf(" %5zu", j);
  std::printf("   recall\n");
  for (size_t i = 0; i < k; ++i) {
    int row_total = 0;
    for (int v : confusion[i]) row_total += v;
    std::printf("%2zu %-11.11s", i, info.classes[i].c_str());
    for (size_t j = 0; j < k; ++j) std::printf(" %5d", confusion[i][j]);
    std::printf("   %5.1f%%\n", row_total ? 100.0 * confusion[i][i] / row_total : 0.0);
  }
  const auto s = model.stats();
  std::printf("\n%.3f ms per image (batches of %zu, %d threads)\n", s.avg_inference_time_ms, options.max_batch,
              options.intra_op_threads);
  return 0;
}
