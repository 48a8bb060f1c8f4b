// NamespaceTableModel: one row per cache namespace — L1 hit rate and lookups/s this
// interval, entries and memory against that namespace's own limits, TTL, and the setting
// W-TinyLFU's advisor chose (window share, ghost admission). Fed from
// EngineSample values on the GUI thread; rows change only when namespaces do.
//
// Ownership: a QObject. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "engine_sample.h"

namespace tierscope::ui {

class NamespaceTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kName, kHitRate, kLookups, kEntries, kMemory, kTtl, kAdmission, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setRows(const QList<NamespaceSample>& rows);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QList<NamespaceSample> rows_;
};

}  // namespace tierscope::ui
