// The Engine's state in the Prometheus text format (`GET /metrics`), every family named
// `tierscope_...`: counters end in `_total`, sizes are `_bytes`, durations `_seconds`
// histograms (they aggregate across a fleet; summaries do not). Label sets are bounded:
// tier, result, cause, the configured namespaces, the configured alert rules.
//
// Thread safety: reads snapshots only; call from any thread.
#pragma once

#include "tierscope/engine.h"
#include "tierscope/server/http_server.h"
#include "tierscope/server/prometheus_text.h"

namespace tierscope::server {

// Cache (gets by tier and result, loads, errors, timeouts, stampedes, evictions by cause,
// entries and bytes per tier and namespace against limits, disk usage and limit, load and
// miss latency), model and classifier, try-on, alerts, memory.
void write_engine_metrics(Engine& engine, PrometheusText& out);

// Connections, requests in flight, rejections.
void write_server_metrics(const HttpServerStats& stats, PrometheusText& out);

}  // namespace tierscope::server
