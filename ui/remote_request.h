// server_request(): a request to a tierscope-server as every remote worker of the console
// makes it — the server's base URL with `path` and `query`, a transfer timeout, and the
// API key as a bearer token when one is given. wait_for_reply(): a reply waited for on the
// calling worker thread (never the GUI's), with the error as the console shows it.
// LazyNetwork: the network access manager such a worker makes on first use.
#pragma once

#include <QByteArray>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

namespace tierscope::ui {

inline QNetworkRequest server_request(const QUrl& base, const QString& path, const QByteArray& api_key,
                                      const QUrlQuery& query = {}, int timeout_ms = 10'000) {
  QUrl url = base;
  url.setPath(path);
  if (!query.isEmpty()) url.setQuery(query);
  QNetworkRequest request(url);
  request.setTransferTimeout(timeout_ms);
  if (!api_key.isEmpty()) request.setRawHeader("Authorization", "Bearer " + api_key);
  return request;
}

// A QNetworkAccessManager made on first use, so it belongs to the worker thread that runs
// the function holding it (a manager must be used on the thread that made it). Copies share
// the one manager, so it can be captured by a std::function.
class LazyNetwork {
 public:
  QNetworkAccessManager& manager() const {
    if (!*manager_) *manager_ = std::make_unique<QNetworkAccessManager>();
    return **manager_;
  }

 private:
  std::shared_ptr<std::unique_ptr<QNetworkAccessManager>> manager_ =
      std::make_shared<std::unique_ptr<QNetworkAccessManager>>();
};

// A finished reply: its body, headers and status, and `error` — empty on success, else
// "server answered 503: <the server's detail>" or the network error.
struct ServerReply {
  int status = 0;  // 0: no HTTP answer
  QByteArray body;
  QString error;
  std::unique_ptr<QNetworkReply> reply;  // for headers
  bool ok() const { return error.isEmpty(); }
};

// Waits for `reply` in a local event loop. For worker threads only: the GUI thread must not
// wait on the network.
inline ServerReply wait_for_reply(QNetworkReply* reply) {
  ServerReply r;
  r.reply.reset(reply);
  QEventLoop wait;
  QObject::connect(reply, &QNetworkReply::finished, &wait, &QEventLoop::quit);
  if (!reply->isFinished()) wait.exec();
  r.body = reply->readAll();
  r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (reply->error() != QNetworkReply::NoError) {
    const QString detail = QJsonDocument::fromJson(r.body).object().value("detail").toString();
    r.error = r.status > 0 ? QObject::tr("server answered %1: %2").arg(r.status).arg(detail.isEmpty() ? reply->errorString() : detail)
                           : reply->errorString();
  }
  return r;
}

}  // namespace tierscope::ui
