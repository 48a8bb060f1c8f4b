// The HTTP API end to end: a real Engine (classifier, try-on, L2 in a temp dir) behind the
// real server on an ephemeral loopback port, called with libcurl. Every endpoint, the
// error statuses, multipart edge cases, keys, rate limits, read-only, CORS, promtool.
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <spdlog/logger.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "support/http_client.h"
#include "tierscope/engine.h"
#include "tierscope/server/api_service.h"
#include "tierscope/server/http_server.h"
#include "tierscope/tryon/demo_assets.h"
#include "tierscope/tryon/tryon_pipeline.h"

using namespace tierscope;
using namespace tierscope::server;
using tierscope::testing::FormPart;
using tierscope::testing::HttpClient;
using tierscope::testing::HttpResult;
using nlohmann::json;

namespace {

const std::string kOpsKey = "ops-key-0123456789abcdef";
const std::string kReaderKey = "reader-key-0123456789abcdef";

// A small garment-like JPEG of `seed` (distinct seeds, distinct images).
std::string testJpeg(int seed, int size = 96) {
  cv::Mat img(size, size, CV_8UC3, cv::Scalar(240, 240, 240));
  cv::rectangle(img, {size / 4, size / 8}, {3 * size / 4, 7 * size / 8}, cv::Scalar(seed % 255, 40, 90), cv::FILLED);
  cv::circle(img, {size / 2, size / 2}, size / 8 + seed % 7, cv::Scalar(10, 200 - seed % 100, 30), cv::FILLED);
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf);
  return std::string(buf.begin(), buf.end());
}

json parse(const HttpResult& r) {
  try {
    return json::parse(r.body);
  } catch (const std::exception&) {
    return json();
  }
}

// Asserts an error response: status and JSON {error, detail}.
#define EXPECT_ERROR(result, code)                                                                       \
  do {                                                                                                   \
    const HttpResult& r_ = (result);                                                                     \
    QVERIFY2(r_.status == (code), qPrintable(QString("status %1, wanted %2: %3").arg(r_.status).arg(code) \
                                                 .arg(QString::fromStdString(r_.body + r_.error))));     \
    const json j_ = parse(r_);                                                                           \
    QVERIFY2(j_.contains("error") && j_.contains("detail"), r_.body.c_str());                            \
  } while (0)

struct Server {
  Server(Engine& engine, ApiOptions api, HttpServerOptions http = {}) : api_service(engine, std::move(api)) {
    http.port = 0;
    server = std::make_unique<HttpServer>(http, api_service.handler());
    api_service.set_server_stats([this] { return server->stats(); });
    server->start();
  }
  ~Server() {
    server->request_stop();
    server->wait_drained(std::chrono::seconds(10));
    api_service.shutdown();
    server->stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }

  ApiService api_service;
  std::unique_ptr<HttpServer> server;
};

}  // namespace

class ServerApiTest : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Server> server_;  // keys configured, no rate limit

  ApiOptions withKeys() {
    ApiOptions o;
    o.api_keys = {{"ops", hash_api_key(kOpsKey), 0, 0}, {"reader", hash_api_key(kReaderKey), 0, 0}};
    return o;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    EngineOptions options;
    DiskTierOptions l2;
    l2.root = dir_.filePath("l2").toStdString();
    l2.sync_writes = false;
    options.cache.l2 = l2;
    InferenceOptions inference;
    inference.model_path = TIERSCOPE_MODEL_PATH;
    options.inference = inference;
    options.tryon = tryon::TryOnPipelineOptions{};
    engine_ = std::make_unique<Engine>(options);
    server_ = std::make_unique<Server>(*engine_, withKeys());
  }
  void cleanupTestCase() {
    server_.reset();
    engine_.reset();
  }

  void healthHasTheSourceSystemsKeys() {
    HttpClient c(server_->url());
    const HttpResult r = c.get("/health");
    QCOMPARE(r.status, 200L);
    QCOMPARE(*r.header("content-type"), std::string("application/json"));
    const json j = parse(r);
    QCOMPARE(j["status"].get<std::string>(), std::string("healthy"));
    QVERIFY(j.contains("models_loaded"));
    QVERIFY(j["caching"].get<std::string>().find("L2 disk") != std::string::npos);
    for (const char* key : {"l1_hits", "l2_hits", "l3_hits", "evictions", "stampede_prevented", "total_requests",
                            "l1_hit_rate", "l2_hit_rate", "l1_human_upper_count", "l1_human_lower_count",
                            "l1_human_dresses_count", "l1_garment_count", "l1_text_count", "l2_disk_usage_gb",
                            "l2_disk_limit_gb"}) {
      QVERIFY2(j["cache_stats"].contains(key), key);
    }
    const auto features = j["features"].get<std::vector<std::string>>();
    for (const char* f : {"classification", "tryon", "l2_disk", "api_keys"}) {
      QVERIFY2(std::find(features.begin(), features.end(), f) != features.end(), f);
    }
  }

  void predictMultipartThenFromCache() {
    HttpClient c(server_->url());
    const std::string image = testJpeg(1);
    const HttpResult first = c.request("POST", "/predict", {}, std::nullopt, {{"file", image, "shirt.jpg", "image/jpeg"}});
    QCOMPARE(first.status, 200L);
    const json a = parse(first);
    QCOMPARE(a["predictions"].size(), size_t(5));
    QVERIFY(a["predictions"][0].contains("class") && a["predictions"][0].contains("probability"));
    for (const char* key : {"processing_time_ms", "image_size", "filename", "model_version", "cache_enabled", "from_cache"}) {
      QVERIFY2(a["metadata"].contains(key), key);
    }
    QCOMPARE(a["metadata"]["filename"].get<std::string>(), std::string("shirt.jpg"));
    QCOMPARE(a["metadata"]["image_size"][0].get<int>(), 96);
    QCOMPARE(a["metadata"]["from_cache"].get<bool>(), false);
    // The same bytes again, raw this time: answered from the cache, same answer.
    // (A filename with quotes, a backslash and UTF-8 comes back intact in valid JSON.)
    const HttpResult second =
        c.request("POST", "/predict?filename=%22again%22%5C%C3%A9.jpg", {"Content-Type: image/jpeg"}, image);
    QCOMPARE(second.status, 200L);
    const json b = parse(second);
    QVERIFY2(b.is_object(), second.body.c_str());
    QCOMPARE(b["metadata"]["from_cache"].get<bool>(), true);
    QCOMPARE(b["metadata"]["filename"].get<std::string>(), std::string("\"again\"\\\xc3\xa9.jpg"));
    QCOMPARE(b["predictions"][0]["class"].get<std::string>(), a["predictions"][0]["class"].get<std::string>());
    QCOMPARE(b["predictions"][0]["probability"].get<double>(), a["predictions"][0]["probability"].get<double>());
  }

  void predictRejectsBadUploads() {
    HttpClient c(server_->url());
    const std::string image = testJpeg(2);
    // No `file` field.
    EXPECT_ERROR(c.request("POST", "/predict", {}, std::nullopt, {{"image", image, "a.jpg", "image/jpeg"}}), 400);
    // Two files in `file`.
    EXPECT_ERROR(c.request("POST", "/predict", {}, std::nullopt,
                           {{"file", image, "a.jpg", "image/jpeg"}, {"file", image, "b.jpg", "image/jpeg"}}),
                 400);
    // A part that says it is text.
    EXPECT_ERROR(c.request("POST", "/predict", {}, std::nullopt, {{"file", "hello", "a.txt", "text/plain"}}), 415);
    // A body that is neither multipart nor an image.
    EXPECT_ERROR(c.request("POST", "/predict", {"Content-Type: application/json"}, std::string("{}")), 415);
    // Bytes that do not decode.
    EXPECT_ERROR(c.request("POST", "/predict", {"Content-Type: image/jpeg"}, std::string("definitely not a jpeg")), 422);
    // Empty image.
    EXPECT_ERROR(c.request("POST", "/predict", {}, std::nullopt, {{"file", "", "empty.jpg", "image/jpeg"}}), 400);
    // Truncated multipart: the closing boundary never comes.
    const std::string truncated = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
                                  "Content-Type: image/jpeg\r\n\r\n" + image.substr(0, 100);
    EXPECT_ERROR(c.request("POST", "/predict", {"Content-Type: multipart/form-data; boundary=XyZ"}, truncated), 400);
    // A multipart type without a boundary.
    EXPECT_ERROR(c.request("POST", "/predict", {"Content-Type: multipart/form-data"}, std::string("x")), 400);
    // 50 MB: refused from its Content-Length, before the body is read.
    const std::string huge(50u << 20, 'x');
    const HttpResult big = c.request("POST", "/predict", {"Content-Type: image/jpeg"}, huge);
    EXPECT_ERROR(big, 413);
    // Nothing of the above was cached: the prediction namespace holds only good answers.
    const json stats = parse(c.get("/model/stats"));
    QVERIFY(stats["errors"].get<int>() >= 1);
  }

  void tryOnGivesAPngOrJson() {
    HttpClient c(server_->url());
    const std::string person = tryon::demo_person_png();
    const std::string garment = tryon::demo_garment_png(tryon::Category::kUpperBody);
    const HttpResult png = c.request("POST", "/tryon", {}, std::nullopt,
                                     {{"person", person, "person.png", "image/png"},
                                      {"garment", garment, "garment.png", "image/png"},
                                      {"category", "upper_body", "", ""}});
    QVERIFY2(png.status == 200, png.body.c_str());
    QCOMPARE(*png.header("content-type"), std::string("image/png"));
    QVERIFY(png.body.size() > 1000 && png.body.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    QCOMPARE(*png.header("x-tryon-from-cache"), std::string("false"));
    QVERIFY(png.header("server-timing")->find("person_analysis") != std::string::npos);
    // Again, as JSON: stage timings and cache flags; the composite comes from the cache.
    const HttpResult again = c.request("POST", "/tryon?format=json&category=upper_body", {}, std::nullopt,
                                       {{"person", person, "person.png", "image/png"},
                                        {"garment", garment, "garment.png", "image/png"}});
    QCOMPARE(again.status, 200L);
    const json j = parse(again);
    QCOMPARE(j["composite_from_cache"].get<bool>(), true);
    QVERIFY(j["stages"].size() >= 1);
    QCOMPARE(j["category"].get<std::string>(), std::string("upper_body"));
    // Missing garment, bad category, a photo that is not one.
    EXPECT_ERROR(c.request("POST", "/tryon", {}, std::nullopt, {{"person", person, "p.png", "image/png"}}), 400);
    EXPECT_ERROR(c.request("POST", "/tryon?category=hats", {}, std::nullopt,
                           {{"person", person, "p.png", "image/png"}, {"garment", garment, "g.png", "image/png"}}),
                 400);
    EXPECT_ERROR(c.request("POST", "/tryon", {}, std::nullopt,
                           {{"person", "not an image", "p.png", "image/png"}, {"garment", garment, "g.png", "image/png"}}),
                 422);
    EXPECT_ERROR(c.request("POST", "/tryon", {"Content-Type: image/png"}, person), 415);
  }

  void modelStatsAndCache() {
    HttpClient c(server_->url());
    c.request("POST", "/predict", {"Content-Type: image/jpeg"}, testJpeg(3));
    const json stats = parse(c.get("/model/stats"));
    for (const char* key : {"total_predictions", "cache_enabled", "cache_size", "cache_hits", "cache_misses",
                            "cache_hit_rate_percent", "avg_inference_time_ms", "total_inference_time_ms",
                            "warmup_completed"}) {
      QVERIFY2(stats.contains(key), key);
    }
    const json info = parse(c.get("/model/cache"));
    for (const char* key : {"hits", "misses", "maxsize", "currsize"}) QVERIFY2(info.contains(key), key);
    QVERIFY(info["currsize"].get<int>() >= 1);
    // Clearing needs a key.
    EXPECT_ERROR(c.request("DELETE", "/model/cache"), 401);
    const HttpResult cleared = c.request("DELETE", "/model/cache", {"Authorization: Bearer " + kOpsKey});
    QCOMPARE(cleared.status, 200L);
    QCOMPARE(parse(c.get("/model/cache"))["currsize"].get<int>(), 0);
  }

  void cacheInvalidationAndListing() {
    HttpClient c(server_->url());
    const std::string auth = "X-API-Key: " + kOpsKey;
    engine_->cache().put("general", "persona:1", make_value("a"));
    engine_->cache().put("general", "persona:2", make_value("b"));
    engine_->cache().put("general", "routing:1", make_value("c"));
    const json page = parse(c.get("/cache/entries?namespace=general&pattern=persona:*"));
    QCOMPARE(page["total_matching"].get<int>(), 2);
    QCOMPARE(page["entries"].size(), size_t(2));
    const json l2 = parse(c.get("/cache/entries?namespace=general&tier=l2&pattern=persona:*"));
    QCOMPARE(l2["total_matching"].get<int>(), 2);
    EXPECT_ERROR(c.get("/cache/entries?namespace=nope"), 404);
    EXPECT_ERROR(c.get("/cache/entries?tier=l9"), 400);
    EXPECT_ERROR(c.get("/cache/entries?page=-1"), 400);
    EXPECT_ERROR(c.get("/cache/entries?page_size=100000"), 400);

    EXPECT_ERROR(c.request("DELETE", "/cache", {auth}), 400);  // no pattern
    const HttpResult removed = c.request("DELETE", "/cache?pattern=persona%3A*&namespace=general", {auth});
    QCOMPARE(removed.status, 200L);
    QCOMPARE(parse(removed)["removed"].get<int>(), 4);  // two keys, L1 and L2 each
    QVERIFY(!engine_->cache().peek("general", "persona:1"));
    QVERIFY(engine_->cache().peek("general", "routing:1"));

    QCOMPARE(c.request("DELETE", "/cache/all", {auth}).status, 200L);
    QVERIFY(!engine_->cache().peek("general", "routing:1"));
  }

  void keysCannotReachOutsideTheCacheRoot() {
    HttpClient c(server_->url());
    const std::filesystem::path root = dir_.filePath("l2").toStdString();
    engine_->cache().put("general", "../../../escaped", make_value("x"));
    engine_->cache().put("general", "/etc/passwd", make_value("y"));
    // Every file the engine wrote is under the root; nothing appeared beside it.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path().toStdString())) {
      if (!entry.is_regular_file()) continue;
      const auto rel = std::filesystem::relative(entry.path(), root);
      QVERIFY2(!rel.empty() && rel.native().rfind("..", 0) != 0, entry.path().c_str());
    }
    QVERIFY(!std::filesystem::exists(root.parent_path().parent_path() / "escaped"));
    // Patterns are globs over keys, never paths.
    const HttpResult r = c.request("DELETE", "/cache?pattern=..%2F..%2F*", {"X-API-Key: " + kOpsKey});
    QCOMPARE(r.status, 200L);
    QCOMPARE(parse(r)["removed"].get<int>(), 2);  // the "../../../escaped" key, in L1 and L2
  }

  void configReadsValidatesAndApplies() {
    HttpClient c(server_->url());
    const std::string auth = "Authorization: Bearer " + kOpsKey;
    const json before = parse(c.get("/config"));
    QVERIFY(before["namespaces"]["general"]["l1_max_entries"].get<int>() > 0);
    // Sending back what GET gave changes nothing and is accepted.
    QCOMPARE(c.request("PUT", "/config", {auth, "Content-Type: application/json"}, before.dump()).status, 200L);
    // One bad value among good ones: 400 naming it, and nothing applied.
    const HttpResult bad = c.request("PUT", "/config", {auth, "Content-Type: application/json"},
                                     std::string(R"({"policy":"lru","namespaces":{"general":{"l1_max_entries":-5}}})"));
    EXPECT_ERROR(bad, 400);
    QCOMPARE(parse(bad)["key"].get<std::string>(), std::string("namespaces.general.l1_max_entries"));
    QCOMPARE(parse(c.get("/config"))["policy"].get<std::string>(), before["policy"].get<std::string>());
    EXPECT_ERROR(c.request("PUT", "/config", {auth, "Content-Type: application/json"}, std::string(R"({"colour":"red"})")), 400);
    EXPECT_ERROR(c.request("PUT", "/config", {auth, "Content-Type: application/json"}, std::string("{not json")), 400);
    EXPECT_ERROR(c.request("PUT", "/config", {auth, "Content-Type: application/json"},
                           std::string(R"({"disk_high_watermark":0.5,"disk_low_watermark":0.6})")),
                 400);
    EXPECT_ERROR(c.request("PUT", "/config", {auth, "Content-Type: text/plain"}, std::string("{}")), 415);
    // A good change applies.
    const HttpResult good = c.request("PUT", "/config", {auth, "Content-Type: application/json"},
                                      std::string(R"({"policy":"lru","namespaces":{"general":{"l1_max_entries":1234,"ttl_seconds":90}}})"));
    QCOMPARE(good.status, 200L);
    const json after = parse(c.get("/config"));
    QCOMPARE(after["policy"].get<std::string>(), std::string("lru"));
    QCOMPARE(after["namespaces"]["general"]["l1_max_entries"].get<int>(), 1234);
    QCOMPARE(after["namespaces"]["general"]["ttl_seconds"].get<double>(), 90.0);
    c.request("PUT", "/config", {auth, "Content-Type: application/json"}, before.dump());
  }

  void metricsPassPromtool() {
    HttpClient c(server_->url());
    c.request("POST", "/predict", {"Content-Type: image/jpeg"}, testJpeg(4));
    c.get("/health");
    const HttpResult r = c.get("/metrics");
    QCOMPARE(r.status, 200L);
    QVERIFY(r.header("content-type")->find("text/plain; version=0.0.4") == 0);
    for (const char* family : {"tierscope_cache_gets_total{tier=\"l1\",result=\"hit\"}", "tierscope_cache_loads_total",
                               "tierscope_cache_load_errors_total", "tierscope_cache_load_timeouts_total",
                               "tierscope_cache_stampedes_prevented_total", "tierscope_cache_evictions_total{",
                               "tierscope_cache_entries{tier=\"l1\",namespace=\"prediction\"}", "tierscope_cache_max_bytes{",
                               "tierscope_disk_usage_bytes", "tierscope_disk_limit_bytes",
                               "tierscope_http_request_duration_seconds_bucket{endpoint=\"/predict\",status=\"200\",le=\"0.001\"}",
                               "tierscope_inference_duration_seconds_bucket", "tierscope_tryon_duration_seconds_count",
                               "tierscope_model_predictions_total", "tierscope_http_connections_open",
                               "tierscope_cache_window_share{namespace=\"prediction\"}",
                               "tierscope_cache_ghost_admission{namespace=\"prediction\"}"}) {
      QVERIFY2(r.body.find(family) != std::string::npos, family);
    }
    QVERIFY(r.body.find("# TYPE tierscope_http_request_duration_seconds histogram") != std::string::npos);
    // Every family has the one prefix.
    for (size_t at = r.body.find("# TYPE "); at != std::string::npos; at = r.body.find("# TYPE ", at + 1)) {
      QCOMPARE(r.body.substr(at + 7, 10), std::string("tierscope_"));
    }
    const QString promtool = QStandardPaths::findExecutable("promtool");
    if (promtool.isEmpty()) QFAIL("promtool not found (Debian package prometheus; scripts/install-deps.sh installs it)");
    QProcess check;
    check.start(promtool, {"check", "metrics"});
    QVERIFY(check.waitForStarted());
    check.write(QByteArray::fromStdString(r.body));
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(30'000));
    QVERIFY2(check.exitCode() == 0, qPrintable(check.readAllStandardOutput() + check.readAllStandardError()));
  }

  void grafanaDashboardQueriesWhatTheServerExports() {
    std::ifstream in(TIERSCOPE_SOURCE_DIR "/packaging/grafana/tierscope-dashboard.json");
    QVERIFY(in);
    const json dashboard = json::parse(in);
    HttpClient c(server_->url());
    c.request("POST", "/predict", {"Content-Type: image/jpeg"}, testJpeg(5));
    const std::string metrics = c.get("/metrics").body;
    std::string rules = "groups:\n- name: dashboard\n  rules:\n";
    int n = 0;
    const std::regex metric_name("tierscope_[a-z0-9_]+");
    for (const json& panel : dashboard["panels"]) {
      for (const json& target : panel["targets"]) {
        std::string expr = target["expr"].get<std::string>();
        for (size_t at; (at = expr.find("$instance")) != std::string::npos;) expr.replace(at, 9, ".*");
        for (auto it = std::sregex_iterator(expr.begin(), expr.end(), metric_name); it != std::sregex_iterator(); ++it) {
          QVERIFY2(metrics.find(it->str()) != std::string::npos, (panel["title"].get<std::string>() + ": " + it->str()).c_str());
        }
        rules += "  - record: dashboard:check_" + std::to_string(++n) + "\n    expr: '" + expr + "'\n";
      }
    }
    QVERIFY(n >= 20);
    // Every query parses as PromQL.
    const QString promtool = QStandardPaths::findExecutable("promtool");
    if (promtool.isEmpty()) QFAIL("promtool not found (Debian package prometheus)");
    QFile file(dir_.filePath("dashboard-rules.yml"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(rules));
    file.close();
    QProcess check;
    check.start(promtool, {"check", "rules", file.fileName()});
    QVERIFY(check.waitForFinished(30'000));
    QVERIFY2(check.exitCode() == 0, qPrintable(check.readAllStandardOutput() + check.readAllStandardError()));
  }

  void statsForTheRemoteConsole() {
    HttpClient c(server_->url());
    const json j = parse(c.get("/stats"));
    QVERIFY(j.contains("cache_stats") && j.contains("namespaces") && j.contains("served") && j.contains("latency"));
    QVERIFY(j.contains("model") && j.contains("server") && j.contains("l2"));
    QVERIFY(j["server"]["requests"].get<int>() >= 1);
    // Each namespace carries W-TinyLFU's current setting, which the console's table shows.
    for (const json& ns : j["namespaces"]) {
      QVERIFY(ns["window_share"].get<double>() > 0 && ns["window_share"].get<double>() <= 1);
      QVERIFY(ns["ghost_admission"].is_boolean());
    }
    const json alerts = parse(c.get("/alerts"));
    QVERIFY(alerts["alerts"].size() >= 4);
  }

  void tryOnBundleCarriesTheWholeResult() {
    HttpClient c(server_->url());
    const std::string person = tryon::demo_person_png();
    const std::string garment = tryon::demo_garment_png(tryon::Category::kLowerBody);
    const HttpResult r = c.request("POST", "/tryon?format=bundle&fill=skin&grabcut=0", {}, std::nullopt,
                                   {{"person", person, "person.png", "image/png"},
                                    {"garment", garment, "garment.png", "image/png"}});
    QVERIFY2(r.status == 200, r.body.c_str());
    QCOMPARE(*r.header("content-type"), std::string("application/vnd.tierscope.tryon"));
    const tryon::TryOnResult result = tryon::parse_result_bundle(r.body);
    QVERIFY(result.composite_png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    QVERIFY(!result.person_regions.empty() && !result.garment_mask.empty());
    QVERIFY(result.stages.size() >= 3 && !result.person_landmarks.empty());
    QCOMPARE(result.category, tryon::Category::kLowerBody);
    // Option values are checked.
    EXPECT_ERROR(c.request("POST", "/tryon?fill=paint", {}, std::nullopt,
                           {{"person", person, "p.png", "image/png"}, {"garment", garment, "g.png", "image/png"}}),
                 400);
    EXPECT_ERROR(c.request("POST", "/tryon?grabcut=yes", {}, std::nullopt,
                           {{"person", person, "p.png", "image/png"}, {"garment", garment, "g.png", "image/png"}}),
                 400);
    EXPECT_ERROR(c.request("POST", "/tryon?format=gif", {}, std::nullopt,
                           {{"person", person, "p.png", "image/png"}, {"garment", garment, "g.png", "image/png"}}),
                 400);
    // A damaged bundle is refused, not half-read.
    QVERIFY_THROWS_EXCEPTION(tryon::TryOnError, tryon::parse_result_bundle(r.body.substr(0, r.body.size() / 2)));
  }

  void valuesAnalysisTraceAndTuningForTheConsole() {
    HttpClient c(server_->url());
    const std::string auth = "Authorization: Bearer " + kReaderKey;
    engine_->cache().put("general", "doc:a.json", make_value(R"({"a": 1})"), std::chrono::hours(1));
    const uint64_t hits = engine_->cache().snapshot().l1_hits;
    // A value: its bytes and facts, with a key only; no hit counted.
    EXPECT_ERROR(c.get("/cache/entry?namespace=general&key=doc:a.json"), 401);
    const HttpResult v = c.get("/cache/entry?namespace=general&key=doc:a.json", {auth});
    QCOMPARE(v.status, 200L);
    QCOMPARE(v.body, std::string(R"({"a": 1})"));
    QCOMPARE(*v.header("x-entry-bytes"), std::string("8"));
    QVERIFY(v.header("x-entry-expires") && v.header("x-entry-created"));
    QCOMPARE(engine_->cache().snapshot().l1_hits, hits);
    EXPECT_ERROR(c.get("/cache/entry?namespace=general&key=nope", {auth}), 404);
    EXPECT_ERROR(c.get("/cache/entry?namespace=nowhere&key=x", {auth}), 404);
    EXPECT_ERROR(c.get("/cache/entry?namespace=general&key=x&tier=l3", {auth}), 400);
    EXPECT_ERROR(c.get("/cache/entry?namespace=general", {auth}), 400);
    // The memory analysis.
    const json a = parse(c.get("/cache/analysis?top=5"));
    QVERIFY(!a["namespaces"].empty() && a["ttl_spread"].size() == 6 && a["largest"].size() <= 5);
    EXPECT_ERROR(c.get("/cache/analysis?top=0"), 400);
    EXPECT_ERROR(c.get("/cache/analysis?top=abc"), 400);
    // The recorded live trace: 64-bit key hashes, with the sampling rate.
    for (int i = 0; i < 200; ++i) engine_->cache().get("general", "traced-" + std::to_string(i % 20));
    engine_->monitor().curves().update();
    const HttpResult t = c.get("/monitor/trace?namespace=general");
    QCOMPARE(t.status, 200L);
    QCOMPARE(t.body.size() % 8, size_t{0});
    QCOMPARE(std::to_string(t.body.size() / 8), *t.header("x-keys"));
    QVERIFY(std::stod(*t.header("x-sampling-rate")) > 0);
    EXPECT_ERROR(c.get("/monitor/trace"), 400);
    EXPECT_ERROR(c.get("/monitor/trace?namespace=nowhere"), 404);
    // Curves in /stats; an auto-tuning run needs a key (a change) and a memory budget.
    const json stats = parse(c.get("/stats"));
    QVERIFY(stats["curves"].is_array() && stats["tuning"].is_array() && stats["time"].get<double>() > 1.7e9);
    EXPECT_ERROR(c.request("POST", "/tuning/run"), 401);
    EXPECT_ERROR(c.request("POST", "/tuning/run", {auth}), 409);  // this engine has no budget
    // No log ring on this service: said.
    EXPECT_ERROR(c.get("/logs", {auth}), 503);
  }

  void logTailWithItsOwnRing() {
    EngineOptions options;
    Engine engine(options);
    auto ring = std::make_shared<LogRing>(3);
    auto logger = std::make_shared<spdlog::logger>("test", ring);
    ApiOptions api = withKeys();
    api.logger = logger;
    api.log_ring = ring;
    Server server(engine, api);
    HttpClient c(server.url());
    const std::string auth = "Authorization: Bearer " + kOpsKey;
    EXPECT_ERROR(c.get("/logs"), 401);  // log lines name keys: a key is required
    for (int i = 1; i <= 5; ++i) logger->warn("line {}", i);
    const json all = parse(c.get("/logs", {auth}));
    // The ring holds the newest 3; their numbers show that 2 were lost.
    QCOMPARE(all["lines"].size(), size_t{3});
    QCOMPARE(all["lines"][0]["sequence"].get<int>(), 3);
    QCOMPARE(all["lines"][0]["message"].get<std::string>(), std::string("line 3"));
    QCOMPARE(all["lines"][0]["level"].get<int>(), int(spdlog::level::warn));
    QCOMPARE(all["last"].get<int>(), 5);
    const json after = parse(c.get("/logs?after=4", {auth}));
    QCOMPARE(after["lines"].size(), size_t{1});
    QCOMPARE(after["lines"][0]["message"].get<std::string>(), std::string("line 5"));
    QCOMPARE(parse(c.get("/logs?after=5", {auth}))["lines"].size(), size_t{0});
    EXPECT_ERROR(c.get("/logs?after=-1", {auth}), 400);
    EXPECT_ERROR(c.get("/logs?limit=0", {auth}), 400);
  }

  void alertRulesChangeWithAKey() {
    HttpClient c(server_->url());
    const std::string auth = "Authorization: Bearer " + kOpsKey;
    const std::string json_type = "Content-Type: application/json";
    const std::string rule = R"({"name":"api-rule","metric_name":"cache.hit_rate_percent","threshold":42,"operator":"<","duration_seconds":5})";
    EXPECT_ERROR(c.request("PUT", "/alerts", {json_type}, rule), 401);  // a change needs a key
    QCOMPARE(c.request("PUT", "/alerts", {auth, json_type}, rule).status, 200L);
    auto find = [&](const std::string& name) {
      const json all = parse(c.get("/alerts"));
      for (const json& a : all["alerts"]) {
        if (a["name"] == name) return a;
      }
      return json();
    };
    const json set = find("api-rule");
    QCOMPARE(set["threshold"].get<double>(), 42.0);
    QCOMPARE(set["operator"].get<std::string>(), std::string("<"));
    QCOMPARE(set["duration_seconds"].get<double>(), 5.0);
    // Bad rules are refused naming the problem, and change nothing.
    EXPECT_ERROR(c.request("PUT", "/alerts", {auth, json_type}, std::string(R"({"name":"x","metric_name":"m","threshold":1,"operator":"~"})")), 400);
    EXPECT_ERROR(c.request("PUT", "/alerts", {auth, json_type}, std::string(R"({"name":"x","threshold":1})")), 400);
    EXPECT_ERROR(c.request("PUT", "/alerts", {auth, json_type}, std::string(R"({"name":"x","metric_name":"m","threshold":1,"colour":1})")), 400);
    EXPECT_ERROR(c.request("PUT", "/alerts", {auth, json_type}, std::string(R"({"name":"","metric_name":"m","threshold":1})")), 400);
    EXPECT_ERROR(c.request("PUT", "/alerts", {auth, json_type}, std::string("{nope")), 400);
    EXPECT_ERROR(c.request("PUT", "/alerts", {auth, "Content-Type: text/plain"}, rule), 415);
    QVERIFY(find("x").is_null());
    // Removal by name.
    EXPECT_ERROR(c.request("DELETE", "/alerts?name=api-rule"), 401);
    QCOMPARE(c.request("DELETE", "/alerts?name=api-rule", {auth}).status, 200L);
    QVERIFY(find("api-rule").is_null());
    EXPECT_ERROR(c.request("DELETE", "/alerts?name=api-rule", {auth}), 404);
    EXPECT_ERROR(c.request("DELETE", "/alerts", {auth}), 400);
  }

  void routingErrors() {
    HttpClient c(server_->url());
    EXPECT_ERROR(c.get("/no/such/thing"), 404);
    const HttpResult wrong = c.request("POST", "/health");
    EXPECT_ERROR(wrong, 405);
    QVERIFY(wrong.header("allow")->find("GET") != std::string::npos);
    EXPECT_ERROR(c.request("GET", "/cache/all"), 405);
    // No CORS unless configured.
    const HttpResult plain = c.get("/health", {"Origin: https://evil.example"});
    QVERIFY(!plain.header("access-control-allow-origin"));
  }

  void keysAreChecked() {
    HttpClient c(server_->url());
    EXPECT_ERROR(c.request("DELETE", "/cache/all"), 401);
    const HttpResult wrong = c.request("DELETE", "/cache/all", {"Authorization: Bearer not-the-key-at-all"});
    EXPECT_ERROR(wrong, 401);
    QVERIFY(wrong.header("www-authenticate"));
    // A wrong key is refused even where none is needed (no silent fallback to anonymous).
    EXPECT_ERROR(c.get("/model/stats", {"X-API-Key: wrong"}), 401);
    QCOMPARE(c.request("DELETE", "/cache/all", {"X-API-Key: " + kReaderKey}).status, 200L);
  }

  void keysOnReadsRateLimitsReadOnlyAndCors() {
    ApiOptions o = withKeys();
    o.require_key_for_reads = true;
    o.read_only = true;
    o.api_keys[1].rate_per_second = 1;  // reader: 1/s, burst 2
    o.api_keys[1].burst = 2;
    o.cors_origins = {"https://console.example"};
    Server strict(*engine_, o);
    HttpClient c(strict.url());
    QCOMPARE(c.get("/health").status, 200L);  // health stays open for load balancers
    EXPECT_ERROR(c.get("/model/stats"), 401);
    EXPECT_ERROR(c.get("/metrics"), 401);
    QCOMPARE(c.get("/model/stats", {"X-API-Key: " + kOpsKey}).status, 200L);
    EXPECT_ERROR(c.request("DELETE", "/cache/all", {"X-API-Key: " + kOpsKey}), 403);
    EXPECT_ERROR(c.request("PUT", "/config", {"X-API-Key: " + kOpsKey, "Content-Type: application/json"}, std::string("{}")), 403);
    // The reader's bucket: two at once, then 429 with Retry-After.
    QCOMPARE(c.get("/model/stats", {"X-API-Key: " + kReaderKey}).status, 200L);
    QCOMPARE(c.get("/model/stats", {"X-API-Key: " + kReaderKey}).status, 200L);
    const HttpResult limited = c.get("/model/stats", {"X-API-Key: " + kReaderKey});
    EXPECT_ERROR(limited, 429);
    QVERIFY(limited.header("retry-after") && std::stoi(*limited.header("retry-after")) >= 1);
    // The other key has its own bucket (unlimited).
    QCOMPARE(c.get("/model/stats", {"X-API-Key: " + kOpsKey}).status, 200L);
    // CORS for the configured origin only.
    const HttpResult allowed = c.get("/health", {"Origin: https://console.example"});
    QCOMPARE(*allowed.header("access-control-allow-origin"), std::string("https://console.example"));
    QVERIFY(!c.get("/health", {"Origin: https://other.example"}).header("access-control-allow-origin"));
    const HttpResult preflight = c.request("OPTIONS", "/config", {"Origin: https://console.example"});
    QCOMPARE(preflight.status, 204L);
    QVERIFY(preflight.header("access-control-allow-methods")->find("PUT") != std::string::npos);
  }

  void withoutKeysChangesAreDisabledUnlessAskedFor() {
    Server closed(*engine_, ApiOptions{});
    HttpClient c(closed.url());
    const HttpResult r = c.request("DELETE", "/cache/all");
    EXPECT_ERROR(r, 401);
    QVERIFY(r.body.find("no API key configured") != std::string::npos);
    QCOMPARE(c.get("/model/stats").status, 200L);
    ApiOptions open;
    open.allow_unauthenticated_changes = true;
    Server dev(*engine_, open);
    HttpClient d(dev.url());
    QCOMPARE(d.request("DELETE", "/cache/all").status, 200L);
  }
};

QTEST_GUILESS_MAIN(ServerApiTest)
#include "test_server_api.moc"
