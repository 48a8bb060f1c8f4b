#include "curve_table_model.h"


#include "format.h"
#include "tierscope/monitor/live_curves.h"

namespace tierscope::ui {

double curveHitRatio(const CurveSample& c, double entries) { return curve_hit_ratio(c.points, entries); }

double curveEntriesFor(const CurveSample& c, double ratio) {
  for (const CurvePoint& p : c.points) {
    if (p.hit_ratio >= ratio) return p.size_entries;
  }
  return -1;
}

void CurveTableModel::setCurves(const QList<CurveSample>& curves) {
  if (curves.size() != rows_.size()) {
    beginResetModel();
    rows_ = curves;
    endResetModel();
    return;
  }
  rows_ = curves;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, 0), index(int(rows_.size()) - 1, kColumnCount - 1));
}

int CurveTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int CurveTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant CurveTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const CurveSample& c = rows_[index.row()];
  const bool bytes = c.mean_entry_bytes > 0;
  auto size = [&](double entries) {
    return bytes ? humanBytes(entries * c.mean_entry_bytes) : tr("%L1 entries").arg(entries, 0, 'f', 0);
  };
  auto percent = [](double r) { return QStringLiteral("%1 %").arg(100 * r, 0, 'f', 1); };
  const bool enough = c.samples >= 1000;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kName: return c.name;
      case kSize: return size(c.current_entries);
      case kHitNow: return enough ? percent(c.hit_ratio_now) : tr("(learning)");
      case kHalf: return enough ? percent(curveHitRatio(c, c.current_entries / 2)) : QString();
      case kDouble: {
        if (!enough) return QString();
        const double gain = curveHitRatio(c, c.current_entries * 2) - c.hit_ratio_now;
        return QStringLiteral("%1 (%2%3)")
            .arg(percent(curveHitRatio(c, c.current_entries * 2)), gain >= 0 ? "+" : "")
            .arg(100 * gain, 0, 'f', 1);
      }
      case kKnee: {
        if (!enough || c.points.empty()) return QString();
        const double best = c.points.back().hit_ratio;
        if (best <= 0) return tr("no reuse");
        return QStringLiteral("%1 → %2").arg(size(curveEntriesFor(c, 0.95 * best)), percent(0.95 * best));
      }
      case kSampling:
        return tr("%L1 req, rate %2").arg(c.samples).arg(c.sampling_rate, 0, 'g', 3);
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (index.column()) {
      case kSize: return tr("The namespace's L1 now: the tighter of its entry and byte limits");
      case kHitNow: return tr("Hit ratio an LRU cache of this size would have on the recent traffic (the estimate)");
      case kHalf: return tr("The estimated hit ratio with half the memory");
      case kDouble: return tr("The estimated hit ratio with twice the memory, and the gain in points");
      case kKnee: return tr("The size that reaches 95 % of the best hit ratio this traffic allows");
      case kSampling: return tr("Requests behind the curve and the share of keys sampled (SHARDS)");
      default: return c.name;
    }
  }
  if (role == Qt::TextAlignmentRole && index.column() != kName) return int(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant CurveTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName: return tr("Namespace");
    case kSize: return tr("L1 size");
    case kHitNow: return tr("Hit ratio now");
    case kHalf: return tr("At ½ size");
    case kDouble: return tr("At 2× size");
    case kKnee: return tr("95 % of best at");
    case kSampling: return tr("Sample");
  }
  return {};
}

}  // namespace tierscope::ui
