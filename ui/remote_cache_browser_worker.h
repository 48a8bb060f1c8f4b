// RemoteCacheBrowserWorker: the cache browser over a tierscope-server — namespaces and
// L2 from `GET /stats`, pages from `GET /cache/entries`, invalidation by `DELETE /cache`
// (keys, a pattern) and `DELETE /cache/all`, value previews from `GET /cache/entry` (a key
// is required: values are data) and the memory analysis from `GET /cache/analysis`, with
// the API key when one is given.
//
// Ownership: owns its network access manager (made on first use, on the thread the
// worker lives on). Thread safety: lives on one thread; call its slots queued.
#pragma once

#include <QByteArray>
#include <QUrl>
#include <QUrlQuery>

#include "cache_browser_worker.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace tierscope::ui {

class RemoteCacheBrowserWorker : public CacheBrowserBackend {
  Q_OBJECT

 public:
  RemoteCacheBrowserWorker(QUrl base, QString api_key, QObject* parent = nullptr);

  void describe() override;
  void query(quint64 request, const QString& ns, int tier, const QString& pattern, quint64 offset,
             quint64 limit) override;
  void inspect(const QString& ns, int tier, const QString& key) override;
  void invalidateKeys(const QString& ns, const QStringList& keys) override;
  void invalidatePattern(const QString& ns, const QString& pattern) override;
  void clearAll() override;
  void analyze(int top) override;

 private:
  QNetworkReply* send(const QByteArray& method, const QString& path, const QUrlQuery& query = {});
  // Runs `ok(body)` when the reply succeeded, else emits failed() with the server's detail.
  template <typename Ok>
  void onReply(QNetworkReply* reply, Ok ok);
  // Runs `ok(reply, status, body)` on every answer; on an error, ok returns whether it
  // dealt with it, else failed() is emitted with the server's detail.
  template <typename Ok>
  void onRawReply(QNetworkReply* reply, Ok ok);

  QUrl base_;
  QByteArray api_key_;
  QNetworkAccessManager* network_ = nullptr;
};

}  // namespace tierscope::ui
