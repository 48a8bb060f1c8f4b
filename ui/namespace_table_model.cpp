#include "namespace_table_model.h"

#include <QLocale>

namespace tierscope::ui {
namespace {

QString bytes(quint64 b) { return QLocale().formattedDataSize(static_cast<qint64>(b), 1, QLocale::DataSizeIecFormat); }

QString ttlText(double s) {
  if (s <= 0) return QObject::tr("no expiry");
  if (s < 120) return QObject::tr("%1 s").arg(s, 0, 'f', 0);
  if (s < 7200) return QObject::tr("%1 min").arg(s / 60, 0, 'f', 0);
  return QObject::tr("%1 h").arg(s / 3600, 0, 'f', 1);
}

QString admissionText(const NamespaceSample& r) {
  if (r.window_share <= NamespaceSample::kWindowNotReported) return QStringLiteral("–");  // an older server
  if (r.window_share >= 1 && !r.ghost_admission) return QObject::tr("window 100 % (LRU)");
  const QString window = QObject::tr("window %1 %").arg(100 * r.window_share, 0, 'f', 0);
  return r.ghost_admission ? QObject::tr("%1 + ghost").arg(window) : window;
}

}  // namespace

void NamespaceTableModel::setRows(const QList<NamespaceSample>& rows) {
  bool same_names = rows.size() == rows_.size();
  for (int i = 0; same_names && i < rows.size(); ++i) same_names = rows[i].name == rows_[i].name;
  if (!same_names) {
    beginResetModel();
    rows_ = rows;
    endResetModel();
    return;
  }
  rows_ = rows;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, 0), index(rows_.size() - 1, kColumnCount - 1));
}

int NamespaceTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int NamespaceTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant NamespaceTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const NamespaceSample& r = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kName: return r.name;
      case kHitRate: return r.lookups_per_second > 0 ? QStringLiteral("%1 %").arg(100 * r.hit_rate, 0, 'f', 1) : QStringLiteral("–");
      case kLookups: return QLocale().toString(r.lookups_per_second, 'f', 0);
      case kEntries:
        return r.max_entries ? tr("%L1 / %L2").arg(r.entries).arg(r.max_entries) : tr("%L1 (no limit)").arg(r.entries);
      case kMemory: return r.max_bytes ? tr("%1 / %2").arg(bytes(r.bytes), bytes(r.max_bytes)) : bytes(r.bytes);
      case kTtl: return ttlText(r.ttl_seconds);
      case kAdmission: return admissionText(r);
    }
  } else if (role == Qt::TextAlignmentRole && index.column() != kName && index.column() != kAdmission) {
    return int(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::UserRole) {  // sortable raw values
    switch (index.column()) {
      case kName: return r.name;
      case kHitRate: return r.hit_rate;
      case kLookups: return r.lookups_per_second;
      case kEntries: return r.entries;
      case kMemory: return r.bytes;
      case kTtl: return r.ttl_seconds;
      case kAdmission: return r.window_share + (r.ghost_admission ? 0.001 : 0.0);
    }
  }
  return {};
}

QVariant NamespaceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case kName: return tr("Namespace");
      case kHitRate: return tr("L1 hit rate");
      case kLookups: return tr("Lookups/s");
      case kEntries: return tr("Entries / limit");
      case kMemory: return tr("Memory / limit");
      case kTtl: return tr("TTL");
      case kAdmission: return tr("W-TinyLFU setting");
    }
  } else if (role == Qt::ToolTipRole) {
    switch (section) {
      case kHitRate: return tr("Share of this namespace's L1 lookups that found a live entry, last interval");
      case kEntries: return tr("Entries held in L1 against this namespace's own entry limit (l1_max_users, l1_max_garments, …)");
      case kMemory: return tr("Memory charged in L1 (keys, values, bookkeeping) against this namespace's byte limit");
      case kTtl: return tr("Base lifetime of entries stored from now on (ttl_hours)");
      case kAdmission:
        return tr("What the policy's advisor chose by simulating the candidates on a sample of the keys: the window's "
                  "share of the capacity (1 % for frequency-heavy traffic, up to 100 % = LRU for recency-heavy), and "
                  "\"ghost\" where candidates refused a short while ago are admitted when they return (drifting popularity)");
    }
  }
  return {};
}

}  // namespace tierscope::ui
