#include "classification_table_model.h"

#include <QFileInfo>

namespace tierscope::ui {
namespace {

QString csvField(QString s) {
  if (s.contains(',') || s.contains('"') || s.contains('\n') || s.contains('\r')) {
    s.replace('"', "\"\"");
    return '"' + s + '"';
  }
  return s;
}

}  // namespace

int ClassificationTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

int ClassificationTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant ClassificationTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size() || index.column() >= kColumnCount) return {};
  const ClassificationRow& r = rows_[index.row()];
  if (role == Qt::ToolTipRole && index.column() == kFile) return r.path;
  if (role == Qt::TextAlignmentRole && (index.column() == kProbability || index.column() == kTimeMs)) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kFile:
      return QFileInfo(r.path).fileName();
    case kClass:
      if (r.ok() && !r.doubt.isEmpty()) return tr("(unsure) %1").arg(r.classes.value(0));
      return r.ok() && !r.classes.isEmpty() ? r.classes.first() : QString();
    case kProbability:
      return r.ok() && !r.probabilities.isEmpty() ? QStringLiteral("%1 %").arg(r.probabilities.first() * 100, 0, 'f', 1) : QString();
    case kCategory:
      return r.category;
    case kFromCache:
      return r.ok() ? (r.from_cache ? tr("yes") : tr("no")) : QString();
    case kTimeMs:
      return r.ok() ? QString::number(r.time_ms, 'f', 1) : QString();
    case kSize:
      return r.ok() ? QStringLiteral("%1x%2").arg(r.width).arg(r.height) : QString();
    case kError:
      return r.ok() ? r.doubt : r.error;
  }
  return {};
}

QVariant ClassificationTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
  static const char* names[kColumnCount] = {"File", "Class", "Probability", "Category", "From cache", "Time (ms)", "Size", "Error"};
  return section >= 0 && section < kColumnCount ? tr(names[section]) : QVariant();
}

void ClassificationTableModel::append(const ClassificationRow& row) {
  beginInsertRows({}, int(rows_.size()), int(rows_.size()));
  rows_.append(row);
  endInsertRows();
}

void ClassificationTableModel::clear() {
  beginResetModel();
  rows_.clear();
  endResetModel();
}

QString ClassificationTableModel::toCsv() const {
  QString csv = "file,class,probability,category,from_cache,time_ms,width,height,error\n";
  for (const ClassificationRow& r : rows_) {
    QStringList f;
    f << csvField(r.path) << csvField(r.ok() && !r.classes.isEmpty() ? r.classes.first() : QString())
      << (r.ok() && !r.probabilities.isEmpty() ? QString::number(r.probabilities.first(), 'f', 6) : QString())
      << csvField(r.category) << (r.ok() ? (r.from_cache ? "true" : "false") : "") << (r.ok() ? QString::number(r.time_ms, 'f', 3) : QString())
      << (r.ok() ? QString::number(r.width) : QString()) << (r.ok() ? QString::number(r.height) : QString()) << csvField(r.error);
    csv += f.join(',') + '\n';
  }
  return csv;
}

}  // namespace tierscope::ui
