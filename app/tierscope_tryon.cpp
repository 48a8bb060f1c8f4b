// tierscope-tryon: the try-on preview from the command line, on the same Engine as the
// console. One pair -> a PNG (and --json for stage timings, cache flags, verdict), or a
// contact sheet of every person x garment pair of two folders, or the demo assets.
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tierscope/base/version.h"
#include "tierscope/engine.h"
#include "tierscope/inference/inference_stack.h"
#include "tierscope/tryon/demo_assets.h"
#include "tierscope/tryon/tryon_pipeline.h"

namespace {

namespace fs = std::filesystem;
using namespace tierscope;
using namespace tierscope::tryon;

constexpr const char* kUsage = R"(usage: tierscope-tryon PERSON GARMENT -o OUT.png [options]
       tierscope-tryon --contact-sheet PERSON_DIR GARMENT_DIR OUT.png [options]
       tierscope-tryon --write-demo DIR
  -o, --output FILE     the composite (PNG)
  --category C          upper_body, lower_body or dresses (default: from the classifier)
  --json                print stage timings, cache flags, detectors and the verdict as JSON
  --grabcut             silhouette by GrabCut instead of the background model
  --fill layer|skin     where the new garment covers less: keep the old one (default) or blend skin
  --overlay FILE        also write the person with regions, silhouette and landmarks, beside the
                        garment with its parts and landmarks
  --repeat N            run the pair N times (the later runs come from the cache)
  --no-classifier       pick the category from the garment's shape, not the classifier
  --l2-dir DIR          keep analyses in an L2 tier there too (default: memory only)
  --version, --help
Exit codes: 0 done, 1 bad input (the message names what was not found), 2 usage.
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "tierscope-tryon: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TryOnError("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<fs::path> images_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) usage_error(dir.string() + " is not a folder");
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp" || ext == ".bmp"))
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

cv::Mat thumbnail(const std::string& png_or_jpeg, cv::Size size) {
  cv::Mat img = cv::imdecode(cv::Mat(1, static_cast<int>(png_or_jpeg.size()), CV_8U, const_cast<char*>(png_or_jpeg.data())),
                             cv::IMREAD_COLOR);
  cv::Mat out(size, CV_8UC3, cv::Scalar(255, 255, 255));
  if (img.empty()) return out;
  const double scale = std::min(double(size.width) / img.cols, double(size.height) / img.rows);
  cv::Mat small;
  cv::resize(img, small, cv::Size(), scale, scale, cv::INTER_AREA);
  small.copyTo(out(cv::Rect((size.width - small.cols) / 2, (size.height - small.rows) / 2, small.cols, small.rows)));
  return out;
}

void label(cv::Mat& img, const std::string& text, cv::Point at, cv::Scalar colour) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, 0.42, colour, 1, cv::LINE_AA);
}

int contact_sheet(TryOnPipeline& pipeline, const fs::path& person_dir, const fs::path& garment_dir, const fs::path& out,
                  const TryOnRequest& base) {
  const auto persons = images_in(person_dir), garments = images_in(garment_dir);
  if (persons.empty() || garments.empty()) usage_error("no images in " + (persons.empty() ? person_dir : garment_dir).string());
  const cv::Size cell(192, 256);
  const int caption = 34;
  cv::Mat sheet((persons.size() + 1) * (cell.height + caption), (garments.size() + 1) * cell.width, CV_8UC3,
                cv::Scalar(255, 255, 255));
  for (size_t g = 0; g < garments.size(); ++g) {
    thumbnail(read_file(garments[g]), cell).copyTo(sheet(cv::Rect((g + 1) * cell.width, 0, cell.width, cell.height)));
    label(sheet, garments[g].filename().string(), {int((g + 1) * cell.width) + 4, cell.height + 14}, {0, 0, 0});
  }
  int failures = 0;
  for (size_t p = 0; p < persons.size(); ++p) {
    const int y = (p + 1) * (cell.height + caption);
    const std::string person = read_file(persons[p]);
    thumbnail(person, cell).copyTo(sheet(cv::Rect(0, y, cell.width, cell.height)));
    label(sheet, persons[p].filename().string(), {4, y + cell.height + 14}, {0, 0, 0});
    for (size_t g = 0; g < garments.size(); ++g) {
      const cv::Rect r((g + 1) * cell.width, y, cell.width, cell.height);
      TryOnRequest request = base;
      request.person_image = person;
      request.garment_image = read_file(garments[g]);
      try {
        const TryOnResult result = pipeline.run(request);
        thumbnail(result.composite_png, cell).copyTo(sheet(r));
        const bool ok = result.verdict == Verdict::kCompatible;
        char line[128];
        std::snprintf(line, sizeof line, "%s  out %.0f%% cov %.0f%%", verdict_name(result.verdict),
                      100 * result.garment_outside_silhouette, 100 * result.torso_covered);
        label(sheet, line, {r.x + 4, y + cell.height + 14}, ok ? cv::Scalar(0, 120, 0) : cv::Scalar(0, 90, 200));
        std::printf("%s x %s: %s, %.0f ms, outside %.1f %%, torso %.1f %%, face %.1f %%%s\n",
                    persons[p].filename().c_str(), garments[g].filename().c_str(), verdict_name(result.verdict),
                    result.total_ms, 100 * result.garment_outside_silhouette, 100 * result.torso_covered,
                    100 * result.face_unchanged, result.reasons.empty() ? "" : (" — " + result.reasons.front()).c_str());
      } catch (const std::exception& e) {
        ++failures;
        label(sheet, "error", {r.x + 4, y + cell.height + 14}, {0, 0, 200});
        std::printf("%s x %s: error: %s\n", persons[p].filename().c_str(), garments[g].filename().c_str(), e.what());
      }
    }
  }
  if (!cv::imwrite(out.string(), sheet)) throw std::runtime_error("cannot write " + out.string());
  std::printf("contact sheet written to %s (%zu x %zu pairs, %d errors)\n", out.c_str(), persons.size(), garments.size(),
              failures);
  return failures == 0 ? 0 : 1;
}

cv::Mat decode(const std::string& bytes) {
  return cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data())), cv::IMREAD_COLOR);
}

// Tints a photo with a label map (scaled to it) and marks landmarks.
cv::Mat overlay(const cv::Mat& photo, const Mask& labels, const std::vector<Landmark>& points,
                const std::vector<cv::Scalar>& colours, cv::Scalar point_colour) {
  cv::Mat out = photo.clone();
  cv::Mat map(labels.height, labels.width, CV_8U, const_cast<uint8_t*>(labels.pixels.data()));
  cv::Mat big;
  cv::resize(map, big, photo.size(), 0, 0, cv::INTER_NEAREST);
  for (int y = 0; y < out.rows; ++y)
    for (int x = 0; x < out.cols; ++x) {
      const uint8_t l = big.at<uint8_t>(y, x);
      if (l == 0 || l >= colours.size()) continue;
      auto& p = out.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uchar>(0.55 * p[k] + 0.45 * colours[l][k]);
    }
  for (const auto& l : points) {
    cv::circle(out, cv::Point(cvRound(l.at.x), cvRound(l.at.y)), 6, point_colour, -1, cv::LINE_AA);
    cv::putText(out, l.name, cv::Point(cvRound(l.at.x) + 7, cvRound(l.at.y) - 4), cv::FONT_HERSHEY_SIMPLEX, 0.4, point_colour, 1,
                cv::LINE_AA);
  }
  return out;
}

void write_overlay(const std::string& path, const TryOnRequest& request, const TryOnResult& result) {
  const std::vector<cv::Scalar> person_colours = {{}, {120, 170, 255}, {40, 40, 120}, {60, 200, 60}, {220, 120, 40}};
  const std::vector<cv::Scalar> garment_colours = {{}, {60, 200, 60}, {220, 120, 40}, {200, 60, 200}, {0, 0, 255}};
  cv::Mat person = overlay(decode(request.person_image), result.person_regions, result.person_landmarks, person_colours, {0, 0, 255});
  cv::Mat garment = overlay(decode(request.garment_image), result.garment_mask, result.garment_landmarks, garment_colours, {255, 0, 0});
  cv::Mat composite = decode(result.composite_png);
  cv::resize(garment, garment, person.size());
  cv::Mat row;
  cv::hconcat(std::vector<cv::Mat>{person, garment, composite}, row);
  if (!cv::imwrite(path, row)) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  std::string output, l2_dir, overlay_path;
  bool json = false, use_classifier = true;
  int repeat = 1;
  std::vector<std::string> sheet_args;
  std::string demo_dir;
  TryOnRequest request;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version") {
      std::printf("tierscope-tryon %s (pipeline %s)\n", version_string(), kPipelineVersion);
      return 0;
    } else if (a == "-o" || a == "--output") {
      output = value();
    } else if (a == "--category") {
      const std::string c = value();
      request.category = parse_category(c);
      if (!request.category) usage_error("--category: '" + c + "' is not upper_body, lower_body or dresses");
    } else if (a == "--overlay") {
      overlay_path = value();
    } else if (a == "--json") {
      json = true;
    } else if (a == "--grabcut") {
      request.options.use_grabcut = true;
    } else if (a == "--fill") {
      const std::string f = value();
      if (f == "skin") request.options.uncovered_fill = UncoveredFill::kSkin;
      else if (f != "layer") usage_error("--fill: '" + f + "' is not layer or skin");
    } else if (a == "--repeat") {
      repeat = std::atoi(value().c_str());
      if (repeat < 1 || repeat > 1000) usage_error("--repeat: 1..1000");
    } else if (a == "--no-classifier") {
      use_classifier = false;
    } else if (a == "--l2-dir") {
      l2_dir = value();
    } else if (a == "--contact-sheet") {
      for (int k = 0; k < 3; ++k) sheet_args.push_back(value());
    } else if (a == "--write-demo") {
      demo_dir = value();
    } else if (!a.empty() && a[0] == '-') {
      usage_error("unknown option " + a);
    } else {
      positional.push_back(a);
    }
  }

  if (!demo_dir.empty()) {
    fs::create_directories(demo_dir);
    write_file(fs::path(demo_dir) / "person.png", demo_person_png());
    write_file(fs::path(demo_dir) / "top.png", demo_garment_png(Category::kUpperBody));
    write_file(fs::path(demo_dir) / "trousers.png", demo_garment_png(Category::kLowerBody));
    write_file(fs::path(demo_dir) / "dress.png", demo_garment_png(Category::kDresses));
    std::printf("demo assets written to %s (person.png, top.png, trousers.png, dress.png)\n", demo_dir.c_str());
    return 0;
  }
  if (sheet_args.empty() && (positional.size() != 2 || output.empty())) usage_error("need PERSON GARMENT -o OUT.png");

  auto logger = std::make_shared<spdlog::logger>("tierscope-tryon", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_level(spdlog::level::warn);
  try {
    EngineOptions options;
    options.cache.logger = logger;
    if (!l2_dir.empty()) {
      DiskTierOptions l2;
      l2.root = l2_dir;
      options.cache.l2 = l2;
    }
    if (use_classifier) {
      InferenceOptions inference;
      inference.model_path = find_bundled_model(TIERSCOPE_SOURCE_MODELS);
      inference.settings.lazy_loading_enabled = true;
      options.inference = inference;
    }
    options.tryon = TryOnPipelineOptions{};
    Engine engine(std::move(options));
    TryOnPipeline& pipeline = *engine.tryon();
    if (!sheet_args.empty()) return contact_sheet(pipeline, sheet_args[0], sheet_args[1], sheet_args[2], request);

    request.person_image = read_file(positional[0]);
    request.garment_image = read_file(positional[1]);
    TryOnResult result;
    for (int i = 0; i < repeat; ++i) result = pipeline.run(request);
    write_file(output, result.composite_png);
    if (!overlay_path.empty()) write_overlay(overlay_path, request, result);
    if (json) {
      std::printf("%s\n", result_json(result, 2).c_str());
    } else {
      std::printf("%s: %s (%s), %.0f ms%s\n", output.c_str(), verdict_name(result.verdict), category_name(result.category),
                  result.total_ms, result.composite_from_cache ? ", from cache" : "");
      for (const auto& r : result.reasons) std::printf("  reason: %s\n", r.c_str());
      for (const auto& w : result.warnings) std::printf("  warning: %s\n", w.c_str());
    }
    return 0;
  } catch (const TryOnError& e) {
    std::fprintf(stderr, "tierscope-tryon: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tierscope-tryon: %s\n", e.what());
    return 1;
  }
}
