#include "alert_table_model.h"

#include <QBrush>
#include <QColor>

#include "format.h"

namespace tierscope::ui {

void AlertTableModel::setAlerts(const QList<AlertSample>& alerts) {
  bool same_rules = alerts.size() == rows_.size();
  for (qsizetype i = 0; same_rules && i < alerts.size(); ++i) same_rules = alerts[i].name == rows_[i].name;
  if (!same_rules) {
    beginResetModel();
    rows_ = alerts;
    endResetModel();
    return;
  }
  rows_ = alerts;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, 0), index(int(rows_.size()) - 1, kColumnCount - 1));
}

int AlertTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int AlertTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant AlertTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const AlertSample& a = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kName: return a.name;
      case kCondition: return QStringLiteral("%1 %2 %3").arg(a.metric, a.op).arg(a.threshold, 0, 'g', 6);
      case kDuration: return humanSeconds(a.duration_seconds);
      case kState: return a.state;
      case kValue: return a.has_value ? QString::number(a.value, 'g', 4) : tr("no recent data");
      case kSince: return a.state == QLatin1String("ok") ? QString() : humanSeconds(a.since_seconds);
      case kFired: return a.times_fired;
    }
  }
  if (role == Qt::BackgroundRole && index.column() == kState) {
    if (a.state == QLatin1String("firing")) return QBrush(QColor("#e74c3c"));
    if (a.state == QLatin1String("pending")) return QBrush(QColor("#f39c12"));
  }
  if (role == Qt::ForegroundRole && index.column() == kState && a.state != QLatin1String("ok")) return QBrush(Qt::white);
  if (role == Qt::ToolTipRole) {
    return tr("Fires when %1 %2 %3 holds for %4 (checked every second)")
        .arg(a.metric, a.op)
        .arg(a.threshold, 0, 'g', 6)
        .arg(humanSeconds(a.duration_seconds));
  }
  if (role == Qt::TextAlignmentRole && (index.column() == kValue || index.column() == kFired)) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant AlertTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName: return tr("Rule");
    case kCondition: return tr("Condition");
    case kDuration: return tr("For");
    case kState: return tr("State");
    case kValue: return tr("Value");
    case kSince: return tr("Since");
    case kFired: return tr("Fired");
  }
  return {};
}

}  // namespace tierscope::ui
