#include "remote_cache_browser_worker.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>
#include <chrono>
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
void RemoteCacheBrowserWorker::onRawReply(QNetworkReply* reply, Ok ok) {
  connect(reply, &QNetworkReply::finished, this, [this, reply, ok] {
    reply->deleteLater();
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError) {
      const QString detail = QJsonDocument::fromJson(body).object().value("detail").toString();
      if (ok(reply, status, body)) return;  // an error the caller answers itself (a 404 preview)
      Q_EMIT failed(status > 0 ? tr("server answered %1: %2").arg(status).arg(detail.isEmpty() ? reply->errorString() : detail)
                               : reply->errorString());
      return;
    }
    ok(reply, status, body);
  });
}

template <typename Ok>
void RemoteCacheBrowserWorker::onReply(QNetworkReply* reply, Ok ok) {
  onRawReply(reply, [ok](QNetworkReply* r, int, const QByteArray& body) {
    if (r->error() != QNetworkReply::NoError) return false;
    ok(QJsonDocument::fromJson(body).object());
    return true;
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
      row.age_seconds = e.contains("age_seconds") ? e.value("age_seconds").toDouble() : -1;
      row.ttl_left_seconds = e.contains("ttl_left_seconds") ? e.value("ttl_left_seconds").toDouble() : -1;
      page.rows.append(row);
    }
    Q_EMIT pageReady(page);
  });
}

void RemoteCacheBrowserWorker::inspect(const QString& ns, int tier, const QString& key) {
  QUrlQuery q;
  q.addQueryItem("namespace", encoded(ns));
  q.addQueryItem("key", encoded(key));
  q.addQueryItem("tier", tier == 1 ? "l2" : "l1");
  onRawReply(send("GET", "/cache/entry", q), [this, ns, tier, key](QNetworkReply* reply, int status, const QByteArray& body) {
    BrowserPreview p;
    p.ns = ns;
    p.tier = tier;
    p.key = key;
    if (reply->error() != QNetworkReply::NoError) {
      if (status != 404) return false;
      Q_EMIT previewReady(p);  // gone since the page was listed
      return true;
    }
    const double now = QDateTime::currentMSecsSinceEpoch() / 1000.0;
    p.found = true;
    p.head = body;
    p.value_bytes = reply->rawHeader("X-Entry-Bytes").toULongLong();
    p.info.key = key;
    p.info.bytes = reply->rawHeader("X-Entry-Charge").toULongLong();
    p.info.hits = reply->rawHeader("X-Entry-Hits").toULongLong();
    const double created = reply->rawHeader("X-Entry-Created").toDouble();
    p.info.age_seconds = created > 0 ? std::max(0.0, now - created) : -1;
    const QByteArray expires = reply->rawHeader("X-Entry-Expires");
    p.info.ttl_left_seconds = expires.isEmpty() ? -1 : std::max(0.0, expires.toDouble() - now);
    Q_EMIT previewReady(p);
    return true;
  });
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

void RemoteCacheBrowserWorker::analyze(int top) {
  QUrlQuery q;
  q.addQueryItem("top", QString::number(std::clamp(top, 1, 1000)));
  onReply(send("GET", "/cache/analysis", q), [this](const QJsonObject& j) {
    MemoryAnalysis a;
    const auto u64 = [](const QJsonObject& o, const char* name) { return uint64_t(o.value(name).toInteger()); };
    for (const QJsonValue& v : j.value("namespaces").toArray()) {
      const QJsonObject o = v.toObject();
      a.namespaces.push_back({o.value("name").toString().toStdString(), u64(o, "l1_entries"), u64(o, "l1_bytes"),
                              u64(o, "l2_entries"), u64(o, "l2_bytes")});
    }
    for (const QJsonValue& v : j.value("prefixes").toArray()) {
      const QJsonObject o = v.toObject();
      a.prefixes.push_back({o.value("prefix").toString().toStdString(), u64(o, "entries"), u64(o, "bytes")});
    }
    const auto at = [](double unix_seconds) {
      return TimePoint{std::chrono::duration_cast<Duration>(std::chrono::duration<double>(unix_seconds))};
    };
    for (const QJsonValue& v : j.value("largest").toArray()) {
      const QJsonObject o = v.toObject();
      EntryInfo e;
      e.key = o.value("key").toString().toStdString();
      e.bytes = u64(o, "bytes");
      e.hits = u64(o, "hits");
      e.created = at(o.value("created").toDouble());
      if (o.contains("expires")) e.expires = at(o.value("expires").toDouble());
      a.largest.push_back(std::move(e));
    }
    const QJsonArray ttl = j.value("ttl_spread").toArray();
    for (qsizetype i = 0; i < ttl.size() && i < qsizetype(MemoryAnalysis::kTtlBuckets); ++i) {
      a.ttl_spread[i] = uint64_t(ttl.at(i).toObject().value("entries").toInteger());
    }
    Q_EMIT analysisReady(a);
  });
}

}  // namespace tierscope::ui
