// Origin loaders against real components: files in a directory, and a real HTTP
// server on loopback (status codes, retries, timeouts, size limits, URL encoding).
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "support/mini_http_server.h"
#include "tierscope/cache/loader.h"

using namespace tierscope;
using namespace std::chrono_literals;
using tierscope::testing::HttpReply;
using tierscope::testing::MiniHttpServer;

class LoaderTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void computeLoader() {
    auto loader = make_compute_loader([](std::string_view key) { return make_value("f(" + std::string(key) + ")"); });
    QCOMPARE(*loader->load("x"), std::string("f(x)"));
    auto empty = make_compute_loader([](std::string_view) { return Value{}; });
    QVERIFY_THROWS_EXCEPTION(LoadError, empty->load("x"));
  }

  void directoryLoaderReadsObjectsAndRefusesEscapes() {
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    std::filesystem::create_directories(root / "garments");
    std::ofstream(root / "garments" / "09133_00.jpg", std::ios::binary) << std::string("\xff\xd8jpeg\0bytes", 11);
    std::ofstream(root.parent_path() / "secret.txt") << "outside";
    auto loader = make_directory_loader(root);
    QCOMPARE(*loader->load("garments/09133_00.jpg"), std::string("\xff\xd8jpeg\0bytes", 11));
    try {
      loader->load("garments/missing.jpg");
      QFAIL("no error for a missing object");
    } catch (const LoadError& e) {
      QVERIFY(e.not_found());
    }
    for (const char* bad : {"../secret.txt", "garments/../../secret.txt", "/etc/passwd", ""}) {
      try {
        loader->load(bad);
        QFAIL(bad);
      } catch (const LoadError& e) {
        QVERIFY2(!e.not_found(), bad);
      }
    }
    QVERIFY_THROWS_EXCEPTION(LoadError, loader->load(std::string("a\0b", 3)));
  }

  void httpLoaderAgainstARealServer() {
    std::atomic<int> flaky_calls{0};
    MiniHttpServer server([&](const std::string& path) -> HttpReply {
      if (path == "/objects/ok.bin") return {200, std::string(100'000, 'o')};
      if (path == "/objects/a%20b/c%3Fd.jpg") return {200, "encoded"};
      if (path == "/objects/flaky") return ++flaky_calls <= 2 ? HttpReply{503, "busy"} : HttpReply{200, "finally"};
      if (path == "/objects/slow") return {200, "late", 3000ms};
      if (path == "/objects/forbidden") return {403, "no"};
      if (path == "/objects/big") return {200, std::string(2'000'000, 'b')};
      if (path.rfind("/signed/", 0) == 0) return {200, "signed " + path};
      return {404, "not here"};
    });
    HttpLoaderOptions o;
    o.base_url = server.base_url() + "/objects/";
    o.retry_backoff = 10ms;
    o.request_timeout = 500ms;
    o.max_body_bytes = 1'000'000;
    auto loader = make_http_loader(o);

    QCOMPARE(loader->load("ok.bin")->size(), size_t{100'000});
    QCOMPARE(*loader->load("a b/c?d.jpg"), std::string("encoded"));  // space and ? encoded, / kept
    QCOMPARE(url_encode_path("a b%2Fc/d.jpg"), std::string("a%20b%252Fc/d.jpg"));

    QCOMPARE(*loader->load("flaky"), std::string("finally"));  // two 503s, then success
    QCOMPARE(flaky_calls.load(), 3);

    try {
      loader->load("missing");
      QFAIL("no error for 404");
    } catch (const LoadError& e) {
      QVERIFY(e.not_found());
    }
    const int before = server.requests();
    QVERIFY_THROWS_EXCEPTION(LoadError, loader->load("forbidden"));
    QCOMPARE(server.requests(), before + 1);  // 4xx is final: no retries

    const auto start = std::chrono::steady_clock::now();
    try {
      loader->load("slow");
      QFAIL("no timeout");
    } catch (const LoadError& e) {
      QVERIFY2(std::string(e.what()).find("3 attempts") != std::string::npos, e.what());
    }
    QVERIFY(std::chrono::steady_clock::now() - start < 2900ms);  // gave up on each attempt

    QVERIFY_THROWS_EXCEPTION(LoadError, loader->load("big"));  // over max_body_bytes

    HttpLoaderOptions signed_urls;
    signed_urls.url_for = [&](std::string_view key) {
      return server.base_url() + "/signed/" + std::string(key) + "?X-Amz-Signature=abc";
    };
    QCOMPARE(*make_http_loader(signed_urls)->load("k1"), std::string("signed /signed/k1?X-Amz-Signature=abc"));

    HttpLoaderOptions unreachable;
    unreachable.base_url = "http://127.0.0.1:1/";
    unreachable.max_retries = 1;
    unreachable.retry_backoff = 1ms;
    QVERIFY_THROWS_EXCEPTION(LoadError, make_http_loader(unreachable)->load("x"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, make_http_loader(HttpLoaderOptions{}));
  }
};

QTEST_GUILESS_MAIN(LoaderTest)
#include "test_loaders.moc"
