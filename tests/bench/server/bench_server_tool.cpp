// Helpers for tests/bench/server/bench_server.sh:
//   bench_server_tool jpeg OUT KIB        a photo-like JPEG of about KIB KiB (the hit-path payload)
//   bench_server_tool hold PORT N SECONDS opens N keep-alive connections to 127.0.0.1:PORT,
//                                         sends one GET /health on each, reads the answer,
//                                         then holds them all idle for SECONDS and checks they
//                                         are still open; prints one JSON line.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

int makeJpeg(const char* out, int kib) {
  // Smooth gradients plus noise compress like a product photo; grow until big enough.
  cv::RNG rng(42);
  std::vector<uchar> buf;
  for (int side = 64; side < 4096; side += 8) {
    cv::Mat img(side, side, CV_8UC3);
    for (int y = 0; y < side; ++y) {
      for (int x = 0; x < side; ++x) {
        img.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 255 / side), static_cast<uchar>(y * 255 / side), 128);
      }
    }
    cv::Mat noise(side, side, CV_8UC3);
    rng.fill(noise, cv::RNG::UNIFORM, 0, 40);
    img += noise;
    cv::circle(img, {side / 2, side / 2}, side / 3, cv::Scalar(20, 30, 200), cv::FILLED);
    cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, 90});
    if (buf.size() >= static_cast<size_t>(kib) * 1024) break;
  }
  std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
  std::printf("%s: %zu bytes\n", out, buf.size());
  return 0;
}

int hold(int port, int n, int seconds) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const std::string request = "GET /health HTTP/1.1\r\nHost: bench\r\n\r\n";
  std::vector<int> fds;
  int connect_failed = 0, answered = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ++connect_failed;
      if (fd >= 0) ::close(fd);
      continue;
    }
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  // Read each answer (headers and body arrive together for a small JSON).
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) == 1) {
      char buf[8192];
      const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got > 12 && std::string(buf, 12) == "HTTP/1.1 200") ++answered;
    }
  }
  const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "hold: %zu connections open, %d answered; holding %d s\n", fds.size(), answered, seconds);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  // Still open? A closed one reads EOF at once.
  int still_open = 0;
  for (int fd : fds) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 0);
    if (ready == 0) {
      ++still_open;
    } else {
      char c;
      if (::recv(fd, &c, 1, MSG_DONTWAIT) > 0) ++still_open;
    }
  }
  std::printf("{\"connections\":%zu,\"connect_failed\":%d,\"answered\":%d,\"still_open_after_s\":%d,\"still_open\":%d,\"setup_s\":%.2f}\n",
              fds.size(), connect_failed, answered, seconds, still_open, setup_s);
  std::fflush(stdout);
  for (int fd : fds) ::close(fd);
  return answered == n && still_open == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "jpeg" && argc == 4) return makeJpeg(argv[2], std::atoi(argv[3]));
  if (command == "hold" && argc == 5) return hold(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]));
  std::fprintf(stderr, "usage: bench_server_tool jpeg OUT KIB | hold PORT N SECONDS\n");
  return 2;
}
