#include "remote_whatif.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

#include <memory>
#include <stdexcept>

#include "remote_request.h"

namespace tierscope::ui {

WhatIfWorker::LiveTraceSource remote_live_trace_source(QUrl base, QString api_key) {
  LazyNetwork network;
  const QByteArray key = api_key.toUtf8();
  return [network, base, key](const QString& ns) {
    QUrlQuery query;
    query.addQueryItem("namespace", QString::fromLatin1(QUrl::toPercentEncoding(ns)));
    const ServerReply answer = wait_for_reply(network.manager().get(server_request(base, "/monitor/trace", key, query, 30'000)));
    if (!answer.ok()) throw std::runtime_error(answer.error.toStdString());
    const QByteArray& body = answer.body;
    if (body.size() % 8 != 0) throw std::runtime_error("the server's trace is not a whole number of 64-bit keys");
    RecordedTrace trace;
    trace.sampling_rate = answer.reply->rawHeader("X-Sampling-Rate").toDouble();
    if (!(trace.sampling_rate > 0 && trace.sampling_rate <= 1)) trace.sampling_rate = 1;
    trace.keys.resize(size_t(body.size() / 8));
    const auto* bytes = reinterpret_cast<const unsigned char*>(body.constData());
    for (size_t i = 0; i < trace.keys.size(); ++i) {
      uint64_t k = 0;
      for (int b = 7; b >= 0; --b) k = (k << 8) | bytes[i * 8 + size_t(b)];
      trace.keys[i] = k;
    }
    return trace;
  };
}

}  // namespace tierscope::ui
