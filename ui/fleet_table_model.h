// FleetTableModel: one row per tierscope-server the console watches — whether it answers,
// its request rate, the share of requests each tier answered this interval, and its view
// of the shared Redis tier (available, breaker). Fed on the GUI thread from the
// EngineSample values and connection changes each instance's RemoteEngineWorker sends.
// Also gives the fleet's aggregates (total rate, shares weighted by each rate).
//
// Ownership: a QObject. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include "engine_sample.h"

namespace tierscope::ui {

struct InstanceRow {
  QString url;
  bool connected = false;
  QString detail;  // why not connected, or "connected"
  bool has_sample = false;
  double requests_per_second = 0;
  double l1 = 0, l2 = 0, redis = 0, origin = 0, failed = 0;  // shares 0..1 this interval
  bool redis_enabled = false;
  bool redis_available = false;
  QString redis_breaker;
  QString redis_endpoint;
};

// The fleet as a whole at one moment.
struct FleetAggregate {
  int instances = 0, connected = 0;
  double requests_per_second = 0;
  double l1 = 0, l2 = 0, redis = 0, origin = 0, failed = 0;  // weighted by each instance's rate
  int redis_available = 0, redis_enabled = 0;
  // Every connected instance that has a Redis tier names the same endpoint: one
  // invalidation reaches them all through its broadcast.
  bool share_one_redis = false;
};

class FleetTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kInstance, kStatus, kRequests, kL1, kL2, kRedis, kOrigin, kFailed, kRedisState, kBreaker, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setInstances(const QStringList& urls);
  void updateSample(int row, const EngineSample& sample);
  void updateConnection(int row, bool connected, const QString& detail);
  const InstanceRow& instance(int row) const { return rows_.at(row); }
  FleetAggregate aggregate() const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QList<InstanceRow> rows_;
};

}  // namespace tierscope::ui
