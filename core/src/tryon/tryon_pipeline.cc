#include "tierscope/tryon/tryon_pipeline.h"

#include <spdlog/logger.h>

#include <atomic>
#include <functional>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <tuple>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "base/thread_pool.h"
#include "tierscope/base/sha256.h"
#include "tierscope/inference/classifier.h"
#include "tryon/compatibility.h"
#include "tryon/compositor.h"
#include "tryon/face_detector.h"
#include "tryon/garment_analysis.h"
#include "tryon/garment_warp.h"
#include "tryon/image_io.h"
#include "tryon/person_analysis.h"
#include "tryon/serial_format.h"

namespace tierscope::tryon {

using namespace internal;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

Mask to_mask(const cv::Mat& m) {
  Mask out;
  out.width = m.cols;
  out.height = m.rows;
  cv::Mat c = m.isContinuous() ? m : m.clone();
  out.pixels.assign(c.datastart, c.dataend);
  return out;
}

cv::Mat from_mask(const Mask& m) {
  return cv::Mat(m.height, m.width, CV_8U, const_cast<uint8_t*>(m.pixels.data())).clone();
}

std::vector<Landmark> to_landmarks(const std::map<std::string, cv::Point2d>& points) {
  std::vector<Landmark> out;
  for (const auto& [name, p] : points) out.push_back({name, {p.x, p.y}});
  return out;
}

}  // namespace

std::string result_bundle(const TryOnResult& r) {
  nlohmann::json j = nlohmann::json::parse(result_json(r));
  j["category_from_classifier"] = r.category_from_classifier;
  return pack("composite", j.dump(),
              {r.composite_png, encode_png(from_mask(r.person_regions), 9), encode_png(from_mask(r.garment_mask), 9),
               encode_png(from_mask(r.warped_garment), 9)});
}

TryOnResult parse_result_bundle(std::string_view bytes, bool stages_from_cache) {
  TryOnResult r;
  auto [header, images] = unpack("composite", bytes, 4);
  try {
    const auto j = nlohmann::json::parse(header);
    r.width = j.at("width");
    r.height = j.at("height");
    r.category = parse_category(j.at("category")).value_or(Category::kUpperBody);
    r.category_source = j.at("category_source");
    r.category_from_classifier = j.at("category_from_classifier");
    r.verdict = j.at("verdict") == "compatible" ? Verdict::kCompatible : Verdict::kPartial;
    r.reasons = j.at("reasons").get<std::vector<std::string>>();
    r.warnings = j.at("warnings").get<std::vector<std::string>>();
    r.composite_from_cache = stages_from_cache || j.value("composite_from_cache", false);
    r.total_ms = j.value("total_ms", 0.0);
    for (const auto& s : j.at("stages")) r.stages.push_back({s.at("name"), s.at("ms"), stages_from_cache || s.value("from_cache", false)});
    for (const auto& d : j.at("detectors")) r.detectors.push_back({d.at("name"), d.at("confidence"), d.at("fell_back"), d.at("method")});
    if (j.contains("person_landmarks"))
      for (const auto& [name, p] : j.at("person_landmarks").items()) r.person_landmarks.push_back({name, {p[0], p[1]}});
    if (j.contains("garment_landmarks"))
      for (const auto& [name, p] : j.at("garment_landmarks").items()) r.garment_landmarks.push_back({name, {p[0], p[1]}});
    r.garment_outside_silhouette = j.at("quality").at("garment_outside_silhouette");
    r.torso_covered = j.at("quality").at("torso_covered");
    r.face_unchanged = j.at("quality").at("face_unchanged");
  } catch (const nlohmann::json::exception& e) {
    throw TryOnError(std::string("damaged try-on result: ") + e.what());
  }
  r.composite_png = std::move(images[0]);
  r.person_regions = to_mask(decode_png(images[1], cv::IMREAD_GRAYSCALE));
  r.person_silhouette = r.person_regions;
  for (auto& v : r.person_silhouette.pixels) v = v ? 255 : 0;
  r.garment_mask = to_mask(decode_png(images[2], cv::IMREAD_GRAYSCALE));
  r.warped_garment = to_mask(decode_png(images[3], cv::IMREAD_GRAYSCALE));
  return r;
}

std::filesystem::path find_haar_cascades() {
  std::vector<std::filesystem::path> candidates;
  if (const char* dir = std::getenv("TIERSCOPE_CASCADE_DIR")) candidates.emplace_back(dir);
  candidates.emplace_back("/usr/share/opencv4/haarcascades");
  candidates.emplace_back("/usr/share/opencv/haarcascades");
  for (const auto& dir : candidates) {
    if (std::filesystem::exists(dir / "haarcascade_frontalface_alt2.xml")) return dir;
  }
  return candidates.front();
}

struct TryOnPipeline::Impl {
  TieredCache& cache;
  Classifier* classifier;
  TryOnPipelineOptions options;
  FaceDetector faces;
  std::unique_ptr<tierscope::internal::ThreadPool> pool;
  std::atomic<uint64_t> requests{0}, errors{0}, composite_hits{0}, person_hits{0}, garment_hits{0};
  std::atomic<double> last_ms{0};
  LatencyHistogram latency;

  Impl(TieredCache& c, Classifier* cl, TryOnPipelineOptions o)
      : cache(c),
        classifier(cl),
        options(std::move(o)),
        faces(options.cascade_dir.empty() ? find_haar_cascades() : options.cascade_dir) {
    const auto names = cache.namespace_names();
    for (const std::string& ns : std::vector<std::string>{"human:upper", "human:lower", "human:dresses", "garment", options.composite_namespace}) {
      if (std::find(names.begin(), names.end(), ns) == names.end()) {
        throw std::invalid_argument("the cache has no namespace '" + ns + "' (needed by try-on)");
      }
    }
    pool = std::make_unique<tierscope::internal::ThreadPool>(std::max(1u, options.worker_threads), options.max_queued, "tryon");
  }

  // Category: forced, from the classifier, or from the garment's outline.
  Category decide_category(const TryOnRequest& request, const std::function<const cv::Mat&()>& garment, TryOnResult& result) {
    if (request.category) {
      result.category_source = "forced";
      return *request.category;
    }
    if (classifier) {
      try {
        const Classification c = classifier->classify(request.garment_image, "garment");
        const auto& top = c.predictions.front();
        const std::string label = top.name + " " + std::to_string(static_cast<int>(top.probability * 100 + 0.5)) + " %";
        if (auto category = parse_category(c.category)) {
          result.category_from_classifier = true;
          result.category_source = "classifier: " + label;
          return *category;
        }
        throw TryOnError("the garment photo looks like " + label + ", which cannot be tried on (no try-on category)");
      } catch (const ImageError& e) {
        throw TryOnError(std::string("garment photo: ") + e.what());
      } catch (const TryOnError&) {
        throw;
      } catch (const std::exception& e) {
        if (options.logger) options.logger->warn("try-on: classifier unavailable ({}); using the garment's shape", e.what());
      }
    }
    // The outline: trousers have two legs, dresses are long.
    try {
      const GarmentAnalysis g = analyse_garment(garment(), Category::kUpperBody);
      result.category_source = "garment shape";
      return g.shape_category;
    } catch (const TryOnError& e) {
      if (std::string(e.what()).find("trousers") != std::string::npos) {
        result.category_source = "garment shape";
        return Category::kLowerBody;
      }
      throw;
    }
  }

  // A cached analysis: from L1/L2 when there, else computed here. Stored only once the
  // whole request has succeeded (see `pending`), so a bad photo in a pair leaves nothing
  // behind, not even the other photo's analysis.
  Value cached_stage(const std::string& ns, const std::string& key, bool use_cache, bool& computed,
                     std::vector<std::tuple<std::string, std::string, Value>>& pending,
                     const std::function<std::string()>& compute) {
    if (use_cache) {
      if (Value hit = cache.peek(ns, key)) {
        computed = false;
        return hit;
      }
    }
    computed = true;
    Value v = make_value(compute());
    if (use_cache) pending.emplace_back(ns, key, v);
    return v;
  }

  TryOnResult run(const TryOnRequest& request) {
    const auto start = Clock::now();
    ++requests;
    try {
      TryOnResult r = run_unguarded(request, start);
      last_ms.store(r.total_ms);
      latency.record(std::chrono::duration_cast<Duration>(Clock::now() - start));
      return r;
    } catch (const LoadTimeoutError& e) {
      ++errors;
      throw TryOnError(std::string("try-on timed out: ") + e.what());
    } catch (...) {
      ++errors;
      throw;
    }
  }

  TryOnResult run_unguarded(const TryOnRequest& request, Clock::time_point start) {
    const TryOnOptions& opt = request.options;
    if (request.person_image.empty()) throw TryOnError("person photo: empty");
    if (request.garment_image.empty()) throw TryOnError("garment photo: empty");
    // Photos are decoded only when needed: a composite served from the cache needs neither.
    // (Its bytes decoded once before, so they are known to be good images.)
    double decode_ms = 0;
    std::shared_ptr<cv::Mat> person_photo, garment_photo;
    auto decode_garment = [&]() -> const cv::Mat& {
      if (!garment_photo) {
        const auto t = Clock::now();
        garment_photo = std::make_shared<cv::Mat>(decode_photo(request.garment_image, options.limits, "garment photo"));
        decode_ms += ms_since(t);
      }
      return *garment_photo;
    };
    const std::string person_digest = sha256_hex(request.person_image);
    const std::string garment_digest = sha256_hex(request.garment_image);

    TryOnResult result;
    const auto category_start = Clock::now();
    const Category category = decide_category(request, decode_garment, result);
    result.category = category;
    const double category_ms = ms_since(category_start);
    const std::string size_tag = std::to_string(options.limits.max_image_size);
    const std::string composite_key = std::string(kPipelineVersion) + ":" + category_name(category) + ":" + person_digest +
                                      ":" + garment_digest + ":" + (opt.use_grabcut ? "gc" : "bg") + ":" +
                                      (opt.uncovered_fill == UncoveredFill::kSkin ? "skin" : "layer") + ":f" +
                                      std::to_string(static_cast<int>(opt.feather_px * 100)) + ":s" + size_tag;
    if (opt.use_cache) {
      if (Value hit = cache.peek(options.composite_namespace, composite_key)) {
        TryOnResult cached = parse_result_bundle(*hit, /*stages_from_cache=*/true);
        cached.composite_from_cache = true;
        cached.total_ms = ms_since(start);
        ++composite_hits;
        return cached;
      }
    }

    {
      const auto t = Clock::now();
      person_photo = std::make_shared<cv::Mat>(decode_photo(request.person_image, options.limits, "person photo"));
      decode_ms += ms_since(t);
      decode_garment();
    }
    std::vector<std::tuple<std::string, std::string, Value>> pending;
    // Person analysis, per photo and category.
    auto stage_start = Clock::now();
    bool person_computed = false;
    const std::string person_key = std::string(kPipelineVersion) + ":" + category_name(category) + ":" + person_digest +
                                   (opt.use_grabcut ? ":gc" : ":bg") + ":s" + size_tag;
    FaceDetector& face_detector = faces;
    Value person_value = cached_stage(person_namespace(category), person_key, opt.use_cache, person_computed, pending,
                                      [person_photo, category, &face_detector, grabcut = opt.use_grabcut] {
                                        return serialize(analyse_person(*person_photo, category, face_detector, grabcut));
                                      });
    const PersonAnalysis person = deserialize_person(*person_value);
    result.stages.push_back({"person_analysis", ms_since(stage_start), !person_computed});
    person_hits += !person_computed;

    stage_start = Clock::now();
    bool garment_computed = false;
    const std::string garment_key = std::string(kPipelineVersion) + ":" + category_name(category) + ":" + garment_digest + ":s" + size_tag;
    Value garment_value = cached_stage("garment", garment_key, opt.use_cache, garment_computed, pending, [garment_photo, category] {
      return serialize(analyse_garment(*garment_photo, category));
    });
    const GarmentAnalysis garment = deserialize_garment(*garment_value);
    result.stages.push_back({"garment_analysis", ms_since(stage_start), !garment_computed});
    garment_hits += !garment_computed;

    stage_start = Clock::now();
    const WarpedGarment warped = warp_garment(*garment_photo, garment, person, category);
    result.stages.push_back({"warp", ms_since(stage_start), false});

    stage_start = Clock::now();
    const CompositeResult comp = composite(*person_photo, person, warped, category, opt);
    result.composite_png = encode_png(comp.image, 1);
    result.stages.push_back({"composite", ms_since(stage_start), false});
    result.stages.insert(result.stages.begin(), {"decode", decode_ms, false});
    if (category_ms > 0.5) result.stages.insert(result.stages.begin() + 1, {"category", category_ms, false});

    const Compatibility verdict = judge(person, garment, warped, category, comp.outside_silhouette);
    result.width = person_photo->cols;
    result.height = person_photo->rows;
    result.verdict = verdict.verdict;
    result.reasons = verdict.reasons;
    result.warnings = comp.warnings;
    for (const auto& note : warped.notes) result.warnings.push_back(note);
    result.detectors = person.detectors;
    result.detectors.insert(result.detectors.end(), garment.detectors.begin(), garment.detectors.end());
    result.person_regions = to_mask(person.regions);
    result.person_silhouette = to_mask(person.silhouette());
    result.garment_mask = to_mask(garment.parts);
    cv::Mat painted_small;
    cv::resize(comp.painted, painted_small, person.regions.size(), 0, 0, cv::INTER_AREA);
    result.warped_garment = to_mask(painted_small);
    result.person_landmarks = to_landmarks(person.landmarks);
    result.person_landmarks.push_back({"face_top_left", {double(person.face.x), double(person.face.y)}});
    result.person_landmarks.push_back({"face_bottom_right", {double(person.face.br().x), double(person.face.br().y)}});
    result.garment_landmarks = to_landmarks(garment.landmarks);
    result.garment_outside_silhouette = comp.outside_silhouette;
    result.torso_covered = comp.torso_covered;
    result.face_unchanged = comp.face_unchanged;
    result.total_ms = ms_since(start);
    if (opt.use_cache) {
      for (auto& [ns, key, value] : pending) cache.put(ns, key, value);
      cache.put(options.composite_namespace, composite_key, make_value(result_bundle(result)));
    }
    if (options.logger) {
      options.logger->info("try-on {} {}: {} in {:.0f} ms (person {}, garment {})", category_name(category),
                           verdict_name(result.verdict), result.category_source, result.total_ms,
                           person_computed ? "analysed" : "cached", garment_computed ? "analysed" : "cached");
    }
    return result;
  }
};

TryOnPipeline::TryOnPipeline(TieredCache& cache, Classifier* classifier, TryOnPipelineOptions options)
    : impl_(std::make_unique<Impl>(cache, classifier, std::move(options))) {}

TryOnPipeline::~TryOnPipeline() = default;

TryOnResult TryOnPipeline::run(const TryOnRequest& request) { return impl_->run(request); }

std::future<TryOnResult> TryOnPipeline::run_async(TryOnRequest request) {
  auto task = std::make_shared<std::packaged_task<TryOnResult()>>(
      [this, request = std::move(request)] { return impl_->run(request); });
  std::future<TryOnResult> future = task->get_future();
  if (!impl_->pool->try_submit([task] { (*task)(); })) {
    std::promise<TryOnResult> refused;
    refused.set_exception(std::make_exception_ptr(OverloadedError("try-on queue is full; try again shortly")));
    return refused.get_future();
  }
  return future;
}

TryOnStats TryOnPipeline::stats() const {
  TryOnStats s;
  s.requests = impl_->requests.load();
  s.errors = impl_->errors.load();
  s.composites_from_cache = impl_->composite_hits.load();
  s.persons_from_cache = impl_->person_hits.load();
  s.garments_from_cache = impl_->garment_hits.load();
  s.last_total_ms = impl_->last_ms.load();
  s.latency = impl_->latency.summary();
  s.latency_counts = impl_->latency.counts();
  return s;
}

}  // namespace tierscope::tryon
