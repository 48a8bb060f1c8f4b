#include "remote_classification.h"

#include <QEventLoop>
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
  auto network = std::make_shared<std::unique_ptr<QNetworkAccessManager>>();
  const QByteArray key = api_key.toUtf8();
  return [network, base, key](const QString& path, const QByteArray& bytes) {
    if (!*network) *network = std::make_unique<QNetworkAccessManager>();
    ClassificationRow row;
    row.path = path;
    QUrlQuery query;
    query.addQueryItem("filename", QString::fromLatin1(QUrl::toPercentEncoding(QFileInfo(path).fileName())));
    QNetworkRequest request = server_request(base, "/predict", key, query, 30'000);
    request.setHeader(QNetworkRequest::ContentTypeHeader, content_type_for(path));
    std::unique_ptr<QNetworkReply> reply((*network)->post(request, bytes));
    // This runs on the worker's thread, never the GUI's: waiting here blocks nobody.
    QEventLoop wait;
    QObject::connect(reply.get(), &QNetworkReply::finished, &wait, &QEventLoop::quit);
    if (!reply->isFinished()) wait.exec();
    const QByteArray body = reply->readAll();
    const QJsonObject j = QJsonDocument::fromJson(body).object();
    if (reply->error() != QNetworkReply::NoError) {
      const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      const QString detail = j.value("detail").toString();
      row.error = status > 0 ? QObject::tr("server answered %1: %2").arg(status).arg(detail.isEmpty() ? reply->errorString() : detail)
                             : reply->errorString();
      return row;
    }
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
