// Profiles and settings layers (profile < config file < environment), and the
// background preloader: priority, usage, dependencies, concurrency cap, failures.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <mutex>
#include <thread>

#include "tierscope/runtime/preloader.h"
#include "tierscope/runtime/settings.h"

using namespace tierscope;
using namespace std::chrono_literals;

class SettingsPreloaderTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void profilesHaveTheirDefaults() {
    const Settings dev = resolve_settings({});
    QCOMPARE(dev.profile, Profile::kDevelopment);
    QCOMPARE(dev.cache_memory_limit_mb, size_t{200});
    QCOMPARE(dev.preload_max_concurrent, size_t{1});
    QVERIFY(dev.lazy_loading_enabled && !dev.preload_models);
    const Settings prod = resolve_settings({{"ENVIRONMENT", "production"}});
    QCOMPARE(prod.cache_memory_limit_mb, size_t{1000});
    QCOMPARE(prod.preload_max_concurrent, size_t{3});
    QVERIFY(!prod.lazy_loading_enabled && prod.preload_models && prod.enable_background_preloading);
    const Settings test = resolve_settings({{"ENVIRONMENT", "Testing"}});
    QCOMPARE(test.cache_memory_limit_mb, size_t{100});
    QVERIFY_THROWS_EXCEPTION(SettingsError, resolve_settings({{"ENVIRONMENT", "staging"}}));
  }

  void fileThenEnvironmentOverride() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("tierscope.json").toStdString();
    std::ofstream(file) << R"({"cache_memory_limit_mb": 512, "FAST_STARTUP": false, "model_cache_size": "64"})";
    const Settings s = resolve_settings({{"ENVIRONMENT", "production"}, {"MODEL_CACHE_SIZE", "256"}, {"OMP_NUM_THREADS", "1"}}, file);
    QCOMPARE(s.cache_memory_limit_mb, size_t{512});
    QCOMPARE(s.model_cache_size, size_t{256});  // environment beats the file
    QVERIFY(!s.fast_startup);
    QCOMPARE(s.omp_num_threads, 1);
    QCOMPARE(s.sources.at("CACHE_MEMORY_LIMIT_MB"), "file " + file.string());
    QCOMPARE(s.sources.at("MODEL_CACHE_SIZE"), std::string("environment"));
    QCOMPARE(s.sources.at("PRELOAD_MAX_CONCURRENT"), std::string("profile production"));
    const std::string text = describe(s);
    QVERIFY(text.find("ENVIRONMENT=production") != std::string::npos);
    QVERIFY(text.find("MODEL_CACHE_SIZE=256 (environment)") != std::string::npos);
  }

  void badValuesNameKeyValueAndSource() {
    try {
      resolve_settings({{"MAX_IMAGE_SIZE", "huge"}});
      QFAIL("accepted");
    } catch (const SettingsError& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("MAX_IMAGE_SIZE='huge' from environment") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(SettingsError, resolve_settings({{"ENABLE_MODEL_CACHE", "maybe"}}));
    QVERIFY_THROWS_EXCEPTION(SettingsError, resolve_settings({{"PRELOAD_MAX_CONCURRENT", "0"}}));
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("bad.json").toStdString();
    std::ofstream(file) << R"({"no_such_setting": 1})";
    QVERIFY_THROWS_EXCEPTION(SettingsError, resolve_settings({}, file));
    std::ofstream(file) << "{not json";
    QVERIFY_THROWS_EXCEPTION(SettingsError, resolve_settings({}, file));
    QVERIFY_THROWS_EXCEPTION(SettingsError, resolve_settings({}, std::filesystem::path("/nonexistent.json")));
  }

  void preloaderRunsByPriorityAndUsage() {
    std::mutex mu;
    std::vector<std::string> order;
    Preloader preloader(1);
    auto task = [&](std::string name, int priority, Duration estimate = Duration::zero()) {
      return PreloadTask{name, priority, {}, estimate, [&, name] {
                           std::lock_guard lock(mu);
                           order.push_back(name);
                         }};
    };
    preloader.add(task("low", 1));
    preloader.add(task("high", 5));
    preloader.add(task("used", 3));
    preloader.add(task("quick", 1, 1ms));
    preloader.add(task("slow", 1, 10s));
    for (int i = 0; i < 3; ++i) preloader.record_usage("used");  // 3 + 3 > 5
    preloader.start();
    preloader.wait();
    QCOMPARE(order, (std::vector<std::string>{"used", "high", "low", "quick", "slow"}));
    for (const auto& s : preloader.report()) QCOMPARE(s.state, PreloadState::kDone);
  }

  void dependenciesConcurrencyAndFailures() {
    std::atomic<int> running{0}, peak{0};
    std::mutex mu;
    std::vector<std::string> finished;
    auto work = [&](std::string name, bool fail = false) {
      return [&, name, fail] {
        const int now = ++running;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(30ms);
        --running;
        if (fail) throw std::runtime_error("weights corrupt");
        std::lock_guard lock(mu);
        finished.push_back(name);
      };
    };
    Preloader preloader(2);
    preloader.add({"tokenizer", 0, {}, 1s, work("tokenizer")});
    preloader.add({"encoder", 9, {"tokenizer"}, 1s, work("encoder")});
    preloader.add({"broken", 0, {}, 1s, work("broken", true)});
    preloader.add({"needs-broken", 9, {"broken"}, 1s, work("needs-broken")});
    preloader.add({"needs-needs-broken", 9, {"needs-broken"}, 1s, work("needs-needs-broken")});
    for (int i = 0; i < 4; ++i) preloader.add({"free" + std::to_string(i), 1, {}, 1s, work("free" + std::to_string(i))});
    preloader.start();
    preloader.wait();
    QCOMPARE(peak.load(), 2);
    const auto pos = [&](const std::string& n) { return std::find(finished.begin(), finished.end(), n) - finished.begin(); };
    QVERIFY(pos("tokenizer") < pos("encoder"));
    for (const auto& s : preloader.report()) {
      if (s.name == "broken") {
        QCOMPARE(s.state, PreloadState::kFailed);
        QCOMPARE(s.error, std::string("weights corrupt"));
      } else if (s.name.rfind("needs", 0) == 0) {
        QCOMPARE(s.state, PreloadState::kSkipped);
      } else {
        QCOMPARE(s.state, PreloadState::kDone);
      }
    }
  }

  void badGraphsAreRefused() {
    Preloader unknown(1);
    unknown.add({"a", 0, {"ghost"}, {}, [] {}});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, unknown.start());
    Preloader cycle(1);
    cycle.add({"a", 0, {"b"}, {}, [] {}});
    cycle.add({"b", 0, {"a"}, {}, [] {}});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, cycle.start());
    Preloader twice(1);
    twice.add({"a", 0, {}, {}, [] {}});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, twice.add({"a", 0, {}, {}, [] {}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, twice.add({"b", 0, {}, {}, nullptr}));
  }
};

QTEST_GUILESS_MAIN(SettingsPreloaderTest)
#include "test_settings_preloader.moc"
