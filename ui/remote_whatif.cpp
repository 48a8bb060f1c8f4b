#include "remote_whatif.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

#include <memory>
#include <stdexcept>

#include "remote_request.h"

namespace tierscope::ui {

WhatIfWorker::LiveTraceSource remote_live_trace_source(QUrl base, QString api_key) {
  auto network = std::make_shared<std::unique_ptr<QNetworkAccessManager>>();
  const QByteArray key = api_key.toUtf8();
  return [network, base, key](const QString& ns) {
    if (!*network) *network = std::make_unique<QNetworkAccessManager>();
    QUrlQuery query;
    query.addQueryItem("namespace", QString::fromLatin1(QUrl::toPercentEncoding(ns)));
    std::unique_ptr<QNetworkReply> reply((*network)->get(server_request(base, "/monitor/trace", key, query, 30'000)));
    // This runs on the worker's thread, never the GUI's: waiting here blocks nobody.
    QEventLoop wait;
    QObject::connect(reply.get(), &QNetworkReply::finished, &wait, &QEventLoop::quit);
    if (!reply->isFinished()) wait.exec();
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError) {
      const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      const QString detail = QJsonDocument::fromJson(body).object().value("detail").toString();
      throw std::runtime_error((status > 0 ? QObject::tr("server answered %1: %2").arg(status).arg(detail.isEmpty() ? reply->errorString() : detail)
                                           : reply->errorString())
                                   .toStdString());
    }
    if (body.size() % 8 != 0) throw std::runtime_error("the server's trace is not a whole number of 64-bit keys");
    RecordedTrace trace;
    trace.sampling_rate = reply->rawHeader("X-Sampling-Rate").toDouble();
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
