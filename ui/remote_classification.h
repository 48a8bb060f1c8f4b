// remote_classify_function(): the classification tab over a tierscope-server — each
// image is sent as a raw `image/*` body to `POST /predict?filename=…` and its JSON answer
// read back into a ClassificationRow (classes, probabilities, category, doubt, size,
// processing time, from_cache). Bounded by a 30 s transfer timeout; an HTTP or network
// error becomes the row's error, with the server's detail.
//
// The returned function makes its network access manager on first call, on the
// ClassificationWorker's thread, and must be called only from that thread.
#pragma once

#include <QString>
#include <QUrl>

#include "classification_worker.h"

namespace tierscope::ui {

ClassificationWorker::ClassifyFunction remote_classify_function(QUrl base, QString api_key);

}  // namespace tierscope::ui
