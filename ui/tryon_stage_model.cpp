#include "tryon_stage_model.h"

#include <QBrush>
#include <QColor>

namespace tierscope::ui {

void TryOnStageModel::setStages(const QList<TryOnStageRow>& stages) {
  beginResetModel();
  rows_ = stages;
  endResetModel();
}

int TryOnStageModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int TryOnStageModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant TryOnStageModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const TryOnStageRow& row = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kStage: return row.name;
      case kMilliseconds: return QString::number(row.milliseconds, 'f', 1);
      case kCache: return row.from_cache ? tr("cached") : tr("computed");
    }
  } else if (role == Qt::TextAlignmentRole && index.column() == kMilliseconds) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::ForegroundRole && index.column() == kCache && row.from_cache) {
    return QBrush(QColor(0, 128, 0));
  } else if (role == Qt::ToolTipRole && index.column() == kCache) {
    return row.from_cache ? tr("Answered from the tiered cache (L1 or L2)") : tr("Computed for this request");
  }
  return {};
}

QVariant TryOnStageModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kStage: return tr("Stage");
    case kMilliseconds: return tr("ms");
    case kCache: return tr("Cache");
  }
  return {};
}

}  // namespace tierscope::ui
