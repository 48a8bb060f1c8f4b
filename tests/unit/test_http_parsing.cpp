// The server's pure parts: request targets, multipart, Prometheus text, API keys, rate
// limits, the `server` config object.
#include <QTest>

#include "tierscope/server/api_keys.h"
#include "tierscope/server/http_message.h"
#include "tierscope/server/multipart.h"
#include "tierscope/server/prometheus_text.h"
#include "tierscope/server/rate_limiter.h"
#include "tierscope/server/server_config.h"

using namespace tierscope;
using namespace tierscope::server;

class HttpParsingTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void targets() {
    std::string path;
    std::multimap<std::string, std::string> query;
    QVERIFY(parse_target("/cache?pattern=persona%3A*&namespace=general&flag", path, query));
    QCOMPARE(path, std::string("/cache"));
    QCOMPARE(query.find("pattern")->second, std::string("persona:*"));
    QCOMPARE(query.find("namespace")->second, std::string("general"));
    QCOMPARE(query.find("flag")->second, std::string());
    QVERIFY(parse_target("/a+b?q=a+b", path, query));
    QCOMPARE(path, std::string("/a+b"));  // '+' is a space in the query only
    QCOMPARE(query.find("q")->second, std::string("a b"));
    QVERIFY(!parse_target("/bad%2", path, query));
    QVERIFY(!parse_target("/bad%zz", path, query));
    QVERIFY(!parse_target("http://host/x", path, query));
    QVERIFY(!parse_target("", path, query));
  }

  void multipartParts() {
    const std::string body =
        "preamble\r\n--B0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".jpg\"\r\n"
        "Content-Type: Image/JPEG\r\n\r\nJPEGDATA\r\nwith CRLF inside\r\n--B0\r\n"
        "Content-Disposition: form-data; name=category\r\n\r\nupper_body\r\n--B0--\r\nepilogue";
    const auto parts = parse_multipart(body, "B0");
    QCOMPARE(parts.size(), size_t(2));
    QCOMPARE(parts[0].name, std::string("file"));
    QCOMPARE(parts[0].filename, std::string("a \"b\".jpg"));
    QCOMPARE(parts[0].content_type, std::string("image/jpeg"));
    QCOMPARE(std::string(parts[0].data), std::string("JPEGDATA\r\nwith CRLF inside"));
    QCOMPARE(std::string(parts[1].data), std::string("upper_body"));
    QCOMPARE(parts_named(parts, "category").size(), size_t(1));

    QCOMPARE(*multipart_boundary("multipart/form-data; boundary=\"abc def\""), std::string("abc def"));
    QCOMPARE(*multipart_boundary("Multipart/Form-Data;boundary=xyz"), std::string("xyz"));
    QVERIFY(!multipart_boundary("multipart/form-data"));
    QVERIFY(!multipart_boundary("multipart/form-data; boundary="));
    QVERIFY(!multipart_boundary("text/plain; boundary=x"));
    QVERIFY(!multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
  }

  void multipartErrors() {
    const auto fails = [](const std::string& body, const char* why) {
      try {
        parse_multipart(body, "B");
      } catch (const MultipartError&) {
        return;
      }
      QFAIL(why);
    };
    fails("", "empty body");
    fails("no boundary here", "no boundary");
    fails("--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\ndata", "no closing boundary");
    fails("--B\r\nContent-Disposition: form-data; name=\"f\"", "truncated headers");
    fails("--B\r\nContent-Type: image/png\r\n\r\nx\r\n--B--", "no disposition");
    fails("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--", "no name");
    fails("--B\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--B--", "not form-data");
    fails("--B\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--B--", "unterminated quote");
    fails("--Bjunk", "garbage after the delimiter");
    std::string many;
    for (int i = 0; i < 20; ++i) many += "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
    many += "--B--";
    try {
      parse_multipart(many, "B", 16);
      QFAIL("20 parts accepted with a limit of 16");
    } catch (const MultipartError& e) {
      QVERIFY(std::string(e.what()).find("16") != std::string::npos);
    }
  }

  void prometheusText() {
    PrometheusText out;
    out.family("tierscope_x_total", "counter", "Things.");
    out.sample({{"name", "a\"b\\c\nd"}}, 3);
    out.family("tierscope_latency_seconds", "histogram", "Latency.");
    LatencyHistogram h;
    h.record(std::chrono::microseconds(100));   // below 0.00025
    h.record(std::chrono::milliseconds(3));     // below 0.005
    h.record(std::chrono::seconds(20));         // above every bound
    out.latency_histogram({{"endpoint", "/predict"}}, default_duration_buckets_seconds(), h.counts());
    const std::string& t = out.text();
    QVERIFY(t.find("# HELP tierscope_x_total Things.\n# TYPE tierscope_x_total counter\n") == 0);
    QVERIFY(t.find("tierscope_x_total{name=\"a\\\"b\\\\c\\nd\"} 3\n") != std::string::npos);
    QVERIFY(t.find("tierscope_latency_seconds_bucket{endpoint=\"/predict\",le=\"0.00025\"} 1\n") != std::string::npos);
    QVERIFY(t.find("tierscope_latency_seconds_bucket{endpoint=\"/predict\",le=\"0.005\"} 2\n") != std::string::npos);
    QVERIFY(t.find("tierscope_latency_seconds_bucket{endpoint=\"/predict\",le=\"10\"} 2\n") != std::string::npos);
    QVERIFY(t.find("tierscope_latency_seconds_bucket{endpoint=\"/predict\",le=\"+Inf\"} 3\n") != std::string::npos);
    QVERIFY(t.find("tierscope_latency_seconds_count{endpoint=\"/predict\"} 3\n") != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(std::logic_error, out.family("tierscope_x_total", "counter", "again"));
  }

  void apiKeys() {
    const std::string stored = hash_api_key("correct horse battery staple");
    QVERIFY(stored.rfind("sha256:", 0) == 0);
    QVERIFY(stored.find("correct") == std::string::npos);  // the key is not in its stored form
    QVERIFY(api_key_matches("correct horse battery staple", stored));
    QVERIFY(!api_key_matches("correct horse battery stapl", stored));
    QVERIFY(hash_api_key("k", "00112233445566778899") == hash_api_key("k", "00112233445566778899"));
    QVERIFY(hash_api_key("k") != hash_api_key("k"));  // fresh salt each time
    ApiKeyStore store({{"ops", stored, 0, 0}, {"ci", hash_api_key("another key of enough length"), 5, 10}});
    QCOMPARE(store.find("correct horse battery staple")->name, std::string("ops"));
    QCOMPARE(store.find("another key of enough length")->name, std::string("ci"));
    QVERIFY(!store.find("nope"));
    QVERIFY_THROWS_EXCEPTION(ApiKeyError, ApiKeyStore({{"bad", "sha256:zz:00", 0, 0}}));
    QVERIFY_THROWS_EXCEPTION(ApiKeyError, ApiKeyStore({{"", stored, 0, 0}}));
    QVERIFY_THROWS_EXCEPTION(ApiKeyError, ApiKeyStore({{"a", stored, 0, 0}, {"a", stored, 0, 0}}));
  }

  void tokenBuckets() {
    RateLimiter limiter;
    const auto t0 = RateLimiter::Clock::now();
    QVERIFY(limiter.acquire("a", 2, 3, t0).allowed);
    QVERIFY(limiter.acquire("a", 2, 3, t0).allowed);
    QVERIFY(limiter.acquire("a", 2, 3, t0).allowed);
    const RateDecision refused = limiter.acquire("a", 2, 3, t0);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retry_after_seconds, 0.5);
    QVERIFY(limiter.acquire("b", 2, 3, t0).allowed);  // another client, another bucket
    QVERIFY(limiter.acquire("a", 2, 3, t0 + std::chrono::milliseconds(500)).allowed);  // refilled one token
    QVERIFY(limiter.acquire("x", 0, 0, t0).allowed);  // unlimited
    // Bounded memory: full buckets are forgotten first.
    RateLimiter small(4);
    for (int i = 0; i < 100; ++i) small.acquire("c" + std::to_string(i), 1000, 1000, t0 + std::chrono::seconds(i));
    QVERIFY(small.clients() <= 5);
  }

  void serverConfig() {
    ServerConfig c;
    apply_server_config_json(R"({"listen":"0.0.0.0:9000","read_only":true,"rate_per_second":5,"max_body_mb":2,
                                 "api_keys":[{"name":"ops","hash":"sha256:00112233445566778899:)" +
                                 std::string(64, 'a') + R"(","rate_per_second":3}],"cors_origins":["*"]})",
                             c);
    QCOMPARE(c.http.address, std::string("0.0.0.0"));
    QCOMPARE(c.http.port, uint16_t{9000});
    QVERIFY(c.api.read_only);
    QCOMPARE(c.api.rate_per_second, 5.0);
    QCOMPARE(c.http.max_body_bytes, uint64_t{2} << 20);
    QCOMPARE(c.api.api_keys.size(), size_t(1));
    QCOMPARE(c.api.api_keys[0].rate_per_second, 3.0);
    QVERIFY_THROWS_EXCEPTION(ServerConfigError, apply_server_config_json(R"({"colour":1})", c));
    QVERIFY_THROWS_EXCEPTION(ServerConfigError, apply_server_config_json(R"({"max_in_flight":0})", c));
    QVERIFY_THROWS_EXCEPTION(ServerConfigError, apply_server_config_json(R"({"api_keys":[{"name":"x"}]})", c));
    HttpServerOptions h;
    parse_listen("[::1]:8080", h);
    QCOMPARE(h.address, std::string("::1"));
    parse_listen(":0", h);
    QCOMPARE(h.port, uint16_t{0});
    QVERIFY_THROWS_EXCEPTION(ServerConfigError, parse_listen("localhost", h));
    QVERIFY_THROWS_EXCEPTION(ServerConfigError, parse_listen("a:99999", h));
  }
};

QTEST_GUILESS_MAIN(HttpParsingTest)
#include "test_http_parsing.moc"
