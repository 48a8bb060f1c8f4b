#include "remote_cache_browser_worker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <memory>

#include "remote_request.h"

namespace tierscope::ui {
namespace {

QString encoded(const QString& value) { return QString::fromLatin1(QUrl::toPercentEncoding(value)); }

bool has_glob(const QString& key) {
  return key.contains('*') || key.contains('?') || key.contains('[') || key.contains('\\');
}

}  // namespace

RemoteCacheBrowserWorker::RemoteCacheBrowserWorker(QUrl base, QString api_key, QObject* parent)
    : CacheBrowserBackend(parent), base_(std::move(base)), api_key_(api_key.toUtf8()) {}

QNetworkReply* RemoteCacheBrowserWorker::send(const QByteArray& method, const QString& path, const QUrlQuery& query) {
  if (!network_) network_ = new QNetworkAccessManager(this);
  return network_->sendCustomRequest(server_request(base_, path, api_key_, query), method);
}

template <typename Ok>
void RemoteCacheBrowserWorker::onReply(QNetworkReply* reply, Ok ok) {
  connect(reply, &QNetworkReply::finished, this, [this, reply, ok] {
    reply->deleteLater();
    const QByteArray body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError) {
      const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      const QString detail = QJsonDocument::fromJson(body).object().value("detail").toString();
      Q_EMIT failed(status > 0 ? tr("server answered %1: %2").arg(status).arg(detail.isEmpty() ? reply->errorString() : detail)
                               : reply->errorString());
      return;
    }
    ok(QJsonDocument::fromJson(body).object());
  });
}

void RemoteCacheBrowserWorker::describe() {
  onReply(send("GET", "/stats"), [this](const QJsonObject& stats) {
    QStringList names;
    for (const QJsonValue& ns : stats.value("namespaces").toArray()) names << ns.toObject().value("name").toString();
    const QString current = names.contains("general") ? QStringLiteral("general") : names.value(0);
    Q_EMIT described(names, current, stats.contains("l2"));
  });
}

void RemoteCacheBrowserWorker::query(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset,
                                     quint64 limit) {
  const quint64 page_size = std::max<quint64>(limit, 1);
  QUrlQuery q;
  q.addQueryItem("namespace", encoded(ns));
  q.addQueryItem("tier", tier == 1 ? "l2" : "l1");
  q.addQueryItem("pattern", encoded(pattern.isEmpty() ? QStringLiteral("*") : pattern));
  q.addQueryItem("page", QString::number(offset / page_size));
  q.addQueryItem("page_size", QString::number(page_size));
  onReply(send("GET", "/cache/entries", q), [this, request, ns, tier, pattern, offset, page_size](const QJsonObject& j) {
    BrowserPage page{request, ns, tier, pattern, offset - offset % page_size,
                     quint64(j.value("total_matching").toInteger()), {}};
    for (const QJsonValue& v : j.value("entries").toArray()) {
      const QJsonObject e = v.toObject();
      BrowserRow row;
      row.key = e.value("key").toString();
      row.bytes = quint64(e.value("bytes").toInteger());
      row.hits = quint64(e.value("hits").toInteger());
      row.age_seconds = -1;  // the server does not say
      row.ttl_left_seconds = e.contains("ttl_left_seconds") ? e.value("ttl_left_seconds").toDouble() : -1;
      page.rows.append(row);
    }
    Q_EMIT pageReady(page);
  });
}

void RemoteCacheBrowserWorker::inspect(const QString&, int, const QString&) {
  Q_EMIT failed(tr("value previews need the embedded engine: tierscope-server has no endpoint that returns a cached value"));
}

void RemoteCacheBrowserWorker::invalidateKeys(const QString& ns, const QStringList& keys) {
  // One DELETE /cache per key, its pattern the key itself (a key with glob characters
  // would match others, so those are refused rather than over-deleted).
  auto remaining = std::make_shared<int>(int(keys.size()));
  auto removed = std::make_shared<quint64>(0);
  for (const QString& key : keys) {
    if (has_glob(key)) {
      Q_EMIT failed(tr("'%1' contains glob characters: invalidate it with a filter instead").arg(key));
      if (--*remaining == 0) Q_EMIT invalidated(tr("Invalidated %1 key(s) in %2").arg(*removed).arg(ns));
      continue;
    }
    QUrlQuery q;
    q.addQueryItem("namespace", encoded(ns));
    q.addQueryItem("pattern", encoded(key));
    QNetworkReply* reply = send("DELETE", "/cache", q);
    onReply(reply, [this, ns, remaining, removed](const QJsonObject& j) {
      *removed += quint64(j.value("removed").toInteger());
      if (--*remaining == 0) Q_EMIT invalidated(tr("Invalidated %1 key(s) in %2").arg(*removed).arg(ns));
    });
  }
}

void RemoteCacheBrowserWorker::invalidatePattern(const QString& ns, const QString& pattern) {
  QUrlQuery q;
  if (!ns.isEmpty()) q.addQueryItem("namespace", encoded(ns));
  q.addQueryItem("pattern", encoded(pattern));
  onReply(send("DELETE", "/cache", q), [this, ns, pattern](const QJsonObject& j) {
    Q_EMIT invalidated(tr("Invalidated %1 entries matching '%2' in %3")
                           .arg(quint64(j.value("removed").toInteger()))
                           .arg(pattern, ns.isEmpty() ? tr("every namespace") : ns));
  });
}

void RemoteCacheBrowserWorker::clearAll() {
  onReply(send("DELETE", "/cache/all"), [this](const QJsonObject&) { Q_EMIT invalidated(tr("Every tier of every namespace cleared")); });
}

void RemoteCacheBrowserWorker::analyze(int) {
  Q_EMIT failed(tr("the memory analysis needs the embedded engine: tierscope-server does not serve it"));
}

}  // namespace tierscope::ui
