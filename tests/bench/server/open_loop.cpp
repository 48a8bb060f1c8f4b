// An open-loop HTTP load at a fixed request rate, for latency at a stated load (what wrk2
// does; Debian 12 packages only wrk, which is closed-loop: it sends as fast as answers come,
// so at 64 connections it measures the queue it builds itself).
//
//   bench_open_loop HOST:PORT METHOD PATH BODY_FILE|- CONTENT_TYPE CONNECTIONS RATE SECONDS [WARMUP_SECONDS]
//
// Request i is due at start + i / RATE and goes to connection i mod CONNECTIONS (HTTP/1.1
// keep-alive, one request at a time per connection). A connection still busy when its next
// request is due sends it as soon as the answer arrives, and that request's latency is
// counted from when it was due, not from when it could be sent — so a stall shows in the
// percentiles instead of hiding behind fewer requests (coordinated omission). Prints one
// line: offered and achieved rate, p50/p90/p99/p99.9/max in ms, errors. Single-threaded
// (epoll).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int fd = -1;
  std::deque<Clock::time_point> due;  // requests assigned and not yet answered, oldest first
  bool in_flight = false;             // the oldest of `due` was sent
  size_t sent = 0;                    // bytes of the current request written
  std::string in;                     // bytes of the current answer read
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_open_loop: %s\n", what.c_str());
  std::exit(1);
}

int connect_to(const std::string& host, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket: " + std::string(std::strerror(errno)));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) die("not an IPv4 address: " + host);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect: " + std::string(std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// Length of a complete answer at the start of `in` (headers + Content-Length), 0 if not yet
// complete; *status gets its status code.
size_t complete_answer(const std::string& in, int* status) {
  const size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  *status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
  size_t length = 0;
  for (size_t p = 0; p < end;) {
    const size_t eol = in.find("\r\n", p);
    std::string line = in.substr(p, eol - p);
    std::transform(line.begin(), line.end(), line.begin(), [](unsigned char c) { return std::tolower(c); });
    if (line.rfind("content-length:", 0) == 0) length = std::strtoull(line.c_str() + 15, nullptr, 10);
    p = eol + 2;
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 9) {
    std::fprintf(stderr,
                 "usage: bench_open_loop HOST:PORT METHOD PATH BODY_FILE|- CONTENT_TYPE CONNECTIONS RATE SECONDS "
                 "[WARMUP_SECONDS]\n");
    return 2;
  }
  const std::string target = argv[1];
  const size_t colon = target.rfind(':');
  if (colon == std::string::npos) die("HOST:PORT expected, not " + target);
  const std::string host = target.substr(0, colon);
  const int port = std::atoi(target.c_str() + colon + 1);
  const std::string method = argv[2], path = argv[3], body_file = argv[4], content_type = argv[5];
  const int connections = std::atoi(argv[6]);
  const double rate = std::atof(argv[7]);
  const double seconds = std::atof(argv[8]);
  const double warmup = argc > 9 ? std::atof(argv[9]) : 1.0;
  if (connections < 1 || rate <= 0 || seconds <= 0 || warmup < 0) die("CONNECTIONS, RATE and SECONDS must be positive");

  std::string body;
  if (body_file != "-") {
    std::ifstream f(body_file, std::ios::binary);
    if (!f) die("cannot read " + body_file);
    body.assign(std::istreambuf_iterator<char>(f), {});
  }
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (!body.empty()) request += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;

  const int ep = ::epoll_create1(0);
  std::vector<Connection> conns(static_cast<size_t>(connections));
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].fd = connect_to(host, port);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }

  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(20);
  const Clock::time_point measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const Clock::time_point stop_at = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  uint64_t next = 0;  // the next request to assign
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(rate * seconds * 1.1) + 16);
  uint64_t errors = 0, answered = 0;
  char buffer[65536];

  // Sends what it can of the connection's current request (non-blocking).
  auto pump = [&](Connection& c) {
    while (c.sent < request.size()) {
      const ssize_t n = ::send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) {
          // Wait for room: ask for EPOLLOUT until written.
          return;
        }
        die("send: " + std::string(std::strerror(errno)));
      }
      c.sent += static_cast<size_t>(n);
    }
  };
  auto start_next = [&](Connection& c) {
    if (c.in_flight || c.due.empty() || c.due.front() > Clock::now()) return;
    c.in_flight = true;
    c.sent = 0;
    c.in.clear();
    pump(c);
  };

  size_t outstanding = 0;
  while (true) {
    const Clock::time_point now = Clock::now();
    // Assign every request that is due by now.
    while (now < stop_at) {
      const Clock::time_point due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(next));
      if (due > now) break;
      Connection& c = conns[next % conns.size()];
      c.due.push_back(due);
      ++outstanding;
      ++next;
      start_next(c);
    }
    for (Connection& c : conns) {
      if (c.in_flight && c.sent < request.size()) pump(c);
    }
    if (now >= stop_at && outstanding == 0) break;
    if (now >= stop_at + std::chrono::seconds(5)) {
      errors += outstanding;  // never answered
      break;
    }
    // Sleep until the next request is due (microsecond timeout: a millisecond one would
    // either spin a core the server needs or send late by up to a millisecond).
    const Clock::time_point next_due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(next));
    const long long wait_ns =
        now >= stop_at ? 10'000'000LL
                       : std::clamp<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(next_due - Clock::now()).count(), 0,
                                               10'000'000LL);
    const timespec timeout{0, static_cast<long>(wait_ns)};
    epoll_event events[256];
    const int n = ::epoll_pwait2(ep, events, 256, &timeout, nullptr);
    for (int e = 0; e < n; ++e) {
      Connection& c = conns[events[e].data.u64];
      while (true) {
        const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (got > 0) {
          c.in.append(buffer, static_cast<size_t>(got));
          continue;
        }
        if (got == 0) die("the server closed a connection");
        if (errno == EAGAIN) break;
        die("recv: " + std::string(std::strerror(errno)));
      }
      int status = 0;
      while (c.in_flight) {
        const size_t length = complete_answer(c.in, &status);
        if (length == 0) break;
        const Clock::time_point done = Clock::now();
        const Clock::time_point due = c.due.front();
        c.due.pop_front();
        --outstanding;
        ++answered;
        if (status != 200) ++errors;
        if (due >= measure_from && due < stop_at) {
          latencies_ms.push_back(std::chrono::duration<double, std::milli>(done - due).count());
        }
        c.in.erase(0, length);
        c.in_flight = false;
        start_next(c);
      }
    }
    // Connections whose next request became due while they were idle.
    for (Connection& c : conns) start_next(c);
  }

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    const size_t i = std::min(latencies_ms.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(latencies_ms.size())));
    return latencies_ms[i];
  };
  std::printf("offered=%.0f achieved=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%llu\n", rate,
              static_cast<double>(latencies_ms.size()) / seconds, pct(50), pct(90), pct(99), pct(99.9),
              latencies_ms.empty() ? 0.0 : latencies_ms.back(), static_cast<unsigned long long>(errors));
  for (Connection& c : conns) ::close(c.fd);
  return errors == 0 ? 0 : 1;
}
