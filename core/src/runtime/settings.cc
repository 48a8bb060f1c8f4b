#include "tierscope/runtime/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "tierscope/inference/image_preprocess.h"

extern char** environ;

namespace tierscope {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

struct Field {
  const char* key;
  std::function<void(Settings&, const std::string&)> set;  // throws std::invalid_argument with the reason
  std::function<std::string(const Settings&)> get;
};

bool parse_bool(const std::string& text) {
  const std::string v = upper(text);
  if (v == "1" || v == "TRUE" || v == "YES" || v == "ON") return true;
  if (v == "0" || v == "FALSE" || v == "NO" || v == "OFF") return false;
  throw std::invalid_argument("not a boolean (true/false, 1/0, yes/no, on/off)");
}

long long parse_int(const std::string& text, long long min, long long max) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) throw std::invalid_argument("not a whole number");
  if (v < min || v > max) throw std::invalid_argument("out of range " + std::to_string(min) + ".." + std::to_string(max));
  return v;
}

template <typename T>
Field boolean(const char* key, T Settings::*member) {
  return {key, [member](Settings& s, const std::string& v) { s.*member = parse_bool(v); },
          [member](const Settings& s) { return std::string(s.*member ? "true" : "false"); }};
}

template <typename T>
Field integer(const char* key, T Settings::*member, long long min, long long max) {
  return {key, [member, min, max](Settings& s, const std::string& v) { s.*member = static_cast<T>(parse_int(v, min, max)); },
          [member](const Settings& s) { return std::to_string(s.*member); }};
}

const std::vector<Field>& fields() {
  static const std::vector<Field> all = {
      boolean("FAST_STARTUP", &Settings::fast_startup),
      boolean("LAZY_LOADING_ENABLED", &Settings::lazy_loading_enabled),
      boolean("PRELOAD_MODELS", &Settings::preload_models),
      boolean("ENABLE_INTELLIGENT_CACHE", &Settings::enable_intelligent_cache),
      boolean("ENABLE_BACKGROUND_PRELOADING", &Settings::enable_background_preloading),
      boolean("ENABLE_PERFORMANCE_MONITORING", &Settings::enable_performance_monitoring),
      boolean("AUTO_TUNING_ENABLED", &Settings::auto_tuning_enabled),
      integer("CACHE_MEMORY_LIMIT_MB", &Settings::cache_memory_limit_mb, 1, 1 << 20),
      integer("PRELOAD_MAX_CONCURRENT", &Settings::preload_max_concurrent, 1, 64),
      boolean("ENABLE_MODEL_CACHE", &Settings::enable_model_cache),
      integer("MODEL_CACHE_SIZE", &Settings::model_cache_size, 1, 100'000'000),
      integer("MAX_IMAGE_SIZE", &Settings::max_image_size, kMinImageSize, kMaxImageSize),
      integer("OMP_NUM_THREADS", &Settings::omp_num_threads, 1, 256),
      integer("BATCH_SIZE", &Settings::batch_size, 1, 4096),
      integer("MAX_CONCURRENT_INFERENCES", &Settings::max_concurrent_inferences, 1, 256),
      {"MODEL_PATH", [](Settings& s, const std::string& v) { s.model_path = v; },
       [](const Settings& s) { return s.model_path.empty() ? std::string("(bundled)") : s.model_path; }},
  };
  return all;
}

void apply(Settings& s, const std::string& key, const std::string& value, const std::string& source) {
  for (const Field& f : fields()) {
    if (f.key != key) continue;
    try {
      f.set(s, value);
    } catch (const std::invalid_argument& e) {
      throw SettingsError(key + "='" + value + "' from " + source + ": " + e.what());
    }
    s.sources[key] = source;
    return;
  }
}

}  // namespace

std::string_view to_string(Profile profile) {
  switch (profile) {
    case Profile::kDevelopment:
      return "development";
    case Profile::kProduction:
      return "production";
    case Profile::kTesting:
      return "testing";
  }
  return "unknown";
}

std::optional<Profile> parse_profile(std::string_view name) {
  const std::string v = upper(std::string(name));
  if (v == "DEVELOPMENT" || v == "DEV") return Profile::kDevelopment;
  if (v == "PRODUCTION" || v == "PROD") return Profile::kProduction;
  if (v == "TESTING" || v == "TEST") return Profile::kTesting;
  return std::nullopt;
}

Settings profile_defaults(Profile profile) {
  Settings s;
  s.profile = profile;
  switch (profile) {
    case Profile::kDevelopment:
      break;  // the struct's defaults
    case Profile::kProduction:
      s.fast_startup = false;
      s.lazy_loading_enabled = false;
      s.preload_models = true;
      s.enable_background_preloading = true;
      s.auto_tuning_enabled = true;
      s.cache_memory_limit_mb = 1000;
      s.preload_max_concurrent = 3;
      s.omp_num_threads = 2;
      break;
    case Profile::kTesting:
      s.enable_intelligent_cache = false;
      s.enable_performance_monitoring = false;
      s.cache_memory_limit_mb = 100;
      break;
  }
  for (const Field& f : fields()) s.sources[f.key] = "profile " + std::string(to_string(profile));
  return s;
}

Settings resolve_settings(const std::map<std::string, std::string>& environment,
                          const std::optional<std::filesystem::path>& config_file) {
  Profile profile = Profile::kDevelopment;
  if (auto it = environment.find("ENVIRONMENT"); it != environment.end() && !it->second.empty()) {
    auto parsed = parse_profile(it->second);
    if (!parsed) throw SettingsError("ENVIRONMENT='" + it->second + "': expected development, production or testing");
    profile = *parsed;
  }
  Settings s = profile_defaults(profile);
  if (config_file) {
    std::ifstream in(*config_file);
    if (!in) throw SettingsError("config file " + config_file->string() + " cannot be read");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw SettingsError("config file " + config_file->string() + " is not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw SettingsError("config file " + config_file->string() + " must hold a JSON object");
    const std::string source = "file " + config_file->string();
    for (const auto& [key, value] : j.items()) {
      const std::string k = upper(key);
      // The `server` object configures tierscope-server's listener and API keys
      // (server/server_config.h); the engine's settings do not read it.
      if (k == "SERVER" || k == "REDIS") continue;  // ... nor the shared tier's (redis/redis_config.h)
      if (std::none_of(fields().begin(), fields().end(), [&](const Field& f) { return f.key == k; })) {
        throw SettingsError("config file " + config_file->string() + ": unknown setting '" + key + "'");
      }
      apply(s, k, value.is_string() ? value.get<std::string>() : value.dump(), source);
    }
  }
  for (const Field& f : fields()) {
    if (auto it = environment.find(f.key); it != environment.end()) apply(s, f.key, it->second, "environment");
  }
  return s;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

std::string describe(const Settings& s) {
  std::ostringstream out;
  out << "ENVIRONMENT=" << to_string(s.profile) << "\n";
  for (const Field& f : fields()) {
    auto it = s.sources.find(f.key);
    out << f.key << "=" << f.get(s) << " (" << (it != s.sources.end() ? it->second : "default") << ")\n";
  }
  return out.str();
}

}  // namespace tierscope
