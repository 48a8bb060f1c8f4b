// RemoteEngineWorker: the console's link to a tierscope-server — polls `GET /stats`,
// `GET /alerts` and `GET /logs` once a second into EngineSample values (RemoteSampler) and
// log lines, and sends tuning as `PUT /config` (auto-tuning: `POST /tuning/run`)
// changes, with the API key when one is given. The server's answer to a change (or its
// error, e.g. 401 without a key, 400 naming a bad value) comes back as a signal.
//
// Ownership: owns its network access manager. Thread safety: lives on one thread (the
// console runs it on a worker thread); call its slots through queued connections.
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

#include "engine_sample.h"
#include "log_model.h"
#include "remote_sampler.h"

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace tierscope::ui {

class RemoteEngineWorker : public QObject {
  Q_OBJECT

 public:
  // `base` is the server's URL (http://host:port); `api_key` may be empty.
  RemoteEngineWorker(QUrl base, QString api_key, QObject* parent = nullptr);
  ~RemoteEngineWorker() override;

  const QUrl& baseUrl() const { return base_; }

 public Q_SLOTS:
  void start();
  void stop();
  void setFocusNamespace(const QString& ns);
  void setLatencyWindow(double seconds);
  void setL1Capacity(const QString& ns, quint64 max_entries, quint64 max_bytes);
  void setTtl(const QString& ns, double seconds);
  void setAdaptiveTtl(int max_multiplier);  // 0 = off
  void setPolicy(const QString& policy);
  void setDiskLimit(quint64 max_bytes);
  void setDiskWatermarks(double high, double low);
  void setMaxImageSize(int pixels);
  void setMaxConcurrentInferences(int limit);
  void setAutoTuning(bool on);
  // POST /tuning/run: one auto-tuning pass now; what it changed shows in the next sample.
  void autoTuneNow();
  // Any PUT /config change (the JSON object of engine_tuning.h).
  void putConfig(const QJsonObject& change);
  // PUT /alerts (add or replace a rule) and DELETE /alerts?name=.
  void setAlertRule(const QString& name, const QString& metric, const QString& op, double threshold,
                    double duration_seconds);
  void removeAlertRule(const QString& name);
  // DELETE /cache?pattern=&namespace= (ns "" = every namespace); `detail` is echoed back.
  void invalidate(const QString& ns, const QString& pattern, const QString& detail);

 Q_SIGNALS:
  void sampleReady(const tierscope::ui::EngineSample& sample);
  // Connected (a /stats answer arrived) or not, with why.
  void connectionChanged(bool connected, const QString& detail);
  // A change the server applied: the keys it names.
  void configApplied(const QStringList& changed);
  void errorOccurred(const QString& message);
  // What DELETE /cache removed on this server.
  void invalidated(qulonglong removed, const QString& detail);
  // New lines of the server's log (GET /logs, polled with /stats), oldest first.
  void logLinesReady(const QList<tierscope::ui::LogLine>& lines);

 private:
  void poll();
  void pollLogs();
  QNetworkReply* send(const QString& method, const QString& path, const QByteArray& body = {},
                      const QUrlQuery& query = {});
  static QString errorText(QNetworkReply* reply, const QByteArray& body);
  // A reply to a change: on success `applied` gets the server's JSON and a poll follows
  // (the effect shows at once); on an error, errorOccurred(refused.arg(why)).
  void onChangeReply(QNetworkReply* reply, const QString& refused, std::function<void(const QJsonObject&)> applied);

  QUrl base_;
  QByteArray api_key_;
  QNetworkAccessManager* network_ = nullptr;
  QTimer* timer_ = nullptr;
  QElapsedTimer since_start_;
  RemoteSampler sampler_;
  QList<AlertSample> alerts_;  // the server's rules at the last GET /alerts
  bool connected_ = false;
  bool poll_pending_ = false;
  bool logs_pending_ = false;
  quint64 last_log_ = 0;  // the newest log line's sequence number seen
  QString logs_error_;    // the last reason /logs failed, said once
};

}  // namespace tierscope::ui
