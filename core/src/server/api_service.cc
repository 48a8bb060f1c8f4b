#include "tierscope/server/api_service.h"

#include <spdlog/logger.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <cctype>

#include "base/thread_pool.h"
#include "tierscope/base/version.h"
#include "tierscope/cache/stats_json.h"
#include "tierscope/engine_tuning.h"
#include "tierscope/inference/image_preprocess.h"
#include "tierscope/server/engine_metrics.h"
#include "tierscope/server/multipart.h"
#include "tierscope/server/rate_limiter.h"
#include "tierscope/server/request_metrics.h"
#include "server/console_endpoints.h"

namespace tierscope::server {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxPatternLength = 512;
constexpr size_t kMaxPageSize = 1000;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Route flags: the methods it answers, whether a POST changes something (PUT and DELETE
// always do), and whether reading it needs a key as a change does (cached values, logs).
struct Route {
  std::string_view path;
  std::vector<std::string_view> methods;
  bool post_changes = false;
  bool sensitive = false;
  bool changes(std::string_view method) const {
    return method == "PUT" || method == "DELETE" || (post_changes && method == "POST");
  }
};

const std::vector<Route>& routes() {
  static const std::vector<Route> kRoutes = {
      {"/health", {"GET"}},         {"/predict", {"POST"}},         {"/tryon", {"POST"}},
      {"/model/stats", {"GET"}},    {"/model/cache", {"GET", "DELETE"}}, {"/cache/all", {"DELETE"}},
      {"/cache", {"DELETE"}},       {"/cache/entries", {"GET"}},    {"/config", {"GET", "PUT"}},
      {"/metrics", {"GET"}},        {"/stats", {"GET"}},            {"/alerts", {"GET", "PUT", "DELETE"}},
      // For the remote console (console_endpoints.h).
      {"/cache/entry", {"GET"}, false, true}, {"/cache/analysis", {"GET"}}, {"/monitor/trace", {"GET"}},
      {"/tuning/run", {"POST"}, true},        {"/logs", {"GET"}, false, true},
  };
  return kRoutes;
}

std::string allow_header(const Route& r) {
  std::string out;
  for (auto m : r.methods) out += (out.empty() ? "" : ", ") + std::string(m);
  return out + ", OPTIONS";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The media type of a Content-Type header, lower-case, without parameters.
std::string media_type(std::optional<std::string_view> content_type) {
  if (!content_type) return {};
  std::string_view t = content_type->substr(0, content_type->find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return lower(t);
}

bool valid_pattern(std::string_view p) {
  if (p.empty() || p.size() > kMaxPatternLength) return false;
  return std::none_of(p.begin(), p.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

// A JSON string literal of `s` (quotes included); bytes that are not UTF-8 become U+FFFD,
// as nlohmann's dump(..., replace) does elsewhere, so the document is always valid.
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out += "\ufffd";
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

// The /predict answer, written directly: it is the hot path of the server (a cache hit
// costs the hash and this), and a JSON tree per answer cost more than the rest together.
std::string classification_text(const Classification& c) {
  std::string out;
  out.reserve(640);
  out += "{\"predictions\":[";
  for (size_t i = 0; i < c.predictions.size(); ++i) {
    const ClassScore& p = c.predictions[i];
    if (i) out.push_back(',');
    out += "{\"class\":";
    append_json_string(out, p.name);
    fmt::format_to(std::back_inserter(out), ",\"class_index\":{},\"probability\":{}}}", p.index, p.probability);
  }
  out += "],\"category\":";
  append_json_string(out, c.category);
  if (!c.doubt.empty()) {
    out += ",\"doubt\":";
    append_json_string(out, c.doubt);
  }
  fmt::format_to(std::back_inserter(out), ",\"metadata\":{{\"processing_time_ms\":{},\"image_size\":[{},{}],\"filename\":",
                 c.processing_time_ms, c.image_width, c.image_height);
  append_json_string(out, c.filename);
  out += ",\"model_version\":";
  append_json_string(out, c.model_version);
  fmt::format_to(std::back_inserter(out), ",\"cache_enabled\":{},\"from_cache\":{}}}}}", c.cache_enabled, c.from_cache);
  return out;
}

std::string_view tier_name(CacheTier t) { return t == CacheTier::kL1 ? "l1" : t == CacheTier::kL2 ? "l2" : "origin"; }

// A histogram's raw counts, sparse: a remote console windows them as the local one does.
json counts_json(const LatencyCounts& c) {
  json buckets = json::array();
  for (size_t i = 0; i < c.buckets.size(); ++i) {
    if (c.buckets[i]) buckets.push_back({i, c.buckets[i]});
  }
  return {{"count", c.count}, {"total_ns", c.total_ns}, {"buckets", std::move(buckets)}};
}

json stats_json_of(Engine& engine, const HttpServerStats* server) {
  const TieredStats s = engine.cache().snapshot();
  json j;
  j["version"] = version_string();
  j["cache_stats"] = json::parse(cache_stats_json(s));
  j["served"] = {{"l1", s.served_l1},
                {"l2", s.served_l2},
                {"redis", s.served_shared},
                {"origin", s.served_origin},
                {"failed", s.failed_requests}};
  j["load_errors"] = s.load_errors;
  j["load_timeouts"] = s.load_timeouts;
  j["policy"] = std::string(to_string(s.l1_policy));
  uint64_t size_evictions = 0, expirations = 0, erases = 0;
  json namespaces = json::array();
  for (const NamespaceStats& ns : s.namespaces) {
    size_evictions += ns.l1.evictions;
    expirations += ns.l1.expirations;
    erases += ns.l1.erases;
    namespaces.push_back({{"name", ns.name},
                          {"hits", ns.l1.hits},
                          {"misses", ns.l1.misses},
                          {"entries", ns.l1.entries},
                          {"max_entries", ns.l1.max_entries},
                          {"bytes", ns.l1.bytes},
                          {"max_bytes", ns.l1.max_bytes},
                          {"window_share", ns.l1.window_share},
                          {"ghost_admission", ns.l1.ghost_admission},
                          {"ttl_seconds", std::chrono::duration<double>(ns.ttl).count()}});
  }
  if (s.l2_enabled) {
    size_evictions += s.l2.evictions;
    expirations += s.l2.expirations;
    erases += s.l2.erases;
    j["l2"] = {{"entries", s.l2.entries},
               {"bytes", s.l2.bytes},
               {"max_bytes", s.l2.max_bytes},
               {"high_watermark", s.l2.high_watermark},
               {"low_watermark", s.l2.low_watermark},
               {"corrupt_dropped", s.l2.corrupt_dropped}};
  }
  j["evictions_by_cause"] = {{"size", size_evictions}, {"ttl", expirations}, {"invalidation", erases}};
  j["namespaces"] = std::move(namespaces);
  const auto latency = [](const LatencySummary& l) {
    return json{{"count", l.count}, {"p50_ms", l.p50_ms}, {"p95_ms", l.p95_ms}, {"p99_ms", l.p99_ms}};
  };
  j["latency"] = {{"miss", latency(s.miss_latency)}, {"origin", latency(s.origin_latency)}, {"l2", latency(s.l2_latency)}};
  j["latency_counts"] = {{"l1", counts_json(s.l1_latency_counts)},
                         {"l2", counts_json(s.l2_latency_counts)},
                         {"origin", counts_json(s.origin_latency_counts)},
                         {"miss", counts_json(s.miss_latency_counts)}};
  j["stampede_prevented"] = s.stampede_prevented;
  j["evictions"] = s.evictions;
  j["l3_hits"] = s.l3_hits;
  const AdaptiveTtl adaptive = engine.cache().adaptive_ttl();
  j["adaptive_ttl_max_multiplier"] = adaptive.enabled ? adaptive.max_multiplier : 0u;
  j["demo_namespace"] = engine.demo_namespace();
  j["memory_budget_bytes"] = engine.memory_budget_bytes();
  const MonitorSnapshot m = engine.monitor().snapshot();
  j["process_rss_bytes"] = m.health.process_rss_bytes;
  j["system"] = {{"cpu_percent", m.health.cpu_percent},
                 {"memory_percent", m.health.memory_percent},
                 {"process_cpu_percent", m.health.process_cpu_percent}};
  j["alerts_firing"] = m.alerts_firing;
  j["auto_tuning"] = m.auto_tuning;
  j["curves"] = console::curves_json(m);
  j["tuning"] = console::tuning_json(m);
  if (Classifier* classifier = engine.classifier()) {
    const ClassifierStats c = classifier->stats();
    j["model"] = json::parse(model_stats_json(c));
    j["model"]["latency"] = latency(c.model.inference_latency);
    j["model"]["end_to_end_latency"] = latency(c.end_to_end_latency);
    j["model"]["latency_counts"] = counts_json(c.model.inference_latency_counts);
    j["model"]["end_to_end_counts"] = counts_json(c.end_to_end_counts);
    j["model"]["requests"] = c.requests;
    j["model"]["max_image_size"] = classifier->max_image_size();
    j["model"]["max_concurrent_inferences"] = c.model.max_concurrent_inferences;
    j["model"]["loaded"] = c.model.loaded;
  }
  if (tryon::TryOnPipeline* tryon = engine.tryon()) {
    const tryon::TryOnStats t = tryon->stats();
    j["tryon"] = {{"requests", t.requests}, {"errors", t.errors}, {"composites_from_cache", t.composites_from_cache},
                  {"latency", latency(t.latency)}, {"latency_counts", counts_json(t.latency_counts)}};
  }
  if (server) {
    j["server"] = {{"connections_open", server->connections_open},
                   {"requests", server->requests},
                   {"in_flight", server->in_flight},
                   {"rejected_overload", server->rejected_overload},
                   {"rejected_limits", server->rejected_limits}};
  }
  return j;
}

}  // namespace

struct ApiService::Impl {
  Impl(Engine& e, ApiOptions o)
      : engine(e), options(std::move(o)), keys(options.api_keys),
        pool(std::max(1u, options.worker_threads), options.max_queued, "tierscope-api") {
    for (const ApiKeyEntry& k : options.api_keys) key_rates[k.name] = {k.rate_per_second, k.burst};
  }

  void handle(HttpRequest&& request, Respond respond);
  void dispatch(const Route& route, HttpRequest&& request, Respond respond);
  // Runs `work` on a worker thread; 503 when the queue is full or shutting down.
  void offload(Respond respond, std::function<HttpResponse()> work);

  HttpResponse health();
  // /health is what load balancers poll: built at most every kHealthMaxAge by whichever
  // request finds it stale, while the others serve the previous one (never a queue).
  HttpResponse cached_health();
  void predict(HttpRequest&& request, Respond respond);
  void tryon(HttpRequest&& request, Respond respond);
  HttpResponse list_entries(const HttpRequest& request);
  HttpResponse invalidate(const HttpRequest& request);
  HttpResponse put_config(const HttpRequest& request);
  std::string metrics_text();
  std::string stats_text();
  HttpResponse alerts();
  HttpResponse put_alert(const HttpRequest& request);

  Engine& engine;
  ApiOptions options;
  ApiKeyStore keys;
  std::unordered_map<std::string, std::pair<double, double>> key_rates;
  RateLimiter limiter;
  RequestMetrics metrics;
  std::function<HttpServerStats()> server_stats;
  std::atomic<bool> shutting_down{false};
  std::mutex health_mu;  // guards health_body and health_built
  std::shared_ptr<const std::string> health_body;
  SteadyClock::time_point health_built{};
  std::atomic<bool> health_building{false};
  SteadyClock::time_point started = SteadyClock::now();
  internal::ThreadPool pool;  // last: its destructor runs queued work, which uses the above
};

ApiService::ApiService(Engine& engine, ApiOptions options) : impl_(std::make_unique<Impl>(engine, std::move(options))) {}
ApiService::~ApiService() = default;

void ApiService::handle(HttpRequest&& request, Respond respond) { impl_->handle(std::move(request), std::move(respond)); }
void ApiService::set_server_stats(std::function<HttpServerStats()> source) { impl_->server_stats = std::move(source); }
void ApiService::shutdown() {
  impl_->shutting_down.store(true);
  // Queued work answers; the pool's threads join when the service is destroyed.
  while (impl_->pool.queued() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

std::string ApiService::metrics_text() { return impl_->metrics_text(); }
std::string ApiService::stats_json() { return impl_->stats_text(); }

std::string ApiService::Impl::metrics_text() {
  PrometheusText out;
  write_engine_metrics(engine, out);
  if (server_stats) write_server_metrics(server_stats(), out);
  metrics.write_to(out);
  return out.text();
}

std::string ApiService::Impl::stats_text() {
  std::optional<HttpServerStats> server;
  if (server_stats) server = server_stats();
  json j = stats_json_of(engine, server ? &*server : nullptr);
  j["uptime_seconds"] = std::chrono::duration<double>(SteadyClock::now() - started).count();
  // The server's clock, against which the times in `tuning` are read.
  j["time"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return dump(j);
}

void ApiService::Impl::handle(HttpRequest&& request, Respond respond) {
  const auto start = SteadyClock::now();
  const Route* route = nullptr;
  for (const Route& r : routes()) {
    if (r.path == request.path) route = &r;
  }
  const size_t endpoint = RequestMetrics::endpoint_index(route ? route->path : "other");

  // CORS: only for configured origins, and then on every answer (errors included).
  std::string allowed_origin;
  if (auto origin = request.header("origin"); origin && !options.cors_origins.empty()) {
    for (const std::string& o : options.cors_origins) {
      if (o == "*" || o == *origin) allowed_origin = o == "*" ? "*" : std::string(*origin);
    }
  }
  // Every answer passes here: metrics, CORS, the key's name for the access log.
  auto who = std::make_shared<std::string>();
  Respond finish = [this, respond = std::move(respond), endpoint, start, allowed_origin, who](HttpResponse r) {
    metrics.record(endpoint, r.status, std::chrono::duration_cast<Duration>(SteadyClock::now() - start));
    if (!allowed_origin.empty()) {
      r.with_header("Access-Control-Allow-Origin", allowed_origin);
      if (allowed_origin != "*") r.with_header("Vary", "Origin");
    }
    if (!who->empty()) r.with_header(kAccessNoteHeader, "key=" + *who);
    respond(std::move(r));
  };

  if (!route) return finish(json_error(404, "no such endpoint: " + request.path));
  if (request.method == "OPTIONS") {
    HttpResponse r;
    r.status = 204;
    r.content_type = "text/plain";
    r.with_header("Allow", allow_header(*route));
    if (!allowed_origin.empty()) {
      r.with_header("Access-Control-Allow-Methods", allow_header(*route));
      r.with_header("Access-Control-Allow-Headers", "Authorization, X-API-Key, Content-Type");
      r.with_header("Access-Control-Max-Age", "600");
    }
    return finish(std::move(r));
  }
  if (std::find(route->methods.begin(), route->methods.end(), request.method) == route->methods.end()) {
    HttpResponse r = json_error(405, request.method + " is not allowed on " + request.path);
    r.with_header("Allow", allow_header(*route));
    return finish(std::move(r));
  }

  // Authentication.
  const bool changes = route->changes(request.method);
  std::optional<std::string_view> presented;
  if (auto auth = request.header("authorization")) {
    if (auth->size() > 7 && lower(auth->substr(0, 7)) == "bearer ") presented = auth->substr(7);
  }
  if (!presented) presented = request.header("x-api-key");
  const ApiKeyEntry* key = presented ? keys.find(*presented) : nullptr;
  if (presented && !key) {
    HttpResponse r = json_error(401, "the API key presented is not valid");
    r.with_header("WWW-Authenticate", "Bearer");
    return finish(std::move(r));
  }
  if (key) *who = key->name;
  const bool needs_key = route->path != "/health" && (changes || route->sensitive || options.require_key_for_reads);
  if (needs_key && !key) {
    if (keys.empty() && (changes || route->sensitive) && options.allow_unauthenticated_changes && !options.require_key_for_reads) {
      // Development mode: changes without a key (the operator asked for it at start).
    } else {
      HttpResponse r = json_error(401, keys.empty() ? "this server has no API key configured, so changes are disabled "
                                                      "(add one: tierscope-server --hash-api-key NAME)"
                                                    : "an API key is required (Authorization: Bearer <key> or X-API-Key)");
      r.with_header("WWW-Authenticate", "Bearer");
      return finish(std::move(r));
    }
  }
  if (changes && options.read_only) return finish(json_error(403, "the server runs read-only (--read-only)"));

  // Rate limit per client: the key's name, else the remote host.
  if (route->path != "/health") {
    double rate = options.rate_per_second, burst = options.burst;
    std::string client;
    if (key) {
      client = "key:" + key->name;
      if (auto it = key_rates.find(key->name); it != key_rates.end() && it->second.first > 0) {
        rate = it->second.first;
        burst = it->second.second > 0 ? it->second.second : rate;
      }
    } else {
      client = "addr:" + request.remote_address.substr(0, request.remote_address.rfind(':'));
    }
    if (rate > 0) {
      const RateDecision d = limiter.acquire(client, rate, burst > 0 ? burst : rate);
      if (!d.allowed) {
        HttpResponse r = json_error(429, "rate limit of " + json(rate).dump() + " requests/s exceeded");
        r.with_header("Retry-After", std::to_string(static_cast<int>(std::ceil(d.retry_after_seconds))));
        return finish(std::move(r));
      }
    }
  }
  dispatch(*route, std::move(request), std::move(finish));
}

void ApiService::Impl::offload(Respond respond, std::function<HttpResponse()> work) {
  if (shutting_down.load()) {
    return respond(json_error(503, "the server is shutting down").with_header("Retry-After", "5"));
  }
  auto shared_respond = std::make_shared<Respond>(std::move(respond));
  const bool queued = pool.try_submit([this, shared_respond, work = std::move(work)] {
    HttpResponse r;
    try {
      r = work();
    } catch (const std::exception& e) {
      if (options.logger) options.logger->error("request failed: {}", e.what());
      r = json_error(500, e.what());
    }
    (*shared_respond)(std::move(r));
  });
  if (!queued) (*shared_respond)(json_error(503, "the server is busy; retry shortly").with_header("Retry-After", "1"));
}

void ApiService::Impl::dispatch(const Route& route, HttpRequest&& request, Respond respond) {
  const std::string_view path = route.path;
  const std::string& method = request.method;
  if (path == "/health") return respond(cached_health());
  if (path == "/predict") return predict(std::move(request), std::move(respond));
  if (path == "/tryon") return tryon(std::move(request), std::move(respond));
  if (path == "/metrics") {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_text();
    return respond(std::move(r));
  }
  if (path == "/stats") return respond(json_response(200, stats_text()));
  if (path == "/alerts") {
    if (method == "PUT") return respond(put_alert(request));
    if (method == "DELETE") {
      const auto name = request.query_value("name");
      if (!name || name->empty()) return respond(json_error(400, "query parameter 'name' is required (the rule to remove)"));
      if (!engine.monitor().performance().remove_rule(*name)) return respond(json_error(404, "no such alert rule: " + *name));
      if (options.logger) options.logger->info("alert rule '{}' removed", *name);
      return respond(json_response(200, dump(json{{"removed", *name}})));
    }
    return respond(alerts());
  }
  if (path == "/model/stats" || path == "/model/cache") {
    Classifier* classifier = engine.classifier();
    if (!classifier) return respond(json_error(503, "this server runs without the classifier"));
    if (method == "DELETE") {
      return offload(std::move(respond), [classifier] {
        const size_t removed = classifier->clear_cache();
        return json_response(200, dump(json{{"cleared", true}, {"removed", removed}}));
      });
    }
    const ClassifierStats stats = classifier->stats();
    return respond(json_response(200, path == "/model/stats" ? model_stats_json(stats) : model_cache_info_json(stats)));
  }
  if (path == "/cache/all") {
    return offload(std::move(respond), [this] {
      engine.cache().clear();
      if (options.logger) options.logger->info("cache cleared (DELETE /cache/all)");
      return json_response(200, dump(json{{"cleared", true}}));
    });
  }
  if (path == "/cache") {
    auto pattern = request.query_value("pattern");
    if (!pattern) return respond(json_error(400, "query parameter 'pattern' is required (e.g. ?pattern=persona:*)"));
    if (!valid_pattern(*pattern)) {
      return respond(json_error(400, "pattern must be 1.." + std::to_string(kMaxPatternLength) + " printable characters"));
    }
    const std::string ns = request.query_value("namespace").value_or("");
    if (!ns.empty()) {
      const auto names = engine.cache().namespace_names();
      if (std::find(names.begin(), names.end(), ns) == names.end()) return respond(json_error(404, "no such namespace: " + ns));
    }
    return offload(std::move(respond), [this, pattern = *pattern, ns] {
      const size_t removed = engine.cache().invalidate_matching(pattern, ns);
      if (options.logger) options.logger->info("invalidated {} entries matching '{}'{}", removed, pattern, ns.empty() ? "" : " in " + ns);
      return json_response(200, dump(json{{"pattern", pattern}, {"namespace", ns}, {"removed", removed}}));
    });
  }
  if (path == "/cache/entries") {
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    return offload(std::move(respond), [this, shared] { return list_entries(*shared); });
  }
  if (path == "/cache/entry") {
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    return offload(std::move(respond), [this, shared] { return console::cache_entry(engine, *shared); });
  }
  if (path == "/cache/analysis") {
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    return offload(std::move(respond), [this, shared] { return console::memory_analysis(engine, *shared); });
  }
  if (path == "/monitor/trace") {
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    return offload(std::move(respond), [this, shared] { return console::recorded_trace(engine, *shared); });
  }
  if (path == "/tuning/run") {
    return offload(std::move(respond), [this] {
      HttpResponse r = console::run_auto_tuning(engine);
      if (options.logger && r.status == 200) options.logger->info("auto-tuning run over HTTP");
      return r;
    });
  }
  if (path == "/logs") return respond(console::log_tail(options.log_ring.get(), request));
  if (path == "/config") {
    if (method == "GET") return respond(json_response(200, engine_tuning_json(engine)));
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    return respond(put_config(*shared));
  }
  respond(json_error(404, "no such endpoint"));
}

HttpResponse ApiService::Impl::cached_health() {
  static constexpr auto kHealthMaxAge = std::chrono::milliseconds(250);
  std::shared_ptr<const std::string> body;
  bool stale;
  {
    std::lock_guard lock(health_mu);
    body = health_body;
    stale = !body || SteadyClock::now() - health_built > kHealthMaxAge;
  }
  if (stale && !health_building.exchange(true)) {
    auto fresh = std::make_shared<const std::string>(health().body);
    {
      std::lock_guard lock(health_mu);
      health_body = fresh;
      health_built = SteadyClock::now();
    }
    health_building.store(false);
    body = std::move(fresh);
  }
  if (!body) return health();  // the first one is being built elsewhere: build our own
  return json_response(200, *body);
}

HttpResponse ApiService::Impl::health() {
  const TieredStats s = engine.cache().snapshot();
  json j;
  Classifier* classifier = engine.classifier();
  const bool model_loaded = classifier && classifier->model().loaded();
  j["status"] = "healthy";
  j["models_loaded"] = model_loaded;
  std::string caching = "L1 memory (" + std::string(to_string(s.l1_policy)) + ", " + std::to_string(s.namespaces.size()) +
                        " namespaces)";
  if (s.l2_enabled) {
    caching += " -> L2 disk (" + json(s.l2_disk_limit_gb).dump() + " GB limit)";
  }
  caching += " -> origin; single flight, adaptive TTL";
  j["caching"] = caching;
  j["cache_stats"] = json::parse(cache_stats_json(s));
  json features = json::array({"tiered_cache", "single_flight", "adaptive_ttl", "pattern_invalidation", "prometheus_metrics"});
  if (s.l2_enabled) features.push_back("l2_disk");
  if (classifier) features.push_back("classification");
  if (engine.tryon()) features.push_back("tryon");
  if (!keys.empty()) features.push_back("api_keys");
  if (options.rate_per_second > 0 || !key_rates.empty()) features.push_back("rate_limits");
  if (options.read_only) features.push_back("read_only");
  j["features"] = std::move(features);
  j["version"] = version_string();
  j["uptime_seconds"] = std::chrono::duration<double>(SteadyClock::now() - started).count();
  // The server's clock, against which the times in `tuning` are read.
  j["time"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return json_response(200, dump(j));
}

void ApiService::Impl::predict(HttpRequest&& request, Respond respond) {
  Classifier* classifier = engine.classifier();
  if (!classifier) return respond(json_error(503, "this server runs without the classifier"));
  // The upload: multipart field `file`, or a raw image/* body.
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  std::string_view image;
  std::string filename;
  const std::string type = media_type(shared->header("content-type"));
  if (type == "multipart/form-data") {
    auto boundary = multipart_boundary(*shared->header("content-type"));
    if (!boundary) return respond(json_error(400, "multipart/form-data without a valid boundary"));
    std::vector<MultipartPart> parts;
    try {
      parts = parse_multipart(shared->body, *boundary, options.max_parts);
    } catch (const MultipartError& e) {
      return respond(json_error(400, e.what()));
    }
    const auto files = parts_named(parts, "file");
    if (files.empty()) return respond(json_error(400, "the upload has no field 'file'"));
    if (files.size() > 1) return respond(json_error(400, "the upload has " + std::to_string(files.size()) + " parts named 'file'; send one"));
    if (!files[0]->content_type.empty() && files[0]->content_type.rfind("image/", 0) != 0 &&
        files[0]->content_type != "application/octet-stream") {
      return respond(json_error(415, "field 'file' is " + files[0]->content_type + ", not an image"));
    }
    image = files[0]->data;
    filename = files[0]->filename;
  } else if (type.rfind("image/", 0) == 0) {
    image = shared->body;
    filename = shared->query_value("filename").value_or("");
  } else {
    return respond(json_error(415, type.empty() ? "no Content-Type: send multipart/form-data (field 'file') or image/*"
                                                : "Content-Type " + type + " is not multipart/form-data or image/*"));
  }
  if (image.empty()) return respond(json_error(400, "the image is empty"));

  // A prediction already in memory answers here, on the I/O thread.
  try {
    if (auto cached = classifier->classify_if_cached(image, filename)) {
      return respond(json_response(200, classification_text(*cached)));
    }
  } catch (const std::exception& e) {
    return respond(json_error(500, e.what()));
  }
  offload(std::move(respond), [classifier, shared, image, filename] {
    try {
      return json_response(200, classification_text(classifier->classify(image, filename)));
    } catch (const ImageError& e) {
      return json_error(422, e.what());
    } catch (const OverloadedError& e) {
      return json_error(503, e.what()).with_header("Retry-After", "1");
    }
  });
}

void ApiService::Impl::tryon(HttpRequest&& request, Respond respond) {
  tryon::TryOnPipeline* pipeline = engine.tryon();
  if (!pipeline) return respond(json_error(503, "this server runs without the try-on pipeline"));
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  const std::string type = media_type(shared->header("content-type"));
  if (type != "multipart/form-data") {
    return respond(json_error(415, "send multipart/form-data with fields 'person' and 'garment' (and optional 'category')"));
  }
  auto boundary = multipart_boundary(*shared->header("content-type"));
  if (!boundary) return respond(json_error(400, "multipart/form-data without a valid boundary"));
  std::vector<MultipartPart> parts;
  try {
    parts = parse_multipart(shared->body, *boundary, options.max_parts);
  } catch (const MultipartError& e) {
    return respond(json_error(400, e.what()));
  }
  tryon::TryOnRequest job;
  for (const char* field : {"person", "garment"}) {
    const auto found = parts_named(parts, field);
    if (found.empty()) return respond(json_error(400, std::string("the upload has no field '") + field + "'"));
    if (found.size() > 1) return respond(json_error(400, std::string("the upload has more than one '") + field + "'"));
    if (found[0]->data.empty()) return respond(json_error(400, std::string("field '") + field + "' is empty"));
    if (!found[0]->content_type.empty() && found[0]->content_type.rfind("image/", 0) != 0 &&
        found[0]->content_type != "application/octet-stream") {
      return respond(json_error(415, std::string("field '") + field + "' is " + found[0]->content_type + ", not an image"));
    }
    (std::string_view(field) == "person" ? job.person_image : job.garment_image) = std::string(found[0]->data);
  }
  std::optional<std::string> category;
  if (const auto c = parts_named(parts, "category"); !c.empty()) category = std::string(c[0]->data);
  if (auto q = shared->query_value("category")) category = *q;
  if (category && !category->empty()) {
    job.category = tryon::parse_category(*category);
    if (!job.category) return respond(json_error(400, "category must be upper_body, lower_body or dresses, not '" + *category + "'"));
  }
  if (auto fill = shared->query_value("fill")) {
    if (*fill != "layer" && *fill != "skin") return respond(json_error(400, "fill must be layer or skin, not '" + std::string(*fill) + "'"));
    job.options.uncovered_fill = *fill == "skin" ? tryon::UncoveredFill::kSkin : tryon::UncoveredFill::kLayer;
  }
  if (auto grabcut = shared->query_value("grabcut")) {
    if (*grabcut != "0" && *grabcut != "1") return respond(json_error(400, "grabcut must be 0 or 1, not '" + std::string(*grabcut) + "'"));
    job.options.use_grabcut = *grabcut == "1";
  }
  // png: the composite alone (timings in headers); json: everything but images; bundle:
  // everything with the composite and masks (tryon_pipeline.h), for the remote console.
  const std::string format = shared->query_value("format").value_or(
      shared->header("accept").value_or("").find("application/json") != std::string_view::npos ? "json" : "png");
  if (format != "png" && format != "json" && format != "bundle") return respond(json_error(400, "format must be png, json or bundle"));
  offload(std::move(respond), [pipeline, job = std::move(job), format] {
    tryon::TryOnResult result;
    try {
      result = pipeline->run(job);
    } catch (const tryon::TryOnError& e) {
      return json_error(422, e.what());
    } catch (const ImageError& e) {
      return json_error(422, e.what());
    }
    if (format == "json") return json_response(200, tryon::result_json(result));
    if (format == "bundle") {
      HttpResponse r;
      r.content_type = "application/vnd.tierscope.tryon";
      r.body = tryon::result_bundle(result);
      return r;
    }
    HttpResponse r;
    r.content_type = "image/png";
    r.body = std::move(result.composite_png);
    r.with_header("X-Tryon-Total-Ms", json(result.total_ms).dump());
    r.with_header("X-Tryon-From-Cache", result.composite_from_cache ? "true" : "false");
    r.with_header("X-Tryon-Category", tryon::category_name(result.category));
    r.with_header("X-Tryon-Verdict", tryon::verdict_name(result.verdict));
    std::string stages;
    for (const auto& s : result.stages) {
      stages += (stages.empty() ? "" : ", ") + s.name + ";dur=" + json(s.milliseconds).dump() + (s.from_cache ? ";desc=cache" : "");
    }
    r.with_header("Server-Timing", stages);
    return r;
  });
}

HttpResponse ApiService::Impl::list_entries(const HttpRequest& request) {
  const std::string ns = request.query_value("namespace").value_or(engine.demo_namespace());
  const auto names = engine.cache().namespace_names();
  if (std::find(names.begin(), names.end(), ns) == names.end()) return json_error(404, "no such namespace: " + ns);
  const std::string tier_text = request.query_value("tier").value_or("l1");
  CacheTier tier;
  if (tier_text == "l1") {
    tier = CacheTier::kL1;
  } else if (tier_text == "l2") {
    tier = CacheTier::kL2;
  } else {
    return json_error(400, "tier must be l1 or l2, not '" + tier_text + "'");
  }
  EntryQuery query;
  query.pattern = request.query_value("pattern").value_or("*");
  if (!valid_pattern(query.pattern)) return json_error(400, "pattern must be 1..512 printable characters");
  const auto page = request.query_number("page", 0, 100'000'000);
  const auto page_size = request.query_number("page_size", 100, kMaxPageSize);
  if (!page) return json_error(400, "page must be a whole number");
  if (!page_size || *page_size == 0) return json_error(400, "page_size must be 1.." + std::to_string(kMaxPageSize));
  query.limit = *page_size;
  query.offset = *page * *page_size;
  const EntryPage result = engine.cache().list_entries(ns, tier, query);
  const auto now = std::chrono::system_clock::now();
  json entries = json::array();
  for (const EntryInfo& e : result.entries) {
    json row = {{"key", e.key}, {"bytes", e.bytes}, {"hits", e.hits}};
    if (e.created.time_since_epoch().count() != 0) row["age_seconds"] = std::max(0.0, std::chrono::duration<double>(now - e.created).count());
    if (e.expires != kNever) row["ttl_left_seconds"] = std::chrono::duration<double>(e.expires - now).count();
    entries.push_back(std::move(row));
  }
  return json_response(200, dump(json{{"namespace", ns},
                                      {"tier", std::string(tier_name(tier))},
                                      {"pattern", query.pattern},
                                      {"page", *page},
                                      {"page_size", *page_size},
                                      {"total_matching", result.total_matching},
                                      {"entries", std::move(entries)}}));
}

HttpResponse ApiService::Impl::put_config(const HttpRequest& request) {
  const std::string type = media_type(request.header("content-type"));
  if (!type.empty() && type != "application/json") return json_error(415, "send the change as application/json (curl: -H 'Content-Type: application/json')");
  try {
    const std::vector<std::string> changed = apply_engine_tuning(engine, request.body);
    if (options.logger) {
      std::string list;
      for (const auto& k : changed) list += (list.empty() ? "" : ", ") + k;
      options.logger->info("config changed over HTTP: {}", list.empty() ? "nothing" : list);
    }
    json j = json::parse(engine_tuning_json(engine));
    j["changed"] = changed;
    return json_response(200, dump(j));
  } catch (const TuningError& e) {
    json j{{"error", "Bad Request"}, {"detail", e.what()}, {"key", e.key()}};
    return json_response(400, dump(j));
  }
}

// PUT /alerts: adds a rule or replaces the one of the same name. Body:
// {"name", "metric_name", "threshold", "operator" (">", ">=", "<", "<=", "==", "!="),
//  "duration_seconds"}; a bad or missing field is named in a 400, and nothing changes.
HttpResponse ApiService::Impl::put_alert(const HttpRequest& request) {
  const std::string type = media_type(request.header("content-type"));
  if (!type.empty() && type != "application/json") return json_error(415, "send the rule as application/json");
  json j;
  try {
    j = json::parse(request.body);
  } catch (const json::exception&) {
    return json_error(400, "the body is not valid JSON");
  }
  if (!j.is_object()) return json_error(400, "the body must be a JSON object");
  AlertRule rule;
  for (const auto& [key, v] : j.items()) {
    if (key == "name" || key == "metric_name") {
      if (!v.is_string()) return json_error(400, key + " must be a string");
      (key == "name" ? rule.name : rule.metric_name) = v.get<std::string>();
    } else if (key == "threshold" || key == "duration_seconds") {
      if (!v.is_number()) return json_error(400, key + " must be a number");
      (key == "threshold" ? rule.threshold : rule.duration_seconds) = v.get<double>();
    } else if (key == "operator") {
      const auto op = v.is_string() ? parse_alert_operator(v.get<std::string>()) : std::nullopt;
      if (!op) return json_error(400, "operator must be one of >, >=, <, <=, ==, !=");
      rule.op = *op;
    } else {
      return json_error(400, "unknown field '" + key + "'");
    }
  }
  if (!j.contains("name") || !j.contains("metric_name") || !j.contains("threshold")) {
    return json_error(400, "name, metric_name and threshold are required");
  }
  try {
    engine.monitor().performance().add_rule(rule);
  } catch (const std::invalid_argument& e) {
    return json_error(400, e.what());
  }
  if (options.logger) options.logger->info("alert rule '{}' set: {} {} {}", rule.name, rule.metric_name, to_string(rule.op), rule.threshold);
  return json_response(200, dump(json{{"set", rule.name}}));
}

HttpResponse ApiService::Impl::alerts() {
  const MonitorSnapshot m = engine.monitor().snapshot();
  json rules = json::array();
  for (const AlertStatus& a : m.alerts) {
    json row = {{"name", a.rule.name},
                {"metric_name", a.rule.metric_name},
                {"threshold", a.rule.threshold},
                {"operator", std::string(to_string(a.rule.op))},
                {"duration_seconds", a.rule.duration_seconds},
                {"state", std::string(to_string(a.state))},
                {"times_fired", a.times_fired}};
    if (a.value) row["value"] = *a.value;
    rules.push_back(std::move(row));
  }
  return json_response(200, dump(json{{"alerts", std::move(rules)}, {"firing", m.alerts_firing}}));
}

}  // namespace tierscope::server
