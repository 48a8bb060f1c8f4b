// ClassificationTableModel: the rows of a folder run — file, top class, probability,
// category, cached, time, size, error — for a QTableView, and as CSV.
//
// Ownership: owns its rows. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QVector>

#include "classification_row.h"

namespace tierscope::ui {

class ClassificationTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kFile, kClass, kProbability, kCategory, kFromCache, kTimeMs, kSize, kError, kColumnCount };

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  void append(const ClassificationRow& row);
  void clear();
  const ClassificationRow& row(int i) const { return rows_[i]; }

  // RFC 4180 CSV with a header line; fields with commas, quotes or newlines are quoted.
  QString toCsv() const;

 private:
  QVector<ClassificationRow> rows_;
};

}  // namespace tierscope::ui
