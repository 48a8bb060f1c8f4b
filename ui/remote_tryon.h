// remote_tryon_function(): the Try-on tab over a tierscope-server — the two photos go as
// multipart fields `person` and `garment` to `POST /tryon?format=bundle` (with the
// category, the fill of uncovered areas and GrabCut as query items), and the bundle that
// comes back (tryon_pipeline.h: composite, masks, landmarks, stage timings, verdict) is
// the same TryOnResult the embedded pipeline gives, so the tab shows every overlay. An
// HTTP or network error is thrown with the server's detail. Bounded by a 60 s transfer
// timeout (a first try-on on a loaded server runs seconds).
//
// The returned function makes its network access manager on first call, on the
// TryOnWorker's thread, and must be called only from that thread.
#pragma once

#include <QString>
#include <QUrl>

#include "tryon_worker.h"

namespace tierscope::ui {

TryOnWorker::TryOnFunction remote_tryon_function(QUrl base, QString api_key);

}  // namespace tierscope::ui
