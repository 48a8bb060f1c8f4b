// tierscope-server: the Engine behind the HTTP API (core/server/api_service.h) — the
// same engine, options, profile, config file and environment as the desktop app, with a
// listener instead of a window. SIGTERM/SIGINT stop it gracefully: no new connections,
// requests in flight answered, L2 flushed, exit 0.
#include <pthread.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/resource.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "app_settings.h"
#include "headless_runner.h"
#include "tierscope/base/version.h"
#include "tierscope/inference/inference_stack.h"
#include "tierscope/server/api_service.h"
#include "tierscope/server/http_server.h"
#include "tierscope/server/server_config.h"

namespace {

using namespace tierscope;

const QCommandLineOption kListen("listen", "Address and port to serve on (default 127.0.0.1:8001).", "host:port");
const QCommandLineOption kReadOnly("read-only", "Refuse every change (PUT /config, DELETE ...).");
const QCommandLineOption kNoAuth("no-auth",
                                 "Allow changes, value previews and log reads without an API key while none is configured (development only).");
const QCommandLineOption kRequireKey("require-key", "Require an API key on every endpoint but /health.");
const QCommandLineOption kCors("cors-origin", "Allow browser calls from this origin (repeatable; * for any).", "origin");
const QCommandLineOption kRateLimit("rate-limit", "Requests per second per client (0 = unlimited).", "rps");
const QCommandLineOption kBurst("burst", "Token-bucket burst per client (default: the rate).", "n");
const QCommandLineOption kMaxBodyMb("max-body-mb", "Largest request body in MiB (default 32).", "mib");
const QCommandLineOption kMaxInFlight("max-in-flight", "Requests handled at once; beyond: 503 (default 256).", "n");
const QCommandLineOption kIoThreads("io-threads", "Network threads (default 2).", "n");
const QCommandLineOption kWorkers("workers", "Threads for slow requests: inference, try-on (default 2).", "n");
const QCommandLineOption kAccessLog("access-log", "Access log: on (stderr), off, or a file path.", "where", "on");
const QCommandLineOption kWorkload("workload", "Also run the built-in demo load on the engine.");
const QCommandLineOption kHashKey("hash-api-key",
                                  "Read an API key from stdin and print its config entry under <name>, then exit.", "name");
const QCommandLineOption kSummary("summary", "Print the one-line live summary each second (as tierscope --headless).");

// Blocks SIGINT/SIGTERM in this thread and every thread it starts; main waits for them.
sigset_t blockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// 10,000 keep-alive connections need 10,000 descriptors: raise the soft limit to the hard one.
void raiseFileLimit(spdlog::logger& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) log.info("open files limit {}", static_cast<unsigned long long>(limit.rlim_cur));
}

std::optional<double> number(const QCommandLineParser& p, const QCommandLineOption& o, double min, double max) {
  bool ok = false;
  const double v = p.value(o).toDouble(&ok);
  if (!ok || v < min || v > max) return std::nullopt;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t stop_signals = blockStopSignals();
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName("tierscope-server");
  QCoreApplication::setApplicationVersion(version_string());

  QCommandLineParser parser;
  app::addOptions(parser);
  parser.setApplicationDescription("Tierscope server: the tiered ML-inference cache engine behind an HTTP API.");
  for (const auto& o : {kListen, kReadOnly, kNoAuth, kRequireKey, kCors, kRateLimit, kBurst, kMaxBodyMb, kMaxInFlight,
                        kIoThreads, kWorkers, kAccessLog, kWorkload, kHashKey, kSummary}) {
    parser.addOption(o);
  }
  parser.process(app);

  if (parser.isSet(kHashKey)) {
    std::string key;
    std::getline(std::cin, key);
    if (key.size() < 16) {
      std::fprintf(stderr, "tierscope-server: an API key must be at least 16 characters (read from stdin)\n");
      return 2;
    }
    nlohmann::json entry{{"name", parser.value(kHashKey).toStdString()}, {"hash", server::hash_api_key(key)}};
    std::printf("%s\n", entry.dump().c_str());
    return 0;
  }

  app::AppSettings settings;
  if (auto error = app::readSettings(parser, settings)) {
    std::fprintf(stderr, "tierscope-server: %s\n", qPrintable(*error));
    return 2;
  }

  // Server options: defaults < the config file's `server` object < flags.
  server::ServerConfig config;
  try {
    if (parser.isSet("config")) server::read_server_config(parser.value("config").toStdString(), config);
    if (parser.isSet(kListen)) server::parse_listen(parser.value(kListen).toStdString(), config.http);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tierscope-server: %s\n", e.what());
    return 2;
  }
  struct Numeric {
    const QCommandLineOption& option;
    double min, max;
    std::function<void(double)> apply;
  };
  const Numeric numerics[] = {
      {kRateLimit, 0, 1e9, [&](double v) { config.api.rate_per_second = v; }},
      {kBurst, 1, 1e9, [&](double v) { config.api.burst = v; }},
      {kMaxBodyMb, 0.001, 4096, [&](double v) { config.http.max_body_bytes = static_cast<uint64_t>(v * (1 << 20)); }},
      {kMaxInFlight, 1, 1e6, [&](double v) { config.http.max_in_flight = static_cast<size_t>(v); }},
      {kIoThreads, 1, 256, [&](double v) { config.http.io_threads = static_cast<unsigned>(v); }},
      {kWorkers, 1, 256, [&](double v) { config.api.worker_threads = static_cast<unsigned>(v); }},
  };
  for (const Numeric& n : numerics) {
    if (!parser.isSet(n.option)) continue;
    auto v = number(parser, n.option, n.min, n.max);
    if (!v) {
      std::fprintf(stderr, "tierscope-server: --%s: '%s' is not a number in [%g, %g]\n", qPrintable(n.option.names().first()),
                   qPrintable(parser.value(n.option)), n.min, n.max);
      return 2;
    }
    n.apply(*v);
  }
  if (parser.isSet(kReadOnly)) config.api.read_only = true;
  if (parser.isSet(kNoAuth)) config.api.allow_unauthenticated_changes = true;
  if (parser.isSet(kRequireKey)) config.api.require_key_for_reads = true;
  for (const QString& origin : parser.values(kCors)) config.api.cors_origins.push_back(origin.toStdString());

  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  // The newest lines also stay in memory, for a remote console's Logs tab (GET /logs).
  auto ring = std::make_shared<server::LogRing>(10'000);
  auto log = std::make_shared<spdlog::logger>("tierscope", spdlog::sinks_init_list{sink, ring});
  config.api.log_ring = ring;
  log->set_level(spdlog::level::from_str(settings.log_level.toStdString()));
  log->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  std::shared_ptr<spdlog::logger> access_log;
  const QString access = parser.value(kAccessLog);
  if (access == "off") {
    config.http.access_log = false;
  } else {
    try {
      // A sink of its own: a pattern set on a logger is set on its sinks.
      access_log = access == "on" ? std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_color_sink_mt>())
                                  : std::make_shared<spdlog::logger>(
                                        "access", std::make_shared<spdlog::sinks::basic_file_sink_mt>(access.toStdString()));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tierscope-server: --access-log: %s\n", e.what());
      return 2;
    }
    access_log->set_pattern("%Y-%m-%d %H:%M:%S.%e access %v");
  }
  config.http.logger = access_log ? access_log : log;
  config.api.logger = log;
  settings.engine.cache.logger = log;
  settings.workload.logger = log;

  log->info("tierscope-server {} starting", version_string());
  for (const auto& line : QString::fromStdString(describe(settings.settings)).split('\n', Qt::SkipEmptyParts)) {
    log->info("  {}", line.toStdString());
  }
  raiseFileLimit(*log);

  try {
    if (settings.classification) {
      settings.engine.inference = InferenceOptions{settings.settings, find_bundled_model(TIERSCOPE_SOURCE_MODELS)};
    }
    if (settings.tryon) {
      tryon::TryOnPipelineOptions tryon;
      tryon.limits.max_image_size = std::max(settings.settings.max_image_size, 1024);
      settings.engine.tryon = tryon;
    }
    settings.engine.memory_budget_bytes = uint64_t{settings.settings.cache_memory_limit_mb} << 20;
    settings.engine.monitor.auto_tuning = settings.settings.auto_tuning_enabled;
    settings.engine.cache.record_accesses = settings.settings.enable_performance_monitoring;
    Engine engine(settings.engine);
    if (Classifier* classifier = engine.classifier(); classifier && settings.settings.preload_models) classifier->model().load();

    server::ApiService api(engine, config.api);
    server::HttpServer http(config.http, api.handler());
    api.set_server_stats([&http] { return http.stats(); });
    http.start();
    const std::string where = config.http.address + ":" + std::to_string(http.port());
    log->info("listening on http://{} ({} I/O threads, {} workers, keys: {}, {}{})", where, config.http.io_threads,
              config.api.worker_threads, config.api.api_keys.size(),
              config.api.read_only ? "read-only" : "read-write",
              config.api.api_keys.empty() && !config.api.allow_unauthenticated_changes ? ", changes disabled until a key is configured"
                                                                                          : "");
    if (config.api.allow_unauthenticated_changes && config.api.api_keys.empty()) {
      log->warn("--no-auth: anyone who can reach {} may change the configuration, clear the cache and read cached values and logs", where);
    }
    // Machine-readable line for scripts and tests that start the server on port 0.
    std::printf("tierscope-server listening on %s\n", where.c_str());
    std::fflush(stdout);

    std::unique_ptr<WorkloadDriver> workload;
    if (parser.isSet(kWorkload)) {
      workload = std::make_unique<WorkloadDriver>(engine.cache(), settings.workload);
      workload->start();
    }
    std::thread summary;
    std::atomic<bool> done{false};
    if (parser.isSet(kSummary)) {
      summary = std::thread([&] {
        TieredStats previous = engine.cache().snapshot();
        auto previous_time = std::chrono::steady_clock::now();
        const auto start = previous_time;
        while (!done.load()) {
          std::this_thread::sleep_for(std::chrono::seconds(1));
          const auto now_time = std::chrono::steady_clock::now();
          const TieredStats now = engine.cache().snapshot();
          const std::string line = app::summaryLine(previous, now, std::chrono::duration<double>(now_time - previous_time).count(),
                                                    std::chrono::duration<double>(now_time - start).count(), engine.demo_namespace());
          std::printf("%s\n", line.c_str());
          std::fflush(stdout);
          previous = now;
          previous_time = now_time;
        }
      });
    }

    // Runs until SIGINT/SIGTERM, or --duration.
    int signal_number = 0;
    if (settings.duration_seconds > 0) {
      timespec timeout{static_cast<time_t>(settings.duration_seconds),
                       static_cast<long>((settings.duration_seconds - std::floor(settings.duration_seconds)) * 1e9)};
      signal_number = sigtimedwait(&stop_signals, nullptr, &timeout);
    } else {
      sigwait(&stop_signals, &signal_number);
    }
    const auto in_flight = http.stats().in_flight;
    log->info("{}: shutting down; {} requests in flight", signal_number > 0 ? strsignal(signal_number) : "duration over",
              in_flight);
    http.request_stop();
    const bool drained = http.wait_drained(std::chrono::seconds(30));
    api.shutdown();
    if (!drained) log->warn("requests or connections still open after 30 s; closing them");
    http.stop();
    done.store(true);
    if (summary.joinable()) summary.join();
    if (workload) workload->stop();
    engine.cache().flush();
    const server::HttpServerStats st = http.stats();
    log->info("stopped: {} requests read, {} answered, {} connections served; L2 flushed", st.requests, st.responses,
              st.connections_accepted);
    return 0;
  } catch (const std::exception& e) {
    log->critical("{}", e.what());
    return 1;
  }
}
