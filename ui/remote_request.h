// server_request(): a request to a tierscope-server as every remote worker of the console
// makes it — the server's base URL with `path` and `query`, a transfer timeout, and the
// API key as a bearer token when one is given.
#pragma once

#include <QByteArray>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

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

}  // namespace tierscope::ui
