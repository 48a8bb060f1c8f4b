#include "remote_engine_worker.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>

#include "remote_request.h"

namespace tierscope::ui {

RemoteEngineWorker::RemoteEngineWorker(QUrl base, QString api_key, QObject* parent)
    : QObject(parent), base_(std::move(base)), api_key_(api_key.toUtf8()) {}

RemoteEngineWorker::~RemoteEngineWorker() = default;

void RemoteEngineWorker::start() {
  // Created here, on the thread the worker runs on.
  network_ = new QNetworkAccessManager(this);
  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &RemoteEngineWorker::poll);
  since_start_.start();
  timer_->start(1000);
  poll();
}

void RemoteEngineWorker::stop() {
  if (timer_) timer_->stop();
}

QNetworkReply* RemoteEngineWorker::send(const QString& method, const QString& path, const QByteArray& body,
                                        const QUrlQuery& query) {
  QNetworkRequest request = server_request(base_, path, api_key_, query);
  if (!body.isEmpty()) request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  return network_->sendCustomRequest(request, method.toLatin1(), body);
}

QString RemoteEngineWorker::errorText(QNetworkReply* reply, const QByteArray& body) {
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const QJsonObject j = QJsonDocument::fromJson(body).object();
  if (status > 0 && j.contains("detail")) return tr("server answered %1: %2").arg(status).arg(j.value("detail").toString());
  if (status > 0) return tr("server answered %1").arg(status);
  return reply->errorString();
}

void RemoteEngineWorker::poll() {
  if (poll_pending_) return;  // a slow server gets one request at a time, not a pile
  poll_pending_ = true;
  QNetworkReply* reply = send("GET", "/stats");
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    poll_pending_ = false;
    const QByteArray body = reply->readAll();
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (reply->error() != QNetworkReply::NoError || !doc.isObject()) {
      const QString why = reply->error() != QNetworkReply::NoError ? errorText(reply, body) : tr("/stats is not a JSON object");
      if (connected_ || since_start_.elapsed() < 1500) Q_EMIT connectionChanged(false, why);
      connected_ = false;
      return;
    }
    if (!connected_) Q_EMIT connectionChanged(true, tr("connected to %1").arg(base_.toString()));
    connected_ = true;
    EngineSample sample = sampler_.add(doc.object(), since_start_.nsecsElapsed() / 1e9);
    sample.alerts = alerts_;  // from the last /alerts answer (at most a poll old)
    Q_EMIT sampleReady(sample);
  });
  QNetworkReply* alerts = send("GET", "/alerts");
  connect(alerts, &QNetworkReply::finished, this, [this, alerts] {
    alerts->deleteLater();
    const QJsonDocument doc = QJsonDocument::fromJson(alerts->readAll());
    if (alerts->error() == QNetworkReply::NoError && doc.isObject()) alerts_ = RemoteSampler::alertsFromJson(doc.object());
  });
  pollLogs();
}

void RemoteEngineWorker::pollLogs() {
  if (logs_pending_) return;
  logs_pending_ = true;
  QUrlQuery query;
  query.addQueryItem("after", QString::number(last_log_));
  query.addQueryItem("limit", "2000");
  QNetworkReply* reply = send("GET", "/logs", {}, query);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    logs_pending_ = false;
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError) {
      // Said once, as a line of the tab, not every second.
      const QString why = errorText(reply, body);
      if (why != logs_error_) {
        logs_error_ = why;
        Q_EMIT logLinesReady({LogLine{QDateTime::currentDateTime(), 4 /* error */, tr("cannot read the server's log: %1").arg(why)}});
      }
      return;
    }
    logs_error_.clear();
    const QJsonObject j = QJsonDocument::fromJson(body).object();
    QList<LogLine> lines;
    for (const QJsonValue& v : j.value("lines").toArray()) {
      const QJsonObject o = v.toObject();
      const quint64 sequence = quint64(o.value("sequence").toInteger());
      if (last_log_ > 0 && sequence > last_log_ + 1) {
        lines.append({QDateTime::currentDateTime(), 3 /* warn */,
                      tr("%1 line(s) not shown: the server's log ring moved past them").arg(sequence - last_log_ - 1)});
      }
      last_log_ = sequence;
      lines.append({QDateTime::fromMSecsSinceEpoch(qint64(o.value("time").toDouble() * 1000)), o.value("level").toInt(),
                    o.value("message").toString()});
    }
    if (!lines.isEmpty()) Q_EMIT logLinesReady(lines);
  });
}

void RemoteEngineWorker::putConfig(const QJsonObject& change) {
  onChangeReply(send("PUT", "/config", QJsonDocument(change).toJson(QJsonDocument::Compact)), tr("Tuning not applied: %1"),
                [this](const QJsonObject& j) {
                  QStringList changed;
                  for (const QJsonValue& v : j.value("changed").toArray()) changed << v.toString();
                  Q_EMIT configApplied(changed);
                });
}

void RemoteEngineWorker::onChangeReply(QNetworkReply* reply, const QString& refused, std::function<void(const QJsonObject&)> applied) {
  connect(reply, &QNetworkReply::finished, this, [this, reply, refused, applied = std::move(applied)] {
    reply->deleteLater();
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError) {
      Q_EMIT errorOccurred(refused.arg(errorText(reply, body)));
      return;
    }
    applied(QJsonDocument::fromJson(body).object());
    poll();  // show the effect at once
  });
}

void RemoteEngineWorker::setAlertRule(const QString& name, const QString& metric, const QString& op, double threshold,
                                      double duration_seconds) {
  const QJsonObject rule{{"name", name},
                         {"metric_name", metric},
                         {"operator", op},
                         {"threshold", threshold},
                         {"duration_seconds", duration_seconds}};
  onChangeReply(send("PUT", "/alerts", QJsonDocument(rule).toJson(QJsonDocument::Compact)), tr("Alert rule not set: %1"),
                [this, name](const QJsonObject&) { Q_EMIT configApplied({QStringLiteral("alerts.%1").arg(name)}); });
}

void RemoteEngineWorker::removeAlertRule(const QString& name) {
  QUrlQuery query;
  query.addQueryItem("name", QString::fromLatin1(QUrl::toPercentEncoding(name)));
  onChangeReply(send("DELETE", "/alerts", {}, query), tr("Alert rule not removed: %1"),
                [this, name](const QJsonObject&) { Q_EMIT configApplied({QStringLiteral("alerts.%1 removed").arg(name)}); });
}

void RemoteEngineWorker::invalidate(const QString& ns, const QString& pattern, const QString& detail) {
  QUrlQuery query;
  query.addQueryItem("pattern", QString::fromLatin1(QUrl::toPercentEncoding(pattern)));
  if (!ns.isEmpty()) query.addQueryItem("namespace", QString::fromLatin1(QUrl::toPercentEncoding(ns)));
  onChangeReply(send("DELETE", "/cache", {}, query), tr("Invalidation refused: %1"), [this, detail](const QJsonObject& j) {
    Q_EMIT invalidated(qulonglong(j.value("removed").toInteger()), detail);
  });
}

void RemoteEngineWorker::setFocusNamespace(const QString& ns) { sampler_.setFocusNamespace(ns); }
void RemoteEngineWorker::setLatencyWindow(double seconds) { sampler_.setLatencyWindow(std::clamp(seconds, 1.0, 60.0)); }

void RemoteEngineWorker::setL1Capacity(const QString& ns, quint64 max_entries, quint64 max_bytes) {
  putConfig({{"namespaces", QJsonObject{{ns, QJsonObject{{"l1_max_entries", double(max_entries)}, {"l1_max_bytes", double(max_bytes)}}}}}});
}
void RemoteEngineWorker::setTtl(const QString& ns, double seconds) {
  putConfig({{"namespaces", QJsonObject{{ns, QJsonObject{{"ttl_seconds", seconds}}}}}});
}
void RemoteEngineWorker::setAdaptiveTtl(int max_multiplier) {
  putConfig({{"adaptive_ttl_max_multiplier", std::max(1, max_multiplier)}});
}
void RemoteEngineWorker::setPolicy(const QString& policy) { putConfig({{"policy", policy}}); }
void RemoteEngineWorker::setDiskLimit(quint64 max_bytes) { putConfig({{"disk_limit_bytes", double(max_bytes)}}); }
void RemoteEngineWorker::setDiskWatermarks(double high, double low) {
  putConfig({{"disk_high_watermark", high}, {"disk_low_watermark", low}});
}
void RemoteEngineWorker::setMaxImageSize(int pixels) { putConfig({{"max_image_size", pixels}}); }
void RemoteEngineWorker::setMaxConcurrentInferences(int limit) { putConfig({{"max_concurrent_inferences", limit}}); }
void RemoteEngineWorker::setAutoTuning(bool on) { putConfig({{"auto_tuning", on}}); }

void RemoteEngineWorker::autoTuneNow() {
  onChangeReply(send("POST", "/tuning/run"), QStringLiteral("%1"), [this](const QJsonObject& j) {
    QStringList changed;
    for (const QJsonValue& v : j.value("changes").toArray()) changed << QStringLiteral("l1 bytes of %1").arg(v.toObject().value("namespace").toString());
    if (changed.isEmpty()) {
      Q_EMIT errorOccurred(tr("Auto-tuning: %1").arg(j.value("detail").toString()));
    } else {
      Q_EMIT configApplied(changed);
    }
  });
}

}  // namespace tierscope::ui
