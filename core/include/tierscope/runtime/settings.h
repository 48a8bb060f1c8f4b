// Settings: the knobs of the optimisation system and the inference services (SPEC 1.2,
// 1.4, 1.5), resolved in three layers — the profile's defaults
// (`ENVIRONMENT=development|production|testing`), then a JSON config file, then
// environment variables, each overriding the one before. Every value remembers where it
// came from, so the active settings printed at start say why they are what they are.
//
// Plain values and pure functions: thread-safe. Bad values throw SettingsError naming
// the key, the value and where it came from.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace tierscope {

class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Profile { kDevelopment, kProduction, kTesting };

struct Settings {
  Profile profile = Profile::kDevelopment;
  bool fast_startup = true;                  // FAST_STARTUP
  bool lazy_loading_enabled = true;          // LAZY_LOADING_ENABLED: load models on first use
  bool preload_models = false;               // PRELOAD_MODELS: load models at start
  bool enable_intelligent_cache = true;      // ENABLE_INTELLIGENT_CACHE: W-TinyLFU instead of LRU
  bool enable_background_preloading = false; // ENABLE_BACKGROUND_PRELOADING
  bool enable_performance_monitoring = true; // ENABLE_PERFORMANCE_MONITORING
  bool auto_tuning_enabled = false;          // AUTO_TUNING_ENABLED
  size_t cache_memory_limit_mb = 200;        // CACHE_MEMORY_LIMIT_MB (200 / 1000 / 100 by profile)
  size_t preload_max_concurrent = 1;         // PRELOAD_MAX_CONCURRENT (1 / 3 / 1)
  bool enable_model_cache = true;            // ENABLE_MODEL_CACHE
  size_t model_cache_size = 128;             // MODEL_CACHE_SIZE
  int max_image_size = 1024;                 // MAX_IMAGE_SIZE: longest edge kept after decoding
  int omp_num_threads = 1;                   // OMP_NUM_THREADS: libtorch intra-op threads
  size_t batch_size = 32;                    // BATCH_SIZE: largest forward pass
  size_t max_concurrent_inferences = 2;      // MAX_CONCURRENT_INFERENCES
  std::string model_path;                    // MODEL_PATH (empty: the bundled classifier)

  // Where each key's value came from: "profile", "file <path>" or "environment".
  std::map<std::string, std::string> sources;
};

std::string_view to_string(Profile profile);
std::optional<Profile> parse_profile(std::string_view name);

// The defaults of a profile.
Settings profile_defaults(Profile profile);

// Resolves the layers. `environment` holds the process environment (or a test's);
// ENVIRONMENT in it picks the profile (development when unset). `config_file`, when
// given, must exist and hold a JSON object whose keys are the names above (any case),
// plus an optional `server` object, which is tierscope-server's (server/server_config.h).
Settings resolve_settings(const std::map<std::string, std::string>& environment,
                          const std::optional<std::filesystem::path>& config_file = std::nullopt);

// The process environment as a map.
std::map<std::string, std::string> process_environment();

// One line per key, "KEY=value (source)", for the start-up log.
std::string describe(const Settings& settings);

}  // namespace tierscope
