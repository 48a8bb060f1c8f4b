// The endpoints a remote console needs beyond the source systems' API: a cached value
// (GET /cache/entry), the memory analysis (GET /cache/analysis), the live hit-ratio
// curves and auto-tuning (in /stats; POST /tuning/run), the recorded live trace of a
// namespace (GET /monitor/trace) and the log tail (GET /logs). Each takes the request and
// returns the answer; ApiService routes to them and checks keys and limits first.
//
// Internal to the server. Thread safety: as the Engine's methods they call (any thread).
#pragma once

#include <nlohmann/json.hpp>

#include "tierscope/engine.h"
#include "tierscope/monitor/monitor.h"
#include "tierscope/server/http_message.h"
#include "tierscope/server/log_ring.h"

namespace tierscope::server::console {

// The value's first bytes (up to kPreviewBytes) with its size, age, expiry and hits in
// X-Entry-* headers; 404 when the key is not there.
inline constexpr size_t kPreviewBytes = size_t{4} << 20;
HttpResponse cache_entry(Engine& engine, const HttpRequest& request);
HttpResponse memory_analysis(Engine& engine, const HttpRequest& request);
HttpResponse recorded_trace(Engine& engine, const HttpRequest& request);
HttpResponse run_auto_tuning(Engine& engine);
HttpResponse log_tail(LogRing* ring, const HttpRequest& request);

// The monitor's live curves and recent tuning changes, for /stats.
nlohmann::json curves_json(const MonitorSnapshot& m);
nlohmann::json tuning_json(const MonitorSnapshot& m);

}  // namespace tierscope::server::console
