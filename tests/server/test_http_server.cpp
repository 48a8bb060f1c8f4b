// HttpServer alone, with test handlers: keep-alive, limits (413, 431, 408, 503), idle
// timeouts, malformed requests, graceful stop with requests in flight.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QTest>

#include <atomic>
#include <future>
#include <thread>

#include "support/http_client.h"
#include "tierscope/server/http_server.h"

using namespace tierscope::server;
using tierscope::testing::HttpClient;
using tierscope::testing::HttpResult;

namespace {

// Answers /slow after `delay_ms` from another thread; everything else at once.
RequestHandler testHandler(std::atomic<int>& started, int delay_ms = 300) {
  return [&started, delay_ms](HttpRequest&& request, Respond respond) {
    if (request.path == "/slow") {
      started.fetch_add(1);
      std::thread([respond, delay_ms] {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        respond(json_response(200, R"({"slow":true})"));
      }).detach();
      return;
    }
    if (request.path == "/echo") return respond(json_response(200, request.body));
    respond(json_response(200, R"({"ok":true})"));
  };
}

// A raw TCP connection to send exactly the bytes a test wants.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) { (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Everything until the peer closes (or 5 s pass).
  std::string readAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

HttpServerOptions testOptions() {
  HttpServerOptions o;
  o.port = 0;
  o.access_log = false;
  return o;
}

std::string url(const HttpServer& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

}  // namespace

class HttpServerTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void keepAliveReusesTheConnection() {
    std::atomic<int> started{0};
    HttpServer server(testOptions(), testHandler(started));
    server.start();
    HttpClient c(url(server));
    const HttpResult first = c.get("/a");
    QCOMPARE(first.status, 200L);
    QCOMPARE(first.connects, 1L);
    const HttpResult second = c.get("/b");
    QCOMPARE(second.status, 200L);
    QCOMPARE(second.connects, 0L);  // same connection
    QCOMPARE(server.stats().connections_accepted, uint64_t{1});
    const HttpResult echoed = c.request("POST", "/echo", {"Content-Type: text/plain"}, std::string("hello body"));
    QCOMPARE(echoed.body, std::string("hello body"));
  }

  void bodyAndHeaderLimits() {
    std::atomic<int> started{0};
    HttpServerOptions o = testOptions();
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    HttpServer server(o, testHandler(started));
    server.start();
    HttpClient c(url(server));
    QCOMPARE(c.request("POST", "/echo", {}, std::string(1024, 'a')).status, 200L);
    const HttpResult big = c.request("POST", "/echo", {}, std::string(1025, 'a'));
    QCOMPARE(big.status, 413L);
    QVERIFY(big.body.find("exceeds the limit") != std::string::npos);
    const HttpResult headers = c.get("/a", {"X-Big: " + std::string(4096, 'h')});
    QCOMPARE(headers.status, 431L);
    // Chunked bodies have no Content-Length: the limit still holds while reading.
    RawConnection raw(server.port());
    raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(2048, 'b') + "\r\n0\r\n\r\n");
    QVERIFY(raw.readAll().rfind("HTTP/1.1 413", 0) == 0);
    QVERIFY(server.stats().rejected_limits >= 3);
  }

  void malformedRequestsGet400() {
    std::atomic<int> started{0};
    HttpServer server(testOptions(), testHandler(started));
    server.start();
    RawConnection raw(server.port());
    raw.send("GARBAGE\r\n\r\n");
    QVERIFY(raw.readAll().rfind("HTTP/1.1 400", 0) == 0);
    RawConnection bad_escape(server.port());
    bad_escape.send("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(bad_escape.readAll().find("400 Bad Request") != std::string::npos);
  }

  void slowClientsTimeOut() {
    std::atomic<int> started{0};
    HttpServerOptions o = testOptions();
    o.idle_timeout = std::chrono::milliseconds(200);
    o.body_timeout = std::chrono::milliseconds(200);
    HttpServer server(o, testHandler(started));
    server.start();
    // Idle: closed without an answer.
    RawConnection idle(server.port());
    QVERIFY(idle.connected());
    const auto t0 = std::chrono::steady_clock::now();
    QCOMPARE(idle.readAll(), std::string());
    QVERIFY(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    // A body that stops coming: 408.
    RawConnection slow(server.port());
    slow.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b");
    QVERIFY(slow.readAll().rfind("HTTP/1.1 408", 0) == 0);
  }

  void requestsBeyondTheInFlightBoundGet503() {
    std::atomic<int> started{0};
    HttpServerOptions o = testOptions();
    o.max_in_flight = 1;
    o.retry_after_seconds = 2;
    HttpServer server(o, testHandler(started, 600));
    server.start();
    auto slow = std::async(std::launch::async, [&] { return HttpClient(url(server)).get("/slow"); });
    while (started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    HttpClient c(url(server));
    const HttpResult busy = c.get("/a");
    QCOMPARE(busy.status, 503L);
    QCOMPARE(*busy.header("retry-after"), std::string("2"));
    QCOMPARE(slow.get().status, 200L);
    QCOMPARE(c.get("/a").status, 200L);  // room again
    QCOMPARE(server.stats().rejected_overload, uint64_t{1});
  }

  void stopAnswersRequestsInFlightAndRefusesNewOnes() {
    std::atomic<int> started{0};
    HttpServer server(testOptions(), testHandler(started, 500));
    server.start();
    const std::string base = url(server);
    HttpClient idle_client(base);
    QCOMPARE(idle_client.get("/a").status, 200L);  // leaves an idle keep-alive connection
    std::vector<std::future<HttpResult>> inflight;
    for (int i = 0; i < 4; ++i) {
      inflight.push_back(std::async(std::launch::async, [base] { return HttpClient(base).get("/slow"); }));
    }
    while (started.load() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.request_stop();
    // New connections are refused once the acceptor is closed.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    RawConnection late(server.port());
    QVERIFY(!late.connected());
    for (auto& f : inflight) {
      const HttpResult r = f.get();
      QCOMPARE(r.status, 200L);
      QCOMPARE(*r.header("connection"), std::string("close"));
    }
    QVERIFY(server.wait_drained(std::chrono::seconds(5)));
    QCOMPARE(server.stats().connections_open, uint64_t{0});
    server.stop();
  }

  void bindFailureNamesTheAddress() {
    std::atomic<int> started{0};
    HttpServer first(testOptions(), testHandler(started));
    first.start();
    HttpServerOptions o = testOptions();
    o.port = first.port();
    HttpServer second(o, testHandler(started));
    try {
      second.start();
      QFAIL("binding a port in use should throw");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())) != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(HttpServerTest)
#include "test_http_server.moc"
