// remote_live_trace_source(): the What-if tab's live traffic over a tierscope-server —
// `GET /monitor/trace?namespace=` answers the namespace's recorded key hashes (little-endian
// 64-bit words) and their sampling rate; a network or HTTP error is thrown with the
// server's detail. Bounded by a 30 s transfer timeout.
//
// The returned function makes its network access manager on first call, on the
// WhatIfWorker's thread, and must be called only from that thread.
#pragma once

#include <QString>
#include <QUrl>

#include "whatif_worker.h"

namespace tierscope::ui {

WhatIfWorker::LiveTraceSource remote_live_trace_source(QUrl base, QString api_key);

}  // namespace tierscope::ui
