// CacheBrowserModel: one page of a namespace's entries in one tier — key, size, age,
// TTL left, hits — as the CacheBrowserWorker answered it. Holds the page only, never the
// cache; paging asks the worker for the next page.
//
// Ownership: a QObject. Thread safety: GUI thread only.
#pragma once

#include <QAbstractTableModel>

#include "cache_browser_worker.h"

namespace tierscope::ui {

class CacheBrowserModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { kKey, kSize, kAge, kTtlLeft, kHits, kColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setPage(const BrowserPage& page);
  const BrowserPage& page() const { return page_; }
  const BrowserRow* row(int r) const { return r >= 0 && r < page_.rows.size() ? &page_.rows[r] : nullptr; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  BrowserPage page_;
};

}  // namespace tierscope::ui
