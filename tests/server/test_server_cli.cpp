// The tierscope-server binary: starts on an ephemeral port and answers; SIGTERM while
// requests are in flight answers every one of them, flushes L2 and exits 0; bad options
// and configs exit 2 naming the problem; --hash-api-key prints a config entry that works.
#include <signal.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <future>
#include <thread>

#include "support/http_client.h"
#include "tierscope/tryon/demo_assets.h"

using tierscope::testing::HttpClient;
using tierscope::testing::HttpResult;

namespace {

// Starts the server with `args` (plus an ephemeral port and a temp L2); returns its URL.
QString startServer(QProcess& p, const QTemporaryDir& dir, QStringList args) {
  args << "--listen" << "127.0.0.1:0" << "--l2-dir" << dir.filePath("l2") << "--l2-no-fsync" << "--access-log" << "off";
  p.setProcessChannelMode(QProcess::SeparateChannels);
  p.start(TIERSCOPE_SERVER_EXECUTABLE, args);
  if (!p.waitForStarted(10'000)) return {};
  QByteArray out;
  for (int i = 0; i < 600 && !out.contains("listening on"); ++i) {
    p.waitForReadyRead(100);
    out += p.readAllStandardOutput();
    if (p.state() != QProcess::Running) return {};
  }
  const int at = out.indexOf("listening on ");
  if (at < 0) return {};
  return "http://" + QString::fromUtf8(out.mid(at + 13).split('\n').first().trimmed());
}

}  // namespace

class ServerCliTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sigtermAnswersEveryRequestInFlight() {
    QTemporaryDir dir;
    QProcess server;
    const QString url = startServer(server, dir, {"--no-classifier", "--workers", "1"});
    QVERIFY2(!url.isEmpty(), server.readAllStandardError().constData());
    // Try-on of distinct pairs takes ~100 ms each on one worker: eight queue up for ~1 s.
    const std::string person = tierscope::tryon::demo_person_png();
    std::vector<std::string> garments;
    for (int i = 0; i < 3; ++i) garments.push_back(tierscope::tryon::demo_garment_png(static_cast<tierscope::tryon::Category>(i)));
    std::vector<std::future<HttpResult>> inflight;
    for (int i = 0; i < 8; ++i) {
      inflight.push_back(std::async(std::launch::async, [&, i] {
        HttpClient c(url.toStdString());
        const auto category = static_cast<tierscope::tryon::Category>(i % 3);
        // Distinct bytes (after the PNG's end, which decoders ignore) so no answer comes
        // from the cache.
        const std::string garment = garments[i % 3] + "pad" + std::to_string(i);
        return c.request("POST", "/tryon?format=json", {}, std::nullopt,
                         {{"person", person, "p.png", "image/png"},
                          {"garment", garment, "g.png", "image/png"},
                          {"category", tierscope::tryon::category_name(category), "", ""}});
      }));
    }
    // Wait until they are in flight, then SIGTERM.
    HttpClient probe(url.toStdString());
    bool busy = false;
    for (int i = 0; i < 1000 && !busy; ++i) {
      const auto stats = nlohmann::json::parse(probe.get("/stats").body);
      busy = stats["server"]["in_flight"].get<int>() >= 8;
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    QVERIFY(busy);
    ::kill(static_cast<pid_t>(server.processId()), SIGTERM);
    int answered = 0;
    for (auto& f : inflight) {
      const HttpResult r = f.get();
      QVERIFY2(r.status == 200, (r.error + r.body).c_str());
      ++answered;
    }
    QCOMPARE(answered, 8);
    QVERIFY(server.waitForFinished(30'000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    const QByteArray log = server.readAllStandardError();
    QVERIFY2(log.contains("shutting down") && log.contains("L2 flushed"), log.constData());
  }

  void badOptionsExit2() {
    QTemporaryDir dir;
    for (const QStringList& args : {QStringList{"--listen", "nonsense"}, QStringList{"--rate-limit", "-1"},
                                    QStringList{"--max-in-flight", "zero"}}) {
      QProcess p;
      p.start(TIERSCOPE_SERVER_EXECUTABLE, args);
      QVERIFY(p.waitForFinished(30'000));
      QCOMPARE(p.exitCode(), 2);
      QVERIFY(p.readAllStandardError().contains("tierscope-server:"));
    }
    // A config file whose server object is wrong names the key.
    QFile config(dir.filePath("bad.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"server": {"max_in_flight": -3}})");
    config.close();
    QProcess p;
    p.start(TIERSCOPE_SERVER_EXECUTABLE, {"--config", config.fileName()});
    QVERIFY(p.waitForFinished(30'000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("server.max_in_flight"));
  }

  void hashedKeyFromTheCommandLineWorks() {
    QProcess hash;
    hash.start(TIERSCOPE_SERVER_EXECUTABLE, {"--hash-api-key", "ops"});
    hash.write("a-long-enough-secret-key-42\n");
    hash.closeWriteChannel();
    QVERIFY(hash.waitForFinished(30'000));
    QCOMPARE(hash.exitCode(), 0);
    const auto entry = nlohmann::json::parse(hash.readAllStandardOutput().toStdString());
    QVERIFY(entry["hash"].get<std::string>().find("a-long-enough") == std::string::npos);

    QTemporaryDir dir;
    QFile config(dir.filePath("server.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QByteArray::fromStdString(nlohmann::json{{"server", {{"api_keys", {entry}}}}}.dump()));
    config.close();
    QProcess server;
    const QString url = startServer(server, dir, {"--config", config.fileName(), "--no-classifier", "--no-tryon"});
    QVERIFY2(!url.isEmpty(), server.readAllStandardError().constData());
    HttpClient c(url.toStdString());
    QCOMPARE(c.request("DELETE", "/cache/all").status, 401L);
    QCOMPARE(c.request("DELETE", "/cache/all", {"X-API-Key: a-long-enough-secret-key-42"}).status, 200L);
    ::kill(static_cast<pid_t>(server.processId()), SIGINT);
    QVERIFY(server.waitForFinished(30'000));
    QCOMPARE(server.exitCode(), 0);
    // The key itself never reaches the log.
    QVERIFY(!server.readAllStandardError().contains("a-long-enough-secret-key-42"));
  }
};

QTEST_GUILESS_MAIN(ServerCliTest)
#include "test_server_cli.moc"
