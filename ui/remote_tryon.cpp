#include "remote_tryon.h"

#include <QHttpMultiPart>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

#include <memory>
#include <stdexcept>

#include "remote_request.h"
#include "tierscope/tryon/tryon_pipeline.h"

namespace tierscope::ui {
namespace {

QHttpPart image_part(const char* field, const QByteArray& bytes) {
  QHttpPart part;
  part.setHeader(QNetworkRequest::ContentDispositionHeader,
                 QStringLiteral("form-data; name=\"%1\"; filename=\"%1\"").arg(QLatin1String(field)));
  part.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/octet-stream"));
  part.setBody(bytes);
  return part;
}

}  // namespace

TryOnWorker::TryOnFunction remote_tryon_function(QUrl base, QString api_key) {
  LazyNetwork network;
  const QByteArray key = api_key.toUtf8();
  return [network, base, key](const TryOnJob& job) {
    QUrlQuery query;
    query.addQueryItem("format", "bundle");
    if (!job.category.isEmpty()) query.addQueryItem("category", job.category);
    query.addQueryItem("fill", job.skin_fill ? "skin" : "layer");
    query.addQueryItem("grabcut", job.grabcut ? "1" : "0");
    QNetworkRequest request = server_request(base, "/tryon", key, query, 60'000);
    auto* multipart = new QHttpMultiPart(QHttpMultiPart::FormDataType);
    multipart->append(image_part("person", job.person));
    multipart->append(image_part("garment", job.garment));
    QNetworkReply* reply = network.manager().post(request, multipart);
    multipart->setParent(reply);
    const ServerReply answer = wait_for_reply(reply);
    if (!answer.ok()) throw std::runtime_error(answer.error.toStdString());
    const QByteArray& body = answer.body;
    return tryon::parse_result_bundle(std::string_view(body.constData(), static_cast<size_t>(body.size())));
  };
}

}  // namespace tierscope::ui
