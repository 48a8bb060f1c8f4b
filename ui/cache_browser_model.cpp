#include "cache_browser_model.h"

#include "format.h"

namespace tierscope::ui {

void CacheBrowserModel::setPage(const BrowserPage& page) {
  beginResetModel();
  page_ = page;
  endResetModel();
}

int CacheBrowserModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(page_.rows.size()); }
int CacheBrowserModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant CacheBrowserModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const BrowserRow& r = page_.rows[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kKey: return r.key;
      case kSize: return humanBytes(double(r.bytes));
      case kAge: return humanSeconds(r.age_seconds);
      case kTtlLeft: return r.ttl_left_seconds < 0 ? tr("never expires") : humanSeconds(r.ttl_left_seconds);
      case kHits: return page_.tier == 0 ? QVariant(r.hits) : QVariant(QStringLiteral("—"));
    }
  }
  if (role == Qt::UserRole) {  // raw values, for sorting or tests
    switch (index.column()) {
      case kKey: return r.key;
      case kSize: return r.bytes;
      case kAge: return r.age_seconds;
      case kTtlLeft: return r.ttl_left_seconds;
      case kHits: return r.hits;
    }
  }
  if (role == Qt::ToolTipRole) {
    if (index.column() == kSize) return tr("%L1 bytes charged (L2: whole file-system blocks)").arg(r.bytes);
    if (index.column() == kHits) return tr("Reads since stored (L1 only; L2 keeps no per-entry count)");
    return r.key;
  }
  if (role == Qt::TextAlignmentRole && index.column() != kKey) return int(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant CacheBrowserModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Vertical) return qulonglong(page_.offset) + qulonglong(section) + 1;
  switch (section) {
    case kKey: return tr("Key");
    case kSize: return tr("Size");
    case kAge: return tr("Age");
    case kTtlLeft: return tr("TTL left");
    case kHits: return tr("Hits");
  }
  return {};
}

}  // namespace tierscope::ui
