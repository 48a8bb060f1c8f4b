#include "remote_classification.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

#include <memory>

#include "remote_request.h"

namespace tierscope::ui {
namespace {

QByteArray content_type_for(const QString& path) {
  const QString ext = QFileInfo(path).suffix().toLower();
  if (ext == "png") return "image/png";
  if (ext == "bmp") return "image/bmp";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  return "image/jpeg";
}

}  // namespace

ClassificationWorker::ClassifyFunction remote_classify_function(QUrl base, QString api_key) {
  LazyNetwork network;
  const QByteArray key = api_key.toUtf8();
  return [network, base, key](const QString& path, const QByteArray& bytes) {
    ClassificationRow row;
    row.path = path;
    QUrlQuery query;
    query.addQueryItem("filename", QString::fromLatin1(QUrl::toPercentEncoding(QFileInfo(path).fileName())));
    QNetworkRequest request = server_request(base, "/predict", key, query, 30'000);
    request.setHeader(QNetworkRequest::ContentTypeHeader, content_type_for(path));
    const ServerReply answer = wait_for_reply(network.manager().post(request, bytes));
    if (!answer.ok()) {
      row.error = answer.error;
      return row;
    }
    const QJsonObject j = QJsonDocument::fromJson(answer.body).object();
    for (const QJsonValue& v : j.value("predictions").toArray()) {
      row.classes << v.toObject().value("class").toString();
      row.probabilities << v.toObject().value("probability").toDouble();
    }
    row.category = j.value("category").toString();
    row.doubt = j.value("doubt").toString();
    const QJsonObject meta = j.value("metadata").toObject();
    row.time_ms = meta.value("processing_time_ms").toDouble();
    row.from_cache = meta.value("from_cache").toBool();
    const QJsonArray size = meta.value("image_size").toArray();
    row.width = size.at(0).toInt();
    row.height = size.at(1).toInt();
    if (row.classes.isEmpty()) row.error = QObject::tr("the server's answer has no predictions");
    return row;
  };
}

}  // namespace tierscope::ui
