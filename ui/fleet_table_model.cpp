#include "fleet_table_model.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace tierscope::ui {
namespace {
QString percent(double share) { return QStringLiteral("%1 %").arg(share * 100.0, 0, 'f', 1); }
}  // namespace

void FleetTableModel::setInstances(const QStringList& urls) {
  beginResetModel();
  rows_.clear();
  for (const QString& url : urls) {
    InstanceRow r;
    r.url = url;
    r.detail = tr("connecting …");
    rows_.append(r);
  }
  endResetModel();
}

void FleetTableModel::updateSample(int row, const EngineSample& s) {
  if (row < 0 || row >= rows_.size()) return;
  InstanceRow& r = rows_[row];
  r.has_sample = true;
  r.requests_per_second = s.requests_per_second;
  r.l1 = s.l1_hit_rate;
  r.l2 = s.l2_hit_rate;
  r.redis = s.redis_rate;
  r.origin = s.origin_rate;
  r.failed = s.failed_rate;
  r.redis_enabled = s.redis_enabled;
  r.redis_available = s.redis_available;
  r.redis_breaker = s.redis_breaker;
  r.redis_endpoint = s.redis_endpoint;
  Q_EMIT dataChanged(index(row, 0), index(row, kColumnCount - 1));
}

void FleetTableModel::updateConnection(int row, bool connected, const QString& detail) {
  if (row < 0 || row >= rows_.size()) return;
  rows_[row].connected = connected;
  rows_[row].detail = detail;
  Q_EMIT dataChanged(index(row, 0), index(row, kColumnCount - 1));
}

FleetAggregate FleetTableModel::aggregate() const {
  FleetAggregate a;
  a.instances = static_cast<int>(rows_.size());
  QString endpoint;
  bool same = true;
  for (const InstanceRow& r : rows_) {
    if (!r.connected) continue;
    ++a.connected;
    a.requests_per_second += r.requests_per_second;
    a.l1 += r.l1 * r.requests_per_second;
    a.l2 += r.l2 * r.requests_per_second;
    a.redis += r.redis * r.requests_per_second;
    a.origin += r.origin * r.requests_per_second;
    a.failed += r.failed * r.requests_per_second;
    if (r.redis_enabled) {
      ++a.redis_enabled;
      if (r.redis_available) ++a.redis_available;
      if (endpoint.isEmpty()) endpoint = r.redis_endpoint;
      same = same && r.redis_endpoint == endpoint;
    } else {
      same = false;
    }
  }
  if (a.requests_per_second > 0) {
    for (double* share : {&a.l1, &a.l2, &a.redis, &a.origin, &a.failed}) *share /= a.requests_per_second;
  }
  a.share_one_redis = a.connected > 0 && same && !endpoint.isEmpty();
  return a;
}

int FleetTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }
int FleetTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant FleetTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size() || index.column() >= kColumnCount) return {};
  const InstanceRow& r = rows_.at(index.row());
  const bool live = r.connected && r.has_sample;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kInstance:
        return r.url;
      case kStatus:
        return r.connected ? tr("up") : r.detail;
      case kRequests:
        return live ? QLocale().toString(r.requests_per_second, 'f', 0) : QString();
      case kL1:
        return live ? percent(r.l1) : QString();
      case kL2:
        return live ? percent(r.l2) : QString();
      case kRedis:
        return live && r.redis_enabled ? percent(r.redis) : QString();
      case kOrigin:
        return live ? percent(r.origin) : QString();
      case kFailed:
        return live ? percent(r.failed) : QString();
      case kRedisState:
        if (!live) return QString();
        if (!r.redis_enabled) return tr("none");
        return r.redis_available ? tr("available") : tr("unavailable");
      case kBreaker:
        return live && r.redis_enabled ? r.redis_breaker : QString();
    }
  }
  if (role == Qt::TextAlignmentRole && index.column() >= kRequests && index.column() <= kFailed) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == Qt::ToolTipRole) {
    if (index.column() == kStatus) return r.detail;
    if (index.column() == kRedisState || index.column() == kBreaker) return r.redis_endpoint;
  }
  if (role == Qt::ForegroundRole) {
    const bool bad = (index.column() == kStatus && !r.connected) ||
                     (index.column() == kRedisState && live && r.redis_enabled && !r.redis_available) ||
                     (index.column() == kBreaker && live && r.redis_enabled && r.redis_breaker != QLatin1String("closed")) ||
                     (index.column() == kFailed && live && r.failed > 0);
    if (bad) return QBrush(QColor(0xc0, 0x30, 0x30));
  }
  return {};
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kInstance:
      return tr("Instance");
    case kStatus:
      return tr("Status");
    case kRequests:
      return tr("Requests/s");
    case kL1:
      return tr("L1");
    case kL2:
      return tr("L2");
    case kRedis:
      return tr("Redis");
    case kOrigin:
      return tr("Origin");
    case kFailed:
      return tr("Failed");
    case kRedisState:
      return tr("Redis tier");
    case kBreaker:
      return tr("Breaker");
  }
  return {};
}

}  // namespace tierscope::ui
