// tierscope: the desktop console over an embedded engine, or (--headless, or when no
// display is available) the same engine with a one-line live summary on stdout.
#include <spdlog/logger.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "app_settings.h"
#include "classification_widget.h"
#include "dashboard_widget.h"
#include "headless_runner.h"
#include "main_window.h"
#include "fleet_widget.h"
#include "remote_window.h"
#include "log_model.h"
#include "logs_widget.h"
#include "whatif_widget.h"
#include "capacity_widget.h"
#include "cache_browser_widget.h"
#include "alerts_widget.h"
#include "tryon_widget.h"
#include "tierscope/inference/inference_stack.h"
#include "tierscope/tryon/tryon_pipeline.h"
#include "tierscope/base/version.h"

namespace {

using tierscope::app::AppSettings;

bool displayAvailable() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// The process's logger writes to stderr and, through `fan_out` (whose sink list may grow
// while other threads log), to the console's Logs tab once there is one.
std::shared_ptr<spdlog::logger> makeLogger(const QString& level, std::shared_ptr<spdlog::sinks::dist_sink_mt>& fan_out) {
  fan_out = std::make_shared<spdlog::sinks::dist_sink_mt>();
  fan_out->add_sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  auto logger = std::make_shared<spdlog::logger>("tierscope", fan_out);
  logger->set_level(spdlog::level::from_str(level.toStdString()));
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  return logger;
}

// Saves a PNG of the window once the tab shown has something to show — chart points on
// the dashboard, the answer asked for at start on the classification and try-on tabs —
// then quits.
void scheduleScreenshot(tierscope::ui::MainWindow& window, const QString& path, bool tab_work_requested, spdlog::logger& log) {
  auto* poll = new QTimer(&window);
  auto* deadline = new QElapsedTimer;
  deadline->start();
  QObject::connect(poll, &QTimer::timeout, &window, [&window, path, poll, deadline, tab_work_requested, &log] {
    constexpr int kPointsWanted = 4;
    constexpr qint64 kGiveUpMs = 60'000;
    bool ready = false;
    if (window.isTabShown(window.dashboard())) {
      ready = window.dashboard()->hitRateSeries()->count() >= kPointsWanted;
    } else if (auto* tab = window.classification(); tab && window.isTabShown(tab)) {
      ready = !tab_work_requested || tab->resultsShown() > 0 || (tab->tableModel()->rowCount() > 0 && !tab->folderRunning());
    } else if (auto* tryon = window.tryOn(); tryon && window.isTabShown(tryon)) {
      ready = !tab_work_requested || (tryon->resultsShown() > 0 && !tryon->busy());
    } else if (window.isTabShown(window.capacity())) {
      ready = window.capacity()->curveSeries()->count() > 0 && window.capacity()->samplesReceived() >= kPointsWanted;
    } else if (window.isTabShown(window.whatIf())) {
      ready = !window.whatIf()->running() && !window.whatIf()->results().isEmpty();
    } else if (window.isTabShown(window.browser())) {
      ready = window.browser()->model()->rowCount() > 0 && window.browser()->analysisTree()->topLevelItemCount() > 0;
    } else if (window.isTabShown(window.alerts())) {
      // Once the built-in metrics have had two ticks (rates need an interval).
      ready = window.alerts()->model()->rowCount() > 0 && window.dashboard()->samplesReceived() >= 6;
    } else if (window.isTabShown(window.logs())) {
      ready = window.logModel()->rowCount() > 0;
    } else {
      ready = true;
    }
    if (ready) {
      poll->stop();
      delete deadline;
      const bool saved = window.grab().save(path, "PNG");
      if (saved) {
        log.info("screenshot written to {}", path.toStdString());
      } else {
        log.error("cannot write screenshot to {}", path.toStdString());
      }
      QCoreApplication::exit(saved ? 0 : 1);
    } else if (deadline->elapsed() > kGiveUpMs) {
      poll->stop();
      delete deadline;
      log.error("the tab shown had nothing to show after {} s; screenshot not taken", kGiveUpMs / 1000);
      QCoreApplication::exit(1);
    }
  });
  poll->start(100);
}

// The dashboard of a tierscope-server (--connect): samples over GET /stats, tuning over
// PUT /config. With --screenshot, saved once a few samples are drawn.
int runRemote(const AppSettings& settings, QCoreApplication& app, spdlog::logger& log) {
  log.info("connecting to {}{}", settings.connect_url.toStdString(), settings.api_key.isEmpty() ? " (no API key: read-only)" : "");
  tierscope::ui::RemoteWindow window(settings.connect_urls, settings.api_key);
  if (settings.window_size.isValid()) window.resize(settings.window_size);
  window.show();
  // --tab: that tab of the first server; --tryon demo: the demo pair, tried on by it.
  const bool other_tab = !settings.open_tab.isEmpty() && settings.open_tab != "dashboard";
  if (other_tab && !window.showInstanceTab(0, settings.open_tab)) log.warn("no tab '{}' for a server", settings.open_tab.toStdString());
  const bool tryon_requested = settings.tryon_pair == "demo";
  if (tryon_requested) window.tryOn()->useDemo(1);
  if (!settings.tryon_pair.isEmpty() && !tryon_requested) log.warn("--tryon with a server: only 'demo' is sent");
  if (!settings.screenshot_path.isEmpty()) {
    auto* poll = new QTimer(&window);
    QElapsedTimer waited;
    waited.start();
    QObject::connect(poll, &QTimer::timeout, &window, [&window, &settings, &log, poll, waited, other_tab, tryon_requested] {
      // A fleet: the Fleet tab's aggregated chart (hidden dashboards do not draw); another
      // tab: a few samples in (and the try-on's answer, if one was asked for).
      bool ready = window.fleet() && !other_tab ? window.fleet()->requestsSeries()->count() >= 6
                   : other_tab                  ? window.samplesReceived() >= 5
                                                : window.dashboard()->hitRateSeries()->count() >= 4;
      if (tryon_requested) ready = ready && window.tryOn()->resultsShown() > 0 && !window.tryOn()->busy();
      if (!ready && waited.elapsed() < 60'000) return;
      poll->stop();
      const bool saved = ready && window.grab().save(settings.screenshot_path, "PNG");
      if (saved) log.info("screenshot written to {}", settings.screenshot_path.toStdString());
      if (!ready) log.error("no samples from {} after 60 s: {}", settings.connect_url.toStdString(), window.lastError().toStdString());
      QCoreApplication::exit(saved ? 0 : 1);
    });
    poll->start(100);
  }
  if (settings.duration_seconds > 0) QTimer::singleShot(static_cast<int>(settings.duration_seconds * 1000), &app, &QCoreApplication::quit);
  return app.exec();
}

}  // namespace

int main(int argc, char** argv) {
  using tierscope::app::argvHas;
  const bool help_or_version = argvHas(argc, argv, {"-h", "--help", "--help-all", "-v", "--version"});
  const bool wants_screenshot = argvHas(argc, argv, {"--screenshot"});
  bool headless = argvHas(argc, argv, {"--headless"});
  // A screenshot needs no screen: render offscreen.
  if (wants_screenshot && !displayAvailable()) qputenv("QT_QPA_PLATFORM", "offscreen");
  const bool fall_back_to_headless = !headless && !help_or_version && !wants_screenshot && !displayAvailable();
  if (fall_back_to_headless) {
    std::fprintf(stderr, "tierscope: no display found (DISPLAY and WAYLAND_DISPLAY are unset); running headless\n");
    headless = true;
  }

  std::unique_ptr<QCoreApplication> app;
  if (headless || help_or_version) {
    app = std::make_unique<QCoreApplication>(argc, argv);
  } else {
    app = std::make_unique<QApplication>(argc, argv);
  }
  QCoreApplication::setApplicationName("tierscope");
  QCoreApplication::setOrganizationName("Tierscope");
  QCoreApplication::setApplicationVersion(tierscope::version_string());

  QCommandLineParser parser;
  tierscope::app::addOptions(parser);
  parser.process(*app);  // exits for --help, --version and unknown options

  AppSettings settings;
  if (auto error = tierscope::app::readSettings(parser, settings)) {
    std::fprintf(stderr, "tierscope: %s\n", qPrintable(*error));
    return 2;
  }
  settings.headless = headless;

  std::shared_ptr<spdlog::sinks::dist_sink_mt> log_fan_out;
  auto log = makeLogger(settings.log_level, log_fan_out);
  settings.engine.cache.logger = log;
  settings.workload.logger = log;
  log->info("tierscope {} starting ({}), demo workload {}", tierscope::version_string(), headless ? "headless" : "desktop",
            settings.run_workload ? "on" : "off");
  log->info("active settings:");
  for (const auto& line : QString::fromStdString(tierscope::describe(settings.settings)).split('\n', Qt::SkipEmptyParts)) {
    log->info("  {}", line.toStdString());
  }

  // The console over a remote server: no embedded engine at all.
  if (!settings.connect_url.isEmpty() && !headless) return runRemote(settings, *app, *log);

  try {
    if (settings.classification) {
      settings.engine.inference =
          tierscope::InferenceOptions{settings.settings, tierscope::find_bundled_model(TIERSCOPE_SOURCE_MODELS)};
    }
    if (settings.tryon) {
      tierscope::tryon::TryOnPipelineOptions tryon;
      tryon.limits.max_image_size = std::max(settings.settings.max_image_size, 1024);
      settings.engine.tryon = tryon;
    }
    settings.engine.memory_budget_bytes = uint64_t{settings.settings.cache_memory_limit_mb} << 20;
    settings.engine.monitor.auto_tuning = settings.settings.auto_tuning_enabled;
    // ENABLE_PERFORMANCE_MONITORING=false: no request tap, so no live curves (alerts and
    // system health still run; they cost nothing per request).
    settings.engine.cache.record_accesses = settings.settings.enable_performance_monitoring;
    tierscope::Engine engine(settings.engine);
    std::unique_ptr<tierscope::WorkloadDriver> workload;
    if (settings.run_workload && headless) workload = std::make_unique<tierscope::WorkloadDriver>(engine.cache(), settings.workload);

    if (headless) return tierscope::app::runHeadless(engine, workload.get(), settings.duration_seconds);


    // Tuning is remembered across restarts; a screenshot shows the profile as it is.
    QSettings store;
    tierscope::ui::MainWindow window(engine, settings.screenshot_path.isEmpty() ? &store : nullptr);
    log_fan_out->add_sink(window.logSink());
    if (settings.window_size.isValid()) window.resize(settings.window_size);
    window.show();
    bool tab_work_requested = false;
    if (window.classification()) {
      if (settings.open_tab == "classification") window.showTab(window.classification());
      if (!settings.classify_path.isEmpty()) {
        tab_work_requested |= settings.open_tab == "classification";
        if (QFileInfo(settings.classify_path).isDir()) {
          window.classification()->classifyFolder(settings.classify_path);
        } else {
          window.classification()->classifyFile(settings.classify_path);
        }
      }
    }
    if (auto* tryon = window.tryOn()) {
      if (settings.open_tab == "tryon") window.showTab(tryon);
      if (!settings.tryon_pair.isEmpty()) {
        tab_work_requested |= settings.open_tab == "tryon";
        if (settings.tryon_pair == "demo") {
          tryon->useDemo(1);
        } else {
          const QStringList paths = settings.tryon_pair.split(',');
          if (tryon->setPersonFile(paths[0]) && tryon->setGarmentFile(paths[1])) tryon->run();
        }
      }
    }
    if (settings.open_tab == "capacity") window.showTab(window.capacity());
    if (settings.open_tab == "browser") window.showTab(window.browser());
    if (settings.open_tab == "alerts") window.showTab(window.alerts());
    if (settings.open_tab == "logs") window.showTab(window.logs());
    if (settings.open_tab == "whatif") {
      window.showTab(window.whatIf());
      // Something to look at: the demo namespace's live traffic once a few seconds of it
      // are recorded (with the load off: the default Zipf stream).
      if (!settings.screenshot_path.isEmpty()) {
        QTimer::singleShot(settings.run_workload ? 6'000 : 0, &window, [&window, &engine, live = settings.run_workload] {
          QComboBox* source = window.whatIf()->sourceBox();
          if (live) source->setCurrentIndex(source->findData(QString::fromStdString(engine.demo_namespace())));
          window.whatIf()->run();
        });
      }
    }
    // On the desktop the console owns the load (its Workload panel starts and stops it).
    if (settings.run_workload) window.startWorkload(settings.workload);
    if (!settings.screenshot_path.isEmpty()) scheduleScreenshot(window, settings.screenshot_path, tab_work_requested, *log);
    if (settings.duration_seconds > 0) {
      QTimer::singleShot(static_cast<int>(settings.duration_seconds * 1000), app.get(), &QCoreApplication::quit);
    }
    const int rc = app->exec();
    log_fan_out->remove_sink(window.logSink());  // before the Logs tab's model goes
    if (workload) workload->stop();
    return rc;
  } catch (const std::exception& e) {
    log->critical("{}", e.what());
    return 1;
  }
}
