// The only file that includes Boost.Beast/Asio: they cost compile time, and keeping them
// here keeps the API, its tests and the fuzz targets free of them.
#include "tierscope/server/http_server.h"

#include <spdlog/logger.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace tierscope::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Read buffer: what a connection reserves while it waits for headers, and at most for a body.
constexpr size_t kIdleBufferBytes = 2048;
// Capacity a connection keeps between requests: a 16 KB upload's buffer is reused; bigger
// ones are given back (10,000 idle connections x this is the worst case).
constexpr size_t kKeptBufferBytes = 20 * 1024;
constexpr uint64_t kMaxReadReserve = 256 * 1024;

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

struct HttpServer::Impl {
  class Session;

  Impl(HttpServerOptions o, RequestHandler h)
      : options(std::move(o)), handler(std::move(h)), contexts(make_contexts(std::max(1u, options.io_threads))),
        acceptor(*contexts.front()), retry_timer(*contexts.front()) {}

  // One io_context per I/O thread, each run by its thread alone: a connection lives on one
  // of them, so its handlers never run concurrently without a strand. (Strands on a shared
  // io_context hash onto a fixed pool of locks; connections that collide serialise each
  // other, which showed as run-to-run swings of 30 % in throughput.)
  static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }
  net::io_context& next_context() { return *contexts[next_context_index++ % contexts.size()]; }

  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void register_session(const std::shared_ptr<Session>& s);
  void unregister_session(Session* s);
  void note_change() {
    std::lock_guard lock(drain_mu);
    drain_cv.notify_all();
  }

  HttpServerOptions options;
  RequestHandler handler;
  // Declared before the io_context: handlers it still holds when destroyed own sessions,
  // whose destructors use these.
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> connections_open{0}, connections_accepted{0}, connections_refused{0}, requests{0}, responses{0}, in_flight{0},
      rejected_overload{0}, rejected_limits{0};
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::mutex drain_mu;
  std::condition_variable drain_cv;

  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  size_t next_context_index = 0;  // acceptor's context only
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;
  bool started = false;
};

// One connection. Runs on its io_context's one thread; `idle_` is true while it waits for a request's
// headers (the state in which a shutdown may close it).
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket&& socket)
      : server_(server), stream_(std::move(socket)), body_timer_(stream_.get_executor()) {
    beast::error_code ec;
    remote_ = stream_.socket().remote_endpoint(ec).address().to_string() + ":" +
              std::to_string(stream_.socket().remote_endpoint(ec).port());
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Session() {
    server_.unregister_session(this);
    server_.connections_open.fetch_sub(1);
    server_.note_change();
  }

  void start() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read_header, shared_from_this()));
  }

  // From request_stop(): close if idle; a busy connection closes after its response.
  // A connection waiting for its request may have one on the way (or in the socket
  // buffer): it gets a short grace to arrive, and is answered with `Connection: close`.
  void on_stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->idle_) return;
      // A timer of our own: a new expiry does not reach a read already pending on the stream.
      self->body_timer_.expires_after(self->server_.options.shutdown_grace);
      self->body_timer_.async_wait([self](beast::error_code ec) {
        if (!ec && self->idle_) self->close();
      });
    });
  }

  // Closes for good (stop() after the drain deadline).
  void force_close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  void read_header() {
    buffer_.reserve(kIdleBufferBytes);
    parser_.emplace();
    parser_->header_limit(server_.options.max_header_bytes);
    parser_->body_limit(server_.options.max_body_bytes);
    idle_ = true;
    // While stopping, only a connection's first request is still awaited (briefly): after
    // a response the connection closes (keep-alive is off once stopping).
    stream_.expires_after(server_.stopping.load() ? server_.options.shutdown_grace : server_.options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    idle_ = false;
    body_timer_.cancel();  // the shutdown grace, if one was running
    started_ = SteadyClock::now();
    if (ec) return on_read_error(ec);
    const auto& header = parser_->get();
    keep_alive_ = header.keep_alive();
    if (auto length = parser_->content_length(); length && *length > server_.options.max_body_bytes) {
      server_.rejected_limits.fetch_add(1);
      return send_and_close(json_error(413, "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                                                std::to_string(server_.options.max_body_bytes)));
    }
    if (parser_->is_done()) return on_request();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // The client waits for this before sending a large body (curl does above 1 MB).
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(server_.options.write_timeout);
      net::async_write(stream_, net::buffer(kContinue), [self = shared_from_this()](beast::error_code wec, size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  // The body's deadline is a timer of our own, not the stream's: a stream timeout closes
  // the socket, and a slow upload deserves its 408.
  void read_body() {
    // Room for the body in few reads (a fresh flat_buffer reads 512 bytes at a time).
    if (auto length = parser_->content_length()) {
      buffer_.reserve(static_cast<size_t>(std::min<uint64_t>(*length + 1024, kMaxReadReserve)));
    } else {
      buffer_.reserve(kMaxReadReserve);
    }
    stream_.expires_never();
    body_timed_out_ = false;
    body_timer_.expires_after(server_.options.body_timeout);
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the body arrived
      self->body_timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, size_t) {
    body_timer_.cancel();
    if (body_timed_out_) {
      server_.rejected_limits.fetch_add(1);
      return send_and_close(json_error(408, "the request body was not received in time"));
    }
    if (ec) return on_read_error(ec);
    on_request();
  }

  void on_read_error(beast::error_code ec) {
    // A client that closed, or an idle connection timing out: nothing to answer.
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || (ec == beast::error::timeout && idle_read())) {
      return close();
    }
    server_.rejected_limits.fetch_add(1);
    if (ec == beast::error::timeout) return send_and_close(json_error(408, "the request was not received in time"));
    if (ec == http::error::body_limit) {
      return send_and_close(json_error(413, "request body exceeds the limit of " + std::to_string(server_.options.max_body_bytes) +
                                                " bytes"));
    }
    if (ec == http::error::header_limit) {
      return send_and_close(json_error(431, "request headers exceed the limit of " +
                                                std::to_string(server_.options.max_header_bytes) + " bytes"));
    }
    if (ec == http::error::partial_message) return close();  // the client went away mid-request
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      return send_and_close(json_error(400, "malformed HTTP request: " + ec.message()));
    }
    close();
  }

  // Whether the read that failed was waiting for a new request (no byte of it yet).
  bool idle_read() const { return !parser_ || !parser_->got_some(); }

  void on_request() {
    server_.requests.fetch_add(1);
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.remote_address = remote_;
    for (const auto& field : message) {
      request.headers.emplace_back(lower_ascii(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    method_ = request.method;
    target_ = request.target;
    if (!parse_target(request.target, request.path, request.query)) {
      server_.rejected_limits.fetch_add(1);
      return send(json_error(400, "malformed request target"), false);
    }
    if (server_.in_flight.fetch_add(1) >= server_.options.max_in_flight) {
      server_.in_flight.fetch_sub(1);
      server_.rejected_overload.fetch_add(1);
      HttpResponse busy = json_error(503, "too many requests in flight; retry shortly");
      busy.with_header("Retry-After", std::to_string(server_.options.retry_after_seconds));
      return send(std::move(busy), false);
    }
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Respond respond = [self = shared_from_this(), answered](HttpResponse response) {
      if (answered->exchange(true)) return;  // once
      // dispatch: an answer given on the connection's I/O thread (at once, by the handler) is
      // sent without another trip through the queue; one from a worker is posted.
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->send(std::move(response), true);
      });
    };
    try {
      server_.handler(std::move(request), respond);
    } catch (const std::exception& e) {
      if (server_.options.logger) server_.options.logger->error("handler failed on {} {}: {}", method_, target_, e.what());
      respond(json_error(500, "internal error"));
    }
  }

  void send(HttpResponse response, bool counted) {
    counted_ = counted;
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    res->set(http::field::server, "tierscope");
    res->set(http::field::content_type, response.content_type);
    std::string note;
    for (auto& [name, value] : response.headers) {
      if (name == kAccessNoteHeader) {
        note = std::move(value);
      } else {
        res->set(name, value);
      }
    }
    const bool keep = keep_alive_ && !response.close_connection && !server_.stopping.load();
    res->keep_alive(keep);
    res->body() = std::move(response.body);
    res->prepare_payload();
    if (server_.options.access_log && server_.options.logger) {
      const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - started_).count();
      server_.options.logger->info("{} \"{} {}\" {} {} {:.2f}ms{}{}", remote_, method_, target_, response.status,
                                   res->body().size(), ms, note.empty() ? "" : " ", note);
    }
    response_ = res;
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), keep](beast::error_code ec, size_t) {
      self->response_.reset();
      if (!ec) self->server_.responses.fetch_add(1);
      if (self->counted_) {
        self->counted_ = false;
        self->server_.in_flight.fetch_sub(1);
        self->server_.note_change();
      }
      if (ec || !keep) return self->close();
      // An idle connection keeps no large buffer: 10,000 of them must stay cheap.
      if (self->buffer_.size() == 0 && self->buffer_.capacity() > kKeptBufferBytes) self->buffer_.shrink_to_fit();
      self->read_header();
    });
  }

  // Answers and closes without reading the rest of the request: the send side is shut
  // and what the client still sends is read and dropped for a moment, so that it sees
  // the answer instead of a reset.
  void send_and_close(HttpResponse response) {
    keep_alive_ = false;
    if (method_.empty() && parser_) {
      method_ = std::string(parser_->get().method_string());
      target_ = std::string(parser_->get().target());
    }
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    res->set(http::field::server, "tierscope");
    res->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(false);
    res->body() = std::move(response.body);
    res->prepare_payload();
    if (server_.options.logger) {
      server_.options.logger->info("{} \"{} {}\" {} {} rejected", remote_, method_, target_, response.status, res->body().size());
    }
    response_ = res;
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, *res, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->response_.reset();
      if (ec) return self->close();
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->linger_until_ = SteadyClock::now() + std::chrono::seconds(2);
      self->drain_and_close();
    });
  }

  void drain_and_close() {
    if (SteadyClock::now() >= linger_until_) return close();
    stream_.expires_at(linger_until_);
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      self->drain_and_close();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  Impl& server_;
  beast::tcp_stream stream_;
  net::steady_timer body_timer_;
  bool body_timed_out_ = false;
  // No limit here (the parser enforces the header and body limits); capacity is reserved
  // per request so reads are large, and given back while the connection idles.
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  std::string remote_, method_, target_;
  SteadyClock::time_point started_{}, linger_until_{};
  std::array<char, 4096> scratch_{};
  bool idle_ = false;
  bool keep_alive_ = true;
  bool counted_ = false;
};

void HttpServer::Impl::accept() {
  acceptor.async_accept(next_context(), beast::bind_front_handler(&Impl::on_accept, this));
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors, most likely: wait a little instead of spinning.
    if (options.logger) options.logger->warn("accept failed: {}", ec.message());
    retry_timer.expires_after(std::chrono::milliseconds(50));
    retry_timer.async_wait([this](beast::error_code wec) {
      if (!wec && !stopping.load()) accept();
    });
    return;
  }
  if (connections_open.load() >= options.max_connections) {
    connections_refused.fetch_add(1);
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    connections_open.fetch_add(1);
    connections_accepted.fetch_add(1);
    auto session = std::make_shared<Session>(*this, std::move(socket));
    register_session(session);
    session->start();
  }
  accept();
}

void HttpServer::Impl::register_session(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(sessions_mu);
  sessions.emplace(s.get(), s);
}

void HttpServer::Impl::unregister_session(Session* s) {
  std::lock_guard lock(sessions_mu);
  sessions.erase(s);
}

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  Impl& s = *impl_;
  if (s.started) throw std::logic_error("HttpServer::start called twice");
  beast::error_code ec;
  const auto address = net::ip::make_address(s.options.address, ec);
  const std::string where = s.options.address + ":" + std::to_string(s.options.port);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": not an IP address");
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  s.bound_port = s.acceptor.local_endpoint().port();
  for (auto& context : s.contexts) s.work.push_back(net::make_work_guard(*context));
  s.started = true;
  net::dispatch(s.acceptor.get_executor(), [&s] { s.accept(); });
  for (unsigned i = 0; i < std::max(1u, s.options.io_threads); ++i) {
    s.threads.emplace_back([&s, i] { s.contexts[i]->run(); });
  }
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::request_stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopping.exchange(true)) return;
  net::post(s.acceptor.get_executor(), [&s] {
    // Connections the kernel completed before now were accepted in all but name: take
    // them (they get the grace to send their request), then close the listener.
    beast::error_code ec;
    s.acceptor.non_blocking(true, ec);
    while (!ec && s.connections_open.load() < s.options.max_connections) {
      tcp::socket socket = s.acceptor.accept(s.next_context(), ec);
      if (ec) break;
      s.connections_open.fetch_add(1);
      s.connections_accepted.fetch_add(1);
      auto session = std::make_shared<Impl::Session>(s, std::move(socket));
      s.register_session(session);
      session->start();
    }
    s.acceptor.close(ec);
    s.retry_timer.cancel();
  });
  std::vector<std::shared_ptr<Impl::Session>> open;
  {
    std::lock_guard lock(s.sessions_mu);
    for (auto& [raw, weak] : s.sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->on_stop();
}

bool HttpServer::wait_drained(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock lock(s.drain_mu);
  return s.drain_cv.wait_for(lock, timeout, [&s] { return s.in_flight.load() == 0 && s.connections_open.load() == 0; });
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  request_stop();
  if (!wait_drained(std::chrono::milliseconds(100))) {
    std::vector<std::shared_ptr<Impl::Session>> open;
    {
      std::lock_guard lock(s.sessions_mu);
      for (auto& [raw, weak] : s.sessions) {
        if (auto session = weak.lock()) open.push_back(std::move(session));
      }
    }
    for (auto& session : open) session->force_close();
  }
  s.work.clear();
  for (auto& context : s.contexts) context->stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.started = false;
}

HttpServerStats HttpServer::stats() const {
  const Impl& s = *impl_;
  HttpServerStats st;
  st.connections_open = s.connections_open.load();
  st.connections_accepted = s.connections_accepted.load();
  st.connections_refused = s.connections_refused.load();
  st.requests = s.requests.load();
  st.responses = s.responses.load();
  st.in_flight = s.in_flight.load();
  st.rejected_overload = s.rejected_overload.load();
  st.rejected_limits = s.rejected_limits.load();
  st.stopping = s.stopping.load();
  return st;
}

}  // namespace tierscope::server
