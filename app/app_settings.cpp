#include "app_settings.h"

#include <spdlog/spdlog.h>

#include "tierscope/redis/redis_config.h"
#include "tierscope/redis/redis_tier.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QUrl>
#include <cstring>

#include <algorithm>

#include "tierscope/workload/trace.h"

namespace tierscope::app {
namespace {

QString defaultL2Dir() {
  const QByteArray xdg = qgetenv("XDG_CACHE_HOME");
  const QString base = xdg.isEmpty() ? QDir::homePath() + "/.cache" : QString::fromLocal8Bit(xdg);
  return base + "/tierscope/l2";
}

const QCommandLineOption kHeadless("headless", "Run without a window: print a live one-line summary each second.");
const QCommandLineOption kDuration("duration", "Stop after <seconds> (default: run until closed).", "seconds", "0");
const QCommandLineOption kWindowSize("window-size", "Size of the main window, e.g. 1600x1000 (default: 1200x760).", "WxH");
const QCommandLineOption kScreenshot("screenshot", "Write a PNG of the main window once the tab shown has data, then exit.",
                                     "file");
const QCommandLineOption kL1Entries("l1-entries", "L1 capacity in entries (0 = no entry limit).", "n", "5000");
const QCommandLineOption kL1Mebibytes("l1-mb", "L1 memory budget in MiB (0 = no byte limit).", "mib", "64");
const QCommandLineOption kTtl("ttl", "Base TTL of every namespace in seconds (ttl_hours x 3600; 0 = no expiry).", "seconds", "86400");
const QCommandLineOption kPolicy("policy", "L1 eviction policy: wtinylfu or lru.", "policy", "wtinylfu");
const QCommandLineOption kNamespace("namespace", "Cache namespace of the demo workload and the L1 options.", "name", "general");
const QCommandLineOption kL2Dir("l2-dir", "L2 directory (ssd_root), or 'off' for no L2.", "dir", defaultL2Dir());
const QCommandLineOption kRedis("redis",
                                "HOST:PORT of a Redis shared by a fleet of servers (between L2 and the origin), or 'off'. "
                                "Password from TIERSCOPE_REDIS_PASSWORD; plain TCP only (hiredis 0.14 has no TLS).",
                                "host:port", qEnvironmentVariable("TIERSCOPE_REDIS", "off"));
const QCommandLineOption kRedisCluster("redis-cluster",
                                       "HOST:PORT[,HOST:PORT...] of Redis Cluster nodes to start from (the slot map is "
                                       "read from them), instead of --redis.",
                                       "nodes", qEnvironmentVariable("TIERSCOPE_REDIS_CLUSTER"));
const QCommandLineOption kRedisUser("redis-user", "Redis ACL user for AUTH (with TIERSCOPE_REDIS_PASSWORD).", "name");
const QCommandLineOption kL2Gb("l2-gb", "L2 disk limit in GiB (max_disk_usage_gb).", "gib", "1");
const QCommandLineOption kL2NoFsync("l2-no-fsync", "Do not fsync L2 entries (checksums still catch torn files).");
const QCommandLineOption kLoaderThreads("loader-threads", "Threads running L2 reads and origin loads.", "n", "8");
const QCommandLineOption kKeys("keys", "Distinct keys of the demo workload.", "n", "50000");
const QCommandLineOption kZipf("zipf", "Zipf exponent of the demo workload's key popularity.", "s", "0.9");
const QCommandLineOption kRate("rate", "Demo requests per second (0 = as fast as possible).", "rps", "5000");
const QCommandLineOption kThreads("threads", "Demo workload threads.", "n", "4");
const QCommandLineOption kOriginLatency("origin-latency-ms", "Simulated origin latency per load.", "ms", "0.5");
const QCommandLineOption kTrace("trace", "Replay this LIRS/ARC trace (looping) instead of Zipf keys.", "file");
const QCommandLineOption kNoWorkload("no-workload", "Start the engine idle, without the demo workload.");
const QCommandLineOption kProfile("profile", "development, production or testing (overrides ENVIRONMENT).", "name");
const QCommandLineOption kConfig("config", "JSON settings file (profile < file < environment).", "file");
const QCommandLineOption kNoClassifier("no-classifier", "Do not set up the image classifier.");
const QCommandLineOption kNoTryOn("no-tryon", "Do not set up the try-on preview.");
const QCommandLineOption kTab("tab",
                              "Tab shown at start: dashboard, classification, tryon, capacity, whatif, browser, alerts "
                              "or logs.",
                              "name", "dashboard");
const QCommandLineOption kTryOn("tryon", "Try on at start (desktop): PERSON,GARMENT image paths, or 'demo' for the demo pair.",
                                "person,garment");
const QCommandLineOption kClassify("classify", "Classify this image, or every image in this folder, at start (desktop).", "path");
const QCommandLineOption kConnect("connect",
                                  "Show a tierscope-server's dashboard instead of an embedded engine (http://host:port); "
                                  "several, comma-separated, for the fleet view.",
                                  "url[,url...]");
const QCommandLineOption kApiKey("api-key", "API key for --connect (default: $TIERSCOPE_API_KEY); needed to tune.", "key");
const QCommandLineOption kLogLevel("log-level", "trace, debug, info, warn, error or off.", "level", "info");

std::optional<double> toNumber(const QString& text, double min, double max) {
  bool ok = false;
  const double v = text.toDouble(&ok);
  if (!ok || v < min || v > max) return std::nullopt;
  return v;
}

}  // namespace

void addOptions(QCommandLineParser& parser) {
  parser.setApplicationDescription("Tierscope: tiered ML-inference cache engine and operator console.");
  parser.addHelpOption();
  parser.addVersionOption();
  for (const auto& option : {kHeadless, kDuration, kScreenshot, kWindowSize, kNamespace, kL1Entries, kL1Mebibytes, kTtl, kPolicy, kL2Dir,
                             kRedis, kRedisCluster, kRedisUser, kL2Gb, kL2NoFsync, kLoaderThreads, kKeys, kZipf, kRate, kThreads, kOriginLatency, kTrace,
                             kNoWorkload, kProfile, kConfig, kNoClassifier, kNoTryOn, kTab, kClassify, kTryOn, kConnect, kApiKey,
                             kLogLevel}) {
    parser.addOption(option);
  }
}

std::optional<QString> readSettings(const QCommandLineParser& parser, AppSettings& s) {
  struct Numeric {
    const QCommandLineOption& option;
    double min, max;
    double* out;
  };
  double duration, l1_entries, l1_mib, ttl, keys, zipf, rate, threads, latency_ms, l2_gib, loader_threads;
  const Numeric numerics[] = {
      {kDuration, 0, 1e9, &duration},  {kL1Entries, 0, 1e10, &l1_entries}, {kL1Mebibytes, 0, 1 << 20, &l1_mib},
      {kTtl, 0, 1e9, &ttl},            {kKeys, 1, 1e10, &keys},            {kZipf, 0.01, 10, &zipf},
      {kRate, 0, 1e8, &rate},          {kThreads, 1, 256, &threads},       {kOriginLatency, 0, 60'000, &latency_ms},
      {kL2Gb, 0.001, 1 << 20, &l2_gib}, {kLoaderThreads, 1, 1024, &loader_threads},
  };
  for (const Numeric& n : numerics) {
    const QString text = parser.value(n.option);
    auto v = toNumber(text, n.min, n.max);
    if (!v) {
      return QStringLiteral("--%1: '%2' is not a number in [%3, %4]")
          .arg(n.option.names().first(), text)
          .arg(n.min)
          .arg(n.max);
    }
    *n.out = *v;
  }
  const QStringList levels{"trace", "debug", "info", "warn", "error", "off"};
  s.log_level = parser.value(kLogLevel);
  if (!levels.contains(s.log_level)) return QStringLiteral("--log-level: '%1' is not one of %2").arg(s.log_level, levels.join(", "));

  s.headless = parser.isSet(kHeadless);
  s.duration_seconds = duration;
  s.screenshot_path = parser.value(kScreenshot);
  if (parser.isSet(kWindowSize)) {
    const QStringList wh = parser.value(kWindowSize).split('x');
    bool ok_w = false, ok_h = false;
    if (wh.size() == 2) s.window_size = QSize(wh[0].toInt(&ok_w), wh[1].toInt(&ok_h));
    if (!ok_w || !ok_h || s.window_size.width() < 640 || s.window_size.height() < 480 || s.window_size.width() > 8192 ||
        s.window_size.height() > 8192) {
      return QStringLiteral("--window-size: '%1' is not WxH between 640x480 and 8192x8192").arg(parser.value(kWindowSize));
    }
  }
  s.run_workload = !parser.isSet(kNoWorkload);

  try {
    auto environment = process_environment();
    if (parser.isSet(kProfile)) environment["ENVIRONMENT"] = parser.value(kProfile).toStdString();
    std::optional<std::filesystem::path> config;
    if (parser.isSet(kConfig)) config = parser.value(kConfig).toStdString();
    s.settings = resolve_settings(environment, config);
  } catch (const SettingsError& e) {
    return QString::fromStdString(e.what());
  }
  s.classification = !parser.isSet(kNoClassifier);
  s.tryon = !parser.isSet(kNoTryOn);
  s.open_tab = parser.value(kTab);
  if (!kTabNames.contains(s.open_tab)) {
    return QStringLiteral("--tab: '%1' is not one of %2").arg(s.open_tab, kTabNames.join(", "));
  }
  if (parser.isSet(kTryOn)) {
    const QString value = parser.value(kTryOn);
    if (value != "demo") {
      const QStringList parts = value.split(',');
      if (parts.size() != 2) return QStringLiteral("--tryon: expected PERSON,GARMENT or demo, got '%1'").arg(value);
      for (const QString& path : parts) {
        if (!QFileInfo(path).isFile()) return QStringLiteral("--tryon: %1 is not a file").arg(path);
      }
    }
    s.tryon_pair = value;
  }
  if ((s.open_tab == "tryon" || !s.tryon_pair.isEmpty()) && !s.tryon) {
    return QStringLiteral("--tab tryon and --tryon need the try-on pipeline (drop --no-tryon)");
  }
  s.connect_url = parser.value(kConnect);
  for (const QString& text : s.connect_url.split(',', Qt::SkipEmptyParts)) {
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != "http") || url.host().isEmpty()) {
      return QStringLiteral("--connect: '%1' is not an http://host:port URL").arg(text);
    }
    if (s.connect_urls.contains(url)) return QStringLiteral("--connect: %1 is given twice").arg(text);
    s.connect_urls.append(url);
  }
  s.api_key = parser.isSet(kApiKey) ? parser.value(kApiKey) : qEnvironmentVariable("TIERSCOPE_API_KEY");
  s.classify_path = parser.value(kClassify);
  if (!s.classify_path.isEmpty() && !QFileInfo::exists(s.classify_path)) {
    return QStringLiteral("--classify: %1 does not exist").arg(s.classify_path);
  }
  if ((s.open_tab == "classification" || !s.classify_path.isEmpty()) && !s.classification) {
    return QStringLiteral("--tab classification and --classify need the classifier (drop --no-classifier)");
  }
  // The profile picks the policy (ENABLE_INTELLIGENT_CACHE) unless --policy says otherwise.
  if (!parser.isSet(kPolicy)) s.engine.cache.l1_policy = s.settings.enable_intelligent_cache ? EvictionPolicyKind::kWTinyLfu : EvictionPolicyKind::kLru;
  const auto policy = parse_eviction_policy(parser.value(kPolicy).toStdString());
  if (!policy) return QStringLiteral("--policy: '%1' is not wtinylfu or lru").arg(parser.value(kPolicy));
  const std::string demo_namespace = parser.value(kNamespace).toStdString();
  const Duration base_ttl = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(ttl));
  s.engine.cache.namespaces = default_namespaces(base_ttl);
  auto ns = std::find_if(s.engine.cache.namespaces.begin(), s.engine.cache.namespaces.end(),
                         [&](const NamespaceOptions& n) { return n.name == demo_namespace; });
  if (ns == s.engine.cache.namespaces.end()) {
    QStringList names;
    for (const auto& n : s.engine.cache.namespaces) names << QString::fromStdString(n.name);
    return QStringLiteral("--namespace: '%1' is not one of %2").arg(parser.value(kNamespace), names.join(", "));
  }
  ns->l1_max_entries = static_cast<size_t>(l1_entries);
  ns->l1_max_bytes = static_cast<size_t>(l1_mib) << 20;
  s.engine.demo_namespace = demo_namespace;
  if (parser.isSet(kPolicy)) s.engine.cache.l1_policy = *policy;
  // CACHE_MEMORY_LIMIT_MB bounds the demo namespace's memory unless --l1-mb says otherwise.
  if (!parser.isSet(kL1Mebibytes)) ns->l1_max_bytes = s.settings.cache_memory_limit_mb << 20;
  s.engine.cache.loader_threads = static_cast<unsigned>(loader_threads);
  const QString l2_dir = parser.value(kL2Dir);
  if (l2_dir != "off" && l2_dir != "none") {
    DiskTierOptions l2;
    l2.root = l2_dir.toStdString();
    l2.max_bytes = static_cast<uint64_t>(l2_gib * double(1ull << 30));
    l2.sync_writes = !parser.isSet(kL2NoFsync);
    s.engine.cache.l2 = l2;
  }
  // The shared tier: --redis / --redis-cluster (or their environment variables), else the
  // config file's `redis` object.
  const QString redis = parser.value(kRedis);
  const QString cluster = parser.value(kRedisCluster);
  const bool redis_flag = redis != "off" && redis != "none" && !redis.isEmpty();
  if (!cluster.isEmpty() && redis_flag) return QStringLiteral("--redis and --redis-cluster: give one of them");
  try {
    std::optional<redis::RedisConfig> shared;
    if (!cluster.isEmpty() || redis_flag) {
      const bool use_cluster = !cluster.isEmpty();
      const char* flag = use_cluster ? "--redis-cluster" : "--redis";
      const QStringList nodes = (use_cluster ? cluster : redis).split(',', Qt::SkipEmptyParts);
      if (nodes.isEmpty()) return QStringLiteral("%1: no HOST:PORT given").arg(flag);
      if (!use_cluster && nodes.size() > 1) return QStringLiteral("--redis: one HOST:PORT (a cluster: --redis-cluster)");
      shared.emplace();
      redis::RedisTierOptions& r = shared->options;
      r.cluster = use_cluster;
      for (qsizetype i = 0; i < nodes.size(); ++i) {
        const auto [host, port] = redis::parse_host_port(nodes[i].trimmed().toStdString(), flag);
        if (i == 0) {
          r.endpoint.host = host;
          r.endpoint.port = port;
        } else {
          r.more_seeds.push_back(host + ":" + std::to_string(port));
        }
      }
    } else if (parser.isSet(kConfig)) {
      shared = redis::read_redis_config(parser.value(kConfig).toStdString());
    }
    if (shared) {
      redis::RedisTierOptions& r = shared->options;
      if (parser.isSet(kRedisUser)) r.endpoint.username = parser.value(kRedisUser).toStdString();
      if (qEnvironmentVariableIsSet("TIERSCOPE_REDIS_PASSWORD")) {
        r.endpoint.password = qEnvironmentVariable("TIERSCOPE_REDIS_PASSWORD").toStdString();
      }
      r.logger = spdlog::default_logger();
      for (const std::string& name : shared->exclude_namespaces) {
        auto it = std::find_if(s.engine.cache.namespaces.begin(), s.engine.cache.namespaces.end(),
                               [&](const NamespaceOptions& n) { return n.name == name; });
        if (it == s.engine.cache.namespaces.end()) {
          return QStringLiteral("redis.exclude_namespaces: no namespace '%1'").arg(QString::fromStdString(name));
        }
        it->use_shared = false;
      }
      s.engine.cache.shared = std::make_shared<redis::RedisTier>(std::move(r));
    }
  } catch (const redis::RedisConfigError& e) {
    return QString::fromStdString(e.what());
  }
  s.engine.origin.latency = std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(latency_ms));
  s.workload.cache_namespace = demo_namespace;

  s.workload.key_count = static_cast<uint64_t>(keys);
  s.workload.zipf_exponent = zipf;
  s.workload.target_rate = rate;
  s.workload.threads = static_cast<unsigned>(threads);
  if (parser.isSet(kTrace)) {
    try {
      s.workload.trace = std::make_shared<const std::vector<uint64_t>>(read_trace(parser.value(kTrace).toStdString()));
    } catch (const TraceError& e) {
      return QStringLiteral("--trace: %1").arg(QString::fromStdString(e.what()));
    }
    if (s.workload.trace->empty()) return QStringLiteral("--trace: %1 holds no keys").arg(parser.value(kTrace));
  }
  return std::nullopt;
}

bool argvHas(int argc, char** argv, const QStringList& flags) {
  for (int i = 1; i < argc; ++i) {
    const QString arg = QString::fromLocal8Bit(argv[i]);
    for (const QString& flag : flags) {
      if (arg == flag || arg.startsWith(flag + "=")) return true;
    }
  }
  return false;
}

}  // namespace tierscope::app
