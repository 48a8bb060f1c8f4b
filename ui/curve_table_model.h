// CurveTableModel: what more (or less) memory would do, per namespace, read off its live
// hit-ratio curve — size now, hit ratio now, at half and at twice the size, and the size
// that reaches 95 % of the best this traffic allows. Fed from EngineSample::curves on
// the GUI thread.
//
// Ownership: a QObject. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "engine_sample.h"

namespace tierscope::ui {

// The curve's hit ratio at `entries` (log-interpolated; 0 with no points).
double curveHitRatio(const CurveSample& curve, double entries);
// The smallest size (entries) reaching `ratio`, or -1 when the curve never does.
double curveEntriesFor(const CurveSample& curve, double ratio);

class CurveTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kName, kSize, kHitNow, kHalf, kDouble, kKnee, kSampling, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setCurves(const QList<CurveSample>& curves);
  const CurveSample* curve(int row) const { return row >= 0 && row < rows_.size() ? &rows_[row] : nullptr; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QList<CurveSample> rows_;
};

}  // namespace tierscope::ui
