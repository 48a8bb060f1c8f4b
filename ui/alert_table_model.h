// AlertTableModel: one row per alert rule of the engine's monitor — name, condition,
// duration, state (ok / pending / firing, coloured), the metric's latest value, for how
// long, and how often it fired. Fed from EngineSample::alerts on the GUI thread.
//
// Ownership: a QObject. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "engine_sample.h"

namespace tierscope::ui {

class AlertTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kName, kCondition, kDuration, kState, kValue, kSince, kFired, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setAlerts(const QList<AlertSample>& alerts);
  const AlertSample* alert(int row) const { return row >= 0 && row < rows_.size() ? &rows_[row] : nullptr; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QList<AlertSample> rows_;
};

}  // namespace tierscope::ui
