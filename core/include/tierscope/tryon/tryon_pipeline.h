// TryOnPipeline: person photo + garment photo -> a composite preview, computed locally on
// the CPU with the geometric pipeline that CP-VTON / VITON-HD use for their warping stage:
//
//   person analysis  face (Haar, rotation search), silhouette, regions, landmarks
//   garment analysis mask, parts (body, sleeves, legs), landmarks
//   warp             one thin-plate spline per part, region of interest from its outline
//   composite        old garment layered or blended, shading carried over, hair/skin/face on top
//
// Every stage is cached the way the try-on server of SPEC 1.1 cached it: person analyses
// in `human:upper|lower|dresses` (SHA-256 of the photo + category + pipeline version),
// garment analyses in `garment`, composites in `tryon` (both digests + category + options).
// A new kPipelineVersion never reads an old entry. Bad input throws TryOnError naming
// what was not found, and nothing is cached for it.
//
// Ownership: borrows the TieredCache and the Classifier (optional); both must outlive the
// pipeline. Owns its worker threads (run_async) and the face cascades.
// Thread safety: run() and run_async() may be called from any thread at once. Not copyable.
#pragma once

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "tierscope/cache/latency_histogram.h"
#include "tierscope/cache/tiered_cache.h"
#include "tierscope/inference/image_preprocess.h"
#include "tierscope/tryon/tryon_types.h"

namespace spdlog {
class logger;
}

namespace tierscope {
class Classifier;
}

namespace tierscope::tryon {

// Part of every cache key: bump when any stage's output changes.
inline constexpr const char* kPipelineVersion = "tryon-v3";

struct TryOnPipelineOptions {
  // Folder holding haarcascade_frontalface_{alt2,default}.xml; empty = find_haar_cascades().
  std::filesystem::path cascade_dir;
  // Decoding limits for both photos (`MAX_IMAGE_SIZE` and friends).
  ImageLimits limits;
  // Threads for run_async(); the pipeline itself is single-threaded per request.
  unsigned worker_threads = 1;
  // Requests queued for run_async() beyond the running ones; beyond, the future holds OverloadedError.
  size_t max_queued = 16;
  // Namespace of composites (person and garment namespaces are fixed by SPEC 1.1).
  std::string composite_namespace = "tryon";
  std::shared_ptr<spdlog::logger> logger;
};

struct TryOnStats {
  uint64_t requests = 0;
  uint64_t errors = 0;
  uint64_t composites_from_cache = 0;
  uint64_t persons_from_cache = 0;
  uint64_t garments_from_cache = 0;
  double last_total_ms = 0;
  // Whole run() calls that answered (cached or computed), raw counts for windows.
  LatencySummary latency;
  LatencyCounts latency_counts;
};

class TryOnPipeline {
 public:
  // Throws TryOnError when the cascades cannot be found or loaded, std::invalid_argument
  // when the cache lacks a namespace the pipeline needs.
  TryOnPipeline(TieredCache& cache, Classifier* classifier, TryOnPipelineOptions options = {});
  ~TryOnPipeline();
  TryOnPipeline(const TryOnPipeline&) = delete;
  TryOnPipeline& operator=(const TryOnPipeline&) = delete;

  // Runs on the calling thread. Throws TryOnError for bad input.
  TryOnResult run(const TryOnRequest& request);
  // Runs on the pipeline's worker threads; the future carries the result or the error.
  std::future<TryOnResult> run_async(TryOnRequest request);

  TryOnStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole result — JSON header, composite and masks as PNG — as one byte string (the
// layout of serial_format.h, tag "composite"): what the try-on cache stores, and what a
// server sends for `POST /tryon?format=bundle` so a remote console shows every overlay.
// Pure functions, thread-safe. parse_result_bundle throws TryOnError for malformed bytes;
// `stages_from_cache` marks every stage as answered from the cache (a cached result)
// instead of keeping the flags the bundle carries (a result sent over the network).
std::string result_bundle(const TryOnResult& result);
TryOnResult parse_result_bundle(std::string_view bytes, bool stages_from_cache = false);

// The folder of OpenCV's Haar cascades (Debian `opencv-data`): $TIERSCOPE_CASCADE_DIR,
// then /usr/share/opencv4/haarcascades, /usr/share/opencv/haarcascades.
std::filesystem::path find_haar_cascades();

}  // namespace tierscope::tryon
