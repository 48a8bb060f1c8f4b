// TryOnStageModel: the stage timings of the last try-on as a table (stage, ms, cache).
//
// Ownership: a QObject. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "tryon_view.h"

namespace tierscope::ui {

class TryOnStageModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kStage, kMilliseconds, kCache, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setStages(const QList<TryOnStageRow>& stages);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QList<TryOnStageRow> rows_;
};

}  // namespace tierscope::ui
